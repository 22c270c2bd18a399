"""node-pg-migrate migrations: modules in a migrations folder exporting `up(pgm)` (and `down`, `shorthands`), and
its SQL migrations (`.sql` files with `-- Up Migration` and `-- Down Migration` markers).

- Each `pgm.*` call is read as the SQL the runner sends for it (`pgm_sql`), at the call's line; `pgm.sql(…)`
  and `pgm.db.query(…)` are read as SQL at their lines. A call the review does not know, or whose arguments the
  code computes, is Unparsed (a finding, never silence).
- The migration runs in a transaction unless its `up` calls `pgm.noTransaction()` (with the runner's
  default `--single-transaction`, the runner commits its transaction before such a migration and opens
  another after it: the migration still runs outside one).
- The way back: the exported `down`; `down = false` is none (the runner refuses to run it); without a `down`,
  the runner infers one by reversing `up`'s calls, last first, which fails on a call without a reverse
  (`dropTable`, `dropColumns`, `alterColumn`, `sql`, `db.query`, an unnamed `addConstraint`).
- Column types go through the `shorthands` the file exports, and those of the migrations before it in its
  folder (the runner carries them over), and the runner's `id` shorthand (`serial PRIMARY KEY`).
- node-pg-migrate runs on PostgreSQL only: the files are read as PostgreSQL whatever else the project uses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks import pgm_columns, pgm_sql
from bot.frameworks.goose import split_sections
from bot.frameworks.node_migration import Source
from bot.frameworks.origin import Origin
from bot.frameworks.pgm_columns import Shorthands, Unread
from bot.frameworks.sqlfile import build as build_sql
from bot.frameworks.sqlfile import down_section, parse_sql
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    DropIndex,
    Migration,
    Operation,
    RawSQL,
    Transaction,
    Unparsed,
    statement_count,
)

NAME = "node-pg-migrate"
EXTENSIONS = js.SOURCE
DIALECT = "postgres"
_MARK = re.compile(r"node-pg-migrate|\bMigrationBuilder\b|\bpgm\.\w+\s*\(")
# the runner's markers of a SQL migration's sections (`-- Up Migration`, `-- Down Migration`)
SQL_MARK = re.compile(r"^\s*--[\s-]*(up|down)\s+migration\b[^\n]*", re.I | re.M)
_NOTE = "node-pg-migrate runs each migration in a transaction"


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def sql_migration(path: str, text: str) -> bool:
    """A `.sql` migration of node-pg-migrate: one with its `-- Up Migration` marker."""
    return (
        path.endswith(".sql")
        and candidate(path)
        and "migration" in text.lower()
        and any(m.group(1).lower() == "up" for m in SQL_MARK.finditer(text))
    )


def detect(path: str, text: str) -> bool:
    if path.endswith(".sql"):
        return sql_migration(path, text)
    return candidate(path) and _MARK.search(text) is not None and jsm.exports_up(path, text)


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return nm.leading_version(path)


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    if path.endswith(".sql"):
        return _sql_file(path, text)
    src = Source(path, DIALECT)
    root = js.parse(path, text)
    functions = jsm.exported_functions(root)
    if "up" not in functions:
        op = Unparsed(location=Location(path, 1), error="no exported `up` function")
        return Migration(path, NAME, DIALECT, (op,), None, True, _NOTE)
    shorthands = {**earlier_shorthands(path, tree), **own_shorthands(root)}
    known = {**jsm.constants(root, path, tree), **jsm.imported_members(root, path, tree)}
    with jsm.bound(known), js.reading(DIALECT):
        up = _Walk(src, shorthands)
        up.function(functions["up"])
        ops = nm.syntax_error(root, src) + up.walked_ops()
        if "down" in functions:
            down = nm.way_back(functions["down"], _Walk(src, shorthands).walked, "")
        elif _exported_false(root, "down"):
            down = (None, "`down` is `false`: node-pg-migrate refuses to run it")
        else:
            down = up.inferred()
    note = (
        _NOTE
        if not up.outside
        else "the migration calls `pgm.noTransaction()`, but a `pgm.sql` string of several statements is sent as "
        "one query, which PostgreSQL runs as one implicit transaction"
        if up.implicit
        else "the migration calls `pgm.noTransaction()`"
    )
    return nm.build(src, NAME, text, ops, down, (not up.outside, note), version(path))


def _sql_file(path: str, text: str) -> Migration:
    """A SQL migration: the up section (the whole file when only the up marker is there) and the down section,
    in a transaction (a SQL migration cannot call `noTransaction()`)."""
    sections = split_sections(text, SQL_MARK)
    up_text, up_line = sections.get("up", (text, 1))
    up = parse_sql(path, up_text, DIALECT, first_line=up_line)
    back = down_section(
        path,
        sections.get("down"),
        DIALECT,
        missing="the file has no `-- Down Migration` section: node-pg-migrate refuses to run its down",
    )
    return build_sql(
        path, NAME, DIALECT, up, back, text=text, in_transaction=True, note=_NOTE, version=version(path)
    )


@dataclass
class _Step:
    """One `pgm.*` call of `up`, kept to infer the down the runner makes of it."""

    node: Node
    method: str
    args: list[pgm_columns.Value]


@dataclass
class _Walk:
    src: Source
    shorthands: Shorthands
    ops: list[Operation] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)
    outside: bool = False  # `pgm.noTransaction()` was called
    immediate: list[Operation] = field(default_factory=list)  # `pgm.db.query`: sent while `up` runs
    implicit: bool = False  # a `pgm.sql` string holds several statements (one implicit transaction)

    def walked(self, function: js.Function) -> list[Operation]:
        self.function(function)
        return self.walked_ops()

    def walked_ops(self) -> list[Operation]:
        """In the order the database sees them: a `pgm.db.query` runs while `up` runs, the `pgm.*` calls are
        sent after it returns."""
        return [*self.immediate, *self.ops]

    def function(self, function: js.Function) -> None:
        pgm = function.params[0] if function.params else "pgm"
        for statement in js.statements(function.body, DIALECT):
            self._statement(statement, pgm)

    def _statement(self, node: Node, pgm: str) -> None:
        if node.type == "throw_statement":
            return
        start, calls = js.chain(node)
        if not calls:
            return
        first, origin = calls[0], js.text_of(start)
        if first.name == "all" and origin == "Promise" and first.args:
            for item in js.unwrap(first.args[0]).named_children:
                self._statement(item, pgm)
        elif origin == pgm:
            self._call(first, pgm)
        elif origin == f"{pgm}.db" and first.name in ("query", "select"):
            self.steps.append(_Step(first.node, "db.query", []))
            self.immediate.extend(self._sql(first, "pgm.db.query"))
        elif not (origin in ("console", "logger") or first.name in ("run", "resolve")):
            self.ops.extend(nm.awaited_code(node, self.src))

    def _call(self, call: js.Call, pgm: str) -> None:
        if call.name == "noTransaction":
            self.outside = True
            return
        if call.name in ("func", "getSql", "isUsingTransaction"):
            return
        if call.name == "sql":
            self.steps.append(_Step(call.node, "sql", []))
            self.ops.extend(self._sql(call, "pgm.sql"))
            return
        args = [pgm_columns.read(a) for a in call.args]
        self.steps.append(_Step(call.node, call.name, args))
        built = pgm_sql.CALLS.get(call.name)
        if built is None:
            self.ops.append(nm.unparsed(call.node, self.src, f"`pgm.{call.name}` is not read by the review"))
            return
        self.ops.extend(self._generated(call.node, built[0], args))

    def _generated(
        self, node: Node, builder: pgm_sql.Builder, args: list[pgm_columns.Value]
    ) -> list[Operation]:
        try:
            sql = builder(args, self.shorthands) if args else ""
        except (Unread, IndexError, KeyError) as error:
            reason = str(error) if isinstance(error, Unread) else "an argument is missing"
            return [nm.unparsed(node, self.src, f"`{js.text_of(node)[:60]}` could not be read: {reason}")]
        if not sql:
            return []
        at = nm.origin_of(node, self.src)
        read = parse_sql(self.src.path, sql, DIALECT, first_line=at["location"].line)
        return [_placed(op, at, args) for op in read]

    def _sql(self, call: js.Call, what: str) -> list[Operation]:
        """`pgm.sql(text, { name: value })`: the SQL at its lines, `{name}` filled in as the runner does."""
        found = js.sql_text(call.args[0]) if call.args else None
        if found is None:
            return [nm.unparsed(call.node, self.src, f"the SQL of `{what}` is computed at run time")]
        text, line = found
        mapping = pgm_columns.read(call.args[1]) if len(call.args) > 1 and what == "pgm.sql" else None
        if isinstance(mapping, dict):
            for key, value in mapping.items():
                try:
                    filled = (
                        pgm_columns.ident(value)
                        if isinstance(value, str | dict)
                        else pgm_columns.literal(value)
                    )
                except Unread:
                    filled = js.PLACEHOLDER
                text = text.replace("{" + key + "}", filled)
        read = list(parse_sql(self.src.path, text, DIALECT, first_line=line))
        if statement_count(tuple(read)) < 2:
            return read
        # the string is sent as one query: PostgreSQL runs its statements as one implicit transaction, even in
        # a migration that calls `pgm.noTransaction()`
        self.implicit = True
        at = nm.origin_of(call.node, self.src)
        begin = Transaction(action="block-begin", location=at["location"], sql=js.text_of(call.node)[:60])
        end = Transaction(action="block-end", location=Location(self.src.path, at["end_line"]), sql="")
        return [begin, *read, end]

    def inferred(self) -> tuple[tuple[Operation, ...] | None, str]:
        """The down the runner infers when the module exports none: each call's reverse, last first."""
        ops: list[Operation] = []
        for step in reversed(self.steps):
            built = pgm_sql.CALLS.get(step.method)
            line = js.line_of(step.node)
            if built is None or built[1] is None:
                return None, (
                    f"no `down` is exported, and node-pg-migrate cannot infer one: `pgm.{step.method}` "
                    f"(line {line}) has no reverse"
                )
            try:
                built[1](step.args, self.shorthands)
            except (Unread, IndexError, KeyError):
                return None, (
                    f"no `down` is exported, and node-pg-migrate cannot infer the reverse of `pgm.{step.method}` "
                    f"(line {line})"
                )
            ops.extend(self._generated(step.node, built[1], step.args))
        return tuple(ops), ""


