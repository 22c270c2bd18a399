"""An amount of money kept in a floating-point column (`price double precision`, Rails `:float`, Django
`FloatField`, Prisma `Float`).

## Why is this bad?
`real`, `double precision` and MySQL's `FLOAT`/`DOUBLE` store binary fractions: most amounts in cents have
no exact value there. `19.99` is stored as `19.989999999999998`, sums of many rows drift by cents, equality
tests (`WHERE price = 19.99`) miss rows, and rounding for display or for a payment provider is off by one
cent at times, on invoices, refunds and balances. Converting the column back to `numeric` later keeps the
drifted values. PostgreSQL's own documentation advises against floating point for money.

Only names that say money are read: `price`, `cost`, `fee`, `salary`, `tax`, `balance`, `revenue`,
`refund`, `payout`, `wage`, `budget`, `subtotal` (anywhere in the name), and `amount`/`total` on a table
that keeps a currency or is named for payments, orders, invoices or transactions. A rate, a ratio, a
percentage or a score is not money.

## Use instead
`numeric(12, 2)` (`decimal` in MySQL, Rails `:decimal, precision: 12, scale: 2`, Django `DecimalField`,
Prisma `Decimal`), or an integer number of the smallest unit (`price_cents bigint`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AlterColumnType, ColumnSpec, CreateTable, Migration, Operation
from bot.references.inflection import name_words
from bot.rules.context import Context

RULE = Rule(
    id="money-as-float",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Keep money in `numeric(12, 2)` (Django `DecimalField`, Rails `:decimal`) or integer cents.",
    bad=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, amount_due double precision NOT NULL, currency text);",
    ),
    good=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, amount_due numeric(12, 2) NOT NULL, currency text);",
    ),
)

_FLOAT = re.compile(r"^(?:real|float[48]?|double(?: precision)?|float\(\d+\)|binary_(?:float|double))$", re.I)
_MONEY = {
    "price",
    "prices",
    "cost",
    "costs",
    "fee",
    "fees",
    "salary",
    "tax",
    "balance",
    "revenue",
    "refund",
    "payout",
    "wage",
    "wages",
    "budget",
    "subtotal",
}
_AMOUNT = {"amount", "total"}
# what a number that is not money says it is
_NOT_MONEY = {
    "rate",
    "ratio",
    "percent",
    "percentage",
    "pct",
    "score",
    "weight",
    "factor",
    "multiplier",
    "share",
}
_PAYMENT_TABLE = re.compile(
    r"payment|invoice|order|transaction|charge|payout|refund|bill|wallet|ledger|purchase|subscription|price",
    re.I,
)


def money_name(name: str, table: str, columns: tuple[str, ...]) -> bool:
    words = set(name_words(name))
    if words & _NOT_MONEY:
        return False
    if words & _MONEY:
        return True
    payments = bool(_PAYMENT_TABLE.search(table)) or any("currency" in c.lower() for c in columns)
    return bool(words & _AMOUNT) and payments


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        for column, type_ in _typed(op, context):
            if not _FLOAT.match(type_.strip()):
                continue
            table = getattr(op, "table", "")
            known = context.catalog.tables.get(table)
            columns = tuple(known.columns) if known is not None else ()
            if isinstance(op, CreateTable):
                columns += tuple(c.name for c in op.columns)
            if not money_name(column, table, columns):
                continue
            yield op.finding(
                RULE,
                f"`{table}.{column}` holds money as `{type_}`, a binary floating-point type: most amounts "
                "have no exact value there (`19.99` is stored as `19.989999999999998`).",
                blast_radius=f"Every amount written to `{table}.{column}`: sums drift by cents, equality "
                "filters miss rows, and rounding for invoices or payments is off by a cent at times; the drift "
                "stays in the data if the column is converted later.",
                fix=f"Declare `{column}` as `numeric(12, 2)` (or integer cents, `{column}_cents bigint`).",
            )


def _typed(op: Operation, context: Context) -> Iterator[tuple[str, str]]:
    if isinstance(op, AddColumn):
        yield op.column.name, op.column.type
    elif isinstance(op, CreateTable) and not op.as_select:
        spec: ColumnSpec
        for spec in op.columns:
            yield spec.name, spec.type
    elif isinstance(op, AlterColumnType):
        yield op.column, op.new_type
