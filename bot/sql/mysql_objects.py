"""Views, triggers, procedures and functions of MySQL and MariaDB: the tables and columns they use.

A definition's head is read by its words (`CREATE [OR REPLACE] [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …]
VIEW|TRIGGER|PROCEDURE|FUNCTION name`, a trigger's `BEFORE UPDATE ON orders FOR EACH ROW`), its queries
with sqlglot's MySQL grammar, one statement of the body at a time: `o.legacy_status` with `FROM orders o`
is `orders.legacy_status`, a bare column belongs to the tables of its query (the schema decides which),
and `NEW.col` / `OLD.col` of a trigger are columns of its table. Unlike PostgreSQL, MySQL records no
dependency: a column a view or trigger names can be dropped or renamed, and the view fails on its next
read, the trigger on its next write, the procedure on its next call, the event (`CREATE EVENT … ON SCHEDULE
… DO …`) on its next scheduled run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from bot.model.migration import UNKNOWN_SOURCE, ColumnReference
from bot.sql.names import identifier, table_name
from bot.sql.statements import split

_NAME = r"(?:`[^`]+`|\"[^\"]+\"|\w+)(?:\.(?:`[^`]+`|\"[^\"]+\"|\w+))?"
_HEAD = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?"
    r"(?:DEFINER\s*=\s*(?:`[^`]*`|'[^']*'|\w+)(?:\s*@\s*(?:`[^`]*`|'[^']*'|[\w.%]+))?\s+)?"
    r"(?:SQL\s+SECURITY\s+\w+\s+)?(?:AGGREGATE\s+)?(?:TEMP(?:ORARY)?\s+)?"
    rf"(?P<kind>VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{_NAME})",
    re.I,
)
_TRIGGER = re.compile(  # MySQL's; SQLite's too (INSTEAD OF, UPDATE OF columns, FOR EACH ROW optional)
    rf"\s*(?:(?:BEFORE|AFTER|INSTEAD\s+OF)\s+)?(?:INSERT|DELETE|UPDATE(?:\s+OF\s+(?P<of>[^;]*?))?)\s+"
    rf"ON\s+(?P<table>{_NAME})\s+(?:FOR\s+EACH\s+ROW\s+)?(?:(?:FOLLOWS|PRECEDES)\s+{_NAME}\s+)?",
    re.I,
)
_OF_COLUMN = re.compile(r"`[^`]+`|\"[^\"]+\"|\w+")
_VIEW_BODY = re.compile(r"\s*(?:\([^()]*\)\s*)?AS\s+", re.I)
_ROUTINE_BODY = re.compile(r"\b(?:BEGIN|RETURN|SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b", re.I)
_QUERY = re.compile(
    r"\b(?:SELECT|WITH|INSERT\s+(?:IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\b", re.I
)
_INSERT = re.compile(
    rf"(?:INSERT\s+(?:IGNORE\s+)?|REPLACE\s+)INTO\s+(?P<table>{_NAME})\s*(?:\((?P<columns>[^()]*)\))?", re.I
)
_ROW = re.compile(r"\b(NEW|OLD)\s*\.\s*(`[^`]+`|\w+)(\s*(?::=|=(?!=)))?", re.I)
_KINDS = {
    "VIEW": "view",
    "TRIGGER": "trigger",
    "PROCEDURE": "function",
    "FUNCTION": "function",
    "EVENT": "event",
}
_EVENT_BODY = re.compile(r"\bDO\b", re.I)


@dataclass(frozen=True)
class Definition:
    kind: str  # view | trigger | function
    name: str
    table: str  # a trigger's table
    relations: tuple[tuple[str, int], ...]
    columns: tuple[ColumnReference, ...]


def read(sql: str) -> Definition | None:
    """What a MySQL `CREATE VIEW`, `CREATE TRIGGER`, `CREATE PROCEDURE`, `CREATE FUNCTION` or `CREATE
    EVENT` uses."""
    head = _HEAD.match(sql)
    if head is None:
        return None
    kind = _KINDS[head.group("kind").upper()]
    table, start = "", head.end()
    relations: list[tuple[str, int]] = []
    columns: list[ColumnReference] = []
    if kind == "view":
        body = _VIEW_BODY.match(sql, start)
        if body is None:
            return None
        start = body.end()
    elif kind == "trigger":
        on = _TRIGGER.match(sql, start)
        if on is None:
            return None
        table, start = _unquote(on.group("table")), on.end()
        if on.group("of"):  # UPDATE OF a, b: columns of the trigger's own table
            for named in _OF_COLUMN.finditer(on.group("of")):
                offset = on.start("of") + named.start()
                columns.append(ColumnReference(_unquote(named.group()), (), offset, row="new"))
    elif kind == "event":  # ON SCHEDULE … DO statement, or DO BEGIN … END
        body = _EVENT_BODY.search(sql, start)
        if body is None:
            return None
        start = body.end()
    else:
        body = _ROUTINE_BODY.search(sql, _after_parameters(sql, start))
        if body is None:
            return None
        start = body.start()
    for query_start, query in _queries(sql, start, whole=kind == "view"):
        _read_query(query, query_start, relations, columns)
    if kind == "trigger":
        for match in _ROW.finditer(sql, start):
            row, column = match.group(1).lower(), _unquote(match.group(2))
            columns.append(ColumnReference(column, (), match.start(2), row=row, write=bool(match.group(3))))
    return Definition(kind, _unquote(head.group("name")), table, tuple(relations), tuple(columns))


def _after_parameters(sql: str, start: int) -> int:
    """The offset after a routine's parameter list."""
    open_ = sql.find("(", start)
    depth = 0
    for index in range(open_, len(sql)) if open_ >= 0 else ():
        depth += {"(": 1, ")": -1}.get(sql[index], 0)
        if depth == 0:
            return index + 1
    return start


