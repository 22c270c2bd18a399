"""Every rule, one module each, and `context`: what a rule may know besides the migration.

RULES is sorted by id; a test checks every rule module is registered once. Rules import the layers below
them (model, sql, frameworks, references, probe questions), never the plan, the review or what renders it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.model.findings import Finding, Rule
    from bot.model.migration import Migration
    from bot.rules.context import Context

# One module per rule, sorted by id (module name = id with underscores).
NAMES = (
    "applied_migration_edited",
    "applied_migration_removed",
    "arbitrary_row_chosen",
    "attach_partition_scan",
    "batch_range_off_by_one",
    "blocking_maintenance",
    "cascading_delete",
    "case_value_mismatch",
    "case_without_else",
    "char_type",
    "choice_value_reassigned",
    "column_dropped",
    "column_renamed",
    "column_used_by_view",
    "concurrent_in_transaction",
    "concurrent_index_corruption",
    "concurrently_refused",
    "consent_assumed",
    "constraint_index_dropped",
    "constraint_not_valid",
    "counter_not_backfilled",
    "current_model_in_migration",
    "data_lost_on_rollback",
    "database_dropped",
    "date_bound_on_timestamp",
    "default_changed",
    "default_dropped",
    "default_evaluated_once",
    "default_scope_in_migration",
    "delete_join_untied",
    "dependent_rows_orphaned",
    "domain_constraint",
    "double_pipe_is_or",
    "down_does_not_restore",
    "down_drop_not_found",
    "down_drop_refused",
    "down_drops_data",
    "down_not_idempotent",
    "down_overreaches",
    "down_recreates_empty",
    "dual_write_incomplete",
    "duplicate_case_branch",
    "duplicate_column_assignment",
    "duplicate_migration_version",
    "duplicates_all_deleted",
    "duplicates_before_unique",
    "enum_label_unknown",
    "enum_order_changed",
    "enum_type_missing",
    "enum_value_dropped",
    "enum_value_in_transaction",
    "enum_value_order",
    "enum_value_renamed",
    "every_row_overwritten",
    "exclusion_constraint",
    "existing_rows_one_parent",
    "existing_rows_stamped_now",
    "existing_rows_switched_off",
    "expression_not_immutable",
    "foreign_key_dropped",
    "foreign_key_narrower",
    "foreign_key_type_change",
    "foreign_key_without_index",
    "function_replace_refused",
    "guarded_create_skipped",
    "hard_coded_id",
    "hypertable_conversion",
    "identifier_too_long",
    "identity_made_always",
    "ignore_drops_rows",
    "index_needed_by_foreign_key",
    "inline_references_ignored",
    "insert_collision",
    "int_primary_key",
    "integer_division",
    "integrity_checks_disabled",
    "invalid_index_retry",
    "join_matches_many",
    "joined_field_update",
    "json_type",
    "last_modified_overwritten",
    "length_below_code_limit",
    "lossy_copy",
    "lossy_type_change",
    "migration_never_runs",
    "migration_out_of_order",
    "migration_parent_missing",
    "mismatched_key",
    "missing_down_migration",
    "missing_lock_timeout",
    "missing_statement_timeout",
    "model_without_migration",
    "modify_resets_column",
    "money_as_float",
    "multiple_migration_heads",
    "mysql_table_copy",
    "needs_newer_server",
    "nested_transaction",
    "non_concurrent_detach_partition",
    "non_concurrent_index",
    "non_concurrent_index_drop",
    "non_concurrent_refresh",
    "non_concurrent_reindex",
    "non_robust_statement",
    "none_written_as_text",
    "not_null_dropped",
    "not_null_without_default",
    "null_default_on_not_null",
    "null_dropping_comparison",
    "null_from_subquery",
    "null_into_not_null",
    "null_propagation",
    "nulls_before_not_null",
    "nulls_filled_with_placeholder",
    "object_already_exists",
    "object_in_use_dropped",
    "on_delete_changed",
    "one_batch_only",
    "online_ddl_refused",
    "orphans_before_foreign_key",
    "pages_without_order",
    "primary_key_dropped",
    "primary_key_not_null_scan",
    "production_id_mismatch",
    "program_run_by_migration",
    "rails_down_ignored",
    "rebuild_deletes_children",
    "rebuild_drops_constraints",
    "referenced_rows_deleted",
    "required_column_unwritten",
    "rescaled_in_place",
    "restricted_destroy",
    "row_security_without_policy",
    "rows_violating_check",
    "save_failure_ignored",
    "schema_dropped",
    "schema_renamed",
    "sequence_not_widened",
    "sequence_reset",
    "sequential_assignment",
    "serial_over_identity",
    "set_not_null",
    "set_null_on_required_column",
    "soft_delete_in_unique_key",
    "split_drops_parts",
    "sqlite_alter_unsupported",
    "star_copy_misaligned",
    "statements_after_exclusive_lock",
    "string_as_field_update",
    "string_compared_to_number",
    "suppression_without_reason",
    "swapped_values",
    "table_dropped",
    "table_renamed",
    "text_joined_with_plus",
    "three_byte_utf8",
    "time_zone_shift",
    "timestamp_without_time_zone",
    "trigger_dropped",
    "trigger_left_disabled",
    "truncate_cascade",
    "type_change_rewrite",
    "type_change_without_using",
    "unbatched_data_change",
    "uncommitted_transaction",
    "unique_collision",
    "unique_constraint_under_lock",
    "unique_key_case_folded",
    "unique_key_dropped",
    "unique_key_without_partition_key",
    "unique_without_duplicate_check",
    "unit_mismatch",
    "unmapped_code_value",
    "unmapped_production_value",
    "unnamed_constraint_drop",
    "unparsed_statement",
    "unread_data_change",
    "unreadable_migration",
    "upsert_overwrites",
    "value_does_not_fit",
    "value_not_allowed",
    "value_refused_in_production",
    "value_remapped_twice",
    "values_rejected_by_type",
    "view_replace_refused",
    "volatile_default",
    "where_matches_no_rows",
)
# Rules that judge a statement whatever its direction: they also read the down migration.
BOTH_WAYS = frozenset(
    {
        "case-without-else",
        "concurrent-in-transaction",
        "null-dropping-comparison",
        "null-propagation",
        "swapped-values",
    }
)
RULES: tuple[ModuleType, ...] = tuple(importlib.import_module(f"bot.rules.{name}") for name in NAMES)

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