def _placed(op: Operation, at: Origin, args: list[pgm_columns.Value]) -> Operation:
    """An operation of the SQL a call sends, at the call (a function's or trigger's SQL kept as the review reads
    it); `dropIndex` names its table, which `DROP INDEX` does not."""
    if isinstance(op, RawSQL):
        return dataclasses.replace(op, location=at["location"], end_line=at["end_line"], spelled_out=False)
    if isinstance(op, DropIndex) and not op.table and args:
        with contextlib.suppress(Unread):
            op = dataclasses.replace(op, table=pgm_columns.bare(args[0]))
    return dataclasses.replace(op, spelled_out=False, **at)


def own_shorthands(root: Node) -> Shorthands:
    """The `shorthands` object the module exports (`exports.shorthands = {…}`, `export const shorthands`)."""
    node = _exported(root, "shorthands")
    found = pgm_columns.read(node) if node is not None else None
    return found if isinstance(found, dict) else {}


def _exported(root: Node, name: str) -> Node | None:
    for node in root.named_children:
        target = node.named_children[0] if node.type == "export_statement" and node.named_children else node
        if target.type == "expression_statement" and target.named_children:
            inner = target.named_children[0]
            left = inner.child_by_field_name("left")
            if inner.type == "assignment_expression" and js.text_of(left) in (
                f"exports.{name}",
                f"module.exports.{name}",
            ):
                return inner.child_by_field_name("right")
        elif target.type in js.DECLARATIONS and node.type == "export_statement":
            for declarator in target.named_children:
                if js.text_of(declarator.child_by_field_name("name")) == name:
                    return declarator.child_by_field_name("value")
    return None


