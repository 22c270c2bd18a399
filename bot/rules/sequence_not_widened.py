"""A serial column widened to bigint while its sequence stays integer: inserts still stop at 2,147,483,647.

## Why is this bad?
`ALTER TABLE orders ALTER COLUMN id TYPE bigint` is the fix for ids running out, and it rewrites the whole
table under an exclusive lock to get there. But the sequence behind a `serial` column is a separate object
created `AS integer`, and PostgreSQL does not change it with the column: `nextval('orders_id_seq')` still
fails at 2,147,483,647 ("reached maximum value of sequence"), so inserts stop at exactly the moment the
migration was meant to prevent. (An identity column's sequence does follow its column; a `smallserial`
widened to `integer` has the same trap at 32,767.)

## Use instead
Widen the sequence in the same migration: `ALTER SEQUENCE orders_id_seq AS bigint;` (it takes a moment and
rewrites nothing). Django 4.1 and later do it themselves when an `AutoField` becomes a `BigAutoField`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration
from bot.rules.context import Context
from bot.sql.pg_casts import pg_type

RULE = Rule(
    id="sequence-not-widened",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Widen the sequence in the same migration: `ALTER SEQUENCE <table>_<column>_seq AS bigint;`.",
    bad=(
        "CREATE TABLE orders (id serial PRIMARY KEY, total numeric);\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN id TYPE bigint;",
    ),
    good=(
        "CREATE TABLE orders (id serial PRIMARY KEY, total numeric);\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\nALTER SEQUENCE orders_id_seq AS bigint;",
    ),
    dialects=("postgres",),
)

# the largest value of each integer width, and the types of each width
_LIMITS = {2: "32,767", 4: "2,147,483,647", 8: "9,223,372,036,854,775,807"}
_BYTES = {"int2": 2, "int4": 4, "int8": 8}  # of the integer types as pg_casts names them (serials included)
_SERIAL = ("smallserial", "serial2", "serial", "serial4")
_NEXTVAL = re.compile(r"nextval\s*\(\s*(?:CAST\s*\(\s*)?'([^']+)'", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework == "django":
        return  # Django 4.1+ widens the sequence of an AutoField it widens
    for op in migration.up:
        if not isinstance(op, AlterColumnType) or context.catalog.is_new(op.table):
            continue
        column = context.before(op).column(op.table, op.column)
        if column is None:
            continue
        old_type = column.type.lower().split("(")[0].strip()
        nextval = _NEXTVAL.search(column.default or "")
        if old_type not in _SERIAL and nextval is None:
            continue  # no sequence of its own (an identity column's follows it)
        old, new = _width(old_type), _width(op.new_type)
        if old is None or new is None or new <= old:
            continue
        bare = op.table.rsplit(".", 1)[-1]
        sequence = nextval.group(1) if nextval else f"{bare}_{op.column}_seq"
        if _widened(migration, sequence, new):
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` becomes `{op.new_type}`, but its sequence `{sequence}` keeps its own type: "
            f"`nextval` still fails past {_LIMITS[old]}, so inserts stop where the change meant them to go on.",
            blast_radius=f"Every insert into `{op.table}` once the sequence reaches {_LIMITS[old]}, after a rewrite "
            "of the whole table that did not help.",
            fix=f"Add `ALTER SEQUENCE {sequence} AS {op.new_type};` to the same migration.",
        )


def _width(type_sql: str) -> int | None:
    return _BYTES.get(pg_type(type_sql))


def _widened(migration: Migration, sequence: str, width: int) -> bool:
    """Does the migration widen the sequence itself (`ALTER SEQUENCE orders_id_seq AS bigint`)?"""
    name = re.escape(sequence.rsplit(".", 1)[-1].strip('"'))
    pattern = re.compile(
        rf"ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?[\w.\"]*?\"?{name}\"?\s+[^;]*?\bAS\s+(\w+)", re.I
    )
    return any(
        (_width(found.group(1)) or 0) >= width for op in migration.up for found in pattern.finditer(op.sql)
    )
