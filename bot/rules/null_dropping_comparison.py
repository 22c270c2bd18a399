"""Comparisons that silently skip NULLs, empty strings, padded or differently-cased values.

## Why is this bad?
`WHERE status <> 'archived'` does not match rows whose `status` is NULL: `NULL <> 'archived'` is unknown,
not true, so those rows are skipped without a word. The same family of surprises: `'paid '` with a
trailing space matches only rows padded the same way, `WHERE name IS NULL` leaves `''` untouched, and
`= 'Paid'` misses `paid` on a case-sensitive collation when the application stores lower case, and
`id NOT IN (SELECT user_id FROM bans)` is never true once one `user_id` is NULL. `WHERE status = NULL` (or
`<> NULL`) is never true for any row at all: it is `IS NULL` that tests for NULL.

## Use instead
Say what NULL should do: `WHERE status IS DISTINCT FROM 'archived'` (PostgreSQL),
`WHERE NOT (status <=> 'archived')` (MySQL) or `WHERE status <> 'archived' OR status IS NULL`. Treat
`''` like NULL where the data has both (`NULLIF(name, '') IS NULL`), trim literals, and compare
`lower(column)` when the code normalises case, and `NOT EXISTS` instead of `NOT IN (SELECT …)`. Count the edge cases in production first.

## Framework notes
MySQL and MariaDB's default collations ignore case and trailing spaces, so there only NULLs, empty
strings and leading spaces are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import DATA_CHANGES, DataInsert, Migration, Operation, SetNotNull
from bot.references.code_values import near_member
from bot.rules.context import Context
from bot.sql.data_changes import where_of
from bot.sql.names import identifier, table_name
from bot.sql.statements import render
from bot.sql.writes import not_null_in

RULE = Rule(
    id="null-dropping-comparison",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Use `IS DISTINCT FROM` (or add `OR column IS NULL`), trim literals, and handle '' and case explicitly.",
    bad=("UPDATE orders SET archived = false WHERE status <> 'archived' AND id >= 1 AND id < 1000;",),
    good=(
        "UPDATE orders SET archived = false WHERE status IS DISTINCT FROM 'archived' AND id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DATA_CHANGES) or (
            context.catalog.is_new(op.table) and not isinstance(op, DataInsert)
        ):
            continue
        condition = where_of(op)
        if condition is None:  # an ORM call read by a framework adapter: only its WHERE text is known
            yield from _empty_strings(op, _text_null_tests(str(getattr(op, "where", "") or "")), context)
            continue
        handled = _null_handled(condition)
        for node in condition.find_all(exp.NEQ, exp.Not):
            column = _negated_column(node)
            if column and column not in handled and _nullable(op, column, context):
                yield _skips_nulls(op, column, render(node, context.dialect), context)
        for literal in condition.find_all(exp.Literal):
            padded = literal.name != (literal.name.lstrip() if context.mysql else literal.name.strip())
            if literal.is_string and padded:
                yield op.finding(
                    RULE,
                    f"The condition compares with `'{literal.name}'`, which has leading or trailing spaces.",
                    blast_radius=f"Only rows of `{getattr(op, 'table', '')}` padded exactly the same way match; "
                    "the rest are skipped.",
                    fix=f"Compare with `'{literal.name.strip()}'`, or `trim(column)` if the data really is padded.",
                )
        yield from _not_in_nullable(op, condition, context)
        yield from _compared_with_null(op, condition, context)
        yield from _case_sensitive(op, condition, context)
        yield from _empty_strings(op, _tree_null_tests(condition), context)


def _not_in_nullable(op: Operation, condition: exp.Expression, context: Context) -> Iterator[Finding]:
    """`x NOT IN (SELECT col FROM t)`: one NULL in `col` and the condition is never true, for any row."""
    for node in condition.find_all(exp.Not):
        inner = node.this
        query = inner.args.get("query") if isinstance(inner, exp.In) else None
        select = query.this if isinstance(query, exp.Subquery) else None
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            continue
        picked = select.expressions[0]
        origin = select.args.get("from_")
        table = origin.find(exp.Table) if origin is not None else None
        if not isinstance(picked, exp.Column) or table is None:
            continue
        column, source = identifier(picked.this), table_name(table)
        known = context.catalog.column(source, column)
        where = select.args.get("where")
        if known is None or not known.nullable or not_null_in(where.this if where else None, column):
            continue
        target = str(getattr(op, "table", ""))
        yield op.finding(
            RULE,
            f"`{render(node, context.dialect)}` is never true once one row of `{source}` has NULL in "
            f"`{column}`: `NOT IN` over a list holding NULL matches nothing.",
            blast_radius=f"If `{source}.{column}` holds a single NULL, no row of `{target}` is changed, and "
            "the migration still succeeds.",
            fix=f"Write `NOT EXISTS (SELECT 1 FROM {source} WHERE {source}.{column} = …)`, or add "
            f"`WHERE {column} IS NOT NULL` to the sub-query.",
        )


def _compared_with_null(op: Operation, condition: exp.Expression, context: Context) -> Iterator[Finding]:
    """`status = NULL`, `status <> NULL`: a comparison with NULL is NULL, never true, for every row."""
    compared: list[exp.EQ | exp.NEQ] = [*condition.find_all(exp.EQ), *condition.find_all(exp.NEQ)]
    for node in compared:
        column = next((side for side in (node.this, node.expression) if isinstance(side, exp.Column)), None)
        if column is None or not any(isinstance(side, exp.Null) for side in (node.this, node.expression)):
            continue
        sql = render(node, context.dialect)
        name, test = identifier(column.this), "IS NOT NULL" if isinstance(node, exp.NEQ) else "IS NULL"
        yield op.finding(
            RULE,
            f"{code_span(sql)} is never true: a comparison with NULL is NULL, whatever `{name}` "
            "holds, so the condition matches no row.",
            blast_radius=f"No row of `{getattr(op, 'table', '')}` is picked by this comparison; the migration "
            "succeeds and the change it was meant to make is not made.",
            fix=f"Write `{name} {test}`.",
        )


def _null_handled(condition: exp.Expression) -> set[str]:
    handled = {identifier(n.this.this) for n in condition.find_all(exp.Is) if isinstance(n.this, exp.Column)}
    handled |= {identifier(c.this) for f in condition.find_all(exp.Coalesce) for c in f.find_all(exp.Column)}
    return handled


def _negated_column(node: exp.Expression) -> str:
    """The column of `column <> 'x'` or `column NOT IN ('x', …)`: compared with constants only."""
    inner = node.this if isinstance(node, exp.Not) else node
    while isinstance(inner, exp.Paren):  # `NOT (status = 'x')`, as Rails' `where.not(status: "x")` writes it
        inner = inner.this
    if isinstance(node, exp.Not) and not isinstance(inner, exp.In | exp.EQ):
        return ""
    others = inner.expressions if isinstance(inner, exp.In) else [inner.expression]
    if not others or not all(isinstance(o, exp.Literal) for o in others):
        return ""
    return identifier(inner.this.this) if isinstance(inner.this, exp.Column) else ""


def _nullable(op: Operation, column: str, context: Context) -> bool:
    known = context.catalog.column(str(getattr(op, "table", "")), column)
    return known is None or known.nullable


def _skips_nulls(op: Operation, column: str, sql: str, context: Context) -> Finding:
    instead = f"{column} IS DISTINCT FROM …" if context.postgres else f"NOT ({column} <=> …)"
    return op.finding(
        RULE,
        f"{code_span(sql)} is never true for rows whose `{column}` is NULL, so the statement skips them silently.",
        blast_radius=f"Rows of `{getattr(op, 'table', '')}` with NULL in `{column}` are left out of the change.",
        fix=f"Write `{instead}` or add `OR {column} IS NULL` if NULL rows belong in the change; "
        f"count them first: `SELECT count(*) FROM {getattr(op, 'table', '')} WHERE {column} IS NULL`.",
    )


def _case_sensitive(op: Operation, condition: exp.Expression, context: Context) -> Iterator[Finding]:
    if context.mysql:  # the default collations compare case-insensitively
        return
    table = str(getattr(op, "table", ""))
    for node in condition.find_all(exp.EQ):
        if not isinstance(node.this, exp.Column) or not isinstance(node.expression, exp.Literal):
            continue
        value, column = node.expression.name, identifier(node.this.this)
        if not node.expression.is_string or value == value.lower():
            continue
        definition = context.values.best(table, column, [value], context.catalog)
        member = near_member(definition, value) if definition is not None else None
        if member is not None:
            yield op.finding(
                RULE,
                f"`{render(node, context.dialect)}` is case-sensitive, but the code stores `'{member.value}'`.",
                severity=Severity.WARNING,
                blast_radius=f"Rows of `{table}` stored as `'{member.value}'` do not match and are skipped.",
                fix=f"Compare with `'{member.value}'`, or `lower({column}) = '{value.lower()}'`.",
            )


_TEXT_TYPES = ("text", "varchar", "character varying", "char", "character", "citext")


def _empty_strings(
    op: Operation, tests: list[tuple[str, str | exp.Expression]], context: Context
) -> Iterator[Finding]:
    """`tests`: the (column, SQL or its tree, rendered only for a finding) of each `column IS NULL` the
    condition makes, none if it also tests ''."""
    table = str(getattr(op, "table", ""))
    derived = _derived_columns(op)  # `SET state = CASE status … WHERE state IS NULL`: rows not yet backfilled
    # a fill of the NULLs before the column becomes NOT NULL (Rails' `change_column_null … default`): '' is
    # no NULL, so the rows it leaves do not stop the constraint
    ops = context.migration.up if context.migration is not None else ()
    constrained = {o.column for o in ops if isinstance(o, SetNotNull) and o.table == table}
    for column, sql in tests:
        known = context.catalog.column(table, column)
        if (
            column in derived
            or column in constrained
            or known is None
            or known.type.split("(")[0].strip() not in _TEXT_TYPES
        ):
            continue
        if isinstance(sql, exp.Expression):
            sql = render(sql, context.dialect)
        yield op.finding(
            RULE,
            f"{code_span(sql)} treats NULL as missing but not `''`: empty strings in the text "
            f"column `{column}` are left as they are.",
            severity=Severity.INFO,
            blast_radius=f"Rows of `{table}` whose `{column}` is an empty string are not changed.",
            fix=_empty_fix(
                context.migration.framework if context.migration is not None else "", table, column
            ),
        )


def _tree_null_tests(condition: exp.Expression) -> list[tuple[str, str | exp.Expression]]:
    if any(lit.is_string and lit.name == "" for lit in condition.find_all(exp.Literal)):
        return []
    return [
        (identifier(node.this.this), node)
        for node in condition.find_all(exp.Is)
        if not isinstance(node.parent, exp.Not)
        and not node.args.get("negate")
        and isinstance(node.this, exp.Column)
    ]


def _text_null_tests(where: str) -> list[tuple[str, str | exp.Expression]]:
    if "''" in where:
        return []
    return [(m.group(1).lower(), m.group(0)) for m in _IS_NULL.finditer(where)]


_IS_NULL = re.compile(r"(?<!NOT )\b(\w+) IS NULL\b", re.I)


def _derived_columns(op: Operation) -> set[str]:
    """Columns the statement computes from other columns (a backfill), rather than fills with a constant."""
    tree = op.expression
    if tree is None or not isinstance(tree, exp.Update):
        return set()
    return {
        identifier(a.this)
        for a in tree.expressions
        if isinstance(a, exp.EQ) and a.expression is not None and a.expression.find(exp.Column) is not None
    }


def _empty_fix(framework: str, table: str, column: str) -> str:
    """Take '' as missing too, as the migration's framework writes it; the count to run first, in SQL."""
    count = f"count them first: `SELECT count(*) FROM {table} WHERE {column} = ''`."
    if framework == "django":
        return f"If '' means missing too, filter `Q({column}__isnull=True) | Q({column}=\"\")`; {count}"
    if framework == "rails":
        return f"If '' means missing too, use `where({column}: [nil, \"\"])`; {count}"
    return f"If '' means missing too, use `NULLIF({column}, '') IS NULL`; {count}"
