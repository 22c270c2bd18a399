"""A column converted in place (`SET price = price * 100`): old and new units mixed, and converted twice on a retry.

## Why is this bad?
`UPDATE products SET price = price * 100` turns dollars into cents in the column the application reads and
writes. The migration runs before (or while) the new code rolls out, so for minutes the old code keeps
writing dollars into a column that now holds cents, and reads cents as dollars: those rows end up in the
wrong unit, and nothing in the row says which unit it holds. The same holds for a time column shifted in
place (`SET starts_at = starts_at + interval '1 hour'`), and for a flag turned round in place (`SET notify =
NOT notify`): the old code keeps writing the old meaning, and a re-run turns every row back.

When the conversion commits in parts (batches, a Rails migration with `disable_ddl_transaction!`, a
Django migration with `atomic = False`, MySQL), a failure halfway and a re-run convert the rows already
done a second time: prices a hundred times too high, times shifted twice.

## Use instead
Convert into a new column: add `price_cents`, fill it from `price` (`WHERE price_cents IS NULL`, so a
re-run skips the rows already done), make the code write both, switch the reads to the new column, then
drop the old one in a later release. If the column must keep its name, mark each converted row in the same
statement (`SET price = price * 100, price_in_cents = true WHERE NOT price_in_cents`) and have the code read
the mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, DataUpdate, Migration, RenameColumn, transaction_flags
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.writes import Write, assigned

RULE = Rule(
    id="rescaled-in-place",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Convert into a new column (filled `WHERE new IS NULL`), switch the code to it, then drop the old one.",
    bad=(
        "CREATE TABLE products (id bigint PRIMARY KEY, price numeric(12, 2));\n"
        "-- migration\n"
        "UPDATE products SET price = price * 100 WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE products (id bigint PRIMARY KEY, price numeric(12, 2));\n"
        "-- migration\n"
        "ALTER TABLE products ADD COLUMN price_cents bigint;\n"
        "UPDATE products SET price_cents = price * 100 WHERE id >= 1 AND id < 1000 AND price_cents IS NULL;",
    ),
)

# functions that keep a rescaled value what it is, rounded or cast: `round(price * 100)`, `(price * 100)::int`
_KEEPS = (exp.Cast, exp.TryCast, exp.Round, exp.Floor, exp.Ceil, exp.Paren)
_KEEPING_NAMES = frozenset({"round", "trunc", "floor", "ceil", "ceiling"})
# columns that only order rows: spreading them out (`position = position * 10`) changes no unit
_ORDERING = re.compile(
    r"(?:^|_)(?:position|sort|sort_order|sort_key|ordering|display_order|order_index|rank|seq)$", re.I
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    added: set[tuple[str, str]] = set()  # columns this change adds: no old code reads or writes them
    flags = transaction_flags(migration)
    for index, op in enumerate(migration.up):
        if isinstance(op, AddColumn):
            added.add((op.table.lower(), op.column.name.lower()))
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table) or _marked(op):
            continue  # a table the change creates, or a conversion that marks the rows it did
        catalog = context.before(op)
        for write in assigned(op, context.dialect):
            if (write.table.lower(), write.target.lower()) in added or _chosen_by_value(op, write.target):
                continue  # a column the change adds, or a fix of the rows whose value is wrong
            if catalog.column(write.table, write.target) is None or _ORDERING.search(write.target):
                continue  # unknown, or a sort key spread out (`position = position * 10`): no unit to mix
            how = _conversion(write, "mysql" if context.mysql else context.dialect)
            if (
                how is not None
                and how.upper().startswith("NOT")
                and _renamed(migration, op.table, write.target)
            ):
                continue  # `RENAME is_hidden TO is_visible` then `SET is_visible = NOT is_visible`: kept right
            if how is not None:
                yield _finding(op, write, how, parts=not flags[index])


def _finding(op: DataUpdate, write: Write, how: str, *, parts: bool) -> Finding:
    column = f"`{write.table}.{write.target}`"
    twice = (
        " It is not applied all at once (in batches, or with no transaction around the migration), so a re-run "
        "after a failure converts the rows already done a second time."
        if parts
        else ""
    )
    return op.finding(
        RULE,
        f"{column} is converted in place (`{how}`): until the old code is gone it keeps writing and reading "
        f"`{write.target}` as before, so rows end up in both forms with nothing to tell them apart.{twice}",
        blast_radius=f"Every row of `{write.table}` the old code writes or reads during the deploy, and, on a "
        "re-run, every row converted before the failure.",
        fix=f"Add a new column, fill it from `{write.target}` `WHERE <new> IS NULL`, switch the code to it, and drop "
        f"`{write.target}` in a later release (or mark each converted row in the same UPDATE and read the mark).",
    )


def _renamed(migration: Migration, table: str, column: str) -> bool:
    return any(
        isinstance(op, RenameColumn) and op.table == table and column in (op.column, op.new_name)
        for op in migration.up
    )


def _marked(op: DataUpdate) -> bool:
    """Does the UPDATE set a column its WHERE tests, to a value that does not read that column (`SET price =
    price * 100, in_cents = true WHERE NOT in_cents`)? Such a mark keeps a row from being converted twice and
    tells the code which rows are done."""
    where = {w.lower() for w in re.findall(r"[A-Za-z_]\w*", op.where or "")}
    return any(
        column.lower() in where and re.search(rf"\b{re.escape(column)}\b", value, re.I) is None
        for column, value in op.assignments
    )


def _chosen_by_value(op: DataUpdate, column: str) -> bool:
    """Does the WHERE pick rows by the column's own value (`WHERE total > 100000`), as a fix of the rows
    entered wrong does? `IS NOT NULL` picks no value."""
    where = re.sub(rf"\b{re.escape(column)}\s+IS\s+NOT\s+NULL\b", "", op.where or "", flags=re.I)
    return re.search(rf"\b{re.escape(column)}\b", where, re.I) is not None


def _conversion(write: Write, dialect: str) -> str | None:
    """`price * 100`, `100 * price`, `price / 1000.0`, `round(price * 100)`, `starts_at + interval '1 hour'`:
    the column's own value rescaled or shifted by a constant; None for anything else."""
    value = _unwrapped(write.value)
    if isinstance(value, exp.Not) and _is_target(_unwrapped(value.this), write):
        return value.sql(dialect=dialect)  # `flag = NOT flag`: the meaning turned round in place
    if isinstance(value, exp.Mul | exp.Div):
        sides = [_unwrapped(value.this), _unwrapped(value.expression)]
        own = [s for s in sides if _is_target(s, write)]
        other = [s for s in sides if not _is_target(s, write)]
        if len(own) == 1 and len(other) == 1 and _factor(other[0]) not in (None, Decimal(1), Decimal(-1)):
            if isinstance(value, exp.Div) and not _is_target(sides[0], write):
                return None  # `100 / price` is no change of unit
            return value.sql(dialect=dialect)
    if isinstance(value, exp.Add | exp.Sub):
        sides = [_unwrapped(value.this), _unwrapped(value.expression)]
        if _is_target(sides[0], write) and isinstance(sides[1], exp.Interval):
            return value.sql(dialect=dialect)
        if isinstance(value, exp.Add) and _is_target(sides[1], write) and isinstance(sides[0], exp.Interval):
            return value.sql(dialect=dialect)
    return None


def _unwrapped(node: exp.Expression) -> exp.Expression:
    while True:
        if isinstance(node, _KEEPS) and isinstance(node.this, exp.Expression):
            node = node.this
        elif (
            isinstance(node, exp.Anonymous)
            and node.name.lower() in _KEEPING_NAMES
            and node.expressions
            and isinstance(node.expressions[0], exp.Expression)
        ):
            node = node.expressions[0]
        else:
            return node


def _is_target(node: exp.Expression, write: Write) -> bool:
    return (
        isinstance(node, exp.Column)
        and identifier(node.this).lower() == write.target.lower()
        and (
            not node.table
            or write.table_of(node).lower().rsplit(".", 1)[-1] == write.table.lower().rsplit(".", 1)[-1]
        )
    )


def _factor(node: exp.Expression) -> Decimal | None:
    """A numeric constant (`100`, `0.01`, `-1`); None for anything else."""
    if isinstance(node, exp.Neg):
        inner = _factor(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return Decimal(node.name)
        except InvalidOperation:
            return None
    return None
