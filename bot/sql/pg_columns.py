"""Which columns of which tables a query really names, with aliases resolved, read by PostgreSQL's grammar.

A view, a function body or a SQL string in application code is parsed with pglast, and every column
reference is tied to the relations in scope where it appears: `o.legacy_status` with `FROM orders o` is
`orders.legacy_status`; a bare `legacy_status` is one of the relations of its own query (then of the
queries around it, for a correlated subquery), decided later by the schema (`ColumnReference.owners`), which knows
which of them has a column of that name. A star names every column of its relations. `NEW.status` and
`OLD.status` in a trigger function are the trigger's row. Words in string constants, aliases given to an
output column and names of functions are not column references.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError

from bot.model.migration import UNKNOWN_SOURCE as UNKNOWN
from bot.model.migration import ColumnReference
from bot.sql.pg_nodes import dotted, relation
from bot.sql.pg_statements import unchecked_nodes


@dataclass(frozen=True)
class Tables:
    """The relations a query names, and its column references."""

    relations: tuple[tuple[str, int], ...] = ()  # (table, offset) of every table named
    columns: tuple[ColumnReference, ...] = ()


def query_columns(sql: str) -> Tables | None:
    """The tables and column references of one or more SQL statements; None when it does not parse."""
    try:
        with unchecked_nodes():  # the parser's own values need no check (0.7 s of a 660-file history)
            statements = pglast.parse_sql(sql)
    except (ParseError, ValueError):
        return None
    reader = _Reader()
    for raw in statements:
        if raw.stmt is not None:
            reader.statement(raw.stmt, ())
    return Tables(tuple(reader.relations), tuple(reader.columns))


def view_uses(name: str, sql: str) -> dict[str, Any]:
    """The fields of a view's operation that say what it uses (the database tracks them: `tracked`)."""
    found = query_columns(sql)
    if found is None:
        return {"name": name}
    return {"name": name, "relations": found.relations, "columns": found.columns, "tracked": True}


def trigger_uses(node: ast.CreateTrigStmt, sql: str) -> dict[str, Any]:
    """A trigger's name, function, and the columns of its table it names (`UPDATE OF`, `WHEN (NEW.x …)`)."""
    table = relation(node.relation)
    reader = _Reader()
    try:  # parsed again: the locations of its WHEN clause are then offsets in its own text
        with unchecked_nodes():
            own = pglast.parse_sql(sql)[0].stmt
    except (ParseError, ValueError, IndexError):
        own = None
    if isinstance(own, ast.CreateTrigStmt) and own.whenClause is not None:
        reader.expression(own.whenClause, ((("new", table), ("old", table)),))
    listed = max(0, sql.upper().find(" OF "))
    columns = [
        ColumnReference(str(c.sval), ((table,),), max(0, sql.find(str(c.sval), listed)))
        for c in node.columns or ()
    ]
    columns += reader.columns
    return {
        "name": str(node.trigname or ""),
        "function": dotted(node.funcname),
        "columns": tuple(columns),
        "tracked": True,
    }


def function_uses(name: str, sql: str, language: str, atomic: bool) -> dict[str, Any]:
    """What a function's body uses: PL/pgSQL through its own grammar, a SQL body as SQL. A `BEGIN ATOMIC`
    body is tracked by the database like a view; a body kept as text is not."""
    found: Tables | None = None
    if language == "plpgsql":
        read = body_columns(sql)
        found = read[0] if read is not None else None
    elif language == "sql":
        found = _sql_body(sql, atomic)
    if found is None:
        return {"name": name}
    return {"name": name, "relations": found.relations, "columns": found.columns, "tracked": atomic}


def _sql_body(sql: str, atomic: bool) -> Tables | None:
    """A `LANGUAGE sql` body: `BEGIN ATOMIC … END` is part of the statement; `AS $$…$$` is a string."""
    if atomic:
        at = sql.upper().find("BEGIN ATOMIC")
        body = sql[at + len("BEGIN ATOMIC") :] if at >= 0 else ""
        end = body.upper().rfind("END")
        return _shifted(query_columns(body[:end] if end >= 0 else body), at + len("BEGIN ATOMIC"))
    start = _body_start(sql)
    if start <= 0:
        return None
    quote = sql[start - 1]
    tag = "'" if quote == "'" else sql[sql.rfind("$", 0, start - 1) : start]
    end = sql.find(tag, start)
    return _shifted(query_columns(sql[start : end if end >= 0 else None]), start)


