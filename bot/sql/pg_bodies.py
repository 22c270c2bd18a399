"""The tables a PL/pgSQL or SQL body reads and writes: DO blocks, functions, procedures.

A body stays one operation. PostgreSQL's PL/pgSQL grammar (through pglast) lists the SQL the body runs;
each piece is parsed with PostgreSQL's SQL grammar and its relations sorted into written (INSERT, UPDATE,
DELETE, MERGE, ALTER TABLE, TRUNCATE targets) and read (everything else). `EXECUTE` of a constant string is
read the same way; SQL built at run time cannot be known and is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError, parse_sql_json

from bot.model.migration import BatchStep
from bot.sql.names import DEFAULT_SCHEMAS
from bot.sql.pg_batches import batch_step, with_placeholders
from bot.sql.pg_dynamic import Bindings, array_values, evaluate, query_rows, template
from bot.sql.pg_hypertables import hypertables as hypertable_calls
from bot.sql.pg_nodes import relation, text_of, walk

_WRITERS = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.AlterTableStmt)


def plpgsql_tables(function_sql: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by a `CREATE FUNCTION … LANGUAGE plpgsql` statement's body."""
    try:
        tree = pglast.parse_plpgsql(function_sql)
    except Exception:  # a body PL/pgSQL rejects: PostgreSQL rejects it at run time, not at CREATE
        return (), ()
    return sql_tables(_queries(json.loads(tree) if isinstance(tree, str) else tree))


