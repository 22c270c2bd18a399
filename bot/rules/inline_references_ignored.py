"""MySQL before 9.0 (and MariaDB before 10.5) ignores a column's inline REFERENCES: no foreign key is made.

## Why is this bad?
`CREATE TABLE t (user_id bigint REFERENCES users (id))` parses in MySQL 8 and earlier (and MariaDB
before 10.5), but the inline `REFERENCES` clause is discarded without a warning. The schema looks constrained to the
reader and is not: orphan rows go in, and cascades never happen.

## Use instead
Declare the foreign key as a table constraint: `FOREIGN KEY (user_id) REFERENCES users (id)`, or
`ALTER TABLE t ADD CONSTRAINT t_user_fk FOREIGN KEY (user_id) REFERENCES users (id)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, CreateTable, Migration, declared_columns
from bot.rules.context import Context

RULE = Rule(
    id="inline-references-ignored",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Declare the foreign key as a table constraint: `FOREIGN KEY (col) REFERENCES parent (id)`.",
    bad=("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, FOREIGN KEY (user_id) REFERENCES users (id));",
    ),
    dialects=("mysql", "mariadb"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    fixed_in = (10, 5) if context.dialect == "mariadb" or context.version[:1] >= (10,) else (9,)
    if not context.mysql or context.at_least(*fixed_in):
        return
    for op, table, column in declared_columns(migration):
        # A framework's own operation (Django's ForeignKey, Knex's .references()) is turned into SQL by the
        # framework, which declares the foreign key as a constraint: only SQL the author spells out is read so.
        if isinstance(op, CreateTable | AddColumn) and column.references and op.spelled_out:
            yield op.finding(
                RULE,
                f"`{table}.{column.name} REFERENCES {column.references}` is parsed and ignored: "
                "no foreign key is created.",
                blast_radius="Rows that point at missing parents are accepted; ON DELETE actions never run.",
            )
