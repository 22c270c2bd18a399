"""The default of a NOT NULL column is dropped: every insert that leaves the column out fails from then on.

## Why is this bad?
`ALTER TABLE orders ALTER COLUMN status DROP DEFAULT` on a `status text NOT NULL DEFAULT 'new'` column
changes nothing in the rows, but every INSERT that does not name `status` now fails with a NOT NULL
violation. The release still running while the migration is deployed is written against the default:
its inserts leave the column out (Prisma's client omits a field whose schema has `@default`, Eloquent,
Knex, Sequelize and TypeORM send only the attributes that were set, Rails before 7.0 inserts only changed
attributes), and so do raw SQL, import jobs and fixtures. They all fail at once, and keep failing until
every one of them is changed. Dropping the `nextval` default of a serial key is the same: inserts without
an id fail, and so is `DROP IDENTITY` on an identity key. `SET DEFAULT NULL` is a drop too: PostgreSQL
stores no default for it (Alembic's `alter_column(…, server_default=sa.text("NULL"))` sends it).

Not reported: Django (it sends every field), Rails on 7.0 defaults, a column a BEFORE INSERT trigger fills
(one the migrations created, or one in a SQL file of the repository outside them that the deploy applies),
and a Prisma field whose value the client computes and always sends (`@default(cuid())`, `uuid()`,
`nanoid()`, `@updatedAt` in the schema), the usual reason a Prisma migration drops a key's `nextval`.

## Use instead
Keep the default, or drop it in a later deploy, once every writer names the column: deploy the code that
sets the value first, then the migration. If the goal is that callers must choose a value, make sure every
insert path already does before the default goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks import prisma
from bot.model.catalog import same_table
from bot.model.changeset import Tree
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.kept import ByIdentity
from bot.model.migration import DropColumn, DropNotNull, DropTable, Migration, Operation, RawSQL, SetDefault
from bot.rules._inserts import rails_sends_every_column
from bot.rules.context import Context
from bot.sql.names import SERIAL_TYPES

RULE = Rule(
    id="default-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Keep the default until every writer sets the column (deploy that code first), then drop it in a "
    "later migration.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'new');\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'new');\n-- migration\n"
        "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';",
    ),
)

# Django's ORM names every field of the model in its inserts: the database default is never relied on
_ALL_FIELDS_SENT = ("django",)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework in _ALL_FIELDS_SENT:
        return
    if not any(isinstance(op, SetDefault) and _dropped(op, context) for op in migration.up):
        return
    if rails_sends_every_column(migration, context):
        return
    client = (
        prisma.client_filled(context.tree, migration.path)
        if migration.framework in ("prisma", "prisma-push")
        else frozenset()
    )
    dropped: dict[str, list[tuple[SetDefault, str]]] = {}  # per table, in the order the migration drops them
    for index, op in enumerate(migration.up):
        if not isinstance(op, SetDefault) or not _dropped(op, context) or op.implied:
            continue
        if context.catalog.is_new(op.table) or (op.table, op.column) in client:
            continue  # Prisma's client sends `@default(cuid())` and `@updatedAt` values itself
        column = context.before(op).column(op.table, op.column)
        if column is None or column.nullable or column.added_in_change:
            continue
        default = column.default or (
            f"nextval('{op.table}_{op.column}_seq')"
            if column.type.lower() in SERIAL_TYPES
            else "GENERATED AS IDENTITY"
            if op.identity and column.identity
            else None
        )
        if default is None:
            continue
        if _undone_later(migration.up[index + 1 :], op, context) or _filled_by_trigger(op, context):
            continue
        dropped.setdefault(op.table, []).append((op, default))
    for table, columns in dropped.items():
        first = columns[0][0]
        listed = ", ".join(f"`{op.column}` (default `{default}`)" for op, default in columns)
        several = len(columns) > 1
        names = " or ".join(f"`{op.column}`" for op, _ in columns)
        yield first.finding(
            RULE,
            f"`{table}` loses the default{'s' if several else ''} of the NOT NULL column{'s' if several else ''} "
            f"{listed}: from now on every insert that leaves {names} out fails.",
            blast_radius=f"Inserts into {context.size_words(table)} from the release running during the deploy, "
            "and from any raw SQL, import job or fixture written against the default, fail with a NOT NULL "
            "violation until each of them sets the column.",
        )


# `SET DEFAULT NULL` (or `NULL::text`): PostgreSQL stores no default at all, as for DROP DEFAULT (MySQL and
# MariaDB refuse it on a NOT NULL column instead)
_NULL = re.compile(
    r"\(*\s*(?:NULL(?:\s*::\s*[\w .\"()]+)?|CAST\s*\(\s*NULL\s+AS\s+[\w .\"()]+\))\s*\)*", re.I
)


def _dropped(op: SetDefault, context: Context) -> bool:
    return op.default is None or (context.postgres and _NULL.fullmatch(op.default.strip()) is not None)


def _undone_later(later: tuple[Operation, ...], op: SetDefault, context: Context) -> bool:
    """The migration gives the column a default again, makes it nullable, or drops it (or its table)."""
    for o in later:
        if getattr(o, "table", None) != op.table:
            continue
        if (
            isinstance(o, RawSQL)
            and o.category == "alter-table-add-identity"
            and _identity_of(o.sql, op.column)
        ):
            return True  # the values come from an identity from now on
        if isinstance(o, DropTable) or (
            isinstance(o, SetDefault | DropNotNull | DropColumn) and o.column == op.column
        ):
            return not (isinstance(o, SetDefault) and _dropped(o, context))
    return False


def _identity_of(sql: str, column: str) -> bool:
    """`ALTER [COLUMN] column ADD GENERATED … AS IDENTITY` names `column`."""
    pattern = rf'\bALTER\s+(?:COLUMN\s+)?"?{re.escape(column)}"?\s+ADD\s+GENERATED\b'
    return re.search(pattern, sql, re.I) is not None


_BEFORE_INSERT = re.compile(r"\bBEFORE\b[^;]*?\bINSERT\b", re.I)


def _filled_by_trigger(op: SetDefault, context: Context) -> bool:
    """A BEFORE INSERT trigger on the table (already there, or created by the change) can fill the column:
    PostgreSQL checks NOT NULL after it runs."""
    for catalog in (context.before(op), context.catalog):
        for obj in catalog.objects.values():
            if obj.kind == "trigger" and same_table(obj.table, op.table) and _BEFORE_INSERT.search(obj.sql):
                return True
    return _trigger_outside_migrations(op.table, context)


_OUTSIDE = re.compile(r"(?:^|/)(?:migrations?|migrate|versions)/")


def _trigger_outside_migrations(table: str, context: Context) -> bool:
    """A BEFORE INSERT trigger on the table in a SQL file of the repository that is no migration: code the
    deploy applies after the migrations (Lemmy's `replaceable_schema/triggers.sql`)."""
    name = re.escape(table.rpartition(".")[2])
    pattern = re.compile(
        rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+\S+\s+BEFORE\s+(?:UPDATE\s+OR\s+)?INSERT"
        rf"[^;]*?\bON\s+(?:\w+\.)?\"?{name}\"?(?![\w\"])",
        re.I,
    )
    return any(pattern.search(text) for text in _trigger_files(context.tree))


def _read_trigger_files(tree: Tree) -> tuple[str, ...]:
    return tuple(
        text
        for path in tree.paths()
        if path.endswith(".sql") and not _OUTSIDE.search(path)
        if "TRIGGER" in (text := tree.read(path) or "").upper()
    )


# per tree, by identity (lint's tree holds a dict and has no hash): the repository's SQL files outside the
# migrations that create triggers, read once for a history
_trigger_files: ByIdentity[Tree, tuple[str, ...]] = ByIdentity(_read_trigger_files)
