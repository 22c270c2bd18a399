"""A column's NULLs are filled with a placeholder (`'unknown'`, `0`) so it can become NOT NULL.

## Why is this bad?
`UPDATE accounts SET country = 'unknown' WHERE country IS NULL` (or `SET country = COALESCE(country,
'unknown')`) before `ALTER COLUMN country SET NOT NULL` makes the constraint pass, and turns "nobody ever said"
into a value. From then on `'unknown'` is both what the fill wrote and what a user or an import may really have
entered, and nothing tells them apart: reports that count countries, code that checks `country IS NULL` to ask
the user, and every later migration read it as data. A number is worse: `SET score = 0 WHERE score IS NULL`
puts thousands of zeros into every average and sum of `score`. Nothing fails; the information that the value
was missing is gone. A reviewer asks whether that is what the product wants.

Not reported: a value that is the column's default (new rows without one get it too, so the old rows become
like new ones), the empty string (text's own "nothing", how Django stores an optional CharField, and what a
down migration maps back to NULL), a boolean (`true` or `false` is the question the flag asks; a NULL flag is read as one of them
already, `false` nearly always), a column the change itself adds (its NULLs were never data), and a fill
computed from other columns (a real backfill).

## Use instead
Keep NULL for "unknown" where the code can live with it, or record which rows were filled (a boolean
`country_unknown`, or the ids in a backup table) so the placeholder can be told from real data. If the
placeholder can never be a real value, say so in the pull request and suppress this finding with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, DataUpdate, Migration, Operation, SetDefault, SetNotNull
from bot.rules.context import Context
from bot.sql.data_changes import fills_nulls
from bot.sql.domains import Literal, literal

_SCHEMA = "CREATE TABLE accounts (id bigint PRIMARY KEY, country text);\n-- migration\n"
RULE = Rule(
    id="nulls-filled-with-placeholder",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.INFO,
    help="Keep NULL for unknown, or record which rows got the placeholder; suppress with the reason if it is never real data.",
    bad=(
        _SCHEMA + "UPDATE accounts SET country = 'unknown' WHERE country IS NULL;\n"
        "ALTER TABLE accounts ALTER COLUMN country SET NOT NULL;",
    ),
    good=(
        _SCHEMA + "UPDATE accounts SET country = 'unknown' WHERE country IS NULL;\n"
        "ALTER TABLE accounts ALTER COLUMN country SET DEFAULT 'unknown';\n"
        "ALTER TABLE accounts ALTER COLUMN country SET NOT NULL;",
    ),
)

_NOT_NULL_CHECK = re.compile(r"^\(?\s*\"?(\w+)\"?\s+IS\s+NOT\s+NULL\s*\)?$", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        later = migration.up[index + 1 :]
        for column, value in _placeholders(op):
            known = context.before(op).column(op.table, column)
            if known is None or known.added_in_change or not _made_not_null(later, op.table, column):
                continue
            if _default(value, known.default, later, op.table, column):
                continue
            yield op.finding(
                RULE,
                f"The NULLs of `{op.table}.{column}` are filled with {value.sql} before it becomes NOT NULL: from "
                f"now on {value.sql} stands both for a value someone gave and for one nobody ever gave, and "
                "nothing tells them apart" + (_NUMBER if not value.quoted else "."),
                blast_radius=f"Every row of `{op.table}` whose `{column}` is NULL (count them first: `SELECT "
                f"count(*) FROM {op.table} WHERE {column} IS NULL`), and every report, check and later migration "
                f"that reads `{column}`.",
                fix=f"Keep NULL for unknown if the code can, or record the filled rows (a `{column}_unknown` flag, "
                f"or their ids in a backup table); if {value.sql} is never real data, suppress this finding with "
                "that reason.",
            )


_NUMBER = ": it also enters every sum and average of the column."


def _placeholders(op: DataUpdate) -> Iterator[tuple[str, Literal]]:
    """The columns whose NULLs the UPDATE fills with one constant: `SET c = 'x' WHERE c IS NULL`, `SET c =
    COALESCE(c, 'x')`."""
    tree = op.expression
    for column, sql in op.assignments:
        if not fills_nulls(op, column):
            continue
        value = literal(sql)
        if value is None and isinstance(tree, exp.Update):
            value = _coalesced(tree, column)
        if value is not None and not (value.quoted and value.text == ""):
            yield column, value  # '' is text's own "nothing" (Django's optional CharField), no placeholder


def _coalesced(tree: exp.Update, column: str) -> Literal | None:
    for assignment in tree.expressions:
        if not isinstance(assignment, exp.EQ) or assignment.this.name.lower() != column.lower():
            continue
        value = assignment.expression
        if isinstance(value, exp.Coalesce) and len(value.expressions) == 1:
            return literal(value.expressions[0].sql())
    return None


def _made_not_null(later: tuple[Operation, ...], table: str, column: str) -> bool:
    """A later statement of the migration makes the column NOT NULL (SET NOT NULL, a restated MODIFY, a
    `CHECK (column IS NOT NULL)`)."""
    for o in later:
        if isinstance(o, SetNotNull) and o.table == table and o.column == column:
            return True
        if isinstance(o, AddConstraint) and o.table == table:
            if o.constraint == "not_null" and column in o.columns:
                return True
            match = _NOT_NULL_CHECK.match(o.expression_sql.strip()) if o.constraint == "check" else None
            if match and match.group(1).lower() == column.lower():
                return True
    return False


def _default(
    value: Literal, default: str | None, later: tuple[Operation, ...], table: str, column: str
) -> bool:
    """The value is the column's default, now or as the migration sets it."""
    defaults = [default] + [
        o.default for o in later if isinstance(o, SetDefault) and o.table == table and o.column == column
    ]
    return any(
        d is not None and (held := literal(d)) is not None and held.text == value.text for d in defaults
    )