def _shifted(found: Tables | None, by: int) -> Tables | None:
    if found is None:
        return None
    return Tables(
        tuple((t, o + by) for t, o in found.relations),
        tuple(ColumnReference(c.column, c.scopes, c.offset + by, c.row, c.write) for c in found.columns),
    )


def body_columns(function_sql: str) -> tuple[Tables, list[tuple[int, int]]] | None:
    """The tables and column references of a `CREATE FUNCTION … LANGUAGE plpgsql` statement's body, and
    for each SQL piece of the body (in the order of the references) its (offset in `function_sql`, length);
    None when PL/pgSQL's grammar rejects it."""
    try:
        tree = pglast.parse_plpgsql(function_sql)
    except Exception:
        return None
    data = json.loads(tree) if isinstance(tree, str) else tree
    reader = _Reader()
    pieces: list[tuple[int, int]] = []
    body_start = _body_start(function_sql)
    lines = function_sql[body_start:].split("\n")
    starts = [body_start]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    for lineno, query, mode in _pieces(data):
        text, shift = _as_statement(query, mode)
        try:
            with unchecked_nodes():
                statements = pglast.parse_sql(text)
        except (ParseError, ValueError):
            continue
        anchor = _locate(function_sql, query, starts, lineno)
        first = len(reader.columns)
        first_relation = len(reader.relations)
        for raw in statements:
            if raw.stmt is not None:
                reader.statement(raw.stmt, ())
        if mode == 4:  # `NEW.status := …`: the target is written
            target = query.partition(":=")[0].strip()
            reader.assigned(target, shift)
        for i in range(first, len(reader.columns)):
            use = reader.columns[i]
            reader.columns[i] = ColumnReference(
                use.column, use.scopes, anchor + max(0, use.offset - shift), use.row, use.write
            )
        for i in range(first_relation, len(reader.relations)):
            table, offset = reader.relations[i]
            reader.relations[i] = (table, anchor + max(0, offset - shift))
        pieces.append((anchor, len(query)))
    return Tables(tuple(reader.relations), tuple(reader.columns)), pieces


def _body_start(function_sql: str) -> int:
    """Where the body's text starts: after the opening `$tag$` or quote of `AS`."""
    upper = function_sql.upper()
    at = upper.find(" AS ")
    while at >= 0:
        rest = function_sql[at + 4 :].lstrip()
        if rest[:1] in ("$", "'"):
            start = at + 4 + (len(function_sql[at + 4 :]) - len(rest))
            if rest[0] == "'":
                return start + 1
            end = function_sql.find("$", start + 1)
            return end + 1 if end > 0 else start
        at = upper.find(" AS ", at + 4)
    return 0


def _locate(function_sql: str, query: str, starts: list[int], lineno: int) -> int:
    """The offset of a body's SQL piece in the function's text: searched from its line on."""
    line_start = starts[lineno - 1] if 0 < lineno <= len(starts) else starts[0]
    head = query.strip().split()[0] if query.strip() else ""
    found = function_sql.find(query, line_start)
    if found >= 0:
        return found
    found = function_sql.find(head, line_start) if head else -1
    return found if found >= 0 else line_start


def _as_statement(query: str, mode: int) -> tuple[str, int]:
    """A PL/pgSQL expression as a statement PostgreSQL's grammar reads, and the characters added in front."""
    if mode == 4:  # an assignment: `target := expression`
        _, _, expression = query.partition(":=")
        prefix = "SELECT "
        return prefix + expression, len(prefix) - (len(query) - len(expression))
    if mode == 0:
        return query, 0
    return "SELECT " + query, len("SELECT ")


def _pieces(tree: object, lineno: int = 0) -> Iterator[tuple[int, str, int]]:
    """(line in the body, SQL text, parse mode) of every SQL piece of a PL/pgSQL tree."""
    if isinstance(tree, dict):
        lineno = int(tree.get("lineno", lineno) or lineno)
        for key, value in tree.items():
            if key == "PLpgSQL_expr" and isinstance(value, dict) and isinstance(value.get("query"), str):
                yield lineno, value["query"], int(value.get("parseMode", 0) or 0)
            else:
                yield from _pieces(value, lineno)
    elif isinstance(tree, list):
        for item in tree:
            yield from _pieces(item, lineno)


Scopes = tuple[tuple[tuple[str, str], ...], ...]  # per query level, innermost first: (alias, table)


