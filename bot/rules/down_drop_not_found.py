"""The down drops a key, index or table the up did not create, and leaves the one it did: the rollback fails.

## Why is this bad?
A down written by copying the up and editing it keeps the up's slips. The up adds a foreign key on
`prices.country_iso`; the down removes the one on `prices.country_id`, which does not exist. PostgreSQL refuses
(`constraint "…" of relation "prices" does not exist`), MySQL too, and Rails' `remove_foreign_key` raises
(`Table 'prices' has no foreign key for countries`) before any SQL is sent. The rollback stops at that
statement, on the day a release has to be taken back, and the key the up added is still there. An index is the
same: the up adds `index_orders_on_state`, the down removes `index_orders_on_status` (`index "…" does not
exist`; Rails' `remove_index :orders, :status` raises `No indexes found on orders with the options provided`).
So is a table: the up creates `comments`, the down drops `comment` (`table "comment" does not exist`, MySQL
`Unknown table`), and `comments` stays.

## Use instead
Drop in the down exactly what the up added: the same name (of the table too), or for Rails the same `to_table` and `column:` as
the `add_foreign_key`, the same columns (or `name:`) as the `add_index`. Run up, down and up again on a scratch database before merging.

## Framework notes
Rails finds the key `remove_foreign_key` removes by what it references (and the `column:` given), not by a
name, unless one is given: a key the up added under a name of its own is found as long as it references the
same table; `remove_index :orders, :state` finds the index by its columns, whatever its name. The finding needs
the up to add a key or index to the table that the down then leaves: a down that drops one the schema had
before is another change, not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddConstraint,
    AddIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    Migration,
    Unparsed,
)
from bot.rules._numbered_parts import both_ways
from bot.rules.context import Context

RULE = Rule(
    id="down-drop-not-found",
    dimension=Dimension.ROLLBACK,
    severity=Severity.CRITICAL,
    help="Drop in the down exactly the key or index the up added (its name, or for Rails its table and columns).",
    bad=(
        "CREATE TABLE countries (id bigint PRIMARY KEY, iso text UNIQUE);\n"
        "CREATE TABLE prices (id bigint PRIMARY KEY, country_id bigint, country_iso text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE prices ADD CONSTRAINT prices_country_iso_fk FOREIGN KEY (country_iso) "
        "REFERENCES countries (iso);\n"
        "-- +goose Down\nALTER TABLE prices DROP CONSTRAINT prices_country_id_fk;",
    ),
    good=(
        "CREATE TABLE countries (id bigint PRIMARY KEY, iso text UNIQUE);\n"
        "CREATE TABLE prices (id bigint PRIMARY KEY, country_id bigint, country_iso text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE prices ADD CONSTRAINT prices_country_iso_fk FOREIGN KEY (country_iso) "
        "REFERENCES countries (iso);\n"
        "-- +goose Down\nALTER TABLE prices DROP CONSTRAINT prices_country_iso_fk;",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ways = both_ways(migration, context)
    if ways is None:
        return
    up, down = ways
    if not down or any(isinstance(op, Unparsed) for op in (*up, *down)):
        return
    state = context.catalog.snapshot()
    for op in up:
        state.apply(op)
    # one replay of the down: the keys and the indexes it removes that the schema does not hold at that point
    missing: list[DropConstraint] = []
    missing_indexes: list[DropIndex] = []
    missing_tables: list[DropTable] = []
    for op in down:
        if isinstance(op, DropConstraint) and not op.if_exists and _absent(op, state):
            missing.append(op)
        elif isinstance(op, DropIndex) and not op.if_exists and _index_absent(op, state):
            missing_indexes.append(op)
        elif isinstance(op, DropTable) and not op.if_exists and not _has_table(state, op.table):
            missing_tables.append(op)
        state.apply(op)
    added = [op for op in up if isinstance(op, AddConstraint) and op.name]
    for op in missing:
        left = [a for a in added if same_table(a.table, op.table) and _still_there(a, op, state)]
        if left:
            yield _finding(op, left[0], migration.in_transaction)
    added_indexes = [op for op in up if isinstance(op, AddIndex) and op.name]
    for drop in missing_indexes:
        # `DROP INDEX name` names no table: any index the up added to a table the review knows
        kept = [
            a
            for a in added_indexes
            if a.name in state.indexes
            and (
                same_table(a.table, drop.table)
                if drop.table
                else any(same_table(t, a.table) for t in state.tables)
            )
        ]
        if kept:
            yield _index_finding(drop, kept[0], migration.in_transaction)
    created = [op for op in up if isinstance(op, CreateTable) and not op.temporary]
    for gone in missing_tables:
        stays = [c for c in created if _has_table(state, c.table)]
        if stays:
            yield _table_finding(gone, stays[0], migration.in_transaction)


def _has_table(state: Catalog, table: str) -> bool:
    return any(same_table(t, table) for t in state.tables)


def _table_finding(op: DropTable, created: CreateTable, in_transaction: bool) -> Finding:
    return op.finding(
        RULE,
        f"The down drops the table `{op.table}`, which the up did not create and the schema does not have: the "
        f'rollback fails here (`table "{op.table}" does not exist`), and the table the up created, '
        f"`{created.table}`, stays.",
        blast_radius=_blast_radius(in_transaction),
        fix=f"Drop `{created.table}` in the down, as the up created it.",
    )


def _index_absent(op: DropIndex, state: Catalog) -> bool:
    """Does the schema at this point of the down hold no index `op` removes (by its columns for Rails'
    `remove_index :t, :column`, else by its name)?"""
    if op.table and not any(same_table(t, op.table) for t in state.tables):
        return False  # a table the review does not know: nothing to say about its indexes
    if op.columns:
        wanted = tuple(c.lower() for c in op.columns)
        return not any(
            same_table(table, op.table)
            and tuple(c.lower() for c in state.index_columns.get(name, ())) == wanted
            for name, table in state.indexes.items()
        )
    return op.name not in state.indexes and op.name not in state.index_definitions


def _absent(op: DropConstraint, state: Catalog) -> bool:
    """Does the schema at this point of the down hold no key `op` drops?"""
    if not any(same_table(t, op.table) for t in state.tables):
        return False  # a table the review does not know: nothing to say about its keys
    if op.references:  # Rails: the key to that table (on those columns), whatever its name
        return not [k for k in state.foreign_keys.values() if _found_by(k, op)]
    return (
        op.name not in state.constraints
        and op.name not in state.checks
        and not state.foreign_keys_named(op.table, op.name)
        and op.name not in state.key_constraints
    )


def _found_by(key: ForeignKey, op: DropConstraint) -> bool:
    return (
        same_table(key.table, op.table)
        and same_table(key.references, op.references)
        and not key.declared
        and (not op.columns or tuple(c.lower() for c in key.columns) == tuple(c.lower() for c in op.columns))
    )


def _still_there(added: AddConstraint, drop: DropConstraint, state: Catalog) -> bool:
    """Is the key the up added left by the whole down (for Rails, one the failing drop meant: the same
    referenced table)?"""
    if drop.references and not (added.references and same_table(added.references, drop.references)):
        return False
    return added.name in state.constraints or added.name in state.foreign_keys or added.name in state.checks


def _blast_radius(in_transaction: bool) -> str:
    return (
        "The rollback fails when a release has to be taken back, and its transaction undoes what the down "
        "did before this statement: the schema stays as the up left it until the down is fixed."
        if in_transaction
        else "The rollback fails half-way, when a release has to be taken back: what the down undid before "
        "this statement stays undone, the rest stays applied."
    )


def _index_finding(op: DropIndex, added: AddIndex, in_transaction: bool) -> Finding:
    what = (
        f"the index of `{op.table}` on ({', '.join(op.columns)})" if op.columns else f"the index `{op.name}`"
    )
    shown = f"`{added.name}`" + (f" on ({', '.join(added.columns)})" if added.columns else "")
    return op.finding(
        RULE,
        f"The down removes {what}, which the up did not create and the schema does not have: the rollback "
        f"fails here, and the index the up added, {shown}, stays.",
        blast_radius=_blast_radius(in_transaction),
        fix=f"Remove {shown} in the down, as the up added it.",
    )


def _finding(op: DropConstraint, added: AddConstraint, in_transaction: bool) -> Finding:
    what = (
        f"the key of `{op.table}` to `{op.references}`"
        + (f" on ({', '.join(op.columns)})" if op.columns else "")
        if op.references
        else f"`{op.name}` of `{op.table}`"
    )
    shown = f"`{added.name}`" + (f" on ({', '.join(added.columns)})" if added.columns else "")
    return op.finding(
        RULE,
        f"The down drops {what}, which the up did not create and the schema does not have: the rollback fails "
        f"here, and the key the up added, {shown}, stays.",
        blast_radius=_blast_radius(in_transaction),
        fix=f"Drop {shown} in the down, as the up added it.",
    )
