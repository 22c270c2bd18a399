"""A value the code defines for a column that no WHEN of the migration's CASE covers.

## Why is this bad?
The application writes every value of its enum into the column: `OrderStatus` has `paid`, `open` and
`refunded`, and the backfill maps only the first two. Every `refunded` order falls through to NULL (no
ELSE) or to a catch-all value, and nothing fails: the data is simply wrong from then on. Values added to
the enum after the mapping was first written are the usual victims.

## Use instead
Add a WHEN for every value the code defines (the finding lists each one and where it is defined), and an
ELSE that keeps the old value or raises, so an unexpected value is visible instead of silently mapped.
Check production too: `SELECT status, count(*) FROM orders GROUP BY 1`.

## Framework notes
Values are read from Rails `enum`, inclusion validations and array constants, Django `choices`,
`TextChoices` and `IntegerChoices`, Python `Enum` (SQLAlchemy `Enum(…)` columns too) and constants holding a
tuple, list or dict of values, TypeScript enums and union types, Go typed constants, Java and Kotlin enums
and classes of `static final` / `const val` constants, Prisma enums, database enum types (`CREATE TYPE … AS ENUM`, MySQL `ENUM(…)` columns) and `CHECK (column IN (…))` constraints.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.references.code_values import describe, normal, stored, where
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, restricts, source_column

RULE = Rule(
    id="unmapped-code-value",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Add a WHEN for every value the code defines, and an ELSE that keeps the old value or raises.",
    bad=(
        "CREATE TYPE order_status AS ENUM ('paid', 'open', 'refunded');\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, status order_status, state text);\n"
        "-- migration\n"
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;",
    ),
    good=(
        "CREATE TYPE order_status AS ENUM ('paid', 'open', 'refunded');\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, status order_status, state text);\n"
        "-- migration\n"
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending'\n"
        "  WHEN 'refunded' THEN 'reversed' ELSE state END;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op, mapping, table in mapping_sites(migration.up):
        if context.catalog.is_new(table):  # created by this change: no rows to map yet
            continue
        column, normaliser = source_column(mapping.source)
        values = [v for condition, _ in mapping.whens for v in (literals(condition) or ())]
        if not column or not values or restricts(op, column):
            continue
        definition = context.values.best(table, column, values, context.catalog)
        if definition is None:
            continue
        covered = {normal(v) for v in values} if normaliser else set(values)
        missing = [m for m in definition.members if not _covered(stored(definition, m), covered, normaliser)]
        if not missing:
            continue
        names = ", ".join(f"`{m.value}`" for m in missing)
        lands = (
            f"get the ELSE value `{mapping.otherwise}`" if mapping.otherwise is not None else "become NULL"
        )
        yield op.finding(
            RULE,
            f"The CASE that sets `{op.table}.{mapping.target}` does not map {names}, which {describe(definition)} "
            f"defines for `{column}`.",
            severity=Severity.INFO if mapping.otherwise is not None else None,
            references=tuple(where(definition, m) for m in missing),
            blast_radius=f"Rows of {context.size_words(table)} whose `{column}` is {names} {lands} in "
            f"`{mapping.target}`"
            + ("; every later read of them sees the wrong value." if mapping.otherwise is None else "."),
            fix=f"Add {' '.join(f'`WHEN {_sql(m.value)} THEN …`' for m in missing[:4])} and an ELSE that keeps the "
            f"old value; check first with `SELECT {column}, count(*) FROM {table} GROUP BY 1`.",
        )


def _sql(value: str) -> str:
    return value if value.lstrip("-").isdigit() else "'" + value.replace("'", "''") + "'"


def _covered(forms: set[str], covered: set[str], normaliser: str) -> bool:
    return bool(forms & covered) or (bool(normaliser) and bool({normal(f) for f in forms} & covered))
