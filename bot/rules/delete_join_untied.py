"""A DELETE that joins another table without tying it to the rows deleted deletes every row.

## Why is this bad?
`DELETE FROM payments USING orders WHERE orders.status = 'cancelled'` reads like "delete the payments of
cancelled orders", but nothing says which order a payment belongs to: the join is a cross join, so as soon as
one order is cancelled, every payment matches and every payment is deleted. MySQL's multi-table form, `DELETE
p FROM payments p JOIN orders o WHERE o.status = 'cancelled'`, does the same. The statement succeeds, and a
whole table is gone.

## Use instead
Tie the joined table to the deleted rows (`WHERE payments.order_id = orders.id AND orders.status =
'cancelled'`), or select the rows through a sub-query: `DELETE FROM payments WHERE order_id IN (SELECT id
FROM orders WHERE status = 'cancelled')`. Count what it deletes first, with the same condition.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, Migration
from bot.rules.context import Context
from bot.sql.names import table_name
from bot.sql.statements import render
from bot.sql.writes import in_conjunction

RULE = Rule(
    id="delete-join-untied",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Tie the joined table to the deleted rows (`WHERE t.parent_id = p.id AND …`), or use `IN (SELECT …)`.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);\n"
        "CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL);\n"
        "-- migration\n"
        "DELETE FROM payments USING orders WHERE orders.status = 'cancelled';",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);\n"
        "CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL);\n"
        "-- migration\n"
        "DELETE FROM payments USING orders WHERE payments.order_id = orders.id AND orders.status = 'cancelled';",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataDelete) or not isinstance(op.expression, exp.Delete):
            continue
        delete = op.expression
        target = delete.this
        if not isinstance(target, exp.Table):
            continue
        mine = target.alias_or_name
        others = [t for t in delete.args.get("using") or [] if isinstance(t, exp.Table)]
        others += [
            j.this for j in target.args.get("joins") or [] if isinstance(j.this, exp.Table) and not j.side
        ]
        conditions = [c for c in _conditions(delete) if c is not None]
        for other in others:
            alias = other.alias_or_name
            if alias == mine or _tied(alias, mine, conditions):
                continue
            yield _finding(op, table_name(target), table_name(other), delete, context)


def _conditions(delete: exp.Delete) -> list[exp.Expression | None]:
    where = delete.args.get("where")
    found: list[exp.Expression | None] = [where.this if isinstance(where, exp.Where) else where]
    found += [j.args.get("on") for j in delete.find_all(exp.Join)]
    return found


def _tied(alias: str, mine: str, conditions: list[exp.Expression]) -> bool:
    """Does an AND-ed comparison of the conditions read a column of `alias` and one of another table (a
    column written without a table is the deleted table's)?"""
    for root in conditions:
        for node in root.find_all(exp.Predicate):
            if isinstance(node, exp.And | exp.Or) or not in_conjunction(node, root):
                continue
            if node.find_ancestor(exp.Subquery) is not None:
                continue
            tables = {c.table or mine for c in node.find_all(exp.Column)}
            if alias in tables and len(tables) > 1:
                return True
            if isinstance(node, exp.Exists | exp.In) and node.find(exp.Subquery) is not None:
                inner = {c.table for c in node.find_all(exp.Column)}
                if alias in inner and (mine in inner or "" in inner):
                    return True
    return False


def _finding(op: DataDelete, table: str, other: str, delete: exp.Delete, context: Context) -> Finding:
    where = delete.args.get("where")
    condition = render(where.this, context.dialect) if isinstance(where, exp.Where) else ""
    said = f" (`{condition}`)" if condition else ""
    return op.finding(
        RULE,
        f"The DELETE from `{table}` joins `{other}` with no condition tying it to the rows deleted: as soon as "
        f"one `{other}` row matches{said}, every row of `{table}` is deleted.",
        blast_radius=f"Every row of {context.size_words(table)}, not only the ones meant; nothing fails.",
        fix=f"Tie the tables (`WHERE {table}.<key> = {other}.<key> AND …`) or select the rows through a "
        f"sub-query (`WHERE <key> IN (SELECT … FROM {other} WHERE …)`); count what it deletes first.",
    )
