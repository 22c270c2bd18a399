"""MySQL and MariaDB copy or rebuild the whole table for some ALTER TABLE forms, blocking writes or replicas.

## Why is this bad?
With `ALGORITHM=COPY` the server builds a new copy of the table row by row while writes wait (and with
`LOCK=SHARED` or `LOCK=EXCLUSIVE`, reads or writes wait whatever the algorithm). Several changes force
the copy: reordering, removing or inserting `ENUM`/`SET` members (or crossing 255 enum members),
converting the character set, (un)partitioning, dropping the primary key (replacing it in the same statement,
`DROP PRIMARY KEY, ADD PRIMARY KEY (…)`, rebuilds in place instead), adding a CHECK constraint, adding a foreign
key while `foreign_key_checks` is on, adding a column with an expression default, a `STORED` generated
column or an `AUTO_INCREMENT` column. A FULLTEXT index is built with writes
waiting whatever the algorithm (the first one also rebuilds the table). Others rebuild the
table in place: writes go on, but the rebuild takes as long as a copy and replicas replay it serially,
lagging for as long. Which is which depends on the server version: `ADD COLUMN` is instant from MySQL
8.0.12 (at the end of the table; anywhere from 8.0.29) and MariaDB 10.3 (anywhere from 10.4).

## Use instead
Ask the server to refuse instead of copying: add `ALGORITHM=INSTANT` (or `INPLACE`) and `LOCK=NONE` to
the statement, so it fails fast rather than blocking. Append enum values at the end. For changes that
must copy, use an online schema-change tool (gh-ost, pt-online-schema-change) or a planned window.

## Framework notes
Set `database_version` (e.g. `8.0.35` or `10.11`) in `.github/migration-review.yml`, and `dialect:
mariadb` for MariaDB, so the version-dependent cases are judged right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DropColumn,
    Migration,
    Operation,
    RawSQL,
)
from bot.rules._online_ddl import refusal
from bot.rules.context import Context
from bot.sql import mysql_ddl

RULE = Rule(
    id="mysql-table-copy",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Add `ALGORITHM=INPLACE, LOCK=NONE` (or INSTANT) so the server refuses to copy; use an online tool otherwise.",
    bad=(
        "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4;",
        "ALTER TABLE orders ADD COLUMN note text, ALGORITHM=COPY;",
    ),
    good=("ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT;",),
    dialects=("mysql", "mariadb"),
)

_CHARSET = re.compile(r"\b(CHARACTER\s+SET|CHARSET|COLLATE)\b", re.I)
_FK_CHECKS_OFF = re.compile(r"foreign_key_checks\s*=\s*(0|off|false)\b", re.I)
_FK_CHECKS_ON = re.compile(r"foreign_key_checks\s*=\s*(1|on|true|default)\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.mysql:
        return
    fk_checks_off = False
    # a MODIFY read as several operations is one statement to judge
    said: set[tuple[int, str, str, str]] = set()
    for op in migration.up:
        if isinstance(op, RawSQL) and op.category == "set" and _FK_CHECKS_OFF.search(op.sql):
            fk_checks_off = True
        elif isinstance(op, RawSQL) and op.category == "set" and _FK_CHECKS_ON.search(op.sql):
            fk_checks_off = False
        table = getattr(op, "table", "")
        if not table or _primary_key_replaced(op, migration):
            continue
        found = _judge(op, context, fk_checks_off)
        if found is None or refusal(op, migration, context):
            continue  # (a statement the server refuses rather than copy is online-ddl-refused's)
        how, what = found
        lock = op.option("LOCK") or _clause("LOCK", op.sql)
        if how == mysql_ddl.COPY and lock == "NONE":
            continue  # LOCK=NONE: the server refuses to copy instead of blocking writes
        if (op.location.line, table, how, what) in said:
            continue
        said.add((op.location.line, table, how, what))
        severity = context.lock_severity(
            table, RULE.severity if how != mysql_ddl.REBUILD else Severity.WARNING
        )
        if severity is None:
            continue
        yield op.finding(
            RULE,
            f"{what}: `{table}` {_VERB[how]}.",
            severity=severity,
            blast_radius=_blast(how, context.size_words(table), lock),
            suggestion=_suggestion(op, migration) if how == mysql_ddl.REBUILD else None,
            fix=_fix(op, migration),
        )


def _primary_key_replaced(op: Operation, migration: Migration) -> bool:
    """`DROP PRIMARY KEY, ADD PRIMARY KEY (…)` in one statement: InnoDB rebuilds the table in place with
    writes going on (the added key is judged); only dropping the key without a new one copies it."""
    return (
        isinstance(op, RawSQL)
        and op.category == "alter-table-dropprimarykey"
        and any(
            isinstance(other, AddConstraint) and other.constraint == "primary_key"
            for other in migration.same_statement(op)
        )
    )


def _fix(op: Operation, migration: Migration) -> str | None:
    if isinstance(op, AddIndex) and op.method == "fulltext":
        return _FULLTEXT_FIX
    if isinstance(op, AddConstraint) and op.constraint == "foreign_key":
        turn_off = (
            "`Schema::withoutForeignKeyConstraints(fn () => …)`"
            if migration.framework == "laravel"
            else "`SET foreign_key_checks = 0;` … `SET foreign_key_checks = 1;`"
        )
        return (
            f"Add the key with the checks off ({turn_off}): the server builds it in place without copying, "
            "and without checking the existing rows, so look for orphans first (a LEFT JOIN on the "
            "referenced table)."
        )
    return None


# InnoDB refuses LOCK=NONE for a FULLTEXT index: asking for it only makes the statement fail
_FULLTEXT_FIX = (
    "Build the index where writes can wait (a maintenance window, or while the table is small), or with an "
    "online schema-change tool (gh-ost, pt-online-schema-change); `LOCK=NONE` is refused for FULLTEXT."
)


_VERB = {
    mysql_ddl.COPY: "is copied row by row while writes wait",
    mysql_ddl.REBUILD: "is rebuilt row by row",
    "locked": "stays locked for the whole operation",
}


def _judge(op: Operation, context: Context, fk_checks_off: bool) -> tuple[str, str] | None:
    algorithm = op.option("ALGORITHM") or _clause("ALGORITHM", op.sql)
    lock = op.option("LOCK") or _clause("LOCK", op.sql)
    if lock in ("SHARED", "EXCLUSIVE"):
        return "locked", f"`LOCK={lock}`"
    if algorithm == "COPY":
        return mysql_ddl.COPY, "`ALGORITHM=COPY`"
    if algorithm in ("INSTANT", "INPLACE", "NOCOPY"):
        return None  # the server refuses rather than copies
    mariadb = context.dialect == "mariadb" or context.version[:1] >= (10,)
    if isinstance(op, AlterColumnType):
        return _column_change(op, context)
    if isinstance(op, AddColumn):
        return _added_column(op, context, mariadb)
    if isinstance(op, DropColumn) and mysql_ddl.drop_column(context.version, mariadb) == mysql_ddl.REBUILD:
        return mysql_ddl.REBUILD, f"Dropping column `{op.column}`"
    if isinstance(op, AddConstraint):
        return _constraint(op, fk_checks_off)
    if isinstance(op, AddIndex) and op.method == "fulltext" and not context.before(op).is_new(op.table):
        if _first_fulltext(op, context):
            return (
                "locked",
                "Adding the first FULLTEXT index of a table without an `FTS_DOC_ID` column rebuilds it",
            )
        return "locked", "A FULLTEXT index is built with writes blocked (InnoDB allows no LOCK=NONE for it)"
    if isinstance(op, RawSQL):
        return _raw(op)
    return None


def _first_fulltext(op: AddIndex, context: Context) -> bool:
    """InnoDB adds a hidden `FTS_DOC_ID` column with the first FULLTEXT index: the table is rebuilt and
    writes wait (LOCK=SHARED); later FULLTEXT indexes are built in place, still with writes waiting."""
    catalog = context.before(op)
    has_fulltext = any(
        d.table == op.table and d.method == "fulltext" for d in catalog.index_definitions.values()
    )
    return (
        not has_fulltext and catalog.column(op.table, "fts_doc_id") is None and not catalog.is_new(op.table)
    )


def _added_column(op: AddColumn, context: Context, mariadb: bool) -> tuple[str, str] | None:
    column = op.column
    if column.generated or column.identity:
        kind = "a STORED generated column" if column.generated else "an AUTO_INCREMENT column"
        return mysql_ddl.COPY, f"Adding {kind} `{column.name}`"
    if column.default is not None and (column.default.startswith("(") or column.volatile_default):
        return mysql_ddl.COPY, f"Adding column `{column.name}` with the expression default `{column.default}`"
    if context.dialect == "mysql" and not context.at_least(8, 0, 12):
        return None  # every added column rebuilds before 8.0.12: volatile-default reports it
    if mysql_ddl.add_column(context.version, mariadb, bool(column.position)) == mysql_ddl.INSTANT:
        return None
    keyword, _, after = column.position.partition(" ")
    place = f" ({keyword.upper()} {after})".replace(" )", ")") if keyword else ""
    return mysql_ddl.REBUILD, f"Adding column `{column.name}`{place}"


def _constraint(op: AddConstraint, fk_checks_off: bool) -> tuple[str, str] | None:
    if op.constraint == "foreign_key" and not fk_checks_off:
        return mysql_ddl.COPY, "Adding a foreign key while `foreign_key_checks` is on"
    if op.constraint == "check":
        return mysql_ddl.COPY, "Adding a CHECK constraint"
    if op.constraint == "primary_key":
        return mysql_ddl.REBUILD, "Adding a primary key"
    return None


def _clause(name: str, sql: str) -> str:
    """`ALGORITHM=…` / `LOCK=…` in a statement kept as text (`CONVERT TO CHARACTER SET …, ALGORITHM=INPLACE`)."""
    match = re.search(rf"\b{name}\s*=\s*(\w+)", sql, re.I)
    return match.group(1).upper() if match else ""


def _column_change(op: AlterColumnType, context: Context) -> tuple[str, str] | None:
    column = context.catalog.column(op.table, op.column)
    if column is not None and mysql_ddl.member_change(column.type, op.new_type) == mysql_ddl.COPY:
        return mysql_ddl.COPY, f"Changing the members of `{op.column}` other than appending at the end"
    if op.collation or _CHARSET.search(op.sql):
        return mysql_ddl.COPY, f"Changing the character set or collation of `{op.column}`"
    return None


def _raw(op: RawSQL) -> tuple[str, str] | None:
    if op.category == "convert-charset":
        return mysql_ddl.COPY, "`CONVERT TO CHARACTER SET`"
    if op.category == "alter-table-dropprimarykey":
        return mysql_ddl.COPY, "Dropping the primary key"
    if op.category == "partitioning":
        return mysql_ddl.COPY, "Partitioning or un-partitioning the table"
    for option, label in (("ENGINE", "ENGINE"), ("ROWFORMAT", "ROW_FORMAT")):
        if op.category == "alter-table-options" and op.option(option):
            return mysql_ddl.REBUILD, f"`{label}={op.option(option)}`"
    if op.category == "alter-table-forceproperty":
        optimize = op.sql.lstrip().upper().startswith("OPTIMIZE")
        return (
            mysql_ddl.REBUILD,
            "`OPTIMIZE TABLE` (InnoDB rebuilds it)" if optimize else "`ALTER TABLE … FORCE`",
        )
    return None


def _blast(how: str, table: str, lock: str = "") -> str:
    if how == mysql_ddl.REBUILD:
        return (
            f"{table} is rebuilt row by row: writes continue, but replicas replay the rebuild serially and "
            "lag for as long as it takes."
        )
    if how == "locked":
        return (
            f"Reads and writes on {table} wait until the operation ends (`LOCK=EXCLUSIVE`)."
            if lock == "EXCLUSIVE"
            else f"Writes to {table} wait until the operation ends; reads go on."
        )
    return f"Writes to {table} (and with an exclusive lock, reads) wait until every row has been copied."


def _suggestion(op: Operation, migration: Migration) -> str | None:
    if not migration.alone_on_lines(op) or op.options:
        return None
    return f"{op.sql.rstrip()}, ALGORITHM=INPLACE, LOCK=NONE"
