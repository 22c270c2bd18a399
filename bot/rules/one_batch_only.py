"""An UPDATE or DELETE bounded by a LIMIT runs once: it changes one batch and leaves the rest.

## Why is this bad?
`UPDATE orders SET status = 'archived' WHERE status = 'closed' LIMIT 10000` (MySQL), or `DELETE FROM
events WHERE id IN (SELECT id FROM events WHERE created_at < '2020-01-01' LIMIT 5000)`, is how one batch of
a batched change is written. In a SQL migration file nothing runs it again: the migration changes at most
10,000 rows, reports success, and every other matching row keeps its old value. A NOT NULL, a unique key or
code deployed next that counts on all rows having been changed then fails, or works on half the data; on
a small staging database the one batch covered everything, so the difference shows only in production.

## Use instead
Change every matching row: drop the LIMIT when the rows are few; otherwise run the batches in a loop that
ends when a batch changes nothing (a `DO` block or procedure with a loop, or the framework's batching:
Rails `in_batches`, a management command), or take the data change out of the migration into a job that
runs to completion, and check afterwards that no row is left (`SELECT count(*) … WHERE <the condition>`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import table_name

RULE = Rule(
    id="one-batch-only",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Loop over the batches until none is left, or drop the LIMIT; check that no matching row remains.",
    bad=(
        "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz);\n-- migration\n"
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < '2020-01-01' LIMIT 5000);",
    ),
    good=(
        "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz);\n-- migration\n"
        "DELETE FROM events WHERE created_at < '2020-01-01';",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not migration.path.endswith(".sql"):
        return  # code can loop over the statement (Rails, Python, JavaScript): its reader says when it does
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete) or op.loop or context.catalog.is_new(op.table):
            continue  # a DO block's loop runs the batch again until it changes nothing
        tree = op.expression
        if not isinstance(tree, exp.Update | exp.Delete):
            continue
        limit = _limit(tree, op.table)
        if limit is None:
            continue
        verb = "updates" if isinstance(op, DataUpdate) else "deletes"
        yield op.finding(
            RULE,
            f"This statement {verb} at most {limit} rows of `{op.table}`, and a SQL migration runs it once: "
            "the rows past the first batch are left as they were.",
            blast_radius=f"Every matching row of {context.size_words(op.table)} beyond the first {limit}; whatever "
            "the change prepares (a constraint, the next deploy's code) then meets rows it did not expect.",
        )


def _limit(tree: exp.Expression, table: str) -> str | None:
    """The LIMIT (of at least 2 rows) that bounds the statement: its own (MySQL) or that of a sub-query on
    the same table choosing the rows (`WHERE id IN (SELECT id FROM t … LIMIT n)`)."""
    own = tree.args.get("limit")
    if own is not None:
        value = own.expression if isinstance(own, exp.Limit) else own
        return _at_least_two(value)
    where = tree.args.get("where")
    for select in where.find_all(exp.Select) if where is not None else ():
        limit = select.args.get("limit")
        source = select.args.get("from_")
        if limit is None or source is None or not isinstance(source.this, exp.Table):
            continue
        if table_name(source.this) == table:
            found = _at_least_two(limit.expression)
            if found is not None:
                return found
    return None


def _at_least_two(value: exp.Expression | None) -> str | None:
    if isinstance(value, exp.Literal) and value.is_int and int(value.this) >= 2:
        return f"{int(value.this):,}"
    return None
