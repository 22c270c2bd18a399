"""`INSERT … SELECT *` copies by position: where the two tables list their columns in another order, values land
in the wrong columns.

## Why is this bad?
`INSERT INTO orders_archive SELECT * FROM orders` pairs the first column of `orders` with the first column of
`orders_archive`, the second with the second, and so on, whatever their names. Tables drift apart: a column
added later to one goes last, a table re-created by hand lists them in another order. Where two swapped
columns have compatible types (`first_name` and `last_name`, `created_at` and `updated_at`, two ids) nothing
fails and every copied row is wrong; the archive is often the only copy once the rows are deleted. The same
happens when the SELECT names its columns but the INSERT names none (`INSERT INTO orders_archive SELECT id,
status, state_id FROM orders`): the target's own order counts, not the names; and where both sides list
columns, a SELECT whose names cross the INSERT's list is very likely a slip.

## Use instead
Name the columns on both sides: `INSERT INTO orders_archive (id, status, total) SELECT id, status, total
FROM orders`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, Migration
from bot.rules.context import Context
from bot.sql.names import table_name

RULE = Rule(
    id="star-copy-misaligned",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Name the columns on both sides of an INSERT … SELECT instead of copying with `*`.",
    bad=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name text, last_name text);\n"
        "CREATE TABLE people_archive (id bigint PRIMARY KEY, last_name text, first_name text);\n"
        "-- migration\n"
        "INSERT INTO people_archive SELECT * FROM people WHERE id < 1000;",
    ),
    good=(
        "CREATE TABLE people (id bigint PRIMARY KEY, first_name text, last_name text);\n"
        "CREATE TABLE people_archive (id bigint PRIMARY KEY, last_name text, first_name text);\n"
        "-- migration\n"
        "INSERT INTO people_archive (id, first_name, last_name) SELECT id, first_name, last_name FROM people "
        "WHERE id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataInsert) or not op.from_select or not isinstance(op.expression, exp.Insert):
            continue
        source = _star_source(op.expression)
        if source is None:
            yield from _listed(op, context)
            continue
        catalog = context.before(op)
        targets = list(op.columns) or _columns(catalog, op.table)
        sources = _columns(catalog, source)
        if not targets or len(targets) != len(sources):
            continue  # unknown, or a count that does not match: the statement fails on its own
        crossed = [
            (s, t) for s, t in zip(sources, targets, strict=True) if s != t and s in targets and t in sources
        ]
        if crossed:
            yield _finding(op, source, crossed, context)


def _listed(op: DataInsert, context: Context) -> Iterator[Finding]:
    """`INSERT INTO archive SELECT id, status, state_id FROM orders`: a SELECT that names its columns, paired by
    position with the target's columns (its own list, else the table's order), where a column named on one side
    lands in another column the target also has."""
    assert isinstance(op.expression, exp.Insert)
    select = op.expression.find(exp.Select)
    if select is None or any(isinstance(e, exp.Star) for e in select.expressions):
        return
    names = [
        e.alias_or_name.lower() if isinstance(e, exp.Column | exp.Alias) else "" for e in select.expressions
    ]
    targets = [c.lower() for c in op.columns] or _columns(context.before(op), op.table)
    if not targets or len(targets) != len(names):
        return  # unknown, or a count that does not match: the statement fails on its own
    crossed = [
        (s, t) for s, t in zip(names, targets, strict=True) if s and s != t and s in targets and t in names
    ]
    if not crossed:
        return
    pairs = ", ".join(f"`{s}` into `{op.table}.{t}`" for s, t in crossed[:4])
    more = f" and {len(crossed) - 4} more" if len(crossed) > 4 else ""
    listed = bool(op.columns)
    yield op.finding(
        RULE,
        f"`INSERT INTO {op.table}{' (…)' if listed else ''} SELECT …` pairs its columns by position, and the "
        + (
            "SELECT names them in another order than its column list"
            if listed
            else f"SELECT names them in another order than the columns of `{op.table}` (the statement has no "
            "column list, so the table's order counts)"
        )
        + f": it writes {pairs}{more}.",
        severity=Severity.WARNING if listed else None,
        blast_radius="Every row copied has those values in the wrong columns; nothing fails where the types are "
        "compatible.",
        fix=f"List the target columns in the SELECT's order: `INSERT INTO {op.table} ({', '.join(n or '…' for n in names)}) "
        "SELECT …`.",
    )


def _star_source(insert: exp.Insert) -> str | None:
    """The one table a `SELECT *` (or `SELECT t.*`) of the INSERT reads; None for any other SELECT."""
    select = insert.find(exp.Select)
    if select is None or len(select.expressions) != 1 or select.args.get("joins"):
        return None
    star = select.expressions[0]
    if not (isinstance(star, exp.Star) or (isinstance(star, exp.Column) and isinstance(star.this, exp.Star))):
        return None
    origin = select.args.get("from_")
    tables = list(origin.find_all(exp.Table)) if origin is not None else []
    return table_name(tables[0]) if len(tables) == 1 else None


def _columns(catalog: Catalog, table: str) -> list[str]:
    known = catalog.tables.get(table)
    return list(known.columns) if known is not None and not known.partial else []


def _finding(op: DataInsert, source: str, crossed: list[tuple[str, str]], context: Context) -> Finding:
    pairs = ", ".join(f"`{source}.{s}` into `{op.table}.{t}`" for s, t in crossed[:4])
    more = f" and {len(crossed) - 4} more" if len(crossed) > 4 else ""
    return op.finding(
        RULE,
        f"`INSERT INTO {op.table} … SELECT * FROM {source}` copies by position, and the two tables list their "
        f"columns in another order: it writes {pairs}{more}.",
        blast_radius=f"Every row copied from {context.size_words(source)} has those values in the wrong "
        "columns; nothing fails where the types are compatible.",
        fix=f"Name the columns on both sides: `INSERT INTO {op.table} ({', '.join(t for _, t in crossed)}, …) "
        f"SELECT {', '.join(t for _, t in crossed)}, … FROM {source}`.",
    )
