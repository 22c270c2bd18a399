"""An ALTER TABLE asks MySQL or MariaDB for an `ALGORITHM=` or `LOCK=` the change cannot have: the server
refuses the statement.

## Why is this bad?
`ALGORITHM=INSTANT`, `ALGORITHM=INPLACE` and `LOCK=NONE` are requests the server checks before doing
anything: when the change needs more (a column's type changed copies the table, a CHECK constraint or a
foreign key checked against the rows copies it, an index cannot be added instantly, a FULLTEXT index needs
writes to wait, a NOT NULL change rebuilds the table, and before MySQL 8.0.29 or MariaDB 10.4 an added or
dropped column does too), the statement fails at once with ERROR 1845/1846 ("ALGORITHM=INPLACE is not
supported. Reason: Cannot change column type. Try ALGORITHM=COPY"). Nothing is locked, which is what the
clause is for, but the deploy stops there; and since MySQL commits every DDL statement on its own, the
statements before it stay applied and the migration is left half done.

## Use instead
Ask only for what the change can have on the production server's version (the server's error names it),
or make the change with an online schema-change tool (gh-ost, pt-online-schema-change) when copying the
table under `LOCK=SHARED` is not acceptable. A column's new type that MySQL can change in place is one that
keeps the values' storage: a longer `VARCHAR` within the same length prefix (up to 255 bytes, or both above
it), an ENUM or SET member appended at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._online_ddl import refusal
from bot.rules.context import Context

RULE = Rule(
    id="online-ddl-refused",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Ask only for the ALGORITHM/LOCK the change can have on that version, or use an online schema-change "
    "tool.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL);\n-- migration\n"
        "ALTER TABLE orders MODIFY customer_id bigint NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at datetime NOT NULL);\n-- migration\n"
        "ALTER TABLE orders ADD INDEX orders_placed_at (placed_at), ALGORITHM=INSTANT;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at datetime NOT NULL);\n-- migration\n"
        "ALTER TABLE orders ADD INDEX orders_placed_at (placed_at), ALGORITHM=INPLACE, LOCK=NONE;",
    ),
    dialects=("mysql", "mariadb"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    seen: set[tuple[object, str]] = set()
    for op in migration.up:
        if (op.location, op.sql) in seen:
            continue
        seen.add((op.location, op.sql))
        found = refusal(op, migration, context)
        if found is None:
            continue
        clause, algorithm, reason = found
        server = "MariaDB" if context.dialect == "mariadb" else "MySQL"
        needed = (
            f"`ALGORITHM={algorithm}`" if clause.startswith("ALGORITHM") else "writes to wait (`LOCK=SHARED`)"
        )
        yield op.finding(
            RULE,
            f"{server} refuses `{clause}` for this statement: {reason} needs {needed} (ERROR 1845/1846): the "
            "statement fails before it changes anything.",
            blast_radius="The deploy stops at this statement on every server; MySQL commits each DDL statement, so "
            "what ran before it stays applied and the migration is left half done.",
        )
