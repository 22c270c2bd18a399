"""TypeORM migrations: a class implementing `MigrationInterface`, read with the TypeScript or JavaScript grammar.

- `up(queryRunner)` and `down(queryRunner)`: `queryRunner.query(sql)` is read as SQL (template literals
  included, `${…}` standing for a value), the `QueryRunner` API (`addColumn`, `changeColumn`, `createIndex`,
  `createTable`, …) as operations (see `typeorm_runner`). A `down` that throws is no way back.
- TypeORM runs each migration in a transaction (`migrationsTransactionMode` "all" or "each") unless the
  class says `transaction = false`, which needs the "each" mode.
- Calls on the query runner the review does not know, and any other call, stay visible: Unparsed for the
  runner's own methods, RunCode for the application's code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks import typeorm_builder, typeorm_entities, typeorm_runner
from bot.frameworks.node_migration import Source
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import PLACEHOLDER, Migration, Operation, Unparsed

NAME = "typeorm"
EXTENSIONS = js.SOURCE
_VERSION = re.compile(r"(\d{10,})")
_QUIET = frozenset({"log", "warn", "info", "debug", "error"})
# a write that may name an entity class: the project's entities are read only for such a migration
# `update(Order, …)` / `delete(Order …)`: each written with its literal first, which the engine finds fast
# (with `\b` first it tried the pattern at every character of a migration's long SQL strings)
_ENTITY_WRITES = (
    re.compile(r"update\s*\(\s*[A-Z]\w*\s*[,)]"),
    re.compile(r"delete\s*\(\s*[A-Z]\w*\s*[,)]"),
)


def _writes_entity(text: str) -> bool:
    return any(
        m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_$")
        for pattern in _ENTITY_WRITES
        for m in pattern.finditer(text)
    )


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    """A migration class: an `up(queryRunner)` method in the code itself, not in a template string (the
    template of a migration generator, `migration-executor.ts`, is no migration)."""
    if not candidate(path) or not (
        "MigrationInterface" in text or "QueryRunner" in text or "queryRunner" in text
    ):
        return False
    # an `up(` with an even number of backquotes before it stands outside any template string (a
    # migration's own comes before its long SQL strings: the count stays short)
    return any(text.count("`", 0, m.start()) % 2 == 0 for m in _UP.finditer(text))


_UP = re.compile(r"\bup\s*\(\s*\w+\s*(?::\s*QueryRunner\s*)?\)")


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _VERSION.search(path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    root = js.parse(path, text)
    klass = next((k for k in jsm.classes(root) if _is_migration(k)), None)
    if klass is None:
        op = Unparsed(
            location=Location(path, 1), error="no migration class (`implements MigrationInterface`)"
        )
        return Migration(
            path, NAME, dialect, (op,), None, True, "TypeORM runs each migration in a transaction"
        )
    methods: dict[str, js.Function] = {}
    jsm.members(jsm.class_body(klass), methods)
    entities = typeorm_entities.tables(tree) if "Repository" in text or _writes_entity(text) else {}
    walker = _Walker(src, methods, entities)
    up = nm.syntax_error(root, src) + (walker.walk(methods["up"]) if "up" in methods else [])
    down = nm.way_back(methods.get("down"), _Walker(src, methods, entities).walk, "no `down` method")
    in_transaction = jsm.field_value(klass, "transaction") is not False
    note = (
        "TypeORM runs each migration in a transaction"
        if in_transaction
        else "the class sets `transaction = false`"
    )
    return nm.build(src, NAME, text, up, down, (in_transaction, note), version(path))


def _is_migration(klass: Node) -> bool:
    heritage = jsm.heritage(klass)
    return "MigrationInterface" in heritage or "Migration" in heritage


class _Walker:
    """Turns the statements of `up`/`down` into operations, following the class's own helper methods."""

    def __init__(self, src: Source, methods: dict[str, js.Function], entities: dict[str, str]) -> None:
        self.src = src
        self.entities = entities  # entity class → its table
        self.helpers = {k: v for k, v in methods.items() if k not in ("up", "down")}
        self.followed: set[str] = set()

    def walk(self, function: js.Function) -> list[Operation]:
        runner = function.params[0] if function.params else "queryRunner"
        return [
            op
            for statement in js.statements(function.body, self.src.dialect)
            for op in self._statement(statement, runner)
        ]

    def _statement(self, node: Node, runner: str) -> list[Operation]:
        c = js.call(node)
        if c is None or node.type == "throw_statement":
            return []
        start, calls = js.chain(node)
        if js.text_of(start) in _builders(runner) and typeorm_builder.is_builder(calls):
            return typeorm_builder.operations(node, calls, self.src, self.entities)
        if c.name == "all" and js.text_of(c.receiver) == "Promise" and c.args:
            inner = js.unwrap(c.args[0])
            return [op for item in inner.named_children for op in self._statement(item, runner)]
        receiver = js.text_of(c.receiver)
        if receiver in (runner, f"{runner}.connection"):
            return _runner_call(c, self.src)
        if receiver == f"{runner}.manager":
            return _manager_call(c, self.src, self.entities)
        repository = _repository(c, runner, self.entities)
        if repository is not None:
            return _entity_write(c, c.args, repository, self.src) or nm.awaited_code(node, self.src)
        if receiver == "this" and c.name in self.helpers and c.name not in self.followed:
            self.followed.add(c.name)  # a method of the migration class: read what it does
            return self.walk(self.helpers[c.name])
        if receiver in ("console", "logger", "this.logger") or c.name in _QUIET:
            return []
        return nm.awaited_code(node, self.src)


