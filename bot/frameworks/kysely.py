"""Kysely migrations: modules exporting `up(db: Kysely<any>)` and optionally `down(db)`, which Kysely's
`Migrator` (with `FileMigrationProvider`) reads from a folder and runs in the order of their names.

- The schema builder (`db.schema.createTable('t').addColumn(…).execute()`, `alterTable`, `dropTable`,
  `createIndex`, `createType`, `createView`, `createSchema`, …) is compiled to the SQL Kysely sends
  (`kysely_schema`) and read by the SQL reader, each clause at the line of its call.
- Raw SQL: ``sql`…`.execute(db)``, `sql.raw('…').execute(db)`, `db.executeQuery(sql`…`.compile(db))`.
- Data changes through the query builder (`insertInto`, `updateTable`, `deleteFrom`) become INSERT, UPDATE
  and DELETE statements (`kysely_data`); `db.transaction().execute(trx => …)` is read through.
- A chain without `.execute()` sends nothing. A module without `down` cannot be rolled back.
- Kysely's Migrator wraps migrations in a transaction only where its adapter has transactional DDL
  (PostgreSQL; not MySQL, not SQLite): by default every pending migration in one transaction
  (`transactionMode: 'per-run'`), each in its own with `'per-migration'` (where a migration may opt out with
  `defineMigration({ config: { transaction: false }, … })`), none with `'none'` or the older
  `disableTransactions: true` (read from the project's Migrator or kysely-ctl configuration).
"""

from __future__ import annotations

import dataclasses
import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import kysely_data, kysely_project
from bot.frameworks import node_migration as nm
from bot.frameworks.kysely_columns import Compiler, Unread, layout, line
from bot.frameworks.kysely_schema import compile_chain
from bot.frameworks.kysely_sql import template
from bot.frameworks.node_migration import Source
from bot.frameworks.sqlfile import parse_sql
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import DataInsert, Migration, Operation, Unparsed

NAME = "kysely"
EXTENSIONS = js.SOURCE
# what only a Kysely migration says: its type or package, or a schema chain Kysely's way (a builder whose
# `createTable('t')` takes no callback and goes on with `.addColumn(…)`)
_MARKERS = re.compile(
    r"""\bKysely\s*<|\bfrom\s+["']kysely(?:/migration)?["']|require\(\s*["']kysely["']\s*\)|"""
    r"""\.schema\s*\.\s*(?:createTable|alterTable|createIndex)\(\s*["'][^"']+["']\s*\)\s*\.\s*"""
    r"""(?:addColumn|dropColumn|renameColumn|alterColumn|on|column|columns|ifNotExists|addIndex)\b"""
)
_RUNS = frozenset({"execute", "executeTakeFirst", "executeTakeFirstOrThrow", "stream"})
_READS = frozenset({"selectFrom", "selectNoFrom", "introspection", "fn", "dynamic", "getExecutor"})
_VERSION = re.compile(r"^(\d[\d_\-T:.]*\d|\d)")


# `sql<{ exists: boolean }>`…``: the TypeScript grammar reads a tagged template's type arguments as comparisons
_TYPED_TEMPLATE = re.compile(r"\bsql\s*<(?:[^<>`;]|<(?:[^<>`;]|<[^<>`;]*>)*>)*>\s*(?=`)")


def untyped(text: str) -> str:
    """The text with the type arguments of ``sql<T>`…` `` blanked out (lines and columns kept)."""
    if "sql<" not in text and "sql <" not in text:
        return text
    return _TYPED_TEMPLATE.sub(lambda m: "sql" + re.sub(r"[^\n]", " ", m.group(0)[3:]), text)


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    return (
        candidate(path)
        and _MARKERS.search(text) is not None
        and "up" in _exported(js.parse(path, untyped(text)))
    )


def _exported(root: Node) -> dict[str, js.Function]:
    """The module's `up` and `down`, also from `export default defineMigration({ up, down, config })`."""
    found = jsm.exported_functions(root)
    definition = _definition(root)
    if definition is not None:
        jsm.members(definition, found)
    return found


