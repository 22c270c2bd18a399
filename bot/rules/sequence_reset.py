"""A sequence set back below the ids a table already holds hands those ids out again.

## Why is this bad?
`ALTER SEQUENCE users_id_seq RESTART`, `SELECT setval('users_id_seq', 1)` or `ALTER TABLE users ALTER
COLUMN id RESTART WITH 1` make the next insert take an id that existing rows already have. With a primary
key the insert fails with a duplicate key error, and so does every insert after it until the sequence
passes the largest id: the application cannot create rows. Without a unique key two rows share an id, and
whatever joins on it (foreign keys without constraints, caches, URLs) reaches the wrong row.

## Use instead
Set the sequence from the table itself, so it can only move past the rows that exist:
`SELECT setval('users_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM users), false)`. Restarting a
sequence is only safe on a table the same migration created or emptied (`TRUNCATE … RESTART IDENTITY`).

The same happens the other way round: rows inserted with ids of their own (`INSERT INTO roles (id, name)
VALUES (1, 'admin')`, or `INSERT INTO orders_new (id, …) SELECT id, … FROM orders` when a table is
rebuilt) leave the sequence where it was, so the application's next inserts are handed those ids and fail.
After inserting ids yourself, move the sequence past them in the same migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError

from bot.model.catalog import Catalog, Column
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, Migration, Operation, RawSQL, Truncate
from bot.rules.context import Context
from bot.sql.names import SERIAL_TYPES
from bot.sql.pg_nodes import alter_table_commands, function_name, relation, text_of, walk

RULE = Rule(
    id="sequence-reset",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Set the sequence from the table (`setval(…, (SELECT coalesce(max(id), 0) + 1 FROM …), false)`), "
    "so it only ever moves past the ids that exist.",
    bad=(
        "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n-- migration\n"
        "ALTER SEQUENCE users_id_seq RESTART WITH 1;",
        "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n-- migration\n"
        "SELECT setval('users_id_seq', 1);",
    ),
    good=(
        "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n-- migration\n"
        "SELECT setval('users_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM users), false);",
    ),
    dialects=("postgres",),
)
_MENTIONS = re.compile(r"\bsetval\b|\bRESTART\b", re.I)


def _mentions(sql: str) -> bool:
    """`setval` or `RESTART` in the statement: ASCII text without either word is not searched (IGNORECASE
    folds no other ASCII letter onto theirs), which spares a search of every statement of a history."""
    if sql.isascii():
        lowered = sql.lower()
        if "setval" not in lowered and "restart" not in lowered:
            return False
    return _MENTIONS.search(sql) is not None


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    yield from _ids_ahead(migration, context)
    yield from _identity_added(migration, context)
    for index, op in enumerate(migration.up):
        if isinstance(op, Truncate) or not _mentions(op.sql):
            continue
        catalog = context.before(op)
        for sequence, value in _resets(op.sql):
            target = _column_of(sequence, catalog)
            if target is not None and (
                catalog.is_new(target[0]) or _emptied(target[0], migration.up[:index])
            ):
                continue
            yield _finding(op, sequence, value, target, context)


def _identity_added(migration: Migration, context: Context) -> Iterator[Finding]:
    """`ALTER COLUMN id ADD GENERATED … AS IDENTITY` on a table that has rows: the identity's sequence starts at
    1 (or its START), below the ids the rows hold, unless the migration moves it past them afterwards."""
    for index, op in enumerate(migration.up):
        if not (isinstance(op, RawSQL) and op.category == "alter-table-add-identity"):
            continue
        later = " ".join(o.sql for o in migration.up[index + 1 :] if _mentions(o.sql))
        for table, column, start in _identities(op.sql):
            catalog = context.before(op)
            if catalog.is_new(table) or _emptied(table, migration.up[:index]) or table in later:
                continue
            first = 1 if start is None else start
            low, tail = _next_id(
                first, catalog.rows.get(table, 0), ", and nothing in the migration moves it past them"
            )
            yield op.finding(
                RULE,
                f"`{table}.{column}` becomes an identity column whose sequence starts at {first}{tail}",
                severity=Severity.CRITICAL if low else Severity.WARNING,
                blast_radius=f"The first inserts into {context.size_words(table)} after the deploy take ids "
                f"existing rows hold and fail with a duplicate key on `{column}`, one after another, until the "
                "sequence passes the largest id.",
                fix=f"Right after it, move the sequence past the rows: `SELECT setval(pg_get_serial_sequence("
                f"'{table}', '{column}'), (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)`.",
            )


def _next_id(value: int | None, rows: int, more: str = "") -> tuple[bool, str]:
    """Is the next id one the existing rows hold (None: the sequence's start; 1 or 2: the first ids, which
    the oldest rows hold), and the end of the sentence that says so."""
    if value is None or value <= max(2, rows):
        return True, f", an id existing rows already hold{more}."
    return False, f"; safe only if no row holds an id of {value} or more."


def _identities(sql: str) -> Iterator[tuple[str, str, int | None]]:
    """(table, column, START or None) of each identity `sql` adds to an existing column."""
    for table, cmd in alter_table_commands(sql):
        definition = getattr(cmd, "def_", None)
        if not isinstance(definition, ast.Constraint):
            continue
        if definition.contype != pglast.enums.ConstrType.CONSTR_IDENTITY or not cmd.name:
            continue
        start = next(
            (
                int(text_of(o.arg))
                for o in definition.options or ()
                if isinstance(o, ast.DefElem)
                and o.defname == "start"
                and text_of(o.arg).lstrip("-").isdigit()
            ),
            None,
        )
        yield table, cmd.name, start


def _finding(
    op: Operation, sequence: str, value: int | None, target: tuple[str, str] | None, context: Context
) -> Finding:
    next_id = "its first value" if value is None else f"{value}"
    if target is None:
        return op.finding(
            RULE,
            f"The sequence `{sequence}` is set back to hand out {next_id} next.",
            severity=Severity.WARNING,
            blast_radius="If a table's ids come from this sequence, its next inserts reuse ids that rows already "
            "hold: they fail on the primary key, or two rows share an id.",
        )
    table, column = target
    rows = context.catalog.rows.get(table, 0)
    low, tail = _next_id(value, rows)
    check_query = f"SELECT max({column}) FROM {table}"
    return op.finding(
        RULE,
        f"The sequence `{sequence}` of `{table}.{column}` is set back to hand out {next_id} next{tail}",
        severity=Severity.CRITICAL if low else Severity.WARNING,
        blast_radius=f"Inserts into {context.size_words(table)} take ids existing rows hold: each fails with a "
        f"duplicate key on `{column}` until the sequence passes the largest id (or, without a unique key, two rows "
        "share an id).",
        fix=f"Set it from the table: `SELECT setval('{sequence}', (SELECT coalesce(max({column}), 0) + 1 FROM "
        f"{table}), false)`"
        + (
            "."
            if low
            else f"; or check `{check_query}` is below {value} on every database before the deploy."
        ),
    )


def _resets(sql: str) -> Iterator[tuple[str, int | None]]:
    """(sequence, the value it hands out next: None for its start) of each constant reset in `sql`."""
    try:
        statements = pglast.parse_sql(sql)
    except ParseError:
        return
    for raw in statements:
        for node in walk(raw.stmt):
            if isinstance(node, ast.AlterSeqStmt) and node.sequence is not None:
                restart = _restart(node.options)
                if restart is not False:
                    yield relation(node.sequence), restart
            elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
                for cmd in node.cmds or ():
                    restart = (
                        _restart(getattr(cmd, "def_", None)) if isinstance(cmd, ast.AlterTableCmd) else False
                    )
                    if restart is not False and cmd.name:
                        yield f"{relation(node.relation)}_{cmd.name}_seq", restart
            elif isinstance(node, ast.FuncCall) and function_name(node) == "setval":
                found = _setval(node.args or ())
                if found is not None:
                    yield found


def _restart(options: Any) -> int | bool | None:
    """The value a RESTART option names (None: the sequence's start), or False without one."""
    for option in options if isinstance(options, tuple | list) else ():
        if isinstance(option, ast.DefElem) and option.defname == "restart":
            if option.arg is None:
                return None
            value = text_of(option.arg)
            return int(value) if value.lstrip("-").isdigit() else False
    return False


def _setval(args: Any) -> tuple[str, int | None] | None:
    if len(args) < 2:
        return None
    name, value = _constant(args[0]), _constant(args[1])
    if name is None or value is None or not value.lstrip("-").isdigit():
        return None  # the value is computed (from the table's max, say): it follows the rows
    called = len(args) < 3 or _constant(args[2]) not in ("false", "f", "0")
    return name.removeprefix("public."), int(value) + (1 if called else 0)


def _constant(node: Any) -> str | None:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and not node.isnull:
        return text_of(node.val).lower()
    return None


def _column_of(sequence: str, catalog: Catalog) -> tuple[str, str] | None:
    """The table and column whose ids the sequence gives: a `nextval('…')` default, or PostgreSQL's own name
    for the sequence of a serial or identity column (`<table>_<column>_seq`)."""
    bare = sequence.rsplit(".", 1)[-1].strip('"').lower()
    for name, table in catalog.tables.items():
        for column in table.columns.values():
            default = (column.default or "").lower()
            if f"'{bare}'" in default or f'"{bare}"' in default or f".{bare}'" in default:
                return name, column.name
            if f"{name.rsplit('.', 1)[-1]}_{column.name}_seq".lower() == bare:
                return name, column.name
    return None


def _emptied(table: str, earlier: tuple[Operation, ...] | list[Operation]) -> bool:
    return any(isinstance(op, Truncate) and table in op.tables for op in earlier)


_GIVEN = re.compile(r"^\s*(?:DEFAULT|nextval\s*\(.*\))\s*$", re.I | re.S)


def _ids_ahead(migration: Migration, context: Context) -> Iterator[Finding]:
    """Rows inserted with their own values for a column whose values come from a sequence, with no
    `setval`/`RESTART` of that sequence after them in the migration."""
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataInsert):
            continue
        table = context.before(op).tables.get(op.table)
        if table is None:
            continue
        for name in op.columns or tuple(table.columns):
            column = table.columns.get(name)
            if column is None or not _from_sequence(column):
                continue
            order = op.columns or tuple(table.columns)
            given = _given_values(op, order.index(name))
            if given is None:
                continue
            later = migration.up[index + 1 :]
            if any(_MENTIONS.search(o.sql) and _moves(o.sql, op.table) for o in later):
                continue
            yield _ahead_finding(op, name, column, given, context)


