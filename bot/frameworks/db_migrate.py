"""db-migrate (node-db-migrate) migrations: `exports.up = function (db, callback) { … }` in a migrations folder.

- `db.runSql(sql, …)` is read as SQL at its lines, through `.then(…)` chains and `Promise.all([...])`.
- A migration generated with `--sql-file` reads its SQL from `sqls/<name>-up.sql` (and `-down.sql`) beside it:
  those files are read as the migration's statements, at their own lines.
- The schema calls `createTable`, `dropTable`, `renameTable`, `addColumn`, `removeColumn`, `renameColumn`,
  `changeColumn`, `addIndex` and `removeIndex`; any other call of `db` is Unparsed (a finding, never silence).
- db-migrate runs each migration in a transaction on PostgreSQL (`BEGIN` … `COMMIT`) unless it is started with
  `--non-transactional`, which a migration cannot show.
"""

from __future__ import annotations

import posixpath
import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks.node_migration import Source
from bot.frameworks.sqlfile import parse_sql
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameTable,
    Unparsed,
)
from bot.sql.names import scalar_sql

NAME = "db-migrate"
EXTENSIONS = js.SOURCE
# what marks a module as db-migrate's: its generated `setup` hook, or a call of the db object it is given
_MARKS = re.compile(
    r"options\.dbmigrate|\bdbm\b|\b\w+\.runSql\s*\(|\bdb\.(?:createTable|addColumn|removeColumn)\s*\("
)
_SQL_FILE = re.compile(r"""['"`]([\w./-]*?-(up|down)\.sql)['"`]""")
_TYPES = {
    "string": "varchar",
    "text": "text",
    "char": "char",
    "int": "integer",
    "integer": "integer",
    "smallint": "smallint",
    "bigint": "bigint",
    "real": "real",
    "decimal": "numeric",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
    "timestamp": "timestamp",
    "time": "time",
    "blob": "bytea",
    "binary": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
}


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    if not candidate(path) or "knex" in text.lower() or "queryInterface" in text:
        return False
    if "dbm" not in text and "runSql" not in text and "db." not in text:
        return False  # each of the marks holds one of these (a pattern starting `\b\w+` is slow to look for)
    return _MARKS.search(text) is not None and jsm.exports_up(path, text)


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return nm.leading_version(path)


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    root = js.parse(path, text)
    functions = jsm.exported_functions(root)
    note = "db-migrate runs each migration in a transaction (unless started with --non-transactional)"
    if "up" not in functions:
        op = Unparsed(location=Location(path, 1), error="no exported `up` function")
        return Migration(path, NAME, dialect, (op,), None, True, note)
    with jsm.bound(jsm.constants(root, path, tree)), js.reading(dialect):
        up = nm.syntax_error(root, src) + _function(functions["up"], src, tree)
        down = nm.way_back(
            functions.get("down"), lambda f: _function(f, src, tree), "no exported `down` function"
        )
    if down[0] is not None and not down[0] and _empty(functions.get("down")):
        down = (None, "`down` does nothing")
    return nm.build(src, NAME, text, up, down, (dialect == "postgres", note), version(path))


def _empty(function: js.Function | None) -> bool:
    """A generated `down` that only calls back (`return null;`, `callback();`): no way back at all."""
    if function is None:
        return True
    return all(
        js.text_of(s).rstrip(";").strip() in ("return null", "null", "callback()", "cb()", "return")
        or js.text_of(s).startswith("return null")
        for s in js.statements(function.body)
    )


def _function(function: js.Function, src: Source, tree: Tree) -> list[Operation]:
    """The operations of `up` or `down`: the SQL file it reads, or the calls of its `db` parameter."""
    sql_file = _SQL_FILE.search(js.text_of(function.node))
    if sql_file is not None:
        return _sql_file(function, sql_file.group(1), src, tree)
    db = function.params[0] if function.params else "db"
    return [
        op for statement in js.statements(function.body, src.dialect) for op in _statement(statement, db, src)
    ]


def _sql_file(function: js.Function, name: str, src: Source, tree: Tree) -> list[Operation]:
    folder = posixpath.dirname(src.path)
    candidates = [posixpath.normpath(posixpath.join(folder, "sqls", posixpath.basename(name)))]
    candidates.append(posixpath.normpath(posixpath.join(folder, name)))
    for path in candidates:
        text = tree.read(path)
        if text is not None:
            return list(parse_sql(path, text, src.dialect))
    return [nm.unparsed(function.node, src, f"the SQL file `{name}` it reads is not in the repository")]


