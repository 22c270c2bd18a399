"""An INSERT … SELECT can put the same value of a unique key into the table twice.

## Why is this bad?
`INSERT INTO tags (name) SELECT tag FROM posts` copies one row per post, and many posts share a tag: with a
unique index on `tags.name`, the database rejects the statement at the second `urgent`, and the migration
fails in production (in a transaction, everything before it is undone), though it passed on every
development database, whose posts had no shared tag. A copy into a table that already holds rows fails the
same way on a key it already has (`INSERT INTO user_settings (user_id) SELECT id FROM users` where some users
have their settings): a warning, when the table is known to hold rows (the probe counted them, or earlier
migrations inserted them), unless the SELECT leaves those keys out. `ON CONFLICT … DO UPDATE` does not save it on
PostgreSQL: a command may not update the row it inserted itself (`ON CONFLICT DO UPDATE command cannot affect
row a second time`). The values are unique only where the SELECT makes them so: `DISTINCT`, a `GROUP BY` on
them, a source column that is itself unique, or at most one row. Literal rows fail the same way: `INSERT …
VALUES` with a key an earlier migration already inserted (a settings row, a permission seeded again), or with
the same key twice in its list, fails on every database.

## Use instead
Make the SELECT return each key once: `SELECT DISTINCT tag FROM posts`, or `GROUP BY tag` with an aggregate
for the other columns. Or let duplicates go deliberately: `ON CONFLICT (name) DO NOTHING` (PostgreSQL,
SQLite), `INSERT IGNORE` (MySQL). Count them first: `SELECT tag, count(*) FROM posts GROUP BY tag HAVING
count(*) > 1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration, RawSQL, RenameTable, Unparsed
from bot.rules.context import Context
from bot.sql.names import identifier, table_name
from bot.sql.statements import render

RULE = Rule(
    id="insert-collision",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Select each key once (`DISTINCT`, `GROUP BY` the key), or skip duplicates on purpose "
    "(`ON CONFLICT DO NOTHING`, `INSERT IGNORE`).",
    bad=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, tag text);\n"
        "-- migration\nCREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);\n"
        "INSERT INTO tags (name) SELECT tag FROM posts WHERE tag IS NOT NULL;",
    ),
    good=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, tag text);\n"
        "-- migration\nCREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);\n"
        "INSERT INTO tags (name) SELECT DISTINCT tag FROM posts WHERE tag IS NOT NULL;",
        "CREATE TABLE posts (id bigint PRIMARY KEY, tag text);\n"
        "-- migration\nCREATE TABLE tags (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);\n"
        "INSERT INTO tags (name) SELECT tag FROM posts WHERE tag IS NOT NULL ON CONFLICT (name) DO NOTHING;",
    ),
)

# functions that give each row a value of its own: identifiers and random values (SQLite's
# `lower(hex(randomblob(16)))`, PostgreSQL's `md5(random()::text)`, which sqlglot names `rand`)
_GENERATED = {
    "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "uuid_generate_v1mc", "uuid", "uuidv4", "uuidv7",
    "uuid_short", "nextval", "newid", "newsequentialid", "sys_guid", "random", "rand", "randomblob",
    "gen_random_bytes",
}  # fmt: skip


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, DataInsert) and op.rows and not op.from_select:
            yield from _values(op, context)
            continue
        if not isinstance(op, DataInsert) or not op.from_select or not isinstance(op.expression, exp.Insert):
            continue
        insert = op.expression
        select = insert.expression
        if insert.args.get("ignore") or insert.args.get("alternative") or op.replaces:
            continue  # INSERT IGNORE, INSERT OR IGNORE / OR REPLACE: duplicates are skipped or replace
        conflict = insert.args.get("conflict")
        updates = isinstance(conflict, exp.OnConflict) and str(conflict.args.get("action", "")) == "DO UPDATE"
        if conflict is not None and not updates:
            continue  # DO NOTHING skips them; MySQL's ON DUPLICATE KEY UPDATE updates the row again
        if not isinstance(select, exp.Select) or _one_row(select) or not op.columns:
            continue
        projections = select.expressions
        if len(projections) != len(op.columns) or any(isinstance(p, exp.Star) for p in projections):
            continue
        catalog = context.before(op)
        for key in catalog.unique_keys(op.table):
            if not key or not all(c in op.columns for c in key):
                continue
            chosen = [_unaliased(projections[op.columns.index(c)]) for c in key]
            if not _unique(select, chosen, len(projections), catalog, _earlier_keys(migration, op, context)):
                yield _finding(op, key, chosen, select, updates, context)
                break
            if conflict is None and _meets_existing_rows(op, select, chosen, catalog):
                yield _existing(op, key, chosen, context)
                break


def _finding(
    op: DataInsert,
    key: tuple[str, ...],
    chosen: list[exp.Expression],
    select: exp.Select,
    updates: bool,
    context: Context,
) -> Finding:
    columns = ", ".join(key)
    values = ", ".join(render(e, context.dialect) for e in chosen)
    source = select.args.get("from_")
    origin = render(source.this, context.dialect) if source is not None else "the query"
    failure = (
        "`ON CONFLICT … DO UPDATE` refuses to update a row the same statement inserted ('command cannot affect "
        "row a second time')"
        if updates
        else "the unique key rejects the second copy"
    )
    return op.finding(
        RULE,
        f"The SELECT can return the same `{values}` more than once for the unique key `{op.table}({columns})`: "
        f"{failure}, and the migration fails on the first value that repeats in `{origin}`.",
        blast_radius=f"The deploy stops at this statement wherever `{origin}` holds a repeated `{values}` "
        "(production usually does; an empty test database does not); in a transaction, the whole migration is "
        "undone.",
        fix=f"Select each key once (`SELECT DISTINCT …`, or `GROUP BY {values}`), or skip duplicates on purpose "
        f"(`ON CONFLICT ({columns}) DO NOTHING`). Count them first: `SELECT {values}, count(*) FROM {origin} "
        f"GROUP BY {values} HAVING count(*) > 1`.",
    )


# What makes an INSERT … VALUES skip or merge a row whose key exists: then a repeated key is no failure.
_SKIPS_EXISTING = re.compile(
    r"\bON\s+CONFLICT\b|\bINSERT\s+(?:OR\s+\w+\s+)?IGNORE\b|\bINSERT\s+OR\s+REPLACE\b|\bON\s+DUPLICATE\s+KEY\b"
    r"|\bREPLACE\s+INTO\b|\bMERGE\b",
    re.I,
)
_LITERAL = re.compile(r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false", re.I)


def _values(op: DataInsert, context: Context) -> Iterator[Finding]:
    """Literal rows whose unique key repeats one the list already has, or one an earlier migration inserted
    (and nothing has deleted since): the database rejects the row and the migration fails everywhere."""
    if op.replaces or not op.columns or op.in_block or _SKIPS_EXISTING.search(op.sql or ""):
        return
    catalog = context.before(op)
    seeds = catalog.seeds.get(op.table, [])
    for key in catalog.unique_keys(op.table):
        if not key or not all(c in op.columns for c in key):
            continue
        at = [op.columns.index(c) for c in key]
        seen: set[tuple[str, ...]] = set()
        for row in op.rows:
            if len(row) != len(op.columns):
                break
            values = tuple(row[i].strip() for i in at)
            if not all(_LITERAL.fullmatch(v) for v in values):
                continue
            earlier = any(
                all(seed.get(c, "").strip() == v for c, v in zip(key, values, strict=True)) for seed in seeds
            )
            if values in seen or earlier:
                yield _repeated(op, key, values, earlier, context)
                return
            seen.add(values)


def _repeated(
    op: DataInsert, key: tuple[str, ...], values: tuple[str, ...], earlier: bool, context: Context
) -> Finding:
    columns, shown = ", ".join(key), ", ".join(values)
    where = (
        "an earlier migration already inserted a row with it" if earlier else "the same INSERT lists it twice"
    )
    return op.finding(
        RULE,
        f"The INSERT puts `({shown})` into the unique key `{op.table}({columns})`, and {where}: the database "
        "rejects the row and the migration fails.",
        blast_radius="Every database the migration runs on"
        + (", production included (it ran the earlier migration)" if earlier else ", new installs included")
        + "; in a transaction, the whole migration is undone.",
        fix=f"Insert only the rows that are missing (`ON CONFLICT ({columns}) DO NOTHING`, `INSERT IGNORE`, "
        f"or `WHERE NOT EXISTS`), or update the existing row instead.",
    )


def _meets_existing_rows(
    op: DataInsert, select: exp.Select, chosen: list[exp.Expression], catalog: Catalog
) -> bool:
    """The target already holds rows (a table from before the change) and the SELECT does not leave out the
    keys it has (`WHERE NOT EXISTS (SELECT 1 FROM target …)`, `NOT IN`, an anti-join on it); values made new
    for each row cannot meet them."""
    if catalog.is_new(op.table) or op.table in catalog.deleted_in_change or op.table not in catalog.tables:
        return False
    if not catalog.rows.get(op.table) and not catalog.seeds.get(op.table):
        return (
            False  # rows not shown (by the probe, or by rows the migrations inserted): an empty table may be
        )
    if any(_function(f) in _GENERATED for e in chosen for f in e.find_all(exp.Func)):
        return False
    if not any(e.find(exp.Column) is not None for e in chosen):
        return False  # a constant: the one value a migration adds on purpose
    return not any(table_name(t).lower() == op.table.lower() for t in select.find_all(exp.Table))


def _existing(
    op: DataInsert, key: tuple[str, ...], chosen: list[exp.Expression], context: Context
) -> Finding:
    columns = ", ".join(key)
    values = ", ".join(render(e, context.dialect) for e in chosen)
    return op.finding(
        RULE,
        f"`{op.table}` already has rows, and nothing keeps the SELECT from returning a `{values}` one of them "
        f"holds: the unique key `{op.table}({columns})` rejects it and the migration fails.",
        severity=Severity.WARNING,
        blast_radius=f"The deploy stops at this statement wherever `{op.table}` already holds one of the copied "
        "keys; in a transaction, the whole migration is undone.",
        fix=f"Copy only the keys it lacks (`… WHERE NOT EXISTS (SELECT 1 FROM {op.table} t WHERE "
        f"t.{key[0]} = …)`), or skip them on purpose (`ON CONFLICT ({columns}) DO NOTHING`).",
    )


def _earlier_keys(migration: Migration, op: DataInsert, context: Context) -> dict[str, list[tuple[str, ...]]]:
    """The unique keys each table's rows met when the migration began, by the name the table has at `op`: a
    table rebuilt by copy keeps its rows' uniqueness on the way, though its indexes are dropped first (authelia
    renames `user_opaque_identifier` to `_bkp_…` after dropping its unique index, then copies it back). A table
    renamed since, or filled only by copies of one table's columns under their own names, has that table's keys.
    A table something else wrote to in between has none."""
    before = migration.up[: migration.up.index(op)]
    origin: dict[str, str] = {t: t for t in context.catalog.tables}
    written: set[str] = set()
    for earlier in before:
        if isinstance(earlier, RenameTable) and earlier.table in origin:
            origin[earlier.new_name] = origin.pop(earlier.table)
        elif isinstance(earlier, DataInsert) and earlier.table not in origin:
            source = _copied_from(earlier)
            if source in origin and earlier.table not in written:
                origin[earlier.table] = origin[source]
                continue
            written.add(earlier.table)
        elif isinstance(earlier, DataInsert | DataUpdate):
            written.add(earlier.table)
        elif isinstance(earlier, RawSQL):  # a body that writes (a DO block, a procedure called)
            written.update(earlier.writes)
        elif isinstance(earlier, Unparsed):
            written.add("*")
    if "*" in written:
        return {}
    return {
        name: context.catalog.unique_keys(table)
        for name, table in origin.items()
        if name not in written and table not in written
    }


def _copied_from(op: DataInsert) -> str:
    """The table an `INSERT INTO t (a, b) SELECT a, b FROM s` copies columns of under their own names; ""."""
    insert = op.expression
    select = insert.expression if isinstance(insert, exp.Insert) else None
    if not isinstance(select, exp.Select) or select.args.get("joins") or not op.columns:
        return ""
    names = [identifier(p.this).lower() if isinstance(p, exp.Column) else "" for p in select.expressions]
    source = select.args.get("from_")
    table = source.this if source is not None else None
    if names != [c.lower() for c in op.columns] or not isinstance(table, exp.Table):
        return ""
    return table_name(table)


def _unique(
    select: exp.Select,
    chosen: list[exp.Expression],
    width: int,
    catalog: Catalog,
    earlier: dict[str, list[tuple[str, ...]]],
) -> bool:
    """The SELECT returns each value of `chosen` at most once (or makes new ones for each row: a generator, or
    a VOLATILE function of the project's own, such as documenso's `generate_prefix_id('org_setting')`, which
    returns the prefix and a random suffix); `earlier`: the keys the tables' rows met when the migration began."""
    if any(_generates(_function(f), catalog) for e in chosen for f in e.find_all(exp.Func)):
        return True
    # a constant beside grouped values repeats no key: one row per group holds it
    varying = [e for e in chosen if not isinstance(e.this if isinstance(e, exp.Cast) else e, exp.Literal)]
    distinct = select.args.get("distinct")
    if isinstance(distinct, exp.Distinct):
        on = distinct.args.get("on")
        if on is None and len(chosen) == width:
            return True  # DISTINCT makes whole rows unique, not a key of some of their columns
        listed = {e.sql() for e in (on.expressions if isinstance(on, exp.Tuple) else [on])} if on else set()
        if listed and varying and all(e.sql() in listed for e in varying):
            return True
    group = select.args.get("group")
    if group is not None:
        grouped = {_unaliased(e).sql() for e in group.expressions}
        if varying and all(e.sql() in grouped for e in varying):
            return True
    if select.args.get("joins"):
        return True  # rows multiplied or not by the joins: not said here
    source = select.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table) or table_name(table) not in catalog.tables:
        return True  # a source the schema does not know (or a sub-query): not judged
    # the source's columns the key's values are made of: unique when they hold a unique key of the source
    # (`id`, `id || '-old'`); a constant, or columns that repeat, can give the same value twice
    names = {identifier(c.this).lower() for e in chosen for c in e.find_all(exp.Column)}
    keys = catalog.unique_keys(table_name(table)) + earlier.get(table_name(table), [])
    if not keys:
        return True  # a source with no key the schema knows (made outside the migrations): not judged
    return any(key and {k.lower() for k in key} <= names for key in keys)


def _generates(function: str, catalog: Catalog) -> bool:
    """Does the function return a new value on each call: a built-in generator, or a function the migrations
    created VOLATILE (PostgreSQL's default when they declare nothing)?"""
    return function in _GENERATED or catalog.functions.get(function) == "volatile"


def _one_row(select: exp.Select) -> bool:
    """At most one row: `LIMIT 1`, or an aggregate over the whole source (no GROUP BY)."""
    limit = select.args.get("limit")
    if limit is not None and limit.expression is not None and limit.expression.sql() in ("0", "1"):
        return True
    aggregated = any(p.find(exp.AggFunc) is not None for p in select.expressions)
    return aggregated and select.args.get("group") is None


def _unaliased(node: exp.Expression) -> exp.Expression:
    return node.this if isinstance(node, exp.Alias) else node


def _function(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
