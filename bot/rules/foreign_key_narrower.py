"""A foreign-key column narrower than the key it references: it cannot hold the keys past its range.

## Why is this bad?
`orders.user_id integer REFERENCES users (id)` with `users.id bigint` works until `users.id` passes
2,147,483,647. From then on every order for a new user fails ("integer out of range"), although the
key itself had room to grow, and the fix is a type change that rewrites `orders` under an exclusive lock
at that very moment. Widening a key to `bigint` while the columns that reference it stay `integer` has
the same effect: the widening buys nothing until they follow.

## Use instead
Give the referencing column the referenced key's type (`bigint` for a `bigint` key), and widen the
referencing columns together with the key they point at.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddConstraint, AlterColumnType, CreateTable, Migration, Operation
from bot.rules.context import Context
from bot.sql.conversions import INT_BYTES, type_parts

RULE = Rule(
    id="foreign-key-narrower",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Give the referencing column the type of the key it references, and widen both together.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "-- migration\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer REFERENCES users (id));",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "-- migration\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",
    ),
)

_SERIALS = {"smallserial": 2, "serial": 4, "bigserial": 8, "serial2": 2, "serial4": 4, "serial8": 8}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()  # a column declared with REFERENCES and a constraint is one finding
    for op in migration.up:
        if not isinstance(op, CreateTable | AddColumn | AddConstraint | AlterColumnType):
            continue
        references = list(_references(op))
        if not references and not isinstance(op, AlterColumnType):
            continue  # nothing to compare: no schema to work out
        after = context.after(op)
        for table, column, target, key in references:
            finding = _compare(op, after, table, column, target, key, context)
            if finding is not None and (table, column) not in seen:
                seen.add((table, column))
                yield finding
        if isinstance(op, AlterColumnType):
            yield from _widened_key(op, after, context)


def _references(op: Operation) -> Iterator[tuple[str, str, str, str]]:
    """(table, column, referenced table, referenced column) of each single-column foreign key `op` declares."""
    if isinstance(op, CreateTable):
        for spec in op.columns:
            if spec.references:
                yield op.table, spec.name, spec.references, ""
        for constraint in op.constraints:
            yield from _references(constraint)
    elif isinstance(op, AddColumn) and op.column.references:
        yield op.table, op.column.name, op.column.references, ""
    elif (
        isinstance(op, AddConstraint)
        and op.constraint == "foreign_key"
        and op.references
        and len(op.columns) == 1
    ):
        yield op.table, op.columns[0], op.references, (op.referenced_columns or ("",))[0]


def _bytes(type_sql: str) -> int:
    base, _ = type_parts(type_sql.lower())
    return INT_BYTES.get(base) or _SERIALS.get(base, 0)


def _key_column(catalog: Catalog, table: str, column: str) -> str:
    if column:
        return column
    key = catalog.primary_keys.get(table) or catalog.primary_keys.get(table.rsplit(".", 1)[-1]) or ("id",)
    return key[0] if len(key) == 1 else ""


def _compare(
    op: Operation, catalog: Catalog, table: str, column: str, target: str, key: str, context: Context
) -> Finding | None:
    key = _key_column(catalog, target, key)
    mine, theirs = (
        catalog.column(table, column),
        catalog.column(target.rsplit(".", 1)[-1], key) or catalog.column(target, key),
    )
    if mine is None or theirs is None:
        return None
    narrow, wide = _bytes(mine.type), _bytes(theirs.type)
    if not narrow or not wide or narrow >= wide:
        return None
    return _finding(op, f"{table}.{column}", mine.type, f"{target}.{key}", theirs.type, narrow)


def _widened_key(op: AlterColumnType, catalog: Catalog, context: Context) -> Iterator[Finding]:
    """A key widened while the columns that reference it stay narrow."""
    wide = _bytes(op.new_type)
    if not wide:
        return
    widened = [
        later
        for later in (context.migration.up if context.migration is not None else ())
        if isinstance(later, AlterColumnType)
    ]
    for foreign in catalog.foreign_keys.values():
        if not same_table(foreign.references, op.table) or len(foreign.columns) != 1:
            continue
        if _key_column(catalog, op.table, (foreign.referenced_columns or ("",))[0]) != op.column:
            continue
        column = catalog.column(foreign.table, foreign.columns[0])
        follows = any(
            w.table == foreign.table and w.column == foreign.columns[0] and _bytes(w.new_type) >= wide
            for w in widened
        )
        if column is not None and 0 < _bytes(column.type) < wide and not follows:
            yield _finding(
                op,
                f"{foreign.table}.{foreign.columns[0]}",
                column.type,
                f"{op.table}.{op.column}",
                op.new_type,
                _bytes(column.type),
            )


def _finding(op: Operation, column: str, narrow_type: str, key: str, key_type: str, size: int) -> Finding:
    limit = 2 ** (size * 8 - 1) - 1
    return op.finding(
        RULE,
        f"`{column}` is `{narrow_type}` but references `{key}` of type `{key_type}`: once `{key}` passes "
        f"{limit:,}, rows that point at the newer keys cannot be written.",
        severity=Severity.WARNING,
        blast_radius=f"Every insert or update that points `{column}` at a key above {limit:,} fails "
        '("out of range"); widening it then rewrites its table under an exclusive lock.',
        fix=f"Declare `{column}` as `{key_type}`, in this change.",
    )
