"""MikroORM migrations: a class extending `Migration` (`@mikro-orm/migrations`) whose `up`/`down` call
`this.addSql(sql)`, read as SQL at its lines (`this.execute(sql)` too).

MikroORM runs each migration in a transaction unless the class overrides `isTransactional()` to return
false (or the configuration sets `transactional: false`, which a migration file does not show).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks.node_migration import Source
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Operation, Unparsed

NAME = "mikroorm"
EXTENSIONS = js.SOURCE
_VERSION = re.compile(r"(\d{8,})")
_SQL_METHODS = frozenset({"addSql", "execute"})


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    return candidate(path) and "@mikro-orm/" in text and "addSql" in text


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _VERSION.search(path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    root = js.parse(path, text)
    klass = next((k for k in jsm.classes(root) if "Migration" in jsm.heritage(k)), None)
    if klass is None:
        op = Unparsed(location=Location(path, 1), error="no migration class (`extends Migration`)")
        return Migration(
            path, NAME, dialect, (op,), None, True, "MikroORM runs each migration in a transaction"
        )
    methods: dict[str, js.Function] = {}
    jsm.members(jsm.class_body(klass), methods)
    up = nm.syntax_error(root, src) + (_walk(methods["up"], src) if "up" in methods else [])
    down = nm.way_back(methods.get("down"), lambda f: _walk(f, src), "no `down` method")
    in_transaction = not _returns_false(methods.get("isTransactional"))
    note = (
        "MikroORM runs each migration in a transaction"
        if in_transaction
        else "the class's `isTransactional()` returns false"
    )
    return nm.build(src, NAME, text, up, down, (in_transaction, note), version(path))


def _returns_false(function: js.Function | None) -> bool:
    return function is not None and any(
        js.value(statement) is False for statement in js.statements(function.body)
    )


def _walk(function: js.Function, src: Source) -> list[Operation]:
    return [
        op for statement in js.statements(function.body, src.dialect) for op in _statement(statement, src)
    ]


def _statement(node: Node, src: Source) -> list[Operation]:
    c = js.call(node)
    if c is None or node.type == "throw_statement":
        return []
    receiver = js.text_of(c.receiver)
    if receiver == "this" and c.name in _SQL_METHODS:
        return nm.sql(c.node, c.args[0] if c.args else None, src, f"this.{c.name}")
    if receiver in ("console", "this.logger") or c.name == "log":
        return []
    return nm.awaited_code(node, src)