def _definition(root: Node) -> Node | None:
    """The object of `export default defineMigration({ … })`."""
    for node in root.named_children:
        inner = node.named_children[0] if node.type == "export_statement" and node.named_children else None
        found = js.call(inner) if inner is not None else None
        if found is not None and found.name == "defineMigration" and found.args:
            return js.unwrap(found.args[0])
    return None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    """The number or timestamp the file name starts with (`2024-01-02T10:00:00.000Z_add_orders.ts` →
    `2024-01-02T10:00:00.000`, `20260622.1-tools.ts` → `20260622.1`): Kysely orders migrations by name, which
    the numbers in it order alike."""
    found = _VERSION.match(path.rsplit("/", 1)[-1])
    return found.group(1) if found else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    text = untyped(text)
    root = js.parse(path, text)
    functions = _exported(root)
    in_transaction, note = _transaction_of(root, tree, dialect)
    if "up" not in functions:
        op = Unparsed(location=Location(path, 1), error="no exported `up` function")
        return Migration(path, NAME, dialect, (op,), None, in_transaction, note)
    with jsm.bound(jsm.constants(root, path, tree)), js.reading(dialect):
        up = nm.syntax_error(root, src) + _walk(functions["up"], src)
        down = nm.way_back(functions.get("down"), lambda f: _walk(f, src), "no exported `down` function")
    built = nm.build(src, NAME, text, up, down, (in_transaction, note), version(path))
    return dataclasses.replace(built, batch_transaction=in_transaction and note == _PER_RUN)


_PER_RUN = "Kysely's Migrator runs the pending migrations in one transaction"


def _transaction_of(root: Node, tree: Tree, dialect: str) -> tuple[bool, str]:
    """Kysely wraps migrations in a transaction only where the database has transactional DDL (its
    PostgreSQL adapter; not MySQL's nor SQLite's), as the project's `transactionMode` says."""
    if dialect != "postgres":
        return False, "Kysely's Migrator runs no transaction on a database without transactional DDL"
    mode = kysely_project.transaction_mode(tree)
    if mode == "none":
        return False, "the project's Migrator runs migrations without a transaction"
    if mode == "per-migration":
        definition = _definition(root)
        config = js.value(js.pairs(definition)["config"]) if "config" in js.pairs(definition) else None
        if isinstance(config, dict) and config.get("transaction") is False:
            return False, "the migration sets `config: { transaction: false }`"
        return (
            True,
            "Kysely's Migrator runs each migration in its own transaction (`transactionMode: 'per-migration'`)",
        )
    return True, _PER_RUN


def _walk(function: js.Function, src: Source, aliases: tuple[str, ...] = ()) -> list[Operation]:
    names = (function.params[0] if function.params and function.params[0] else "db", *aliases)
    ops: list[Operation] = []
    for statement in js.statements(function.body, src.dialect):
        ops.extend(_statement(statement, names, src))
    return ops


def _statement(node: Node, db: tuple[str, ...], src: Source) -> list[Operation]:
    if node.type == "throw_statement":
        return []
    start, calls = js.chain(node)
    if not calls:
        return []
    if start is not None and start.type == "identifier" and any(c.name in _RUNS for c in calls):
        held = js.resolve(start)  # `const query = db.schema.createTable('t')…`, then `await query.execute()`
        if held is not start and held.type == "call_expression":
            inner_start, inner_calls = js.chain(held)
            if inner_start is not None and js.text_of(inner_start).split(".")[0] in db:
                start, calls = inner_start, inner_calls + calls
    first, origin = calls[0], js.text_of(start) if start is not None else ""
    if origin == "Promise" and first.name in ("all", "allSettled") and first.args:
        listed = js.unwrap(first.args[0])  # `await Promise.all([db.schema.createIndex(…).execute(), …])`
        if listed.type == "array":
            return [op for item in listed.named_children for op in _statement(item, db, src)]
    runs = next((i for i, c in enumerate(calls) if c.name in _RUNS), None)
    if (start is None and first.name == "sql") or (origin == "sql" and first.name == "raw"):
        return _raw(node, first, src) if runs is not None else []
    if origin in db and first.name == "executeQuery" and first.args:
        inner = js.chain(first.args[0])[1]
        return (
            _raw(node, inner[0], src) if inner else [nm.unparsed(node, src, "the query is built elsewhere")]
        )
    if origin in {f"{name}.schema" for name in db}:
        return _schema(node, calls[:runs], src) if runs is not None else _never_run(node, src)
    if origin in db and first.name == "transaction":
        return _transaction(node, calls, db, src)
    if origin in db and first.name in kysely_data.WRITES:
        return _data(node, calls[:runs], src) if runs is not None else _never_run(node, src)
    if (origin in db and first.name in _READS) or origin in ("console", "logger"):
        return []
    return nm.awaited_code(node, src)


