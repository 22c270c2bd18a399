"""Prisma Migrate: `prisma/migrations/<timestamp>_<name>/migration.sql`, with no down migrations.

The history is the folder of timestamped folders, whatever its name (`prisma.config.ts` can move it). A
`migration.ts` in one of them is a data migration of the project's own runner, read by `prisma_scripts`.

Prisma sends the script in one call, so on PostgreSQL a script with several statements runs in one
implicit transaction. The way back is a new migration (`prisma migrate diff`), written by hand.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator

from bot.frameworks import prisma_push  # the schema reader, shared with `prisma db push` projects
from bot.frameworks.prisma_push import BLOCK, FIELD, MAP, TABLE_MAP
from bot.frameworks.sqlfile import WayBack, build, has_explicit_transaction, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import CreateEnum, Migration, Operation, statement_count

NAME = "prisma"


def detect(path: str, text: str) -> bool:
    # drizzle-kit 1.0 also writes `<timestamp>_<name>/migration.sql`, with its statement breakpoints
    if prisma_push.history_root(path) is not None:
        return "--> statement-breakpoint" not in text
    return script(path) and _PRISMA_CLIENT.search(text) is not None


# A data migration a project's runner keeps in a timestamped folder of the history (see `prisma_scripts`)
_SCRIPT = re.compile(r"(?:^|/)\d{14}_\w+/migration\.(?:ts|mts|cts|js|mjs|cjs)$")
_PRISMA_CLIENT = re.compile(r"\$(?:executeRaw|queryRaw)|\bPrismaClient\b|\btx\.\w+\.\w+\(")


def script(path: str) -> bool:
    """Is the path a data migration script beside Prisma's `migration.sql` files (`…/20250722075349_x/migration.ts`)?"""
    return _SCRIPT.search(path) is not None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return path.split("/")[-2].split("_", 1)[0]


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    if script(path):
        from bot.frameworks import prisma_scripts  # the JavaScript reader loads only for a script

        return prisma_scripts.parse(path, text, dialect, NAME, version(path))
    up = parse_sql(path, text, dialect)
    many = statement_count(up) > 1
    in_transaction = has_explicit_transaction(up) or (many and dialect == "postgres")
    note = (
        "Prisma sends the script in one call, which PostgreSQL runs as one implicit transaction"
        if in_transaction
        else "Prisma does not wrap this migration in a transaction"
    )
    back = WayBack(missing="Prisma Migrate has no down migrations: write the reverse as a new migration")
    return build(
        path,
        NAME,
        dialect,
        up,
        back,
        text=text,
        in_transaction=in_transaction,
        note=note,
        version=version(path),
        file_transaction=in_transaction and not (many and dialect == "postgres"),
        implicit_transaction=many and dialect == "postgres",
    )


def schema_operations(path: str, text: str, dialect: str = "postgres") -> list[Operation]:
    """The tables, columns, indexes and enums a `schema.prisma` describes, as operations to build a catalog
    from (the types as the dialect stores them)."""
    return schema_files_operations({path: text}, dialect)


def schema_files_operations(files: dict[str, str], dialect: str = "postgres") -> list[Operation]:
    """As `schema_operations`, for a schema spread over several files (`prisma/schema/*.prisma`), read
    together: a field's enum or related model may be declared in another file of the folder."""
    schema = prisma_push.read(files, prisma_push.syntax_of(dialect))
    ops: list[Operation] = [
        CreateEnum(location=where, name=name, values=values) for name, (values, where) in schema.enums.items()
    ]
    for model in schema.models.values():
        ops.append(prisma_push.create(model))
        ops.extend(prisma_push.indexes(model))
    return ops


# Defaults the Prisma client computes itself and sends with every create (`@default(cuid())`, `@updatedAt`):
# the database never fills these columns, whatever default it has
_CLIENT_FILLED = re.compile(r"@default\(\s*(?:cuid|uuid|nanoid|ulid)\s*\(|@updatedAt\b")


# per tree, per migrations folder: read once for a history, not once per migration that drops a default
_CLIENT_CACHE: weakref.WeakKeyDictionary[Tree, dict[str, frozenset[tuple[str, str]]]] = (
    weakref.WeakKeyDictionary()
)


def client_filled(tree: Tree, migration_path: str) -> frozenset[tuple[str, str]]:
    """The (table, column) pairs of the tree's Prisma schemas whose value the Prisma client sends itself: the
    tree's `.prisma` files, and the `schema.prisma` beside the migrations folder (a lint lists no others)."""
    folder = prisma_push.history_root(migration_path) or ""
    try:
        known = _CLIENT_CACHE.setdefault(tree, {})
    except TypeError:  # a tree that cannot be weakly referenced is read every time
        known = {}
    if folder not in known:
        known[folder] = _client_filled(tree, folder)
    return known[folder]


def _client_filled(tree: Tree, folder: str) -> frozenset[tuple[str, str]]:
    beside = f"{folder}/schema.prisma" if folder else "schema.prisma"
    paths = dict.fromkeys([beside, *(p for p in tree.paths() if p.endswith(".prisma"))])
    return frozenset(
        (table, column)
        for path in paths
        for table, column, rest in _fields(tree.read(path) or "")
        if _CLIENT_FILLED.search(rest)
    )


def _fields(text: str) -> Iterator[tuple[str, str, str]]:
    """(table, column, what follows the type) for each field of each model of a Prisma schema."""
    for match in BLOCK.finditer(text):
        kind, name, body = match.groups()
        if kind != "model":
            continue
        mapped_table = TABLE_MAP.search(body)
        table = mapped_table.group(1) if mapped_table else name
        for raw in body.splitlines():
            field = FIELD.match(raw)
            if field is None:
                continue
            mapped = MAP.search(field.group(5))
            yield (
                table,
                mapped.group(1) if mapped else field.group(1),
                (field.group(4) or "") + field.group(5),
            )


_LOOSE_CACHE: weakref.WeakKeyDictionary[Tree, dict[str, frozenset[tuple[str, str, str]]]] = (
    weakref.WeakKeyDictionary()
)


def loosened(tree: Tree, migration_path: str) -> frozenset[tuple[str, str, str]]:
    """(table, column, what) for the columns the schema beside a migrations folder declares without a NOT
    NULL ("null": an optional field, `String?`) or without a default ("default"): what the Prisma schema asks
    of the database, which a migration Prisma generates from it (SQLite's table rebuild included) writes."""
    folder = prisma_push.history_root(migration_path) or ""
    try:
        known = _LOOSE_CACHE.setdefault(tree, {})
    except TypeError:
        known = {}
    if folder not in known:
        known[folder] = _loosened(tree, folder)
    return known[folder]


def _loosened(tree: Tree, folder: str) -> frozenset[tuple[str, str, str]]:
    beside = f"{folder}/schema.prisma" if folder else "schema.prisma"
    # every file of a multi-file schema (`schema/*.prisma`, rallly's `models/*.prisma` beside `schema.prisma`)
    paths = list(dict.fromkeys([beside, *prisma_push.schema_files(tree, folder)]))
    found: set[tuple[str, str, str]] = set()
    for path in paths:
        for table, column, rest in _fields(tree.read(path) or ""):
            if rest.startswith("?"):
                found.add((table, column, "null"))
            if "@default(" not in rest:
                found.add((table, column, "default"))
    return frozenset(found)