def _queries(sql: str, start: int, *, whole: bool) -> list[tuple[int, str]]:
    """(offset, text) of each query of a body: a view's whole query, else each statement that reads or
    writes tables, up to its `;`."""
    if whole:
        return [(start, sql[start:].rstrip().rstrip(";"))]
    found = []
    position = start
    while (match := _QUERY.search(sql, position)) is not None:
        end = sql.find(";", match.start())
        end = len(sql) if end < 0 else end
        found.append((match.start(), sql[match.start() : end]))
        position = end + 1
    return found


def _read_query(
    query: str, offset: int, relations: list[tuple[str, int]], columns: list[ColumnReference]
) -> None:
    statements = split(query, "mysql")
    tree = statements[0].expression if len(statements) == 1 else None
    words = _Offsets(query, offset)
    if tree is None:  # INSERT … VALUES is split, not parsed: its table and columns are read by their words
        insert = _INSERT.match(query)
        if insert is not None:
            target = _unquote(insert.group("table"))
            relations.append((target, words.of(target)))
            for name in re.findall(r"`[^`]+`|\w+", insert.group("columns") or ""):
                column = _unquote(name)
                columns.append(ColumnReference(column, ((target,),), words.of(column), write=True))
        return
    for table in tree.find_all(exp.Table):
        if table.name:
            relations.append((table_name(table), words.of(table.name)))
    inserted = tree.this if isinstance(tree, exp.Insert) else None
    if isinstance(inserted, exp.Schema):
        target = table_name(inserted.this)
        for name in inserted.expressions:
            column = identifier(name)
            columns.append(ColumnReference(column, ((target,),), words.of(column), write=True))
    for node in tree.find_all(exp.Column):
        qualifier = node.table
        column = identifier(node.this)
        if not column or qualifier.upper() in ("NEW", "OLD"):
            continue
        write = isinstance(node.parent, exp.EQ) and isinstance(node.parent.parent, exp.Update)
        columns.append(ColumnReference(column, _scopes(node, qualifier), words.of(column), write=write))


def _scopes(node: exp.Column, qualifier: str) -> tuple[tuple[str, ...], ...]:
    """The tables a column may belong to, innermost query first; one table when it is qualified."""
    scopes = []
    scope: exp.Expression | None = node.find_ancestor(exp.Select, exp.Update, exp.Delete)
    while scope is not None:
        tables = _own_tables(scope)
        if qualifier:
            named = tables.get(qualifier.lower())
            if named:
                return ((named,),)
        else:
            scopes.append(tuple(dict.fromkeys(tables.values())))
        scope = scope.find_ancestor(exp.Select, exp.Update, exp.Delete)
    return ((UNKNOWN_SOURCE,),) if qualifier else tuple(scopes)


def _own_tables(scope: exp.Expression) -> dict[str, str]:
    """Alias (or name) → table of the relations of one query level; a derived table is an unknown source."""
    found: dict[str, str] = {}
    for node in scope.find_all(exp.Table, exp.Subquery):
        if node.find_ancestor(exp.Select, exp.Update, exp.Delete) is not scope and node is not scope:
            continue
        if isinstance(node, exp.Subquery):
            if node.alias:
                found[node.alias.lower()] = UNKNOWN_SOURCE
            continue
        name = table_name(node)
        found[(node.alias or node.name).lower()] = name
        found.setdefault(name.rpartition(".")[2].lower(), name)
    return found


class _Offsets:
    """Offsets of names in a query, the first not yet taken for each name (approximate lines)."""

    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.next: dict[str, int] = {}

    def of(self, name: str) -> int:
        pattern = re.compile(rf"`?\b{re.escape(name)}\b`?", re.I)
        match = pattern.search(self.text, self.next.get(name.lower(), 0)) or pattern.search(self.text)
        if match is None:
            return self.base
        self.next[name.lower()] = match.end()
        return self.base + match.start()


def _unquote(name: str) -> str:
    parts = [p.strip('`"') if p.startswith(("`", '"')) else p.lower() for p in name.split(".")]
    return parts[-1]
