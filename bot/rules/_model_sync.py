"""What a pull request changes in its models against the schema its migrations leave: shared by
`model-without-migration` (a column the model now declares that no migration creates) and
`required-column-unwritten` (a column the model no longer declares that the database still requires).

Only what the change itself does counts: the columns its model files declare at the head and not at the
base (or the reverse), judged against the schema after every migration of the head. A table the schema does
not know, or knows only in part (created outside the migrations), says nothing; nor does a column that a
migration file of the change names (its SQL may be one the review could not read into operations).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot import frameworks
from bot.frameworks import migration_graph
from bot.model.catalog import Catalog, Table
from bot.model.changeset import ChangeSet, Tree
from bot.references.declared_columns import Declared, app_package, declared, is_model_file

# where each framework's fix is written
FIX = {
    "django": "Run `python manage.py makemigrations` and commit the migration it writes",
    "sqlalchemy": "Write the Alembic migration for it (`alembic revision --autogenerate`) and commit it",
    "prisma": "Run `prisma migrate dev --create-only` and commit the `migration.sql` it writes",
    "typeorm": "Generate the migration (`typeorm migration:generate`) and commit it",
    "sequelize": "Write the migration that adds it (`sequelize migration:generate`, `queryInterface.addColumn`) and "
    "commit it",
    "ecto": "Write the migration (`mix ecto.gen.migration`) that adds it and commit it",
}
LOADS = {
    "django": "Django selects every field of a model in each query of it",
    "sqlalchemy": "SQLAlchemy selects every mapped column in each query of the class",
    "prisma": "Prisma Client selects every scalar field in each query of the model",
    "typeorm": "TypeORM selects every column of an entity in each query of it",
    "sequelize": "Sequelize selects every attribute of a model in each query of it",
    "ecto": "Ecto selects every field of a schema in each query of it",
}


@dataclass(frozen=True)
class Drift:
    declared: Declared
    table: Table | None  # None: the model is new and no migration creates its table


def _declared(tree: Tree | None, path: str, text: str) -> tuple[Declared, ...]:
    """The columns of one model file, a Django app's models under the label its `apps.py` declares."""
    package = app_package(path) if path.endswith(".py") and tree is not None else ""
    label = migration_graph.app_label(tree, f"{package}/migrations") if package and tree is not None else ""
    return declared(path, text, label)


def edits_models(changeset: ChangeSet) -> bool:
    """The change edits a file that may declare models (nothing else is read by these rules)."""
    return any(is_model_file(f.path) or is_model_file(f.previous_path or "") for f in changeset.files)


def changed_declarations(changeset: ChangeSet) -> tuple[list[Declared], list[Declared]]:
    """(added, removed): the columns the change's model files declare at the head and not at the base, and
    the reverse; a column moved from one changed file to another is neither."""
    before: list[Declared] = []
    after: list[Declared] = []
    for changed in changeset.files:
        if not is_model_file(changed.path) and not is_model_file(changed.previous_path or ""):
            continue
        if changed.base_text:
            before.extend(
                _declared(changeset.base_tree, changed.previous_path or changed.path, changed.base_text)
            )
        if changed.head_text:
            after.extend(_declared(changeset.head_tree, changed.path, changed.head_text))
    old = {(d.table, d.column) for d in before}
    new = {(d.table, d.column) for d in after}
    return [d for d in after if (d.table, d.column) not in old], [
        d for d in before if (d.table, d.column) not in new
    ]


def missing(changeset: ChangeSet, catalogs: list[Catalog], named: set[str]) -> Iterator[Drift]:
    """The columns the change adds to its models that the schema after its migrations does not have;
    `named`: the words of the change's migration files (`named_by_migrations`)."""
    added, _ = changed_declarations(changeset)
    if not added:
        return
    for item in added:
        if any(n.lower() in named for n in item.names()):
            continue
        table = _table(catalogs, item.table)
        if table is None:
            new = _new_model(item, changeset) and item.table.lower() not in named
            if new and _catalog_covers(item, catalogs, changeset):
                yield Drift(item, None)
            continue
        if table.partial or any(n in table.columns for n in item.names()):
            continue
        folded = {n.lower() for n in item.names()}
        if item.framework != "prisma" and any(c.lower() in folded for c in table.columns):
            continue  # an unquoted name the database folds to the same column
        yield Drift(item, table)


