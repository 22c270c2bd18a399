"""A value computed from a nullable column with `||`, arithmetic, a comparison or MySQL's `CONCAT()` is NULL for
every row where that column is NULL.

## Why is this bad?
`SET full_name = first_name || ' ' || last_name` writes NULL, not `'Ada '`, for every user without a last
name: one NULL operand makes the whole expression NULL. `SET total = price * qty` does the same for every
row missing a quantity, and MySQL's `CONCAT(a, b)` returns NULL as soon as one argument is NULL. A boolean set
from a comparison, `SET active = (status = 'active')`, is NULL (neither true nor false) where `status` is NULL. Nothing
fails: the new column is simply empty for those rows, and an existing value is overwritten with NULL.

PostgreSQL's `jsonb_set(doc, path, value)` is the same trap with a whole document at stake: it returns
NULL when `value` is NULL, so `SET options = jsonb_set(options, '{position,col}', to_jsonb((options->
'position'->>'col')::int * 2))` replaces the whole `options` of every row without that key with NULL.

A document edited in place is the same trap from the other side: `SET prefs = prefs || '{"theme": "dark"}'`,
`jsonb_set(prefs, …)` or MySQL's `JSON_SET(prefs, …)` and `JSON_MERGE_PATCH(prefs, …)` return NULL where
`prefs` is NULL, so every row without a document silently does not get the new keys (all of them, when the
column was just added).

## Use instead
Say what a missing operand means: `concat_ws(' ', first_name, last_name)` (skips NULLs),
`coalesce(last_name, '')`, `coalesce(qty, 0)`, or keep those rows out of the change with
`WHERE last_name IS NOT NULL`. Count them first: `SELECT count(*) FROM users WHERE last_name IS NULL`.
For `jsonb_set`, keep the rows without the key out (`WHERE options->'position' ? 'col'`), or use
`jsonb_set_lax(…, 'use_json_null')` (PostgreSQL 13) or `coalesce(value, 'null'::jsonb)`. Start a missing
document empty: `coalesce(prefs, '{}'::jsonb) || …`, `JSON_SET(COALESCE(prefs, JSON_OBJECT()), …)`.

## Framework notes
PostgreSQL's `concat()` ignores NULL arguments, so only `||` is reported there; MySQL's `CONCAT()` does not.
Likewise MySQL's `GREATEST()` and `LEAST()` return NULL as soon as one argument is NULL, where PostgreSQL's
skip NULL arguments: `SET last_seen_at = GREATEST(last_seen_at, last_login_at)` empties every row without a
login on MySQL only.
MySQL's `JSON_SET()` writes a JSON null for a NULL value and keeps the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules._backfill import added_in
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.writes import Write, guarded, not_null_in, null_only_in, writes

RULE = Rule(
    id="null-propagation",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Replace NULL operands explicitly (`coalesce`, `concat_ws`) or keep those rows out with `IS NOT NULL`.",
    bad=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name text, last_name text, full_name text);\n"
        "-- migration\n"
        "UPDATE people SET full_name = first_name || ' ' || last_name WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name text, last_name text, full_name text);\n"
        "-- migration\n"
        "UPDATE people SET full_name = concat_ws(' ', first_name, last_name) WHERE id >= 1 AND id < 1000;",
    ),
)

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)
# a comparison written as the value itself (a boolean column set from it); in a CASE or a WHERE, NULL counts as false
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert) or context.catalog.is_new(op.table):
            continue
        for write in writes(op):
            nullable = _nullable_operands(write, context)
            if nullable and _faithful(write, migration):
                continue
            if nullable:
                yield _finding(op, write, nullable, context)
            elif context.postgres and (missing := _null_new_value(write, context)) is not None:
                yield _document_finding(op, write, missing, context)
            elif isinstance(op, DataUpdate) and (call := _edited_document(write, op, context)) is not None:
                yield _null_document_finding(op, write, call, migration, context)


def _nullable_operands(write: Write, context: Context) -> list[str]:
    found: dict[str, None] = {}
    for operator in _propagating(write.value, context):
        if isinstance(operator, exp.Concat):
            operands = list(operator.expressions)
        elif isinstance(operator, exp.Greatest | exp.Least):
            operands = [operator.this, *operator.expressions]
        else:
            operands = [operator.this, operator.expression]
        for operand in operands:
            _collect(operand, operator, write, context, found)
    order = [identifier(c.this) for c in write.value.find_all(exp.Column, bfs=False)]
    return sorted(found, key=order.index)


def _faithful(write: Write, migration: Migration) -> bool:
    """`SET price_cents = price_dollars * 100` into a column the change adds (or only where it is NULL): the
    value is computed from one column, so a NULL there stays NULL, which is what the empty column held."""
    sources = {identifier(c.this) for c in write.value.find_all(exp.Column)}
    empty = added_in(migration, write.table, write.target) or null_only_in(write.where, write.target)
    return len(sources) == 1 and empty


def _propagating(value: exp.Expression, context: Context) -> Iterator[exp.Expression]:
    top = value
    while isinstance(top, exp.Paren):
        top = top.this
    if isinstance(top, _COMPARISONS):
        yield top  # `SET active = (status = 'active')`: a comparison with NULL is NULL, not false
    for node in value.find_all(exp.DPipe, exp.Concat, exp.Greatest, exp.Least, *_ARITHMETIC):
        if isinstance(node, exp.Concat) and (node.args.get("coalesce") or not context.mysql):
            continue
        if isinstance(node, exp.Greatest | exp.Least) and not context.mysql:
            continue  # PostgreSQL's GREATEST and LEAST skip NULL arguments; MySQL's return NULL
        yield node


def _collect(
    operand: exp.Expression | None,
    operator: exp.Expression,
    write: Write,
    context: Context,
    found: dict[str, None],
) -> None:
    if not isinstance(operand, exp.Column) or guarded(operand, operator):
        return
    name = identifier(operand.this)
    if name == write.target and write.table_of(operand) == write.table:
        return  # `total = total * 100`: where `total` is NULL the row keeps the NULL it had
    known = context.catalog.column(write.table_of(operand), name)
    if known is not None and known.nullable and not not_null_in(write.where, name):
        found.setdefault(name, None)


_SETTERS = {"jsonb_set", "json_set", "jsonb_insert"}  # STRICT: NULL when the new value is NULL
_EXTRACTIONS = (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar)


def _null_new_value(write: Write, context: Context) -> exp.Expression | None:
    """The part of a `jsonb_set` new value that is NULL for some rows (a key the document may lack, a
    nullable column), which makes the whole call, and so the document written, NULL."""
    for call in write.value.find_all(exp.Anonymous):
        if str(call.this).lower() in _SETTERS and len(call.expressions) >= 3:
            missing = _may_be_null(call.expressions[2], write, context)
            if missing is not None and not _kept_out(missing, write, context):
                return missing
    return None


# A document edited in place: NULL in, NULL out (PostgreSQL's `||` and `jsonb_set`; MySQL's JSON functions)
_EDITORS = {
    "jsonb_set",
    "jsonb_insert",
    "json_set",
    "json_insert",
    "json_merge_patch",
    "json_merge_preserve",
    "json_merge",
    "json_array_append",
    "json_array_insert",
}
_DOCUMENT_TYPES = ("json", "jsonb")


def _edited_document(write: Write, op: DataUpdate, context: Context) -> exp.Expression | None:
    """`SET prefs = prefs || '{"theme": "dark"}'` (or `jsonb_set(prefs, …)`, `JSON_SET(prefs, …)`) on a
    nullable JSON column: where `prefs` is NULL the result is NULL, so those rows never get the new keys."""
    known = context.before(op).column(write.table, write.target)
    if known is None or not known.nullable or known.type.lower().split("(")[0] not in _DOCUMENT_TYPES:
        return None
    value = write.value
    if isinstance(value, exp.DPipe | exp.JSONSet):
        document = value.this
    elif isinstance(value, exp.Anonymous) and str(value.this).lower() in _EDITORS and value.expressions:
        document = value.expressions[0]
    else:
        return None
    if not isinstance(document, exp.Column) or identifier(document.this) != write.target:
        return None
    if write.table_of(document) != write.table or _mentions(write.where, write.target):
        return None
    # `jsonb_set(doc, '{a}', to_jsonb((doc->>'a')::int * 2))`: a document reshaped from its own content has
    # nothing to reshape where it is NULL
    arguments = [value.expression] if isinstance(value, exp.DPipe) else list(value.expressions)[1:]
    if isinstance(value, exp.JSONSet):
        arguments = list(value.expressions)
    for argument in arguments:
        if any(identifier(c.this) == write.target for c in argument.find_all(exp.Column)):
            return None
    return value


def _mentions(where: exp.Expression | None, column: str) -> bool:
    """The condition tests the column in any way but `IS NULL` (`? 'key'`, `->> 'a' = …`, `IS NOT NULL`)."""
    if where is None:
        return False
    return any(
        identifier(node.this) == column
        and not (isinstance(node.parent, exp.Is) and null_only_in(where, column))
        for node in where.find_all(exp.Column)
    )


def _null_document_finding(
    op: DataUpdate, write: Write, call: exp.Expression, migration: Migration, context: Context
) -> Finding:
    value = render(call, context.dialect)
    known = context.before(op).column(write.table, write.target)
    empty = added_in(migration, write.table, write.target) or (known is not None and known.added_in_change)
    rows = (
        f"every row: `{write.target}` was just added and is NULL everywhere, so this update changes nothing"
        if empty
        else f"rows whose `{write.target}` is NULL"
    )
    start = "'{}'::jsonb" if context.postgres else "JSON_OBJECT()"
    return op.finding(
        RULE,
        f"`{op.table}.{write.target}` is edited in place with `{value}`: where `{write.target}` is NULL the "
        "result is NULL too, so those rows silently do not get the new keys.",
        blast_radius=f"In `{write.source}`, {rows}; code that then reads the new keys finds none there.",
        fix=f"Start missing documents empty: `coalesce({write.target}, {start})` in place of `{write.target}`; "
        f"count them first: `SELECT count(*) FROM {write.source} WHERE {write.target} IS NULL`.",
    )


def _may_be_null(node: exp.Expression, write: Write, context: Context) -> exp.Expression | None:
    if isinstance(node, exp.Coalesce | exp.Case | exp.If | exp.Literal):
        return None
    if isinstance(node, (exp.Null, *_EXTRACTIONS)):
        return node
    if isinstance(node, exp.Column):
        known = context.catalog.column(write.table_of(node), identifier(node.this))
        return node if known is not None and known.nullable else None
    for child in node.iter_expressions():
        if (found := _may_be_null(child, write, context)) is not None:
            return found
    return None


def _kept_out(missing: exp.Expression, write: Write, context: Context) -> bool:
    """The WHERE names the key or column whose absence makes the value NULL (`? 'col'`, `IS NOT NULL`)."""
    if write.where is None:
        return False
    where = render(write.where, context.dialect)
    if isinstance(missing, exp.Column):
        return not_null_in(write.where, identifier(missing.this))
    keys = [str(k.this) for k in missing.find_all(exp.JSONPathKey)]
    return bool(keys) and f"'{keys[-1]}'" in where


def _document_finding(
    op: DataUpdate | DataInsert, write: Write, missing: exp.Expression, context: Context
) -> Finding:
    part = render(missing, context.dialect)
    return op.finding(
        RULE,
        f"`{op.table}.{write.target}` is set with `jsonb_set`, whose new value is NULL wherever `{part}` is "
        "NULL: `jsonb_set` then returns NULL, and the whole document is replaced with NULL.",
        blast_radius=f"Rows of `{write.source}` where `{part}` is NULL (a document without that key) lose "
        f"their whole `{write.target}`"
        + (", overwriting the value they had." if isinstance(op, DataUpdate) else "."),
        fix="Keep those rows out (`WHERE doc->'a' ? 'b'`), or use `jsonb_set_lax(…, 'use_json_null')` "
        f"(PostgreSQL 13) or `coalesce(…, 'null'::jsonb)`; count them first: `SELECT count(*) FROM "
        f"{write.source} WHERE {part} IS NULL`.",
    )


def _finding(op: DataUpdate | DataInsert, write: Write, nullable: list[str], context: Context) -> Finding:
    columns = " or ".join(f"`{c}`" for c in nullable)
    value = render(write.value, context.dialect)
    remedy = (
        "`concat_ws(' ', …)` or `coalesce(column, '')`"
        if write.value.find(exp.DPipe, exp.Concat) is not None
        else "`coalesce(column = …, false)` (or `column IS NOT DISTINCT FROM …`)"
        if isinstance(write.value.unnest(), _COMPARISONS)
        else "`coalesce(column, 0)`"
    )
    counted = " OR ".join(f"{c} IS NULL" for c in nullable)
    return op.finding(
        RULE,
        f"`{op.table}.{write.target}` is set to `{value}`, which is NULL for every row where {columns} "
        "is NULL: one NULL operand makes the whole expression NULL.",
        blast_radius=f"Rows of `{write.source}` with NULL in {columns} get NULL in `{op.table}.{write.target}`"
        + (", overwriting the value they had." if isinstance(op, DataUpdate) else "."),
        fix=f"Replace NULL explicitly with {remedy}, or add `WHERE … IS NOT NULL`; count the rows first: "
        f"`SELECT count(*) FROM {write.source} WHERE {counted}`.",
    )