def _exported_false(root: Node, name: str) -> bool:
    node = _exported(root, name)
    return node is not None and js.unwrap(node).type == "false"


_SHORTHANDS = re.compile(r"\bshorthands\s*(?::[^=]*)?=\s*\{")


def earlier_shorthands(path: str, tree: Tree) -> Shorthands:
    """The shorthands the migrations before this one in its folder export, later ones winning (the runner
    carries each migration's shorthands over to the ones after it)."""
    found: Shorthands = {}
    folder, _, name = path.rpartition("/")
    for other in _folder(tree, folder):
        if other.rpartition("/")[2] >= name:
            break
        text = tree.read(other)
        if text and _SHORTHANDS.search(text):
            found.update(_shorthands_of(other, text))
    return found


@lru_cache(maxsize=256)
def _shorthands_of(path: str, text: str) -> Shorthands:
    return own_shorthands(js.parse(path, text))


_LISTINGS: dict[int, tuple[Tree, dict[str, list[str]]]] = {}


def _folder(tree: Tree, folder: str) -> list[str]:
    """The migration modules of a folder of the tree, by name (the tree's listing read once per tree)."""
    held = _LISTINGS.get(id(tree))
    if held is None or held[0] is not tree:
        listing: dict[str, list[str]] = {}
        for each in tree.paths():
            if each.endswith(EXTENSIONS):
                listing.setdefault(posixpath.dirname(each), []).append(each)
        for files in listing.values():
            files.sort(key=lambda p: p.rpartition("/")[2])
        if len(_LISTINGS) > 4:
            _LISTINGS.clear()
        held = _LISTINGS[id(tree)] = (tree, listing)
    return held[1].get(folder, [])
