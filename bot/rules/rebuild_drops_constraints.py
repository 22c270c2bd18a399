"""A table rebuilt by copy whose new table lacks the old one's keys, NOT NULLs, defaults or foreign keys.

## Why is this bad?
Rebuilding a table (create a new one, copy the rows, drop the old, rename the new into place) keeps only
what the new table declares. `CREATE TABLE users_new AS SELECT * FROM users` declares nothing but column
names and types: no primary key, no NOT NULL, no defaults (the id's `nextval` included, so inserts that
leave `id` out store NULL), no unique keys, no CHECKs, no indexes. And `DROP TABLE users CASCADE` drops
the foreign keys of the tables that pointed at it. The migration succeeds; from then on duplicate emails,
NULL ids and orphaned rows go in unchecked, and every lookup scans the table.

## Use instead
Declare the new table in full (in PostgreSQL `CREATE TABLE users_new (LIKE users INCLUDING ALL)`, which
copies defaults, NOT NULLs, CHECKs, indexes and identity), copy the rows with `INSERT … SELECT`, then add
back the foreign keys of the tables that point at it, create its indexes again after the rename, and move the
id sequence past the copied ids. Better still, change the table in place with `ALTER TABLE` where the
database can.

## Framework notes
Prisma rebuilds a SQLite table to change a column (its "RedefineTables" step): a NOT NULL or a default the
Prisma schema beside the migrations no longer declares (the field made optional, its `@default` removed) is
the change itself, and not reported.

SQLite has no `ALTER COLUMN … DROP NOT NULL`: a rebuild is how a column is made nullable there. A rebuild that
loses only NOT NULLs is a warning that asks whether that is the point (unless the Prisma schema still requires
the field), and none at all when the same migration
written for another database (a project with a folder per database, such as `migrations/postgresql/` beside
`migrations/sqlite/`) drops those NOT NULLs by name.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.frameworks import prisma
from bot.model.catalog import Catalog, Column, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CreateTable, DropTable, Migration
from bot.rules._twins import nullable_by_twin
from bot.rules.context import Context
from bot.sql.names import SERIAL_TYPES

RULE = Rule(
    id="rebuild-drops-constraints",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Create the new table with the full definition (`LIKE old INCLUDING ALL`), copy with INSERT … SELECT, "
    "and add back the foreign keys that pointed at the old one.",
    bad=(
        "CREATE TABLE members (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n-- migration\n"
        "CREATE TABLE members_new AS SELECT id, email FROM members;\nDROP TABLE members;\n"
        "ALTER TABLE members_new RENAME TO members;",
    ),
    good=(
        "CREATE TABLE members (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n-- migration\n"
        "CREATE TABLE members_new (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n"
        "INSERT INTO members_new (id, email) SELECT id, email FROM members;\nDROP TABLE members;\n"
        "ALTER TABLE members_new RENAME TO members;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    rebuilds = migration.rebuilds()
    if not rebuilds or not migration.up:
        return
    last = migration.up[-1]
    after = context.after(last)
    created = {op.table: op for op in migration.up if isinstance(op, CreateTable)}
    for rebuild in rebuilds:
        drop = next(
            (op for op in migration.up if isinstance(op, DropTable) and op.table == rebuild.dropped), None
        )
        if drop is None or context.catalog.is_new(rebuild.dropped):
            continue
        before = context.before(drop)
        old, new = before.tables.get(rebuild.dropped), after.tables.get(rebuild.table)
        # a table created AS SELECT is partial when it selects computed values: their types are not known,
        # but what it lacks is
        selected = created.get(rebuild.copy)
        if (
            old is None
            or new is None
            or old.partial
            or (new.partial and not (selected and selected.as_select))
        ):
            continue
        loose = (
            prisma.loosened(context.tree, migration.path) if migration.framework == "prisma" else frozenset()
        )
        # a NOT NULL the same migration written for another database drops by name is the change itself
        loose |= {
            (rebuild.table, name, "null")
            for name in old.columns
            if nullable_by_twin(migration, context, rebuild.table, name)
        }
        lost = _lost(before, rebuild.dropped, after, rebuild.table, context.postgres, loose)
        indexes = _lost_indexes(before, rebuild.dropped, after, rebuild.table)
        if not lost and indexes:
            yield drop.finding(
                RULE,
                f"`{rebuild.table}` is rebuilt by copy, and the new table lacks the old one's "
                f"index{'es' if len(indexes) > 1 else ''} {_listed(indexes)}: dropping the old table dropped "
                f"{'them' if len(indexes) > 1 else 'it'}, and nothing creates {'them' if len(indexes) > 1 else 'it'} again.",
                severity=Severity.WARNING,
                blast_radius=f"Every query of {context.size_words(rebuild.table)} that used "
                f"{'them' if len(indexes) > 1 else 'it'} scans the whole table from the deploy on (a foreign key's "
                "checks and cascades included).",
                fix="Create the indexes again on the new table, after the rename, in the same migration.",
            )
            continue
        if indexes:
            lost.append(f"the index{'es' if len(indexes) > 1 else ''} {_listed(indexes)}")
        if lost and all(item.startswith("NOT NULL on ") for item in lost) and migration.framework != "prisma":
            # SQLite cannot drop a NOT NULL but by a rebuild: one that loses nothing else may mean to (Prisma's
            # schema says which fields stay required: what it still requires is lost by mistake)
            yield drop.finding(
                RULE,
                f"`{rebuild.table}` is rebuilt by copy, and the new table makes {lost[0].removeprefix('NOT NULL on ')} "
                "nullable: nothing else of the old table is lost. If making them nullable is not the point, the "
                "NOT NULL was left out of the new table's definition by mistake.",
                severity=Severity.WARNING,
                blast_radius=f"From the deploy on, rows of {context.size_words(rebuild.table)} may hold NULL there, "
                "and code that never expected NULL meets it.",
                fix="Repeat NOT NULL in the new table's definition if the columns stay required.",
            )
        elif lost:
            yield drop.finding(
                RULE,
                f"`{rebuild.table}` is rebuilt by copy, and the new table lacks what the old one enforced: "
                + "; ".join(lost)
                + ".",
                blast_radius=f"From the deploy on, rows of {context.size_words(rebuild.table)} go in without "
                "these checks: NULLs, duplicates and orphans are accepted, and inserts that relied on a default "
                "store NULL or fail.",
                fix=_fix(rebuild.dropped, context),
            )


def _fix(old: str, context: Context) -> str:
    if context.postgres:
        declare = f"`CREATE TABLE … (LIKE {old} INCLUDING ALL)`"
    elif context.mysql:
        declare = f"`CREATE TABLE … LIKE {old}`"
    else:
        declare = "every constraint and default of the old table in its CREATE TABLE"
    return (
        f"Declare the new table with {declare}, copy with `INSERT … SELECT`, and add back what is listed "
        "that it still lacks (foreign keys are never copied)."
    )


def _lost(
    old: Catalog, table: str, new: Catalog, name: str, postgres: bool, loose: frozenset[tuple[str, str, str]]
) -> list[str]:
    """What the new table no longer enforces; a NOT NULL or a default the Prisma schema no longer declares
    (`loose`) is the change the migration was generated for, not a loss."""
    found: list[str] = []
    new_columns = new.tables[name].columns

    def kept_all(columns: tuple[str, ...]) -> bool:  # a key on a column the rebuild drops goes with it
        return all(c in new_columns for c in columns)

    primary = old.primary_keys.get(table, ())
    if primary and name not in new.primary_keys and kept_all(primary):
        found.append(f"the primary key ({', '.join(primary)})")
    kept = [(c, new_columns[c.name]) for c in old.tables[table].columns.values() if c.name in new_columns]
    not_null = [
        o.name
        for o, n in kept
        if not o.nullable
        and n.nullable
        and o.name not in old.primary_keys.get(table, ())
        and (name, o.name, "null") not in loose
    ]
    if not_null:
        found.append(f"NOT NULL on {_listed(not_null)}")
    defaults = [
        o.name
        for o, n in kept
        if _generated(o) and not _generated(n) and (name, o.name, "default") not in loose
    ]
    if defaults:
        found.append(f"the default{'s' if len(defaults) > 1 else ''} of {_listed(defaults)}")
    unique = [
        k for k in old.unique_keys(table) if k != primary and kept_all(k) and k not in new.unique_keys(name)
    ]
    if unique:
        found.append(
            f"the unique key{'s' if len(unique) > 1 else ''} on {_listed([', '.join(k) for k in unique])}"
        )
    own = {
        (t, c)
        for t, c in _keys(old, table, outgoing=True) - _keys(new, name, outgoing=True)
        if kept_all(tuple(c.split(", ")))
    }
    if own:
        found.append(f"its foreign key{'s' if len(own) > 1 else ''} on {_listed(sorted(c for _, c in own))}")
    # PostgreSQL's keys point at the dropped table itself; SQLite's and MySQL's name it, and follow the new one
    incoming = _keys(old, table, outgoing=False) - _keys(new, name, outgoing=False) if postgres else set()
    if incoming:
        found.append(
            "the foreign keys of " + _listed(sorted(f"{t}.{c}" for t, c in incoming)) + " that pointed at it"
        )
    checks = [c for c in old.checks.values() if c.table == table]
    if len(checks) > len([c for c in new.checks.values() if c.table == name]):
        found.append(f"{len(checks)} CHECK constraint{'s' if len(checks) > 1 else ''}")
    return found


def _lost_indexes(old: Catalog, table: str, new: Catalog, name: str) -> list[str]:
    """The plain indexes of the old table (unique ones are keys, judged above) that no index of the new one
    replaces: the same key columns, or a unique index that leads with them."""
    if name not in new.tables:
        return []
    new_columns = new.tables[name].columns
    kept = {
        tuple(c.lower() for c in d.columns)
        for d in new.index_definitions.values()
        if same_table(d.table, name)
    }
    kept |= {tuple(c.lower() for c in key) for key in new.keys.get(name, [])}
    lost = []
    for index, definition in old.index_definitions.items():
        columns = tuple(c.lower() for c in definition.columns)
        if not same_table(definition.table, table) or definition.unique:
            continue
        if not all(c.strip('"') in new_columns for c in definition.columns if c.replace("_", "").isalnum()):
            continue  # an index on a column the rebuild drops goes with it
        if not any(k[: len(columns)] == columns for k in kept):
            lost.append(f"{index} ({', '.join(definition.columns)})")
    return lost


def _generated(column: Column) -> bool:
    """A value the database gives a row that does not name the column: a default, an identity, a serial."""
    return column.default is not None or column.identity or column.type.lower() in SERIAL_TYPES


def _keys(catalog: Catalog, table: str, *, outgoing: bool) -> set[tuple[str, str]]:
    """(table, columns) of the foreign keys `table` declares (outgoing) or that point at it."""
    return {
        (key.table if not outgoing else table, ", ".join(key.columns))
        for key in catalog.foreign_keys.values()
        if (key.table == table if outgoing else key.references == table and key.table != table)
    }


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
