"""What a change removes or renames, as the targets the code-reference search looks for."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from bot.model.catalog import Catalog
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    RenameColumn,
    RenameConstraint,
    RenameTable,
)
from bot.references.search import Target


def targets_of(migrations: Iterable[Migration], catalog: Catalog | None = None) -> list[Target]:
    """Everything the migrations remove or rename, and columns added to replace another one. A table
    dropped and created again by the same migration stays: the columns (of `catalog`) it loses are the
    targets."""
    found: dict[Target, None] = {}
    migrations = list(migrations)
    named = {
        (t.table, t.name) for m in migrations for op in m.up if (t := _target_of(op)) and t.kind == "column"
    }
    taken = _names_taken(migrations)
    for migration in migrations:
        rebuilt = migration.rebuilt_tables()  # dropped and renamed back in place: the name stays
        for op in migration.up:
            if isinstance(op, DropTable | RenameTable) and rebuilt & {op.table, getattr(op, "new_name", "")}:
                continue
            if isinstance(op, DropTable) and (again := recreated(migration, op)) is not None:
                for column in lost_columns(op.table, again, catalog):
                    _add(found, Target("column", op.table, column))
                continue
            target = target_of(op)
            if target is not None and target.name:  # a statement whose name could not be read
                _add(found, target)
            key = dropped_unique_key(op, catalog) if catalog is not None else None
            column = _key_column(key[0], key[2], named, taken) if key is not None else ""
            if key is not None and column:
                # searched in full when the change drops or renames it too, else only where code upserts
                kept = (key[0], column) not in named
                found.setdefault(Target("column", key[0], column, upserts_only=kept))
        for target, _ in replacements(migration, catalog):
            _add(found, target)
    return [t for t in found if not (t.kind == "column" and (t.table, t.name) in taken)]


def _add(found: dict[Target, None], target: Target) -> None:
    """`target` searched in full: in place of an equal one looked for only where code upserts."""
    if any(t.upserts_only for t in found if t == target):
        del found[target]
    found[target] = None


_IMPLIED_SUFFIXES = ("_key", "_unique", "_uniq")


def _key_column(
    table: str, columns: Iterable[str], named: set[tuple[str, str]], taken: set[tuple[str, str]]
) -> str:
    """The one column of a dropped unique key the search looks for: an upsert relying on the key names all of
    its columns as its conflict target, so the places of one find them all. One the change drops or renames
    (searched anyway) when there is one, else the longest name (the rarest word: `environmentId` rather
    than `name` or `type`, which every file has); "" when no column is a plain name (an expression). A name
    the change gives to a column (`taken`) is not searched for (see `targets_of`). A foreign key (`user_id`) is
    the last choice: Django's and Rails' lookups name its relation (`get_or_create(user=…, plan=…)`)."""
    plain = [
        c.strip('"') for c in columns if re.fullmatch(r'"?\w+"?', c) and (table, c.strip('"')) not in taken
    ]
    searched = [c for c in plain if (table, c) in named]
    return (searched or sorted(plain, key=lambda c: (c.endswith("_id"), -len(c))) or [""])[0]


def dropped_unique_key(
    op: Operation, catalog: Catalog, *, postgres: bool = False
) -> tuple[str, str, tuple[str, ...]] | None:
    """(table, key name, columns) of a unique index or constraint `op` drops. (PostgreSQL drops no
    constraint's index by `DROP INDEX`: constraint-index-dropped reports the statement failing.) Its columns
    are searched for in the code too: an upsert that names them as its conflict target stops working."""
    if isinstance(op, DropIndex):
        if postgres and op.name in catalog.key_constraints:
            return None
        definition = catalog.index_definitions.get(op.name)
        if definition is not None and definition.unique and not definition.where:
            return definition.table, op.name, definition.columns
        if catalog.constraints.get(op.name) == "unique":  # MySQL: a UNIQUE KEY is dropped as an index
            return catalog.indexes.get(op.name) or op.table, op.name, catalog.index_columns.get(op.name, ())
        return None
    if isinstance(op, DropConstraint):
        if catalog.constraints.get(op.name) == "unique":
            return op.table, op.name, catalog.index_columns.get(op.name, ())
        table = op.table.rsplit(".", 1)[-1]
        suffix = next((s for s in _IMPLIED_SUFFIXES if op.name.endswith(s)), "")
        if op.name.startswith(f"{table}_") and suffix:
            # the name a column declared unique gets: PostgreSQL's `<table>_<column>_key`, Knex's and
            # Laravel's `<table>_<column>_unique`
            column = op.name[len(table) + 1 : -len(suffix)]
            if (column,) in catalog.keys.get(op.table, []) and catalog.column(op.table, column) is not None:
                return op.table, op.name, (column,)
    return None


def recreated(migration: Migration, drop: DropTable) -> CreateTable | None:
    """The CREATE TABLE of the same name that follows the DROP TABLE in the migration, if any."""
    after = migration.up[migration.up.index(drop) + 1 :]
    return next((op for op in after if isinstance(op, CreateTable) and op.table == drop.table), None)


def lost_columns(table: str, again: CreateTable, catalog: Catalog | None) -> list[str]:
    """The columns the table had before (per the catalog) that its new definition does not have."""
    known = catalog.tables.get(table) if catalog is not None else None
    kept = {spec.name for spec in again.columns}
    return [name for name in known.columns if name not in kept] if known is not None else []


def _names_taken(migrations: Iterable[Migration]) -> set[tuple[str, str]]:
    """(table, column) of the names the change gives to a column (a rename to it, or a column added):
    after `sidebar → description, description → summary` code naming `description` reads the new column."""
    taken = set()
    for migration in migrations:
        for op in migration.up:
            if isinstance(op, RenameColumn):
                taken.add((op.table, op.new_name))
            elif isinstance(op, AddColumn):
                taken.add((op.table, op.column.name))
    return taken


def target_of(op: Operation) -> Target | None:
    target = _target_of(op)
    if target is None or not op.sql:
        return target
    spelling = _written(target.name, op.sql) if target.kind in ("column", "table") else ""
    new_spelling = _written(target.new_name or "", op.sql) if target.kind in ("column", "table") else ""
    if spelling or new_spelling:
        return dataclasses.replace(target, spelling=spelling, new_spelling=new_spelling)
    return target


def _written(name: str, sql: str) -> str:
    """How the statement writes a name the database folded to lower case (`ALTER TABLE userAccounts DROP
    COLUMN displayName`: `displayName`); "" when it is written as it is kept."""
    if not name or name != name.lower() or not any(c.isalpha() for c in name):
        return ""
    found = re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", sql, re.I)
    return found.group() if found is not None and found.group() != name else ""


def _target_of(op: Operation) -> Target | None:
    if isinstance(op, DropColumn):
        return Target("column", op.table, op.column)
    if isinstance(op, RenameColumn):
        return Target("column", op.table, op.column, op.new_name)
    if isinstance(op, DropTable):
        return Target("table", op.table, op.table)
    if isinstance(op, RenameTable):
        return Target("table", op.table, op.table, op.new_name)
    if isinstance(op, DropIndex):
        return Target("index", op.table, op.name)
    if isinstance(op, DropConstraint):
        return Target("constraint", op.table, op.name)
    if isinstance(op, RenameConstraint):
        return Target("constraint", op.table, op.name, op.new_name)
    if isinstance(op, RawSQL) and (renamed := enum_rename(op)):
        return Target("enum-value", *renamed)
    return None


_ENUM_RENAME = re.compile(
    r"^\s*ALTER\s+TYPE\s+(\S+)\s+RENAME\s+VALUE\s+'((?:[^']|'')*)'\s+TO\s+'((?:[^']|'')*)'", re.I
)


def enum_rename(op: RawSQL, *, folded: bool = True) -> tuple[str, str, str] | None:
    """(enum type without schema or quotes, old value, new value) of `ALTER TYPE … RENAME VALUE`; the type's
    name in lower case, or with `folded=False` as the database keeps it (a quoted name keeps its case)."""
    match = _ENUM_RENAME.match(op.sql) if op.category == "alter-type" else None
    if match is None:
        return None
    name, old, new = match.groups()
    name = name.split(".")[-1]
    name = name.strip('"') if not folded and name.startswith('"') else name.strip('"').lower()
    return name, old.replace("''", "'"), new.replace("''", "'")


# A value counted or summed over other rows by a sub-query: a cache of them, not a copy of a column of the row
_AGGREGATE_SUBQUERY = re.compile(
    r"\bselect\b[^;]*?\b(?:count|sum|max|min|avg|array_agg|string_agg)\s*\(", re.I
)


def replacements(migration: Migration, catalog: Catalog | None = None) -> list[tuple[Target, DataUpdate]]:
    """Columns added and filled from one existing column in the same migration: the expand step of a
    rename or a type change. Each as Target(old column, new_name=new column) with its backfill (a count
    or a maximum over other rows, a materialised aggregate, is none). An old column the same migration
    drops is no transition (both names never live side by side in a release), and a source `catalog`
    does not know as a column of the table is a value the code computes, not a column."""
    added = {(op.table, op.column.name) for op in migration.up if isinstance(op, AddColumn)}
    dropped = {(op.table, op.column) for op in migration.up if isinstance(op, DropColumn)}
    found = []
    for op in migration.up:
        if not isinstance(op, DataUpdate):
            continue
        table = catalog.tables.get(op.table) if catalog is not None else None
        known = {c.lower() for c in table.columns} if table is not None and not table.partial else None
        own = _own_names(op)
        for column, expression in op.assignments:
            if _AGGREGATE_SUBQUERY.search(expression):
                continue  # `reply_count = (SELECT count(*) FROM comments c WHERE c.parent_id = comments.id)`
            sources = [
                c
                for c in dict.fromkeys(op.reads)
                if c not in (column, PLACEHOLDER)  # `.values(new=row.old)`: a value the code gives
                and _NAME.fullmatch(c)  # not `…`, a value an ORM call computes (`bulk_update`)
                and _read_from_row(c, expression, own)
                and (known is None or c.lower() in known)
            ]
            if (op.table, column) in added and len(sources) == 1 and (op.table, sources[0]) not in dropped:
                found.append((Target("column", op.table, sources[0], column), op))
    return found


_NAME = re.compile(r"[\w$]+")
_UPDATED = re.compile(
    r"^\s*UPDATE\s+(?:ONLY\s+)?((?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))*)\s*\*?"
    r"(?:\s+(?:AS\s+)?(?!SET\b)(\"[^\"]+\"|[\w$]+))?\s+SET\b",
    re.I,
)


def _own_names(op: DataUpdate) -> frozenset[str]:
    """The names (lower case, unquoted) that qualify a column of the updated row in its statement: the
    table's name and the alias the UPDATE gives it."""
    names = {op.table.rsplit(".", 1)[-1].strip('"').lower()}
    found = _UPDATED.match(op.sql or "")
    if found is not None:
        names.add(re.split(r"\s*\.\s*", found.group(1))[-1].strip('"').lower())
        if found.group(2):
            names.add(found.group(2).strip('"').lower())
    return frozenset(names)


def _read_from_row(column: str, expression: str, own: frozenset[str]) -> bool:
    """Does the expression read the column of the updated row itself: named bare, or qualified by the
    updated table or its alias? `SET "legacyEnvironmentId" = e."id" … FROM "Environment" e` copies another
    table's `id`: a value joined in, not the row's own column being replaced."""
    name = re.escape(column)
    for found in re.finditer(rf'(?:("[^"]+"|[\w$]+)\s*\.\s*)?(?<![\w$])"?{name}"?(?![\w$])', expression):
        if found.group(1) is None or found.group(1).strip('"').lower() in own:
            return True
    return False
