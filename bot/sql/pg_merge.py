"""MERGE (PostgreSQL 15+, `WHEN NOT MATCHED BY SOURCE` from 17) read as the UPDATE, INSERT … SELECT and
DELETE each WHEN clause performs, so the data rules, the cascades and the rollback plan read it like those
statements.

The rows a clause acts on:
- `WHEN MATCHED`: the target's rows with a source row (`EXISTS (SELECT 1 FROM source WHERE on)`);
- `WHEN NOT MATCHED BY SOURCE`: the target's rows without one (`NOT EXISTS (…)`): a sync that deletes them
  removes every row the source does not hold;
- `WHEN NOT MATCHED [BY TARGET]`: the source's rows without a target row, inserted.
A clause only sees the rows the earlier clauses of its kind did not take, so their conditions are excluded
(`NOT (condition) IS TRUE`). The target's alias is written as its table's name in the conditions the
rollback plan and the validation queries reuse, so they run on their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from sqlglot import exp

from bot.model.migration import DataDelete, DataInsert, DataUpdate, Operation, RawSQL
from bot.sql.data_changes import case_mappings, reads
from bot.sql.names import identifier
from bot.sql.pg_nodes import relation
from bot.sql.statements import render

Base = dict[str, Any]


def merge_clauses(node: ast.MergeStmt, base: Base, tree: Any) -> Iterator[Operation]:
    table = relation(node.relation)
    whens = tree.args.get("whens") if isinstance(tree, exp.Merge) else None
    if whens is None:
        yield RawSQL(category="merge", table=table, **base)
        return
    clause = _Clauses(tree, table)
    line = int(base["location"].line)
    for when in whens.expressions:
        action, rows = when.args.get("then"), clause.rows(when)
        if rows is None:
            continue  # an earlier clause of its kind takes every row: this one never runs
        if isinstance(action, exp.Update):
            yield _update(clause, when, action, rows, table, line, base)
        elif isinstance(action, exp.Insert) and isinstance(action.expression, exp.Tuple):
            yield _insert(clause, action, rows, table, line, base)
        elif isinstance(action, exp.Var) and action.name.upper() == "DELETE":
            delete = exp.Delete(this=clause.target.copy(), where=exp.Where(this=rows))
            yield DataDelete(table=table, where=render(rows), **{**base, "expression": delete})


class _Clauses:
    """The parts of one MERGE, and the conditions of the clauses read so far (per kind of match)."""

    def __init__(self, tree: exp.Merge, table: str) -> None:
        self.target: exp.Expression = tree.this
        self.source: exp.Expression | None = tree.args.get("using")
        self.on: exp.Expression | None = tree.args.get("on")
        self.table = table
        self.alias = self.target.alias_or_name
        self.taken: dict[str, list[exp.Expression]] = {}  # the conditions of the clauses read, per kind
        self.closed: set[str] = set()  # kinds an unconditional clause has taken every row of

    def rows(self, when: exp.When) -> exp.Expression | None:
        """The target's rows the clause acts on (for an INSERT, the source's), None when it never runs."""
        kind = _kind(when)
        if kind in self.closed:
            return None
        earlier = self.taken.setdefault(kind, [])
        condition = when.args.get("condition")
        excluded = [
            exp.Not(this=exp.Is(this=exp.Paren(this=c.copy()), expression=exp.true())) for c in earlier
        ]
        if condition is None:
            self.closed.add(kind)
        else:
            earlier.append(condition)
        if kind == "insert":
            return _conjunction(condition, *excluded)
        if kind == "matched":  # the conditions may read the source row: they hold for a matching one
            return self._own(self._exists(condition, *excluded) or _conjunction(condition, *excluded))
        missing = self._exists()
        return self._own(_conjunction(exp.Not(this=missing) if missing else None, condition, *excluded))

    def _exists(self, *conditions: exp.Expression | None) -> exp.Expression | None:
        """EXISTS (a source row that matches the target row and meets the conditions)."""
        if self.source is None or self.on is None:
            return None
        where = _conjunction(self.on, *conditions)
        select = exp.Select(expressions=[exp.Literal.number(1)]).from_(self.source.copy()).where(where)
        return exp.Exists(this=select)

    def _own(self, condition: exp.Expression) -> exp.Expression:
        """The condition with the target's alias written as its table, so it runs as `FROM table WHERE …`."""
        if self.alias == self.table.rsplit(".", 1)[-1]:
            return condition
        for column in condition.find_all(exp.Column):
            if column.table == self.alias:
                column.set("table", exp.to_identifier(self.table.rsplit(".", 1)[-1]))
        return condition


def _kind(when: exp.When) -> str:
    if when.args.get("matched"):
        return "matched"
    return "by-source" if when.args.get("source") else "insert"


def _update(
    clause: _Clauses,
    when: exp.When,
    action: exp.Update,
    rows: exp.Expression,
    table: str,
    line: int,
    base: Base,
) -> DataUpdate:
    """`WHEN MATCHED` reads the source (`UPDATE … FROM source WHERE on`); `BY SOURCE` has no source row."""
    matched = _kind(when) == "matched"
    on = _conjunction(clause.on, when.args.get("condition")) if matched else rows
    update = exp.Update(
        this=clause.target.copy(),
        expressions=[e.copy() for e in action.expressions],
        from_=exp.From(this=clause.source.copy()) if matched and clause.source is not None else None,
        where=exp.Where(this=on.copy()),
    )
    return DataUpdate(
        table=table,
        assignments=tuple(
            (identifier(a.this), render(a.expression)) for a in update.expressions if isinstance(a, exp.EQ)
        ),
        where=render(rows),
        case_mappings=case_mappings(update, "postgres", line),
        reads=reads(update),
        **{**base, "expression": update},
    )


def _insert(
    clause: _Clauses, action: exp.Insert, rows: exp.Expression, table: str, line: int, base: Base
) -> DataInsert:
    columns = [c.copy() for c in action.this.expressions] if isinstance(action.this, exp.Tuple) else []
    chosen = exp.Select(expressions=[v.copy() for v in action.expression.expressions])
    if clause.source is not None:
        chosen = chosen.from_(clause.source.copy())
    if not isinstance(rows, exp.Boolean):
        chosen = chosen.where(rows.copy())
    insert = exp.Insert(
        this=exp.Schema(this=exp.to_table(table), expressions=columns) if columns else exp.to_table(table),
        expression=chosen,
    )
    return DataInsert(
        table=table,
        columns=tuple(identifier(c) for c in columns),
        from_select=True,
        case_mappings=case_mappings(insert, "postgres", line),
        **{**base, "expression": insert},
    )


def _conjunction(*conditions: exp.Expression | None) -> exp.Expression:
    present = [
        exp.Paren(this=c.copy()) if isinstance(c, exp.Or) else c.copy() for c in conditions if c is not None
    ]
    if not present:
        return exp.true()
    joined = present[0]
    for condition in present[1:]:
        joined = exp.And(this=joined, expression=condition)
    return joined
