"""Every rule, one module each. RULES is sorted by id; a test checks every module is registered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

from bot.rules import (
    column_dropped,
    column_renamed,
    concurrent_in_transaction,
    constraint_not_valid,
    dual_write_incomplete,
    missing_lock_timeout,
    nested_transaction,
    non_concurrent_index,
    non_concurrent_index_drop,
    not_null_without_default,
    set_not_null,
    suppression_without_reason,
    table_dropped,
    table_renamed,
    type_change_rewrite,
    unbatched_data_change,
    uncommitted_transaction,
    unique_constraint_under_lock,
    unparsed_statement,
    volatile_default,
)

if TYPE_CHECKING:
    from bot.context import Context
    from bot.findings import Finding, Rule
    from bot.migration import Migration

RULES: tuple[ModuleType, ...] = (
    column_dropped,
    column_renamed,
    concurrent_in_transaction,
    constraint_not_valid,
    dual_write_incomplete,
    missing_lock_timeout,
    nested_transaction,
    non_concurrent_index,
    non_concurrent_index_drop,
    not_null_without_default,
    set_not_null,
    suppression_without_reason,
    table_dropped,
    table_renamed,
    type_change_rewrite,
    unbatched_data_change,
    uncommitted_transaction,
    unique_constraint_under_lock,
    unparsed_statement,
    volatile_default,
)

BY_ID: dict[str, ModuleType] = {}
for _module in RULES:
    BY_ID[_module.RULE.id] = _module
    for _alias in _module.RULE.aliases:
        BY_ID[_alias] = _module
ALL_IDS = frozenset(BY_ID)

Check = Callable[["Migration", "Context"], Iterator["Finding"]]


def rule(rule_id: str) -> Rule:
    found: Rule = BY_ID[rule_id].RULE
    return found


def canonical(rule_id: str) -> str:
    """The current id of a rule named by an id or an alias (aliases live forever)."""
    module = BY_ID.get(rule_id)
    return module.RULE.id if module is not None else rule_id
