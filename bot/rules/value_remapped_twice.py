"""A later UPDATE of the migration picks its rows by the value an earlier one has just written, and maps them again.

## Why is this bad?
Renaming statuses one statement at a time reads naturally: `UPDATE tickets SET status = 'closed' WHERE
status = 'resolved'`, then `UPDATE tickets SET status = 'archived' WHERE status = 'closed'`. The second
statement cannot tell the tickets that were closed before from those the first one closed a moment ago: every
resolved ticket ends up archived, not closed. Nothing fails, the counts look plausible, and afterwards no
query can tell which archived ticket was resolved. Django's `.filter(status="closed").update(…)` and Rails'
`where(status: "closed").update_all(…)` after an update to `"closed"` do the same.

## Use instead
Map each row once, from the value it held before the migration: write the whole mapping as one UPDATE
(`SET status = CASE status WHEN 'resolved' THEN 'closed' WHEN 'closed' THEN 'archived' END WHERE status IN
('resolved', 'closed')`), or run the statements in the other order, the one that reads `'closed'` first.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration, Operation
from bot.rules.context import Context
from bot.sql.data_changes import constant, held_to_constants, statement_of
from bot.sql.names import identifier
from bot.sql.writes import assigned, in_conjunction

RULE = Rule(
    id="value-remapped-twice",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Map each row once from its old value: one UPDATE with a CASE, or the statement that reads the value first.",
    bad=(
        "CREATE TABLE tickets (id bigint PRIMARY KEY, status text NOT NULL);\n-- migration\n"
        "UPDATE tickets SET status = 'closed' WHERE status = 'resolved';\n"
        "UPDATE tickets SET status = 'archived' WHERE status = 'closed';",
    ),
    good=(
        "CREATE TABLE tickets (id bigint PRIMARY KEY, status text NOT NULL);\n-- migration\n"
        "UPDATE tickets SET status = 'archived' WHERE status = 'closed';\n"
        "UPDATE tickets SET status = 'closed' WHERE status = 'resolved';",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for ops in (migration.up, migration.down or ()):
        yield from _chains(ops, context)


def _chains(ops: tuple[Operation, ...], context: Context) -> Iterator[Finding]:
    # (table, column, value written) → the UPDATE that wrote it, and the condition it picked its rows by
    written: dict[tuple[str, str, str], tuple[DataUpdate, str]] = {}
    # (table, column) → the constants written into it so far, by any UPDATE
    filled: dict[tuple[str, str], set[str]] = {}
    for op in ops:
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        tree = statement_of(op, context.dialect)
        picked = list(_picked_by(tree))
        targets = {write.target: write.value for write in assigned(op, context.dialect)}
        for column, value in picked:
            earlier = written.get((op.table, column, value))
            now = targets.get(column)
            if earlier is None or now is None or _sql(now) == value:
                continue
            sources = {v for c, v in _picked_by(statement_of(earlier[0], context.dialect)) if c == column}
            if _sql(now) in sources or sources & filled.get((op.table, column), set()) - {value}:
                continue  # a swap through a placeholder: the values the earlier UPDATE moved away were refilled
            yield _finding(op, earlier, column, value, _sql(now), context)
        for column, node in targets.items():
            if constant(node) and (column, _sql(node)) not in picked:
                written[(op.table, column, _sql(node))] = (op, op.where or "")
                filled.setdefault((op.table, column), set()).add(_sql(node))


def _picked_by(tree: exp.Expression | None) -> Iterator[tuple[str, str]]:
    """(column, constant) for each `column = constant` and each constant of `column IN (…)` the condition
    AND-s in."""
    for column, value in held_to_constants(tree):
        yield column, _sql(value)
    where = tree.args.get("where") if tree is not None else None
    if where is None:
        return
    for node in where.find_all(exp.In):
        if in_conjunction(node, where) and isinstance(node.this, exp.Column):
            for value in node.expressions:
                if constant(value):
                    yield identifier(node.this.this), _sql(value)


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="postgres")


def _finding(
    op: DataUpdate, earlier: tuple[DataUpdate, str], column: str, value: str, now: str, context: Context
) -> Finding:
    first, picked = earlier
    source = f" (from `{picked}`)" if picked else ""
    return op.finding(
        RULE,
        f"This UPDATE picks the rows of `{op.table}` by `{column} = {value}`, the value line "
        f"{first.location.line} has just written{source}: those rows are mapped again, to {now}, instead of "
        f"keeping {value}.",
        blast_radius=f"Every row line {first.location.line} changed in {context.size_words(op.table)} ends "
        f"with `{column} = {now}`, mixed with the rows that held {value} before; nothing tells them apart "
        "afterwards.",
        fix=f"Run this UPDATE before line {first.location.line}, or write the whole mapping as one UPDATE: "
        f"`SET {column} = CASE {column} WHEN … THEN … END`, so each row is mapped once from its old value.",
    )
