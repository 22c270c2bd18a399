"""Knex migrations: `exports.up/down` (or `export async function up/down`) taking the `knex` instance.

- The schema builder: `knex.schema.createTable/alterTable/table(name, t => …)` (the callback is read by
  `knex_builder`), `dropTable`, `dropTableIfExists`, `renameTable`, `raw`; `knex.raw(sql)` is read as SQL.
- Data changes through the query builder: `knex('orders').where(…).update({…})`, `.del()`, `.insert(…)`.
- `knex.transaction(trx => …)` and `Promise.all([...])` are read through.
- Knex runs each migration in a transaction unless the module exports `config = { transaction: false }`
  (or the knexfile sets `disableTransactions`, which the review cannot see from a migration).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks.knex_builder import Table
from bot.frameworks.node_migration import Source
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    PLACEHOLDER,
    CreateTable,
    DataInsert,
    DropTable,
    Migration,
    Operation,
    RenameTable,
    Unparsed,
)

NAME = "knex"
EXTENSIONS = js.SOURCE
_SCHEMA_READS = frozenset({"hasTable", "hasColumn", "withSchema", "then", "catch"})
_DATA_STEPS = frozenset({"update", "del", "delete", "insert"})


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    return candidate(path) and "knex" in text.lower() and jsm.exports_up(path, text)


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return nm.leading_version(path)


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    root = js.parse(path, text)
    functions = jsm.exported_functions(root)
    if "up" not in functions:
        op = Unparsed(location=Location(path, 1), error="no exported `up` function")
        return Migration(path, NAME, dialect, (op,), None, True, "Knex runs each migration in a transaction")
    with (
        jsm.bound(jsm.constants(root, path, tree)),
        js.reading(dialect),
    ):  # `alterTable(TABLE_NAME, …)`, a constant of the code
        up = nm.syntax_error(root, src) + _walk(functions["up"], src)
        down = nm.way_back(functions.get("down"), lambda f: _walk(f, src), "no exported `down` function")
    in_transaction = _transaction(root)
    note = (
        "Knex runs each migration in a transaction"
        if in_transaction
        else "the migration exports `config = { transaction: false }`"
    )
    return nm.build(src, NAME, text, up, down, (in_transaction, note), version(path))


def seed_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    """The rows a seed file (`exports.seed = async (knex) => knex('plans').insert([...])`) writes, as
    DataInsert operations: `knex seed:run` loads them into a fresh database."""
    function = jsm.exported_functions(js.parse(path, text)).get("seed")
    ops = _walk(function, Source(path, dialect)) if function is not None else []
    return tuple(op for op in ops if isinstance(op, DataInsert) and op.rows)


def _transaction(root: Node) -> bool:
    for node in root.named_children:
        target = node.named_children[0] if node.type == "export_statement" and node.named_children else node
        for candidate_node in _config_objects(target):
            if js.value(candidate_node) == {"transaction": False} or (
                isinstance(found := js.value(candidate_node), dict) and found.get("transaction") is False
            ):
                return False
    return True


def _config_objects(node: Node) -> list[Node]:
    """`exports.config = {…}`, `export const config = {…}`, `module.exports = { config: {…} }`."""
    if node.type == "expression_statement" and node.named_children:
        inner = node.named_children[0]
        left, right = inner.child_by_field_name("left"), inner.child_by_field_name("right")
        if inner.type == "assignment_expression" and right is not None:
            name = js.text_of(left)
            if name.endswith(".config"):
                return [right]
            if name in ("module.exports", "exports") and "config" in js.pairs(right):
                return [js.pairs(right)["config"]]
    if node.type in ("lexical_declaration", "variable_declaration"):
        return [
            value
            for d in node.named_children
            if js.text_of(d.child_by_field_name("name")) == "config"
            and (value := d.child_by_field_name("value")) is not None
        ]
    return []


def _walk(function: js.Function, src: Source, aliases: tuple[str, ...] = ()) -> list[Operation]:
    names = (function.params[0] if function.params else "knex", *aliases)
    ops: list[Operation] = []
    for statement in js.statements(function.body, src.dialect):
        ops.extend(_statement(statement, names, src))
    return ops


def _statement(node: Node, knex: tuple[str, ...], src: Source) -> list[Operation]:
    if node.type == "throw_statement":
        return []
    start, calls = js.chain(node)
    if not calls:
        return []
    first = calls[0]
    origin = js.text_of(start)
    if first.name == "all" and origin == "Promise" and first.args:
        return [op for item in js.unwrap(first.args[0]).named_children for op in _statement(item, knex, src)]
    if origin in {f"{k}.schema" for k in knex}:
        return [op for c in calls for op in _schema(c, src)]
    if origin in knex and first.name == "transaction" and first.args:
        inner = js.function(first.args[0])
        return (
            _walk(inner, src, knex) if inner is not None else [nm.unparsed(node, src, "transaction not read")]
        )
    if origin in knex and first.name == "raw":
        return nm.sql(first.node, first.args[0] if first.args else None, src, "knex.raw")
    if (start is None and first.name in knex) or (origin in knex and first.name in ("table", "from", "into")):
        return _data(node, calls, src)
    if (
        origin in ("console", "logger")
        or js.text_of(first.node.child_by_field_name("function")) == "Promise.resolve"
    ):
        return []
    return nm.awaited_code(node, src)


def _schema(c: js.Call, src: Source) -> list[Operation]:
    table = nm.name(c.args[0]) if c.args else ""
    at = nm.origin_of(c.node, src)
    if c.name == "raw":
        return nm.sql(c.node, c.args[0] if c.args else None, src, "knex.schema.raw")
    if c.name in _SCHEMA_READS:
        return []
    if not table:
        return [nm.unparsed(c.node, src, f"the table of `{c.name}` is computed at run time")]
    if c.name in ("createTable", "createTableIfNotExists", "alterTable", "table", "createTableLike"):
        return _builder(c, table, src)
    if c.name in ("dropTable", "dropTableIfExists"):
        return [DropTable(table=table, if_exists=c.name.endswith("IfExists"), **at)]
    if c.name == "renameTable" and len(c.args) > 1 and nm.name(c.args[1]):
        return [RenameTable(table=table, new_name=nm.name(c.args[1]), **at)]
    return [nm.unparsed(c.node, src, f"`knex.schema.{c.name}` is not read by the review")]


def _builder(c: js.Call, table: str, src: Source) -> list[Operation]:
    created = c.name.startswith("create")
    callback = js.function(c.args[-1]) if len(c.args) > 1 else None
    builder = Table(table, created, src)
    if callback is not None:
        builder.read(callback)
    if not created:
        return builder.ops
    create = CreateTable(
        table=table,
        columns=tuple(builder.columns),
        if_not_exists=c.name == "createTableIfNotExists",
        **nm.origin_of(c.node, src),
    )
    return [*builder.types, create, *builder.ops]


def _data(node: Node, calls: list[js.Call], src: Source) -> list[Operation]:
    table = nm.name(calls[0].args[0]) if calls[0].args else ""
    step = next((c for c in calls if c.name in _DATA_STEPS), None)
    if step is None:
        return []  # a select: reads nothing into the schema
    if not table:
        return [nm.unparsed(node, src, f"the table of `{step.name}` is computed at run time")]
    where = _where(calls) or _narrowed_later(node)
    if step.name == "update":
        return [nm.update(node, src, table, step.args[0] if step.args else None, where)]
    if step.name == "insert":
        return [nm.insert(node, src, table, step.args[0] if step.args else None)]
    return [nm.delete(node, src, table, where)]


_FUNCTIONS = (
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
)


def _narrowed_later(node: Node) -> str | None:
    """`const query = knex('users').update({…})`, then `query.where(…)` / `query.orWhere(…)` before it is
    awaited (in a loop over values, say): the rows are chosen by conditions the code adds later, which the
    review cannot spell out but which are there."""
    holder = node.parent
    while holder is not None and holder.type in ("await_expression", "parenthesized_expression"):
        holder = holder.parent
    if holder is None or holder.type != "variable_declarator":
        return None
    name = js.text_of(holder.child_by_field_name("name"))
    scope = holder.parent
    while scope is not None and scope.type not in _FUNCTIONS:
        scope = scope.parent
    narrowing = re.compile(rf"\b{re.escape(name)}\s*\.\s*(?:where|orWhere|andWhere)\w*\s*\(")
    if not name or scope is None or not narrowing.search(js.text_of(scope)):
        return None
    return PLACEHOLDER  # a condition known when the code runs


def _where(calls: list[js.Call]) -> str | None:
    parts: list[str] = []
    for c in calls:
        values = [nm.expression(a) for a in c.args]
        if c.name in ("where", "andWhere") and len(c.args) == 1:
            parts.append(nm.condition(c.args[0]) or "")
        elif c.name in ("where", "andWhere") and len(c.args) >= 2:
            column = nm.name(c.args[0]) or js.text_of(c.args[0])
            operator, right = ("=", values[1]) if len(values) == 2 else (str(js.value(c.args[1])), values[2])
            parts.append(f"{column} IS NULL" if right == "NULL" else f"{column} {operator} {right}")
        elif c.name in ("whereNull", "whereNotNull") and c.args:
            parts.append(f"{nm.name(c.args[0])} IS {'NOT ' if 'Not' in c.name else ''}NULL")
        elif c.name in ("whereIn", "whereNotIn") and len(c.args) == 2:
            parts.append(f"{nm.name(c.args[0])} {'NOT ' if 'Not' in c.name else ''}IN ({_list(c.args[1])})")
        elif c.name.startswith(("where", "orWhere")):
            parts.append(js.text_of(c.node))
    return " AND ".join(p for p in parts if p) or None


def _list(node: Node) -> str:
    found = js.unwrap(node)
    return ", ".join(nm.expression(item) for item in found.named_children) if found.type == "array" else "…"
