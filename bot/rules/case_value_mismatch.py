"""A WHEN value that differs from the code's value by case, whitespace or a typo matches no row.

## Why is this bad?
The application stores `paid`; the migration says `WHEN 'Paid'` or `WHEN 'paid '`. String comparison in
SQL is exact (on PostgreSQL, and on MySQL with binary or case-sensitive collations, and always for trailing
spaces in `LIKE`), so the branch matches nothing and those rows fall through to the ELSE, or to NULL.
Comparing `lower(status)` with a value that has capitals can never match at all. `WHEN 'canceled'` when the
code says `cancelled` is the same mistake, one letter apart.

## Use instead
Use the value exactly as the code defines it (the finding says where), or normalise both sides:
`CASE lower(trim(status)) WHEN 'paid' THEN …`.

## Framework notes
MySQL and MariaDB compare strings with the column's collation, which is case-insensitive and ignores
trailing spaces by default (`utf8mb4_general_ci`, `utf8mb4_0900_ai_ci`): there only leading whitespace
makes a value miss.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Reference, Rule, Severity
from bot.model.migration import Migration
from bot.references.code_values import describe, misspelt_member, near_member, where
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, source_column

RULE = Rule(
    id="case-value-mismatch",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Use each value exactly as the code defines it, or compare `lower(trim(column))` with lower-case values.",
    bad=(
        "UPDATE orders SET state = CASE lower(status) WHEN 'Paid' THEN 'settled' ELSE state END WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "UPDATE orders SET state = CASE lower(status) WHEN 'paid' THEN 'settled' ELSE state END WHERE id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op, mapping, table in mapping_sites(migration.up):
        if context.catalog.is_new(table):  # created by this change: no rows to map yet
            continue
        column, normaliser = source_column(mapping.source)
        values = [v for condition, _ in mapping.whens for v in (literals(condition) or ())]
        if not column or not values:
            continue
        impossible = [v for v in values if _never_matches(v, normaliser) and not context.mysql]
        definition = context.values.best(table, column, values, context.catalog) if not normaliser else None
        near = [
            (v, m)
            for v in values
            if definition is not None
            and (m := near_member(definition, v)) is not None
            and m.value not in values
            and m.label not in values
            and (not context.mysql or v != v.lstrip())
        ]
        # a WHEN value a letter or two from a member is a typo, unless the CASE maps that spelling to the
        # member (a fix of legacy values) or rewrites the column it reads
        results = {v for _, result in mapping.whens for v in (literals(result) or ())}
        domain = definition
        if domain is None and not normaliser:  # no value in common: the column's one definition, if one
            candidates = context.values.for_column(table, column, context.catalog)
            domain = candidates[0] if len(candidates) == 1 else None
        typos = [
            (v, m)
            for v in values
            if domain is not None
            and mapping.target != column
            and (m := misspelt_member(domain, v)) is not None
            and not {m.value, m.label} & (set(values) | results)
        ]
        near += typos
        if not impossible and not near:
            continue
        problems = [f"`'{v}'` can never equal `{normaliser}({column})`" for v in impossible]
        problems += [
            f"`'{v}'` differs from `'{m.value}'` "
            + ("by a letter or two (a typo?)" if (v, m) in typos else "only by case or whitespace")
            for v, m in near
        ]
        references: tuple[Reference, ...] = ()
        defined = ""
        if domain is not None and near:
            references = tuple(where(domain, m) for _, m in near)
            defined = f" The code defines the values in {describe(domain)}."
        yield op.finding(
            RULE,
            f"The CASE that sets `{op.table}.{mapping.target}` compares `{mapping.source}` with values that match "
            f"no stored row: {'; '.join(problems)}.{defined}",
            severity=Severity.CRITICAL if impossible or mapping.otherwise is None else None,
            references=references,
            blast_radius=f"Rows of `{table}` whose `{column}` holds the code's spelling skip these branches and get "
            f"{'the ELSE value' if mapping.otherwise is not None else 'NULL'} in `{mapping.target}`.",
            fix="Write " + ", ".join(f"`'{m.value}'`" for _, m in near) + " exactly as the code does"
            if near and not impossible
            else RULE.help,
        )


def _never_matches(value: str, normaliser: str) -> bool:
    if normaliser == "lower":
        return value != value.lower()
    if normaliser == "upper":
        return value != value.upper()
    if normaliser == "trim":
        return value != value.strip()
    return False