def do_block_tables(body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by the body of a `DO` block (PL/pgSQL)."""
    return plpgsql_tables(_as_function(body))


def _as_function(body: str) -> str:
    """A DO block's body as the function PL/pgSQL's grammar reads (a dollar tag the body does not hold)."""
    tag = "$mr$"
    while tag in body:
        tag = tag[:-1] + "x$"
    return f"CREATE FUNCTION pg_temp.do_block() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"


# Statements a DO block runs that change the schema: read as the operations they are.
_SCHEMA_CHANGES = frozenset(
    {
        "AlterTableStmt",
        "IndexStmt",
        "RenameStmt",
        "AlterEnumStmt",
        "CreateEnumStmt",
        "CreateStmt",
        "CreateTableAsStmt",
        "DropStmt",
        "ReindexStmt",
        "LockStmt",
    }
)
# PL/pgSQL statements that change nothing themselves (a block, a branch, a message, a return).
_STRUCTURE = frozenset(
    {
        "PLpgSQL_stmt_block",
        "PLpgSQL_stmt_if",
        "PLpgSQL_stmt_raise",
        "PLpgSQL_stmt_return",
        "PLpgSQL_stmt_assert",
    }
)


@dataclass
class BlockStatements:
    """What a DO block runs, as far as it can be read before it runs."""

    changes: list[tuple[str, int]] = field(default_factory=list)  # schema changes: (SQL, line in the body)
    only: bool = False  # nothing else runs: no data change, no loop whose work is unknown
    # `EXECUTE` of SQL only known when the block runs that changes a schema or data: (the expression, its
    # line, the statement it runs with the unknown parts as PLACEHOLDER, the loop that gives the values or "").
    unknown: list[tuple[str, int, str, str]] = field(default_factory=list)
    # data statements it runs (INSERT, UPDATE, DELETE …), its variables read as PLACEHOLDER
    data: list[DataStatement] = field(default_factory=list)
    # its COMMIT and ROLLBACK statements (PostgreSQL 11+): (commit | rollback, line in the body, the line of
    # the outermost loop that runs it again, else its own): the locks taken before it are released there
    ends: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class DataStatement:
    query: str  # the statement, each variable of the block read as a value filled in when it runs
    line: int  # its line in the body
    loop: str  # the loop that runs it ("" when it runs once)
    step: BatchStep | None  # how the loop moves its key range, when the review reads it


def do_block_statements(body: str) -> BlockStatements:
    """The schema changes a DO block runs, in order, with their line in the body (1: the DO's line): at
    its top level, in nested blocks and IF branches (`IF NOT EXISTS (…) THEN ALTER TABLE …`), and in loops
    over a literal list, once per value (`FOREACH t IN ARRAY ARRAY['a', 'b'] LOOP EXECUTE format(…, t)`);
    not in exception handlers. `EXECUTE` of SQL whose parts are only known when it runs is listed apart."""
    try:
        tree = pglast.parse_plpgsql(_as_function(body))
    except Exception:
        return BlockStatements()
    tree = json.loads(tree) if isinstance(tree, str) else tree
    function = tree[0].get("PLpgSQL_function", {}) if isinstance(tree, list) and tree else {}
    names = [_datum_name(d) for d in function.get("datums", [])]
    walk = _Walk(names)
    action = function.get("action", {})
    walk.result.only = walk.statements(action.get("PLpgSQL_stmt_block", {}).get("body", []), {}, "", True)
    return walk.result


def _integer_step(value: dict[str, Any], names: list[str]) -> dict[str, str]:
    """`FOR i IN 0..max_id BY 1000 LOOP`: each pass moves `i` to `i + 1000` (`i - 1000` in REVERSE), as a
    `WHILE` loop's `i := i + 1000` would; the step is 1 unless BY says otherwise."""
    variable = value.get("var", {}).get("PLpgSQL_var", {}).get("refname", "")
    if not variable or variable not in names:
        return {}
    step = _query(value.get("step")).strip() or "1"
    return {variable.lower(): f"{variable} {'-' if value.get('reverse') else '+'} {step}"}


def _datum_name(datum: object) -> str:
    value: object = next(iter(datum.values()), {}) if isinstance(datum, dict) else {}
    return str(value.get("refname", "")) if isinstance(value, dict) else ""


class _Walk:
    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.result = BlockStatements()
        self.recording = True  # off in a loop whose values are unknown: how often its body runs is unknown
        self.assigned: list[dict[str, str]] = []  # in each enclosing loop, what its body assigns to variables
        self.loop_lines: list[int] = []  # the lines of the loops the walk is in, outermost first

    def unknown_loop(
        self, body: object, bindings: Bindings, loop: str, first: bool, implied: dict[str, str] | None = None
    ) -> None:
        """A loop whose values are unknown: its statements are not taken as run once; what it builds is
        still listed. `implied`: what the loop itself assigns on each pass (`FOR i IN 1..n BY 1000`: `i + 1000`)."""
        recording, self.recording = self.recording, False
        self.assigned.append({**(implied or {}), **self._assignments(body)})
        self.statements(body, bindings, loop, first)
        self.assigned.pop()
        self.recording = recording

    def _assignments(self, body: object) -> dict[str, str]:
        """`hi := lo + 1000`, `lo := hi`: what the statements (and the blocks and branches in them) assign."""
        found: dict[str, str] = {}
        for statement in body if isinstance(body, list) else []:
            for kind, value in statement.items() if isinstance(statement, dict) else ():
                value = value if isinstance(value, dict) else {}
                if kind == "PLpgSQL_stmt_assign":
                    number = value.get("varno")
                    if isinstance(number, int) and number < len(self.names):
                        found[self.names[number].lower()] = _query(value.get("expr")).partition(":=")[2]
                for nested in ("body", "then_body", "else_body"):
                    found.update(self._assignments(value.get(nested, [])))
        return found

    def data(self, query: str, line: int, loop: str) -> None:
        """A data statement the block runs: read with its variables as values filled in when it runs, and
        with how an enclosing loop moves its key range."""
        if any(d.line == line and d.query for d in self.result.data):
            return  # the body of a loop over a literal list, once more
        variables = {n for n in self.names if n and n != "found"}
        step = batch_step(query, self.assigned[-1], variables, loop) if self.assigned else None
        self.result.data.append(DataStatement(with_placeholders(query, variables), line, loop, step))

    def statements(self, statements: object, bindings: Bindings, loop: str, first: bool) -> bool:
        """Whether the statements change the schema only (and are all read); what they run goes in result."""
        only = True
        for statement in statements if isinstance(statements, list) else []:
            for kind, value in statement.items() if isinstance(statement, dict) else ():
                value = value if isinstance(value, dict) else {}
                only = self.statement(kind, value, bindings, loop, first) and only
        return only

    def statement(self, kind: str, value: dict[str, Any], bindings: Bindings, loop: str, first: bool) -> bool:
        if kind == "PLpgSQL_stmt_block":
            return self.statements(value.get("body", []), bindings, loop, first)
        if kind == "PLpgSQL_stmt_if":
            branches = [value.get("then_body", []), value.get("else_body", [])]
            branches += [e.get("PLpgSQL_if_elsif", {}).get("stmts", []) for e in value.get("elsif_list", [])]
            return all([self.statements(b, bindings, loop, first) for b in branches])
        line = int(value.get("lineno") or 1)
        if kind in ("PLpgSQL_stmt_commit", "PLpgSQL_stmt_rollback"):
            # in a loop, every pass after the first starts after it: the loop runs with the locks released
            action = "commit" if kind == "PLpgSQL_stmt_commit" else "rollback"
            if all(end[1] != line for end in self.result.ends):
                self.result.ends.append((action, line, self.loop_lines[0] if self.loop_lines else line))
            return False
        if kind in _LOOPS or kind in ("PLpgSQL_stmt_foreach_a", "PLpgSQL_stmt_fors"):
            self.loop_lines.append(line)
            try:
                return self._loop_statement(kind, value, bindings, loop, first)
            finally:
                self.loop_lines.pop()
        if kind == "PLpgSQL_stmt_assign":
            self.assign(value, bindings)
            return True
        if kind == "PLpgSQL_stmt_perform":  # `PERFORM create_hypertable(…)`: its query is a SELECT
            return self.sql(_query(value.get("expr")), line, first)
        if kind == "PLpgSQL_stmt_execsql":
            query = _query(value.get("sqlstmt"))
            if _kinds(query) & _DATA:
                self.data(query, line, loop)
            return self.sql(query, line, first)
        if kind == "PLpgSQL_stmt_dynexecute":
            expression = _query(value.get("query"))
            text = evaluate(expression, bindings)
            if text is not None:
                return self.sql(text, line, first)
            shape = template(expression, bindings) or ""
            if _kinds(shape) & _CHANGES:
                self.result.unknown.append((expression, line, shape, loop))
            return False
        return kind in _STRUCTURE

    def _loop_statement(
        self, kind: str, value: dict[str, Any], bindings: Bindings, loop: str, first: bool
    ) -> bool:
        if kind in ("PLpgSQL_stmt_foreach_a", "PLpgSQL_stmt_fors"):
            self.loop(kind, value, bindings, loop, first)
            return False  # a loop is more than schema changes run once: the block stays one operation too
        implied = _integer_step(value, self.names) if kind == "PLpgSQL_stmt_fori" else {}
        self.unknown_loop(
            value.get("body", []), dict(bindings), _nested(loop, _loop_text(value)), first, implied
        )
        return False

    def assign(self, value: dict[str, Any], bindings: Bindings) -> None:
        """`new_name := '_old_' || tbl`: the variable holds what the expression builds from known values."""
        number = value.get("varno")
        name = self.names[number] if isinstance(number, int) and number < len(self.names) else ""
        expression = _query(value.get("expr")).partition(":=")[2] or _query(value.get("expr"))
        built = evaluate(expression.strip(), bindings) if name else None
        if built is not None:
            bindings[name] = built
        elif name:
            bindings.pop(name, None)

    def loop(self, kind: str, value: dict[str, Any], bindings: Bindings, loop: str, first: bool) -> None:
        """A loop over a literal list runs its body once per value, which is then known."""
        query = _query(value.get("expr") if kind == "PLpgSQL_stmt_foreach_a" else value.get("query"))
        rows = self.rows(kind, value, query)
        if rows is None:
            given = "value" if kind == "PLpgSQL_stmt_foreach_a" else "row"
            where = f"for each {given} of `{' '.join(query.split())}`"
            self.unknown_loop(value.get("body", []), dict(bindings), _nested(loop, where), first)
            return
        for index, row in enumerate(rows):
            self.statements(value.get("body", []), {**bindings, **row}, loop, first and index == 0)

    def rows(self, kind: str, value: dict[str, Any], query: str) -> list[Bindings] | None:
        if kind == "PLpgSQL_stmt_foreach_a":
            values = array_values(query)
            number = value.get("varno")
            name = self.names[number] if isinstance(number, int) and number < len(self.names) else ""
            return [{name: v} for v in values] if values is not None and name else None
        found = query_rows(query)
        if found is None:
            return None
        columns, rows = found
        target = value.get("var", {})
        if "PLpgSQL_rec" in target:
            record = str(target["PLpgSQL_rec"].get("refname", ""))
            return [{f"{record}.{c}": v for c, v in zip(columns, row, strict=False)} for row in rows]
        fields = [str(f.get("name", "")) for f in target.get("PLpgSQL_row", {}).get("fields", [])]
        return [dict(zip(fields, row, strict=False)) for row in rows] if fields else None

    def sql(self, query: str, line: int, first: bool) -> bool:
        kinds = _kinds(query)
        if (kinds and kinds <= _SCHEMA_CHANGES) or _converts(query, kinds):
            if self.recording and (first or (query, line) not in self.result.changes):
                self.result.changes.append((query, line))
            return True
        return False


def _converts(query: str, kinds: set[str]) -> bool:
    """A SELECT that calls TimescaleDB's `create_hypertable`: it changes the table it names."""
    return kinds == {"SelectStmt"} and any(True for _ in hypertable_calls(query))


def schema_change_only(query: str) -> bool:
    """Is the SQL made of schema changes alone (no data change, nothing else)?"""
    kinds = _kinds(query)
    return bool(kinds) and kinds <= _SCHEMA_CHANGES


def _nested(outer: str, inner: str) -> str:
    return f"{outer}, {inner}" if outer else inner


def _query(expression: object) -> str:
    inner = expression.get("PLpgSQL_expr", {}) if isinstance(expression, dict) else {}
    query = inner.get("query", "") if isinstance(inner, dict) else ""
    return query if isinstance(query, str) else ""


def _kinds(query: str) -> set[str]:
    parsed = _parsed(query) if query else []
    if not isinstance(parsed, list):
        return set()
    return {k for s in parsed if isinstance(s, dict) for k in s.get("stmt", {})}


def _loop_text(value: dict[str, Any]) -> str:
    variable = value.get("var", {}).get("PLpgSQL_var", {}).get("refname", "")
    if variable and value.get("upper"):  # `FOR i IN 0..max_id BY 1000`
        step = _query(value.get("step"))
        reverse = "REVERSE " if value.get("reverse") else ""
        bounds = f"{_query(value.get('lower'))}..{_query(value.get('upper'))}" + (
            f" BY {step}" if step else ""
        )
        return f"in a loop (`FOR {variable} IN {reverse}{bounds}`)"
    condition = _query(value.get("cond")) or _query(value.get("lower"))
    return f"in a loop (`{condition}`)" if condition else "in a loop"


_LOOPS = frozenset({"PLpgSQL_stmt_loop", "PLpgSQL_stmt_while", "PLpgSQL_stmt_fori", "PLpgSQL_stmt_dynfors"})
_DATA = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "TruncateStmt"})
_CHANGES = _SCHEMA_CHANGES | _DATA


