"""A column's default changes from one constant to another.

## Why is this bad?
`ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'pending'` on a column whose default was `'open'` changes
nothing in the rows already there: they keep `'open'`, so a change meant for them too (every order
pending from now on) is only half done. It changes what every insert that leaves `state` out writes, the
moment the migration commits: the release still running during the deploy, raw SQL, import jobs and
fixtures written against `'open'` now write `'pending'`, with no error to notice. Prisma's client, Eloquent,
Knex, Sequelize and TypeORM send only the attributes that were set, so the database's default is what they
store. And the down migration must set the old default back, or a rollback keeps the new one.

Not reported: Django (it sends every field), Rails on 7.0 defaults (every column is sent, with the default
the process read at start), a column or table the change itself adds, and a default given where there was
none or dropped (`default-dropped`'s).

## Use instead
Decide what the existing rows should hold: update them in the same change (in batches on a large table)
if they should follow, or say that they keep the old value. Make the code that relies on the default set the
value it means first, and restore the old default in the down migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, SetDefault
from bot.rules._inserts import rails_sends_every_column
from bot.rules.context import Context

RULE = Rule(
    id="default-changed",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Say what the existing rows should hold (update them too if they follow), make writers that rely on "
    "the default set the value first, and restore the old default in the down migration.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, state text NOT NULL DEFAULT 'open');\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'pending';",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, state text NOT NULL DEFAULT 'open');\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'open';",
        "CREATE TABLE orders (id bigint PRIMARY KEY, state text NOT NULL);\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'pending';",
    ),
)

# Frameworks whose inserts name every column: the database's default is not what they store
_ALL_SENT = ("django",)
# A constant: a quoted string, a number or a boolean, with a cast to its type at most (`'open'::text`,
# `CAST('open' AS TEXT)`)
_VALUE = r"('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)"
_TYPE = r"[\w .\"()\[\]]+"
_CONSTANT = re.compile(
    rf"^(?:\(*\s*{_VALUE}\s*\)*(?:\s*::\s*{_TYPE})?|CAST\s*\(\s*{_VALUE}\s+AS\s+{_TYPE}\))$", re.I
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework in _ALL_SENT or rails_sends_every_column(migration, context):
        return
    for op in migration.up:
        if not isinstance(op, SetDefault) or op.default is None or context.catalog.is_new(op.table):
            continue
        column = context.before(op).column(op.table, op.column)
        if column is None or column.added_in_change or column.default is None:
            continue
        old, new = _constant(column.default), _constant(op.default)
        if old is None or new is None or old == new:
            continue
        yield op.finding(
            RULE,
            f"The default of `{op.table}.{op.column}` changes from {old} to {new}: every insert that leaves "
            f"`{op.column}` out, including those of the release still running during the deploy, writes {new} "
            f"from now on, while the rows already there keep their values.",
            blast_radius=f"New rows of {context.size_words(op.table)} written by code that relies on the "
            f"default ({old} until now); the existing rows, if they were meant to change too.",
        )


def _constant(default: str) -> str | None:
    """The constant a default is, as SQL without its cast (`'open'`, `0`, `true`); None for an expression."""
    found = _CONSTANT.match(default.strip())
    if found is None:
        return None
    value = found.group(1) or found.group(2)
    return value.lower() if value.lower() in ("true", "false") else value