def made_required(
    changeset: ChangeSet, catalogs: list[Catalog], named: set[str]
) -> Iterator[tuple[Declared, Table]]:
    """Prisma fields the change makes required (`String?` to `String`) whose column the schema after its
    migrations still allows NULL in: Prisma Client fails on every row it reads with a NULL there."""
    before: dict[tuple[str, str], Declared] = {}
    for changed in changeset.files:
        if changed.base_text and (changed.previous_path or changed.path).endswith(".prisma"):
            for item in _declared(
                changeset.base_tree, changed.previous_path or changed.path, changed.base_text
            ):
                before[(item.table, item.column)] = item
    if not before:
        return
    for changed in changeset.files:
        if not changed.head_text or not changed.path.endswith(".prisma"):
            continue
        for item in _declared(changeset.head_tree, changed.path, changed.head_text):
            was = before.get((item.table, item.column))
            if was is None or not was.optional or item.optional is not False or item.column.lower() in named:
                continue
            table = _table(catalogs, item.table)
            column = table.columns.get(item.column) if table is not None and not table.partial else None
            if table is not None and column is not None and column.nullable:
                yield item, table


def unwritten(changeset: ChangeSet, catalogs: list[Catalog]) -> Iterator[tuple[Declared, Table, str]]:
    """The columns the change removes from its models that the schema after its migrations still has as
    NOT NULL without a default: the model's inserts leave them out. Each with the column's name in the schema."""
    _, removed = changed_declarations(changeset)
    kept = {
        d.table
        for changed in changeset.files
        if removed and changed.head_text and is_model_file(changed.path)
        for d in _declared(changeset.head_tree, changed.path, changed.head_text)
    }
    for item in removed:
        table = _table(catalogs, item.table)
        if table is None or _model_gone(changeset, item, kept):
            continue
        column = next((table.columns[n] for n in item.names() if n in table.columns), None)
        if column is None or column.nullable or column.default is not None or column.identity:
            continue
        yield item, table, column.name


def _model_gone(changeset: ChangeSet, item: Declared, kept: set[str]) -> bool:
    """Does the change delete the whole model a removed column belonged to (its file, or its class or schema
    block), no changed model file at the head declaring its table (`kept`)? Nothing inserts through it."""
    if not item.model or item.table in kept:
        return False
    name = re.escape(item.model)
    defined = re.compile(
        rf"^[ \t]*(?:export[ \t]+)?(?:(?:class|model)[ \t]+{name}\b|defmodule[ \t]+(?:[\w.]+\.)?{name}\b)",
        re.M,
    )
    return not any(
        f.head_text and defined.search(f.head_text) for f in changeset.files if is_model_file(f.path)
    )


def head_line(changeset: ChangeSet, item: Declared) -> int:
    """Where the head's file declares the model a removed column belonged to (its class or model block)."""
    text = next((f.head_text for f in changeset.files if f.path == item.path), None) or ""
    name = re.escape(item.model)
    pattern = (
        rf"^[ \t]*(?:export[ \t]+)?(?:(?:class|model)[ \t]+{name}\b|defmodule[ \t]+(?:[\w.]+\.)?{name}\b)"
    )
    found = re.search(pattern, text, re.M) if item.model else None
    return text.count("\n", 0, found.start()) + 1 if found else 1


def first_line(item: Declared) -> str:
    return f"`{item.model}.{item.field}`" if item.model else f"`{item.field}`"


def _table(catalogs: list[Catalog], name: str) -> Table | None:
    for catalog in catalogs:
        found = catalog.tables.get(name) or catalog.tables.get(name.lower())
        if found is not None:
            return found
    return None


def _new_model(item: Declared, changeset: ChangeSet) -> bool:
    """No changed model file declared the model's table at the base."""
    for changed in changeset.files:
        if changed.base_text and any(
            d.table == item.table
            for d in _declared(changeset.base_tree, changed.previous_path or changed.path, changed.base_text)
        ):
            return False
    return True


def _catalog_covers(item: Declared, catalogs: list[Catalog], changeset: ChangeSet) -> bool:
    """The schema knows the tables of the file's other models (its migrations are the ones read)."""
    text = next((f.head_text for f in changeset.files if f.path == item.path), "") or ""
    others = {d.table for d in _declared(changeset.head_tree, item.path, text) if d.table != item.table}
    return bool(others) and all(_table(catalogs, t) is not None for t in others)


def named_by_migrations(changeset: ChangeSet) -> set[str]:
    """Every word of the change's migration files, lower case (a column a migration names may be one its
    statements create in a way the review did not read)."""
    words: set[str] = set()
    for changed in changeset.files:
        if changed.head_text and frameworks.is_candidate(changed.path) and not is_model_file(changed.path):
            words.update(w.lower() for w in _WORD.findall(changed.head_text))
    return words


_WORD = re.compile(r"\w+")