def sql_tables(queries: Iterator[str] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for query in queries:
        _sort_json(_parsed(query), reads, writes)
    return tuple(t for t in reads if t not in writes), tuple(writes)


def node_tables(nodes: tuple[ast.Node, ...] | list[ast.Node]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, written) by already parsed statements (a `BEGIN ATOMIC` body)."""
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for statement in nodes:
        for node in walk(statement):
            if isinstance(node, _WRITERS) and node.relation is not None:
                writes.setdefault(relation(node.relation), None)
            elif isinstance(node, ast.RangeVar):
                reads.setdefault(relation(node), None)
    return tuple(t for t in reads if t not in writes), tuple(writes)


def _sort_json(tree: object, reads: dict[str, None], writes: dict[str, None]) -> None:
    """The relations of a statement in pglast's JSON form (a body has many; its nodes are not needed)."""
    if isinstance(tree, list):
        for item in tree:
            _sort_json(item, reads, writes)
        return
    if not isinstance(tree, dict):
        return
    for kind, value in tree.items():
        if kind in _WRITER_NAMES and isinstance(value, dict) and isinstance(value.get("relation"), dict):
            writes.setdefault(_json_relation(value["relation"]), None)
        elif kind == "TruncateStmt" and isinstance(value, dict):
            for target in value.get("relations", []):
                writes.setdefault(_json_relation(target.get("RangeVar", {})), None)
        elif kind == "RangeVar" and isinstance(value, dict):
            reads.setdefault(_json_relation(value), None)
        _sort_json(value, reads, writes)


_WRITER_NAMES = frozenset(w.__name__ for w in _WRITERS)


def _json_relation(value: dict[str, object]) -> str:
    schema, name = str(value.get("schemaname") or ""), str(value.get("relname") or "")
    return f"{schema}.{name}" if schema and schema not in DEFAULT_SCHEMAS else name


def _parsed(query: str) -> object:
    for text in (query, f"SELECT {query}"):
        try:
            return json.loads(parse_sql_json(text)).get("stmts", [])
        except ParseError:
            continue
    return []


def _statements(query: str) -> list[ast.Node]:
    for text in (query, f"SELECT {query}"):
        try:
            return [raw.stmt for raw in pglast.parse_sql(text) if raw.stmt is not None]
        except ParseError:
            continue
    return []


def _queries(tree: object) -> Iterator[str]:
    """Every SQL text in a PL/pgSQL tree (as pglast returns it: nested dicts and lists)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "PLpgSQL_stmt_dynexecute":
                yield from _constant_sql(value)
            if key == "PLpgSQL_expr" and isinstance(value, dict) and isinstance(value.get("query"), str):
                yield value["query"]
            else:
                yield from _queries(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _queries(item)


def _constant_sql(dynexecute: object) -> Iterator[str]:
    """`EXECUTE 'ALTER TABLE …'`: a constant string is SQL that can be read."""
    query = dynexecute.get("query", {}) if isinstance(dynexecute, dict) else {}
    text = query.get("PLpgSQL_expr", {}).get("query", "") if isinstance(query, dict) else ""
    for statement in _statements(text):
        for node in walk(statement):
            if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
                yield text_of(node.val)
                return
