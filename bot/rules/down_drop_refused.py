"""The down drops a table that another table's foreign key still references: the database refuses the DROP.

## Why is this bad?
A down is the up undone in reverse order. Written in the order of the up instead (`DROP TABLE teams` before
`ALTER TABLE users DROP COLUMN team_id`), it drops the referenced table while the key that references it still
stands: PostgreSQL refuses (`cannot drop table teams because other objects depend on it`), so do MySQL and
MariaDB (`Cannot drop table 'teams' referenced by a foreign key constraint`). The rollback stops at that
statement, on the day a release has to be taken back, with whatever ran before it (outside a transaction, on
MySQL) already undone and the rest not: a schema neither release was written for.

## Use instead
Undo the up in reverse order: drop the referencing key, column or table first, then the table it references.
`DROP TABLE … CASCADE` (PostgreSQL) removes the keys as well, silently: say which ones instead.

## Framework notes
The down is read as each framework writes it (a `down` method, a `.down.sql` file, a goose or dbmate section)
and replayed on the schema the up leaves; a key dropped earlier in the down, or a referencing table dropped
first, is no obstacle. SQLite refuses the DROP only when rows still reference the table (with foreign keys on),
so it is not judged there.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CreateTable, DropTable, Migration, Unparsed
from bot.rules._numbered_parts import both_ways
from bot.rules.context import Context

RULE = Rule(
    id="down-drop-refused",
    dimension=Dimension.ROLLBACK,
    severity=Severity.CRITICAL,
    help="Undo the up in reverse order: drop what references a table before the table.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n-- migration\n"
        "-- +goose Up\nCREATE TABLE teams (id bigint PRIMARY KEY);\n"
        "ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);\n"
        "-- +goose Down\nDROP TABLE teams;\nALTER TABLE users DROP COLUMN team_id;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\n-- migration\n"
        "-- +goose Up\nCREATE TABLE teams (id bigint PRIMARY KEY);\n"
        "ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);\n"
        "-- +goose Down\nALTER TABLE users DROP COLUMN team_id;\nDROP TABLE teams;",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ways = both_ways(migration, context)  # numbered parts: the whole migration, at its first part
    if ways is None:
        return
    up, down = ways
    if not down or any(isinstance(op, Unparsed) for op in (*up, *down)):
        return
    if any(
        isinstance(op, CreateTable) and not op.if_not_exists and op.table in context.catalog.tables
        for op in up
    ):
        return  # the up creates what the schema holds already: the schema is not the one before it
    state = context.catalog.snapshot()
    for op in up:
        state.apply(op)
    for op in down:
        if isinstance(op, DropTable) and not op.cascade and op.table in state.tables:
            holders = _referencing(state, op.table)
            if holders:
                yield _finding(op, holders, context)
                return
        state.apply(op)


def _referencing(catalog: Catalog, table: str) -> list[str]:
    """`table.col` of each database foreign key of another table that references `table`."""
    return sorted(
        {
            f"{key.table}.{', '.join(key.columns)}"
            for key in catalog.foreign_keys.values()
            if key.references == table
            and key.table != table
            and key.table in catalog.tables
            and not key.declared
            and not key.owner
        }
    )


def _finding(op: DropTable, holders: list[str], context: Context) -> Finding:
    shown = ", ".join(f"`{h}`" for h in holders[:3]) + (
        f" and {len(holders) - 3} more" if len(holders) > 3 else ""
    )
    refusal = (
        f"`Cannot drop table '{op.table}' referenced by a foreign key constraint`"
        if context.mysql
        else f"`cannot drop table {op.table} because other objects depend on it`"
    )
    return op.finding(
        RULE,
        f"The down drops `{op.table}` while {shown} still reference{'s' if len(holders) == 1 else ''} it: the "
        f"database refuses ({refusal}) and the rollback stops here.",
        blast_radius="The rollback fails half-way, when a release has to be taken back: what the down undid "
        "before this statement stays undone (on MySQL, outside any transaction), the rest stays applied.",
        fix=f"Drop the keys that reference `{op.table}` (or the tables that hold them) before `{op.table}`: undo the "
        "up in reverse order.",
    )