@dataclass
class _Reader:
    relations: list[tuple[str, int]] = field(default_factory=list)
    columns: list[ColumnReference] = field(default_factory=list)
    ctes: set[str] = field(default_factory=set)

    def statement(self, node: ast.Node, outer: Scopes) -> None:
        if isinstance(node, ast.SelectStmt):
            self.select(node, outer)
        elif isinstance(node, ast.UpdateStmt):
            self.update(node, outer)
        elif isinstance(node, ast.InsertStmt):
            self.insert(node, outer)
        elif isinstance(node, ast.DeleteStmt):
            self.delete(node, outer)
        elif (isinstance(node, ast.ViewStmt) and node.query is not None) or (
            isinstance(node, ast.CreateTableAsStmt) and node.query is not None
        ):
            self.statement(node.query, outer)
        else:
            self.expression(node, outer)

    def with_clause(self, node: ast.WithClause | None, outer: Scopes) -> None:
        for cte in (node.ctes or ()) if node is not None else ():
            if isinstance(cte, ast.CommonTableExpr) and cte.ctequery is not None:
                self.statement(cte.ctequery, outer)
                self.ctes.add(str(cte.ctename))

    def select(self, node: ast.SelectStmt, outer: Scopes) -> None:
        self.with_clause(node.withClause, outer)
        if node.larg is not None or node.rarg is not None:  # UNION, INTERSECT, EXCEPT
            for side in (node.larg, node.rarg):
                if side is not None:
                    self.select(side, outer)
            self.expression((node.sortClause, node.limitCount, node.limitOffset), outer)
            return
        scope = self.sources(node.fromClause, outer)
        inner = (scope, *outer)
        for name in ("targetList", "whereClause", "groupClause", "havingClause", "windowClause"):
            self.expression(getattr(node, name), inner)
        self.expression((node.sortClause, node.limitCount, node.limitOffset, node.distinctClause), inner)
        self.expression(node.valuesLists, outer)

    def update(self, node: ast.UpdateStmt, outer: Scopes) -> None:
        self.with_clause(node.withClause, outer)
        target = self.source(node.relation, outer) if node.relation is not None else ()
        scope = (*target, *self.sources(node.fromClause, outer))
        inner = (scope, *outer)
        for res in node.targetList or ():
            if isinstance(res, ast.ResTarget) and res.name and target:
                self.columns.append(
                    ColumnReference(str(res.name), ((target[0][1],),), _offset(res), write=True)
                )
            self.expression(getattr(res, "val", None), inner)
        self.expression((node.whereClause, _returning(node)), inner)

    def insert(self, node: ast.InsertStmt, outer: Scopes) -> None:
        self.with_clause(node.withClause, outer)
        target = self.source(node.relation, outer) if node.relation is not None else ()
        table = target[0][1] if target else ""
        for res in node.cols or ():
            if isinstance(res, ast.ResTarget) and res.name and table:
                self.columns.append(ColumnReference(str(res.name), ((table,),), _offset(res), write=True))
        if node.selectStmt is not None:
            self.statement(node.selectStmt, outer)
        inner = (target, *outer)
        conflict = node.onConflictClause
        if conflict is not None:
            excluded = ((("excluded", table),) if table else ()) + target
            self.expression(conflict.infer, inner)
            for res in conflict.targetList or ():
                if isinstance(res, ast.ResTarget) and res.name and table:
                    self.columns.append(ColumnReference(str(res.name), ((table,),), _offset(res), write=True))
                self.expression(getattr(res, "val", None), (excluded, *outer))
            self.expression(conflict.whereClause, (excluded, *outer))
        self.expression(_returning(node), inner)

    def delete(self, node: ast.DeleteStmt, outer: Scopes) -> None:
        self.with_clause(node.withClause, outer)
        target = self.source(node.relation, outer) if node.relation is not None else ()
        scope = (*target, *self.sources(node.usingClause, outer))
        self.expression((node.whereClause, _returning(node)), (scope, *outer))

    def sources(self, items: object, outer: Scopes) -> tuple[tuple[str, str], ...]:
        found: list[tuple[str, str]] = []
        for item in items or () if isinstance(items, tuple | list) else ():
            found += self.source(item, outer, found)
        return tuple(found)

    def source(
        self, node: object, outer: Scopes, before: list[tuple[str, str]] | None = None
    ) -> tuple[tuple[str, str], ...]:
        """(alias, table) of a FROM item; the table is UNKNOWN for a subquery, a function or a CTE."""
        if isinstance(node, ast.RangeVar):
            name = relation(node)
            alias = node.alias.aliasname if node.alias is not None else node.relname
            if name in self.ctes and not node.schemaname:
                return ((str(alias), UNKNOWN),)
            self.relations.append((name, _offset(node)))
            return ((str(alias), name),)
        if isinstance(node, ast.JoinExpr):
            left = self.source(node.larg, outer, before)
            right = self.source(node.rarg, outer, [*(before or []), *left])
            both = (*left, *right)
            for name in node.usingClause or ():
                for _, table in both:
                    if table != UNKNOWN:
                        at = _offset(node.rarg) if isinstance(node.rarg, ast.Node) else 0
                        self.columns.append(ColumnReference(str(name.sval), ((table,),), at))
            self.expression(node.quals, ((*(before or []), *both), *outer))
            if node.alias is not None:
                return ((str(node.alias.aliasname), UNKNOWN), *both)
            return both
        if isinstance(node, ast.RangeSubselect) and node.subquery is not None:
            lateral = ((*(before or []),), *outer) if node.lateral else outer
            self.statement(node.subquery, lateral)
            alias = node.alias.aliasname if node.alias is not None else ""
            return ((str(alias), UNKNOWN),)
        if isinstance(node, ast.RangeFunction):
            self.expression(node.functions, outer)
            alias = node.alias.aliasname if node.alias is not None else ""
            return ((str(alias), UNKNOWN),)
        return ()

    def expression(self, node: object, scopes: Scopes) -> None:
        if isinstance(node, tuple | list):
            for item in node:
                self.expression(item, scopes)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.ColumnRef):
            self.column(node, scopes)
            return
        if isinstance(node, ast.SelectStmt | ast.UpdateStmt | ast.InsertStmt | ast.DeleteStmt):
            self.statement(node, scopes)
            return
        if isinstance(node, ast.A_Const):
            return
        for name in node:
            value = getattr(node, name)
            if isinstance(value, ast.Node | tuple | list):
                self.expression(value, scopes)

    def column(self, node: ast.ColumnRef, scopes: Scopes) -> None:
        fields = list(node.fields or ())
        offset = _offset(node)
        star = bool(fields) and isinstance(fields[-1], ast.A_Star)
        names = [str(getattr(f, "sval", "")) for f in fields if not isinstance(f, ast.A_Star)]
        if star:
            names.append("*")
        if not names:
            return
        column = names[-1]
        if len(names) == 1:
            tables = tuple(tuple(t for _, t in scope) for scope in scopes)
            if column == "*" and tables:
                tables = (tables[0],)
            self.columns.append(ColumnReference(column, tables, offset))
            return
        qualifier = names[-2]
        for scope in scopes:
            for alias, table in scope:
                if alias == qualifier:
                    self.columns.append(ColumnReference(column, ((table,),), offset))
                    return
        if len(names) == 2 and qualifier in ("new", "old"):
            self.columns.append(ColumnReference(column, (), offset, row=qualifier))
            return
        if len(names) >= 2:  # `schema.table.column` or `table.column` with the table outside any FROM
            table = qualifier if len(names) == 2 else f"{names[-3]}.{qualifier}"
            for scope in scopes:
                if any(t == table or t.rpartition(".")[2] == qualifier for _, t in scope):
                    self.columns.append(ColumnReference(column, ((table,),), offset))
                    return
            # a record variable of a function, or a composite column: not a table's column

    def assigned(self, target: str, offset: int) -> None:
        """`NEW.status := …` in PL/pgSQL: the trigger's row is written."""
        parts = [p.strip().strip('"') for p in target.split(".")]
        if len(parts) == 2 and parts[0].lower() in ("new", "old"):
            column = parts[1] if target.split(".")[1].strip().startswith('"') else parts[1].lower()
            self.columns.append(ColumnReference(column, (), offset, row=parts[0].lower(), write=True))


def _returning(node: ast.Node) -> object:
    """RETURNING of a DML statement (`returningClause` from PostgreSQL 18's grammar on)."""
    return getattr(node, "returningClause", None) or getattr(node, "returningList", None)


def _offset(node: ast.Node) -> int:
    location = getattr(node, "location", None)
    return int(location) if isinstance(location, int) and location >= 0 else 0
