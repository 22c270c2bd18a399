"""What a data change reads and maps: CASE mappings, the columns it reads, whether it runs in batches."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    AddConstraint,
    CaseMapping,
    DataDelete,
    DataInsert,
    DataUpdate,
    Operation,
)
from bot.sql.names import identifier, quote, table_name
from bot.sql.statements import render
from bot.sql.writes import in_conjunction


def case_mappings(statement: exp.Expression, dialect: str, line: int) -> tuple[CaseMapping, ...]:
    mappings = []
    for case in statement.find_all(exp.Case):
        target = _target_of(case, statement)
        source = identifier(case.this) if case.this is not None else _common_column(case)
        whens = []
        for branch in case.args.get("ifs") or []:
            condition, result = branch.this, branch.args.get("true")
            value = _compared_value(condition, source) if case.this is None else render(condition, dialect)
            whens.append(
                (
                    value or render(condition, dialect),
                    render(result, dialect) if result is not None else "NULL",
                )
            )
        default = case.args.get("default")
        mappings.append(
            CaseMapping(
                target=target,
                source=source or None,
                whens=tuple(whens),
                otherwise=render(default, dialect) if default is not None else None,
                line=line,
                absorbed_by=_absorbed_by(case, statement),
            )
        )
    return tuple(mappings)


def reads(statement: exp.Expression) -> tuple[str, ...]:
    """The columns of the changed table the assignments and the WHERE read.

    A column of another relation (`UPDATE t SET a = src.b FROM (…) AS src`, a sub-select's own columns) is
    not one of them: it names a column of that relation, whatever its name.
    """
    written = {identifier(a.this) for a in statement.expressions if isinstance(a, exp.EQ)}
    names = _own_names(statement)
    seen: dict[str, None] = {}
    parts = [
        a.expression for a in statement.expressions if isinstance(a, exp.EQ) and a.expression is not None
    ]
    where = statement.args.get("where")
    for part in [*parts, *([where] if where is not None else [])]:
        for column in part.find_all(exp.Column):
            if _of_changed_table(column, names):
                seen.setdefault(identifier(column.this), None)
    return tuple(c for c in seen if c and (c not in written or c in _where_columns(statement)))


def _own_names(statement: exp.Expression) -> set[str]:
    """The names a column of the changed table may be qualified with: the table's name and its alias."""
    target = statement.this
    if not isinstance(target, exp.Table):
        return set()
    return {n.lower() for n in (target.name, target.alias) if n}


def _of_changed_table(column: exp.Column, names: set[str]) -> bool:
    qualifier = column.table.lower()
    if qualifier:
        return not names or qualifier in names
    # unqualified: the changed table's own, unless a sub-select of its own relations reads it
    return column.find_ancestor(exp.Select) is None


def is_batched(statement: exp.Expression) -> bool:
    """A LIMIT, a key range or a sub-select with a LIMIT bounds the rows one statement changes: in the WHERE,
    in an UPDATE's FROM (`FROM (SELECT … LIMIT 1000) t WHERE t.id = …`) or in a CTE the statement reads."""
    if statement.args.get("limit") is not None:
        return True
    for place in ("from_", "with_", "using"):
        feeding = statement.args.get(place)
        if isinstance(feeding, exp.Expression) and any(
            s.args.get("limit") is not None for s in _row_sources(feeding, statement)
        ):
            return True
    where = statement.args.get("where")
    if where is None:
        return False
    if any(select.args.get("limit") is not None for select in where.find_all(exp.Select)):
        return True
    if any(isinstance(b.this, exp.Column) for b in where.find_all(exp.Between)):
        return True
    lower = any(isinstance(c.this, exp.Column) for c in where.find_all(exp.GTE, exp.GT))
    upper = any(isinstance(c.this, exp.Column) for c in where.find_all(exp.LT, exp.LTE))
    return lower and upper and _has_placeholder_or_literal_range(where)


def _row_sources(feeding: exp.Expression, statement: exp.Expression) -> list[exp.Expression]:
    """The queries whose rows an UPDATE's FROM or a CTE hands over as they are: a derived table's own SELECT,
    a CTE's when the WHERE picks the rows from it (`WHERE id IN (SELECT id FROM batch)`), not the lookups
    nested in them (`LATERAL (SELECT … LIMIT 1)`, a one-row setting) that bound nothing."""
    if isinstance(feeding, exp.With):
        where = statement.args.get("where")
        named = (
            {t.name.lower() for t in where.find_all(exp.Table)}
            if isinstance(where, exp.Expression)
            else set()
        )
        return [
            cte.this for cte in feeding.expressions if isinstance(cte, exp.CTE) and cte.alias.lower() in named
        ]
    found = []
    for subquery in feeding.find_all(exp.Subquery):
        outer = subquery.parent
        while outer is not None and outer is not feeding and not isinstance(outer, exp.Select | exp.Subquery):
            outer = outer.parent
        if outer is feeding:
            found.append(subquery.this)
    return found


def _has_placeholder_or_literal_range(where: exp.Expression) -> bool:
    """A bound that is a literal, a parameter, or a value the migration's code fills in (`WHERE id > :lo` of a
    loop, read as PLACEHOLDER)."""
    return any(
        isinstance(c.expression, exp.Literal | exp.Placeholder | exp.Parameter)
        or (isinstance(c.expression, exp.Column) and c.expression.name == PLACEHOLDER)
        for c in where.find_all(exp.GTE, exp.GT, exp.LT, exp.LTE)
    )


def _where_columns(statement: exp.Expression) -> set[str]:
    where = statement.args.get("where")
    return {identifier(c.this) for c in where.find_all(exp.Column)} if where is not None else set()


# functions whose result is no NULL for a NULL argument: JSON builders keep it as a JSON null, the others skip it
_ABSORBING = (exp.Coalesce, exp.Concat, exp.ConcatWs, exp.Array, exp.JSONObject)
_ABSORBING_NAMES = frozenset(
    {
        "json_build_object",
        "jsonb_build_object",
        "json_build_array",
        "jsonb_build_array",
        "format",
        "concat",
        "concat_ws",
    }
)


def _absorbed_by(case: exp.Case, statement: exp.Expression) -> str:
    """The function on the way from the CASE to its statement that turns the CASE's NULL into a value."""
    node: Any = case.parent
    while node is not None and node is not statement:
        if isinstance(node, _ABSORBING):
            return type(node).__name__.lower()
        if isinstance(node, exp.Anonymous) and str(node.name).lower() in _ABSORBING_NAMES:
            return str(node.name).lower()
        node = node.parent
    return ""


def _target_of(case: exp.Case, statement: exp.Expression) -> str:
    node: Any = case
    while node is not None and node is not statement:
        parent = node.parent
        if isinstance(parent, exp.EQ) and parent.parent is statement and parent.expression is node:
            return identifier(parent.this)
        if (
            isinstance(parent, exp.Select)
            and isinstance(statement, exp.Insert)
            and node in parent.expressions
            and parent.parent is statement
        ):
            return _inserted_column(statement, parent.expressions.index(node))
        if isinstance(node, exp.Alias):
            # the column a SELECT names (CREATE TABLE … AS SELECT); in an UPDATE or a DELETE, a name given in a
            # WITH query or a sub-query is no column of the table written
            return (
                "" if isinstance(statement, exp.Update | exp.Delete) else identifier(node.args.get("alias"))
            )
        node = parent
    return ""


def _inserted_column(statement: exp.Insert, position: int) -> str:
    target = statement.this
    columns = target.expressions if isinstance(target, exp.Schema) else []
    return identifier(columns[position]) if position < len(columns) else ""


def _common_column(case: exp.Case) -> str:
    columns = set()
    for branch in case.args.get("ifs") or []:
        condition = branch.this
        if not isinstance(condition, exp.EQ | exp.In):
            return ""
        compared = _compared_key(condition.this)
        if not compared and isinstance(condition, exp.EQ):
            compared = _compared_key(condition.expression)
        if not compared:
            return ""
        columns.add(compared)
    return columns.pop() if len(columns) == 1 else ""


def _compared_key(node: exp.Expression | None) -> str:
    """`status` for a column, `lower(status)` for a column under a normalising function."""
    if isinstance(node, exp.Column):
        return identifier(node.this)
    if isinstance(node, _NORMALISERS) and isinstance(node.this, exp.Column):
        return f"{type(node).__name__.lower()}({identifier(node.this.this)})"
    return ""


_NORMALISERS = (exp.Lower, exp.Upper, exp.Trim)


def _compared_value(condition: exp.Expression, source: str) -> str:
    if not source:
        return ""
    if isinstance(condition, exp.EQ):
        other = condition.expression if _compared_key(condition.this) == source else condition.this
        return str(render(other))
    if isinstance(condition, exp.In):
        return ", ".join(render(v) for v in condition.expressions)
    return ""


def literals(value: str) -> tuple[str, ...] | None:
    """The literal values of a WHEN (`'paid'`, `1`, `'a', 'b'`), or None when it is not a list of literals."""
    found = _LITERAL.findall(value)
    if not found or _LITERAL.sub("", value).replace(",", "").strip():
        return None
    return tuple(text.replace("''", "'") if quoted else number for quoted, text, number in found)


_LITERAL = re.compile(r"(')((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)")


def source_column(source: str | None) -> tuple[str, str]:
    """The column a CASE compares and the function that normalises it first (`lower`, `trim`, or "")."""
    if not source:
        return "", ""
    match = re.fullmatch(r"(lower|upper|trim)\((\w+)\)", source)
    return (match.group(2), match.group(1)) if match else (source, "")


def mapping_sites(ops: Iterable[Operation]) -> Iterator[tuple[DataUpdate | DataInsert, CaseMapping, str]]:
    """Every CASE mapping of the data changes, with the table its compared column belongs to."""
    for op in ops:
        if isinstance(op, DataUpdate | DataInsert):
            for mapping in op.case_mappings:
                yield op, mapping, source_table(op)


def source_table(op: DataUpdate | DataInsert) -> str:
    """The table the data change reads: the UPDATE's own, or the first table of the INSERT's SELECT."""
    if isinstance(op, DataUpdate) or op.expression is None:
        return op.table
    select = op.expression.find(exp.Select)
    origin = select.args.get("from_") if select is not None else None
    table = origin.find(exp.Table) if origin is not None else None
    return table_name(table) if table is not None else op.table


def where_of(op: Operation) -> exp.Expression | None:
    """The WHERE condition of a data change's tree (of the SELECT for an INSERT … SELECT)."""
    tree = op.expression
    if tree is None:
        return None
    if isinstance(op, DataInsert):
        select = tree.find(exp.Select)
        tree = select if select is not None else tree
    where = tree.args.get("where")
    return where.this if where is not None else None


def restricts(op: Operation, column: str) -> bool:
    """Does the WHERE limit the rows to chosen values of `column` (`= …`, `IN (…)`)?"""
    where = where_of(op)
    if where is None:
        return False
    keys = {
        _compared_key(node.this)
        for node in where.find_all(exp.EQ, exp.In)
        if not isinstance(node.parent, exp.Not)
    }
    return any(key == column or key.endswith(f"({column})") for key in keys)


def referenced_table(ops: Iterable[Operation], table: str, column: str) -> str:
    """The table a foreign key column points at, when the operations declare it; "" otherwise."""
    for op in ops:
        if (
            isinstance(op, AddColumn)
            and (op.table, op.column.name) == (table, column)
            and op.column.references
        ):
            return op.column.references
        if isinstance(op, AddConstraint) and op.table == table and op.columns == (column,) and op.references:
            return op.references
    return ""


def condition_columns(condition: str, dialect: str) -> set[str]:
    """The columns a WHERE condition given as text reads; empty when the text is no SQL."""
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    try:
        tree = sqlglot.parse_one(f"SELECT 1 WHERE {condition}", dialect=syntax)
    except sqlglot.errors.SqlglotError:
        return set()
    return {identifier(c.this) for c in tree.find_all(exp.Column)}


def fills_nulls(op: DataUpdate, column: str) -> bool:
    """Does the UPDATE write `column` only where it holds no value (`WHERE column IS NULL …`, `= ''`, or an
    empty JSON document `= '{}'`, `= '[]'`)? Such a fill overwrites nothing: the way back has nothing to restore."""
    # the column as a condition names it: bare, quoted (`"resolvedAt"`, `` `order` ``) or with its table or alias
    name = rf"""(?<![\w"`])(?:[\w"`]+\.)?(?:{re.escape(column)}|"{re.escape(column)}"|`{re.escape(column)}`)(?![\w"`])"""
    empty = r"IS\s+NULL\b|=\s*(?:''|'\{\}'|'\[\]')(?!')"
    if re.search(rf"{name}\s*(?:{empty})", op.where or "", re.I):
        return True
    # `SET x = COALESCE(x, …)` (Ruby's `r.x ||= …`): a row that holds a value keeps it
    value = next((sql for written, sql in op.assignments if written == column), "")
    return re.fullmatch(rf"COALESCE\(\s*{name}\s*,.*\)", value.strip(), re.I | re.S) is not None


def statement_of(op: DataUpdate | DataDelete, dialect: str) -> exp.Expression | None:
    """The data change as a tree, or, for one read from code without one, its condition as
    `SELECT 1 FROM t WHERE …` (enough for the readers of conditions); None when there is neither, or the
    condition is no SQL."""
    if isinstance(op.expression, exp.Expression):
        return op.expression
    if not op.where:
        return None
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    try:
        parsed = sqlglot.parse_one(
            f"SELECT 1 FROM {quote(op.table, dialect)} WHERE {op.where}", dialect=syntax
        )
    except (SqlglotError, ValueError):
        return None
    return parsed if isinstance(parsed, exp.Expression) else None


def constant(node: exp.Expression) -> bool:
    """A literal other than NULL: `'x'`, `0`, `-1`, `true`, `'x'::text`."""
    while isinstance(node, exp.Paren | exp.Cast | exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal | exp.Boolean)


def held_to_constants(tree: exp.Expression | None) -> Iterator[tuple[str, exp.Expression]]:
    """(column, constant) for each `column = constant` AND-ed into the tree's condition."""
    where = tree.args.get("where") if tree is not None else None
    if where is None:
        return
    for node in where.find_all(exp.EQ):
        if not in_conjunction(node, where):
            continue
        for mine, other in ((node.this, node.expression), (node.expression, node.this)):
            if isinstance(mine, exp.Column) and constant(other):
                yield identifier(mine.this), other