def _statement(node: Node, db: str, src: Source) -> list[Operation]:
    start, calls = js.chain(node)
    if not calls:
        return []
    first = calls[0]
    origin = js.text_of(start) if start is not None else ""
    if first.name == "all" and origin == "Promise" and first.args:
        return [op for item in js.unwrap(first.args[0]).named_children for op in _statement(item, db, src)]
    ops: list[Operation] = []
    if origin == db:
        ops += _call(first, src)
    elif not (origin in ("console", "logger") or first.name in ("callback", "cb")):
        ops += nm.awaited_code(node, src) if origin or first.name not in ("resolve", "reject") else []
    for later in calls[1:]:
        if later.name in ("then", "finally") and later.args:
            inner = js.function(later.args[0])
            if inner is not None:
                ops += [op for s in js.statements(inner.body, src.dialect) for op in _statement(s, db, src)]
    return ops


def _call(c: js.Call, src: Source) -> list[Operation]:
    at = nm.origin_of(c.node, src)
    args = c.args
    if c.name in ("runSql", "all"):
        return nm.sql(c.node, args[0] if args else None, src, f"db.{c.name}")
    table = nm.name(args[0]) if args else ""
    if (
        c.name
        in (
            "createTable",
            "dropTable",
            "renameTable",
            "addColumn",
            "removeColumn",
            "renameColumn",
            "changeColumn",
            "addIndex",
            "removeIndex",
        )
        and not table
    ):
        return [nm.unparsed(c.node, src, f"the table of `db.{c.name}` is computed at run time")]
    if c.name == "createTable" and len(args) > 1:
        columns = js.value(args[1])
        if isinstance(columns, dict) and isinstance(columns.get("columns"), dict):
            columns = columns["columns"]  # `createTable(name, { columns: {…}, ifNotExists: true })`
        if isinstance(columns, dict):
            specs = tuple(_column(name, spec) for name, spec in columns.items())
            return [CreateTable(table=table, columns=specs, **at)]
    if c.name == "dropTable":
        options = js.value(args[1]) if len(args) > 1 else None
        exists = isinstance(options, dict) and options.get("ifExists") is True
        return [DropTable(table=table, if_exists=exists, **at)]
    if c.name == "renameTable" and len(args) > 1 and nm.name(args[1]):
        return [RenameTable(table=table, new_name=nm.name(args[1]), **at)]
    if c.name in ("addColumn", "changeColumn") and len(args) > 2 and nm.name(args[1]):
        spec = _column(nm.name(args[1]), js.value(args[2]))
        if c.name == "addColumn":
            return [AddColumn(table=table, column=spec, **at)]
        return [AlterColumnType(table=table, column=spec.name, new_type=spec.type, **at)]
    if c.name == "removeColumn" and len(args) > 1 and nm.name(args[1]):
        return [DropColumn(table=table, column=nm.name(args[1]), **at)]
    if c.name == "renameColumn" and len(args) > 2 and nm.name(args[1]) and nm.name(args[2]):
        return [RenameColumn(table=table, column=nm.name(args[1]), new_name=nm.name(args[2]), **at)]
    if c.name == "addIndex" and len(args) > 2 and nm.name(args[1]):
        unique = len(args) > 3 and js.value(args[3]) is True
        return [AddIndex(table=table, name=nm.name(args[1]), columns=nm.names(args[2]), unique=unique, **at)]
    if c.name == "removeIndex" and len(args) > 1 and nm.name(args[1]):
        return [DropIndex(name=nm.name(args[1]), **at)]
    if c.name == "removeIndex":
        return [DropIndex(name=table, **at)]  # `removeIndex(indexName)`: the name alone
    return [nm.unparsed(c.node, src, f"`db.{c.name}` is not read by the review")]


def _column(name: str, spec: js.Value) -> ColumnSpec:
    """`{ type: 'string', length: 40, notNull: true, defaultValue: 'new', primaryKey: true, … }`, or the type
    alone (`'int'`)."""
    if isinstance(spec, str):
        return ColumnSpec(name=name, type=_type(spec, None))
    if not isinstance(spec, dict):
        return ColumnSpec(name=name)
    kind = spec.get("type")
    length = spec.get("length")
    default = spec.get("defaultValue")
    primary = spec.get("primaryKey") is True
    return ColumnSpec(
        name=name,
        type=_type(kind if isinstance(kind, str) else "", length if isinstance(length, int) else None),
        nullable=not (spec.get("notNull") is True or primary),
        default=scalar_sql(default) if default is not None else None,
        primary_key=primary,
        unique=spec.get("unique") is True,
        identity=spec.get("autoIncrement") is True,
    )


def _type(kind: str, length: int | None) -> str:
    base = _TYPES.get(kind.lower(), kind.lower())
    if base == "varchar":
        return f"varchar({length or 255})"
    return f"{base}({length})" if length and base == "char" else base