def _builders(runner: str) -> tuple[str, ...]:
    """What a query builder is taken from: the runner, its manager or its connection."""
    return (runner, f"{runner}.manager", f"{runner}.connection", f"{runner}.connection.manager")


def _runner_call(c: js.Call, src: Source) -> list[Operation]:
    handler = typeorm_runner.HANDLERS.get(c.name)
    if handler is not None:
        return handler(c, src)
    if c.name in typeorm_runner.READS:
        return []
    return [nm.unparsed(c.node, src, f"`{js.text_of(c.receiver)}.{c.name}` is not read by the review")]


def _manager_call(c: js.Call, src: Source, entities: dict[str, str]) -> list[Operation]:
    """`queryRunner.manager`: `query` is SQL, reads change nothing; `update(Entity, criteria, values)` and
    `delete(Entity, criteria)` on an entity whose table is known are the UPDATE and DELETE they send; other
    writes are application code on entities."""
    if c.name == "query":
        return nm.sql(c.node, c.args[0] if c.args else None, src, "manager.query")
    if c.name.startswith(("find", "count", "exists", "getRepository", "createQueryBuilder", "has")):
        return []
    entity = js.text_of(c.args[0]) if c.args else ""
    table = entities.get(entity) or (nm.name(c.args[0]) if c.args else "")
    written = _entity_write(c, c.args[1:], table, src) if table else []
    return written or [nm.code(c.node, src, (entity,) if entity.isidentifier() else ())]


def _repository(c: js.Call, runner: str, entities: dict[str, str]) -> str | None:
    """The table of `runner.manager.getRepository(Entity)` / `runner.connection.getRepository(Entity)` when
    the call is made on it; None otherwise."""
    receiver = js.call(c.receiver) if c.receiver is not None else None
    if receiver is None or receiver.name != "getRepository" or not receiver.args:
        return None
    if js.text_of(receiver.receiver) not in _builders(runner):
        return None
    return entities.get(js.text_of(receiver.args[0])) or nm.name(receiver.args[0]) or None


def _entity_write(c: js.Call, args: Sequence[Node], table: str, src: Source) -> list[Operation]:
    """`update(criteria, values)` / `delete(criteria)` of a repository (or of the manager, the entity
    first): criteria an object of the values the rows hold; anything else (ids, an array) is the code's."""
    if c.name not in ("update", "delete") or not args:
        return []
    where = _criteria(args[0])
    if c.name == "delete":
        return [nm.delete(c.node, src, table, where)]
    if len(args) < 2:
        return []
    return [nm.update(c.node, src, table, args[1], where)]


def _criteria(node: Node) -> str:
    """`{ status: "stale", archived: false }` as `status = 'stale' AND archived = false`; a value the
    code computes is unknown (never its source pasted into SQL); `{}` and anything not an object is
    the code's choice of rows, unknown too."""
    found = js.pairs(node)
    if not found:
        return f"id = {PLACEHOLDER}"
    parts = []
    for key, item in found.items():
        value = js.value(item)
        if value is None and js.unwrap(item).type == "null":
            parts.append(f"{key} IS NULL")
        elif isinstance(value, bool):
            parts.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            parts.append(f"{key} = {value}")
        elif isinstance(value, str):
            parts.append(f"{key} = '" + value.replace("'", "''") + "'")
        else:
            parts.append(f"{key} = {PLACEHOLDER}")
    return " AND ".join(parts)
