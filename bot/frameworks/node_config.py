"""The database a Node project's migrations run on, from its own configuration files.

Knex's `knexfile` (`client: 'pg'`), TypeORM's `ormconfig` or data source (`type: 'mysql'`), Sequelize's
`config/config.json` (`"dialect": "postgres"`), MikroORM's config (`driver: PostgreSqlDriver`) and
drizzle-kit's config (`dialect: 'postgresql'`). Values computed at run time (`process.env.DB_CLIENT`) say
nothing. JavaScript and TypeScript files are read with the grammar, JSON with the JSON reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from bot.model.changeset import Tree

_KEYS = frozenset({"client", "type", "dialect", "driver"})
_DIALECTS = {
    "pg": "postgres",
    "pg-native": "postgres",
    "postgres": "postgres",
    "postgresql": "postgres",
    "cockroachdb": "postgres",
    "aurora-postgres": "postgres",
    "postgresqldriver": "postgres",
    "mysql": "mysql",
    "mysql2": "mysql",
    "mariadb": "mysql",
    "aurora-mysql": "mysql",
    "mysqldriver": "mysql",
    "mariadbdriver": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "better-sqlite3": "sqlite",
    "better-sqlite": "sqlite",
    "sqlitedriver": "sqlite",
    "bettersqlitedriver": "sqlite",
    "libsql": "sqlite",
    "turso": "sqlite",
}
_STEMS = ("knexfile", "ormconfig", "data-source", "datasource", "mikro-orm.config", "drizzle.config")
_JSON = ("config/config.json", "config/database.json", "ormconfig.json")


def config_files(tree: Tree) -> Iterator[str]:
    """The configuration files that can name the database, in the order they are asked."""
    for path in sorted(tree.paths(), key=lambda p: (p.count("/"), p)):
        if "node_modules/" in path:
            continue
        name = path.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0] if "." in name else name
        if path.endswith(_JSON) or (
            name.endswith((".js", ".ts", ".cjs", ".mjs")) and stem.lower().endswith(_STEMS)
        ):
            yield path


def depends_on(tree: Tree, package: str) -> str:
    """The first `package.json` (the root's, then those a folder or two below it) that lists `package` among its
    dependencies or scripts; "" when none does."""
    manifests = sorted(
        (
            p
            for p in tree.paths()
            if p.endswith("package.json") and p.count("/") <= 2 and "node_modules/" not in p
        ),
        key=lambda p: (p.count("/"), p),
    )
    for path in manifests:
        text = tree.read(path)
        if text and package in text:
            return path
    return ""


def dialect(tree: Tree) -> str:
    """The dialect the first configuration file names; "" when none names one."""
    for path in config_files(tree):
        text = tree.read(path)
        if not text:
            continue
        for value in _json_values(text) if path.endswith(".json") else _source_values(path, text):
            found = _DIALECTS.get(value.lower())
            if found:
                return found
    return ""


def _json_values(text: str) -> Iterator[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield from (str(v) for k, v in item.items() if k in _KEYS and isinstance(v, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _source_values(path: str, text: str) -> Iterator[str]:
    """String (or driver class) values of `client`/`type`/`dialect`/`driver` properties."""
    from bot.frameworks import javascript as js  # the grammar loads only when a Node config exists

    stack = [js.parse(path, text)]
    while stack:
        node = stack.pop()
        if node.type == "pair" and js.value_key(node.child_by_field_name("key")) in _KEYS:
            value = node.child_by_field_name("value")
            found = js.value(value) if value is not None else None
            if isinstance(found, str):
                yield found
            elif value is not None and value.type == "identifier":
                yield js.text_of(value)
        stack.extend(reversed(node.named_children))