def _never_run(node: Node, src: Source) -> list[Operation]:
    """A builder the migration awaits or returns without `.execute()`: Kysely's builders are no promises, so
    nothing is sent and the change the author meant is not made. One kept in a variable may run later."""
    holder = node.parent
    while holder is not None and holder.type in ("await_expression", "parenthesized_expression"):
        holder = holder.parent
    if holder is None or holder.type not in ("expression_statement", "return_statement", "arrow_function"):
        return []
    return [
        nm.unparsed(node, src, "the builder is never executed (no `.execute()`), so Kysely sends nothing")
    ]


def _raw(node: Node, first: js.Call, src: Source) -> list[Operation]:
    found = template(first.node, src.dialect)
    if found is None:
        return [nm.unparsed(node, src, "the SQL of `sql` is computed at run time, so it could not be read")]
    text, at = found
    return list(parse_sql(src.path, text, src.dialect, first_line=at))


def _schema(node: Node, calls: list[js.Call], src: Source) -> list[Operation]:
    schema = ""
    if calls and calls[0].name == "withSchema" and calls[0].args:
        named = js.value(calls[0].args[0])
        schema = named if isinstance(named, str) else ""
        calls = calls[1:]
    if not calls:
        return []
    try:
        pieces = compile_chain(Compiler(src.dialect, schema), calls)
    except Unread as error:
        return [nm.unparsed(node, src, str(error))]
    ops = _read(node, layout(pieces, pieces[0][0]), pieces[0][0], src)
    actions = pieces[1:] if calls[0].name == "alterTable" else []
    if len(actions) > 1 and len(ops) == len(actions):  # each action of one ALTER TABLE at its own call
        ops = [_at(op, at) for op, (at, _) in zip(ops, actions, strict=True)]
    return ops


def _at(op: Operation, at: int) -> Operation:
    return dataclasses.replace(op, location=Location(op.location.path, at), end_line=at)


def _data(node: Node, calls: list[js.Call], src: Source) -> list[Operation]:
    try:
        found = kysely_data.statement(calls, src.dialect)
    except Unread as error:
        return [nm.unparsed(node, src, str(error))]
    if isinstance(found, kysely_data.Rows):  # rows the code builds: their columns, never their values
        return [DataInsert(table=found.table, columns=found.columns, **nm.origin_of(node, src))]
    return _read(node, found, line(calls[0]), src)


def _read(node: Node, text: str, at: int, src: Source) -> list[Operation]:
    """The SQL Kysely sends for a chain, read at the chain's lines; each operation ends where the chain does."""
    end = js.unwrap(node).end_point[0] + 1
    return [
        dataclasses.replace(op, end_line=max(op.end_line, op.location.line, min(end, op.end_line or end)))
        for op in parse_sql(src.path, text, src.dialect, first_line=at)
    ]


def _transaction(node: Node, calls: list[js.Call], db: tuple[str, ...], src: Source) -> list[Operation]:
    """`db.transaction().execute(async (trx) => …)`: the callback's statements, `trx` read as `db`."""
    run = next((c for c in calls if c.name == "execute" and c.args), None)
    inner = js.function(run.args[0]) if run is not None else None
    if inner is None:
        return [nm.unparsed(node, src, "the transaction's work is not read")]
    return _walk(inner, src, db)
