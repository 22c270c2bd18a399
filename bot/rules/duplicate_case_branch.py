"""A CASE that lists the same value twice never reaches the second branch.

## Why is this bad?
CASE takes the first WHEN that matches. In
`CASE status WHEN 'paid' THEN 1 WHEN 'open' THEN 2 WHEN 'paid' THEN 3 END` the third branch is dead:
whoever wrote it expected `paid` rows to get 3 and they get 1. Overlapping branches (`WHEN 'a'` and then
`WHEN IN ('a', 'b')`) hide the same mistake, usually a copy-paste slip or a merge of two mappings.

## Use instead
List each value once and decide which result it should get; compare the mapping with the values the
code defines.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites

RULE = Rule(
    id="duplicate-case-branch",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="List each value in one WHEN only, and decide which result it should get.",
    bad=(
        "UPDATE orders SET rank = CASE status WHEN 'paid' THEN 1 WHEN 'open' THEN 2 WHEN 'paid' THEN 3 ELSE rank END\n"
        "WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "UPDATE orders SET rank = CASE status WHEN 'paid' THEN 1 WHEN 'open' THEN 2 ELSE rank END\n"
        "WHERE id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op, mapping, _ in mapping_sites(migration.up):
        first: dict[str, tuple[int, str]] = {}
        dead: list[str] = []
        for index, (condition, result) in enumerate(mapping.whens, start=1):
            for value in literals(condition) or (condition,):
                if value in first:
                    earlier, earlier_result = first[value]
                    same = (
                        "the same result"
                        if earlier_result == result
                        else f"`{earlier_result}`, not `{result}`"
                    )
                    dead.append(
                        f"`{_show(value, condition)}` in branch {index} (branch {earlier} already matches it, giving {same})"
                    )
                else:
                    first[value] = (index, result)
        if dead:
            yield op.finding(
                RULE,
                f"The CASE that sets `{op.table}.{mapping.target}` lists a value more than once: {'; '.join(dead)}.",
                severity=Severity.INFO if all("the same result" in d for d in dead) else None,
                blast_radius=f"Rows with the repeated value get the first branch's result in `{mapping.target}`, "
                "whatever the later branch says.",
            )


def _show(value: str, condition: str) -> str:
    return f"'{value}'" if condition.lstrip().startswith("'") or ", '" in condition else value
