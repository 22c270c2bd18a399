"""A type change that loses data: shorter strings, fewer digits, no fraction, no time zone, no time.

## Why is this bad?
The column's old type (read from the schema before the change) holds values the new one cannot. Some
conversions fail half-way through the deploy (`varchar(20)` on PostgreSQL when a value is longer, text to
integer on the first non-number); worse ones succeed and lose data without a word: `numeric(12,4)` to
`numeric(12,2)` and `numeric` to `integer` round, `timestamp` to `date` drops the time, `timestamptz` to
`timestamp` drops the zone, and MySQL outside strict mode truncates strings and clamps numbers. A MySQL
`ENUM` redefined without a member fails on the rows holding it in strict mode (`Data truncated`), unless an
earlier UPDATE of the migration moved every such row off it (`UPDATE queues SET kind = 'b' WHERE kind = 'a'`,
no other condition).
SQLite enforces no length, precision, scale or zone: a narrower type of the same affinity (`text` made
`varchar(32)`, `numeric(12,4)` made `numeric(12,2)`) keeps every value, and is no finding there; nor is a REAL
column made INTEGER or NUMERIC, which stores each fraction as the REAL it is.

## Use instead
Run the check query the finding gives against production first. If it returns rows, decide what they
become (a wider type, an explicit `USING` expression, a cleanup migration) before changing the type; keep
the old column until the new one is verified (expand/contract).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AlterColumnType, DataUpdate, Migration, RawSQL
from bot.rules.context import Context
from bot.sql.conversions import TEXT_TYPES, charset_loss, classify, session_utc, type_parts

RULE = Rule(
    id="lossy-type-change",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Check production with the query given, then widen instead, or convert with an explicit USING and keep the old column.",
    bad=(
        "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(12, 4));\n"
        "-- migration\nALTER TABLE prices ALTER COLUMN amount TYPE integer;",
    ),
    good=("ALTER TABLE prices ALTER COLUMN amount TYPE numeric(14, 4);",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    added: set[tuple[str, str]] = set()  # columns this migration adds: they hold no values yet
    moved: dict[tuple[str, str], set[str]] = {}  # values every row of a column was moved off, per column
    for index, op in enumerate(migration.up):
        if isinstance(op, AddColumn) and not op.column.default:
            added.add((op.table, op.column.name))
        if isinstance(op, DataUpdate):  # filled before the change of type: it holds values now
            added -= {(op.table, column) for column, _ in op.assignments}
            for name, _ in op.assignments:
                moved.setdefault((op.table, name.lower()), set()).update(_moved_off(op.where or "", name))
        if (
            isinstance(op, RawSQL)
            and op.category == "convert-charset"
            and not context.catalog.is_new(op.table)
        ):
            yield from _converted(op, context)
        if not isinstance(op, AlterColumnType) or context.catalog.is_new(op.table):
            continue
        if (op.table, op.column) in added:
            continue
        before = context.before(op)
        column = before.column(op.table, op.column)
        # the schema's type, else the one the migration states (Alembic's existing_type)
        old = before.typed(op.table, op.column) if column is not None and column.type else op.old_type
        if not old:
            continue
        new_type = _restated(op, before.tables.get(op.table))
        earlier = [o.sql for o in migration.up[:index] if isinstance(o, RawSQL)]
        zone = context.rails_time_zone if migration.framework == "rails" else ""
        utc = session_utc(migration.framework, earlier, zone)
        off = frozenset(moved.get((op.table, op.column.lower()), ()))
        loss = classify(old, new_type, op.column, context.dialect, op.using, utc=utc, moved=off)
        if loss is None:
            continue
        query = f"SELECT count(*) FROM {op.table} WHERE {loss.check};"
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` changes from `{old}` to `{new_type}`: {loss.what}.",
            severity=loss.severity,
            blast_radius=f"Rows of {context.size_words(op.table)} found by `{query}` are affected.",
            fix=f"Run `{query}` against production first; if it returns more than 0, widen the type or "
            f"{_CONVERT_MYSQL if context.dialect in ('mysql', 'mariadb') else _CONVERT},"
            " and keep the old column until the new one is verified.",
        )


# `kind = 'a'`, `` `kind` IN ('a', 'b') ``: a condition that picks every row holding those values, and no other
_ONLY_VALUES = (
    r"^\s*[`\"]?{column}[`\"]?\s*(?:=\s*('(?:[^']|'')*')|IN\s*\(((?:\s*'(?:[^']|'')*'\s*,?)+)\))\s*$"
)


def _moved_off(where: str, column: str) -> set[str]:
    """The values an UPDATE of `column` moves every row off: its condition picks exactly the rows holding them
    (`WHERE kind = 'a'`, `WHERE kind IN ('a', 'b')`); none for any other condition."""
    match = re.match(_ONLY_VALUES.format(column=re.escape(column)), where, re.I)
    if match is None:
        return set()
    return {v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", match.group(1) or match.group(2))}


_CONVERT = "convert explicitly with `USING`"
# MySQL's ALTER TABLE has no USING: the values are converted before, into a column of the new type
_CONVERT_MYSQL = (
    "fill a new column of the new type with an UPDATE that converts each value, then switch to it"
)


def _restated(op: AlterColumnType, table: Table | None) -> str:
    """The type a MySQL MODIFY / CHANGE gives the column: a text column it names no character set for takes
    the table's default (`MODIFY title varchar(200)` in a latin1 table makes a utf8mb4 column latin1)."""
    if not op.restated or op.charset or table is None or not table.charset:
        return op.new_type
    if type_parts(op.new_type)[0] not in TEXT_TYPES and not op.new_type.startswith(("enum", "set")):
        return op.new_type
    return f"{op.new_type} character set {table.charset}"


_CONVERT_TO = re.compile(r"\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+(\w+)", re.I)


def _converted(op: RawSQL, context: Context) -> Iterator[Finding]:
    """MySQL's `ALTER TABLE … CONVERT TO CHARACTER SET x`: every text column of the table moves to `x`."""
    target = _CONVERT_TO.search(op.sql)
    catalog = context.before(op)
    table = catalog.tables.get(op.table)
    if target is None or table is None:
        return
    losses = [
        (name, loss)
        for name, column in table.columns.items()
        if (base := type_parts(column.type)[0]) in TEXT_TYPES or base.startswith(("enum", "set"))
        if (
            loss := charset_loss(catalog.typed(op.table, name), f"text CHARACTER SET {target.group(1)}", name)
        )
        is not None
    ]
    if not losses:
        return
    query = f"SELECT count(*) FROM {op.table} WHERE {' OR '.join(loss.check for _, loss in losses)};"
    names = ", ".join(f"`{name}`" for name, _ in losses)
    yield op.finding(
        RULE,
        f"`{op.table}` is converted to {target.group(1)}: in its text columns ({names}), {losses[0][1].what}.",
        blast_radius=f"Rows of {context.size_words(op.table)} found by `{query}` are affected.",
        fix=f"Run `{query}` against production first; if it returns more than 0, convert to utf8mb4 instead "
        "(it holds every character), or clean those values first.",
    )
