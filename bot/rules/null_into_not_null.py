"""A data change writes NULL into a NOT NULL column: the statement fails on the first such row.

## Why is this bad?
`UPDATE products SET name = NULL` on a `NOT NULL` column fails on every database in strict mode; it is a
typo or a forgotten constraint, and the deploy stops at it. Less visibly, `SET name = legacy_name` or
`SET is_active = (status = 'active')` is NULL for every row whose source is NULL, `INSERT INTO archive
(…) SELECT …` copies a nullable column into a NOT NULL one, and an INSERT that leaves a NOT NULL column
without a default out of its column list (added to the table since the INSERT was written) writes NULL into it: the statement works on a test database whose
rows all have a value, and fails in production at the first row that does not, after a long scan, with the
whole migration rolled back (or, on MySQL, with earlier statements already committed). MySQL outside strict
mode does not fail: it stores the column's implicit default (`''`, `0`) instead, silently. A source column that
a validated CHECK of its table keeps from NULL in the rows the statement chooses (`WHERE status = 'CLOSED'`
under `CHECK ((status = 'OPEN' AND closed_at IS NULL) OR (status = 'CLOSED' AND closed_at IS NOT NULL))`) is
no finding.

## Use instead
Say what a missing value becomes (`coalesce(legacy_name, '')`, `coalesce(status = 'active', false)`), or keep
those rows out (`WHERE legacy_name IS NOT NULL`) and decide about them separately; count them first:
`SELECT count(*) FROM products WHERE legacy_name IS NULL`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration, Operation
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.writes import Write, check_keeps_not_null, guarded, not_null_in, writes

RULE = Rule(
    id="null-into-not-null",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Replace NULL explicitly (`coalesce(…)`) or keep the rows whose source is NULL out of the change.",
    bad=(
        "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, legacy_name text);\n"
        "-- migration\n"
        "UPDATE products SET name = legacy_name WHERE id >= 1 AND id < 1000;",
        "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, legacy_name text);\n"
        "-- migration\n"
        "UPDATE products SET name = NULL WHERE id = 7;",
    ),
    good=(
        "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, legacy_name text);\n"
        "-- migration\n"
        "UPDATE products SET name = coalesce(legacy_name, name) WHERE id >= 1 AND id < 1000;",
        "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, legacy_name text);\n"
        "-- migration\n"
        "UPDATE products SET name = legacy_name WHERE legacy_name IS NOT NULL AND id >= 1 AND id < 1000;",
    ),
)

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Like, exp.ILike)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        if isinstance(op, DataUpdate) and context.catalog.is_new(op.table):
            continue  # a table the change creates has no rows to update
        catalog = context.before(op)
        for write in writes(op):
            target = catalog.column(write.table, write.target)
            if target is None or target.nullable:
                continue
            value = write.value
            while isinstance(value, exp.Paren) and isinstance(value.this, exp.Expression):
                value = value.this
            if isinstance(value, exp.Null):
                yield _finding(op, write, "", context, literal=True)
                continue
            sources = _nullable_sources(value, write, context)
            if sources:
                yield _finding(op, write, sources[0], context, literal=False)
        if isinstance(op, DataInsert) and (left_out := _left_out(op, catalog)):
            yield _omitted(op, left_out, context)


def _left_out(op: DataInsert, catalog: Catalog) -> str:
    """A NOT NULL column without a default that an INSERT naming its columns leaves out: the database puts
    NULL there. Not a key column (an integer key SQLite numbers itself), a column a sequence fills, a MySQL
    timestamp (which may take an implicit default), nor a table a trigger may fill, or whose columns are
    not all known."""
    if not (op.spelled_out or isinstance(op.expression, exp.Insert)) or not op.columns or op.replaces:
        return ""
    table = catalog.tables.get(op.table)
    if table is None or table.partial or not all(c in table.columns for c in op.columns):
        return (
            ""  # a column list not read as written (a PL/pgSQL variable in place of a name) decides nothing
        )
    if any(o.kind == "trigger" and o.table == op.table for o in catalog.objects.values()):
        return ""
    keys = set(catalog.primary_keys.get(op.table, ()))
    for name, column in table.columns.items():
        if name in op.columns or column.nullable or column.default is not None or column.identity:
            continue
        if name in keys or column.type.startswith(("timestamp", "datetime")) or column.on_update:
            continue
        return name
    return ""


def _omitted(op: DataInsert, column: str, context: Context) -> Finding:
    outcome = (
        "MySQL in strict mode fails the statement; outside strict mode it stores the column's implicit default "
        "('' or 0) instead, silently"
        if context.mysql
        else "the statement fails and the deploy stops"
    )
    return op.finding(
        RULE,
        f"`{op.table}.{column}` is NOT NULL without a default, and the INSERT leaves it out of its columns: every "
        f"row it inserts has NULL there, and {outcome}.",
        severity=Severity.CRITICAL,
        blast_radius=f"Every database the migration runs on, new installs included: the INSERT into `{op.table}` "
        "fails on its first row.",
        fix=f"Give `{column}` a value in the INSERT, or give the column a default before inserting.",
    )


def _nullable_sources(value: exp.Expression, write: Write, context: Context) -> list[str]:
    """The nullable columns that make the value NULL: the value itself, or an operand of a comparison."""
    if isinstance(value, exp.Column):
        candidates = [value]
    elif isinstance(value, _COMPARISONS):
        candidates = [c for c in (value.this, value.expression) if isinstance(c, exp.Column)]
    else:
        return []
    found = []
    for column in candidates:
        name = identifier(column.this)
        table = write.table_of(column)
        source = context.catalog.column(table, name)
        if (
            source is None
            or not source.nullable
            or guarded(column, value)
            or _never_null(context, table, name)
        ):
            continue
        if not_null_in(write.where, name) or (name == write.target and write.table_of(column) == write.table):
            continue
        if _checked_where(context, table, name, write.where):
            continue
        found.append(name)
    return found


def _checked_where(context: Context, table: str, column: str, where: exp.Expression | None) -> bool:
    """Does a validated CHECK of the source table keep the column from NULL in the rows the condition
    chooses (`status = 'CLOSED'` under a CHECK whose CLOSED branch says `closed_at IS NOT NULL`)?"""
    return where is not None and any(
        check.table == table
        and check.validated
        and check_keeps_not_null(check.expression, column, where, context.dialect)
        for check in context.catalog.checks.values()
    )


def _never_null(context: Context, table: str, column: str) -> bool:
    """A column the schema keeps from NULL without saying NOT NULL on it: part of a primary key declared for
    the table (`PRIMARY KEY (user_id, team_id)`, `ADD PRIMARY KEY`), or under a validated `CHECK (… IS NOT
    NULL)`."""
    catalog = context.catalog
    return column in catalog.primary_keys.get(table, ()) or catalog.validated_not_null(table, column)


def _finding(op: Operation, write: Write, source: str, context: Context, *, literal: bool) -> Finding:
    outcome = (
        "MySQL in strict mode fails the statement there; outside strict mode it stores the column's implicit "
        "default ('' or 0) instead, silently"
        if context.mysql
        else "the statement fails there and the deploy stops"
    )
    if literal:
        return op.finding(
            RULE,
            f"`{write.table}.{write.target}` is NOT NULL, and the statement writes NULL into it: {outcome}.",
            severity=Severity.CRITICAL,
            blast_radius=f"Every row the statement writes in {context.size_words(write.table)}: it fails on the "
            "first one.",
            fix=f"Write a value `{write.target}` holds, or make the column nullable in an earlier step if NULL is "
            "meant.",
        )
    value = render(write.value, context.dialect)
    query = f"SELECT count(*) FROM {write.source} WHERE {source} IS NULL"
    return op.finding(
        RULE,
        f"`{write.table}.{write.target}` is NOT NULL, and `{value}` is NULL for every row where `{source}` is "
        f"NULL: if `{query}` is not 0, {outcome}.",
        blast_radius=f"Rows of `{write.source}` found by `{query}`: one is enough to stop the migration.",
        fix=f"Run `{query}` first; write `coalesce(…)` for those rows or add `WHERE {source} IS NOT NULL` and "
        "decide about them separately.",
    )