def _from_sequence(column: Column) -> bool:
    return (
        column.identity or column.type.lower() in SERIAL_TYPES or "nextval(" in (column.default or "").lower()
    )


def _given_values(op: DataInsert, position: int) -> str | None:
    """How the insert gives the column its values ("ids 1, 2 and 3", "ids copied by the SELECT"), or None
    when every row takes the sequence's next value (`DEFAULT`, `nextval(…)`)."""
    if op.from_select:
        return "the ids its SELECT copies"
    values = [row[position] for row in op.rows if position < len(row)]
    given = [v.strip() for v in values if not _GIVEN.match(v)]
    # a sequence starts at 1 and counts up: 0 or a negative id (an "undetermined" row) is never handed out
    if not given or all(
        re.fullmatch(r"\(?\s*(-\s*)?\d+\s*\)?", v) and int(v.strip("() ").replace(" ", "")) <= 0
        for v in given
    ):
        return None
    shown = ", ".join(given[:3]) + (f" and {len(given) - 3} more" if len(given) > 3 else "")
    return f"{'id' if len(given) == 1 else 'ids'} {shown}"


def _moves(sql: str, table: str) -> bool:
    """Does a later statement set the table's sequence (a setval or RESTART naming the table or its
    sequence, or finding it with `pg_get_serial_sequence`)?"""
    bare = table.rsplit(".", 1)[-1].strip('"').lower()
    lowered = sql.lower()
    return bare in lowered or "pg_get_serial_sequence" in lowered


def _ahead_finding(op: DataInsert, name: str, column: Column, given: str, context: Context) -> Finding:
    copied = given.startswith("the ids")
    sequence = f"pg_get_serial_sequence('{op.table}', '{name}')"
    return op.finding(
        RULE,
        f"Rows are inserted into `{op.table}` with {given} for `{name}`, whose values come from a sequence, "
        "and nothing moves the sequence past them: it goes on handing out the ids these rows now hold.",
        severity=Severity.CRITICAL if copied else Severity.WARNING,
        blast_radius=f"The application's next inserts into {context.size_words(op.table)} are given those ids "
        f"and fail with a duplicate key on `{name}`, one after another, until the sequence passes the largest "
        "of them.",
        fix=f"After the insert, in the same migration: `SELECT setval({sequence}, (SELECT coalesce(max({name}), 0) "
        f"+ 1 FROM {op.table}), false);`",
    )
