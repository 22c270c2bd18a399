"""The down migration does not bring the schema back to what it was before the up.

## Why is this bad?
A rollback runs when a deploy has gone wrong, and puts the previous release back in front of the database:
that release was written for the schema as it was. A down that renames a column back to the wrong name
(`RENAME COLUMN handle TO nickname` after the up renamed `nick` to `handle`), forgets a column or a table
the up dropped, or leaves one the up added NOT NULL, makes the rollback itself break the old release: its
queries fail on a column that is not there, its inserts on a NOT NULL column it does not know. Nobody runs
the down until the day it is needed.

The same holds for what the old release relies on without naming it: a unique index the up dropped that
the down does not build again (duplicates get in, and the old release's `ON CONFLICT` upserts fail), a
unique index the up added that the down leaves (the old release's inserts of values it allowed fail), and a
default the up dropped or changed that the down does not put back (the old release's inserts that leave the
column out get another value, or fail on a NOT NULL column). Unique indexes on columns are compared by table, columns
and predicate, not by name: a down that builds the same index under another name restores it. An index that
only speeds queries up, or one on an expression, is not reported, unless the up creates it by name without
`IF NOT EXISTS` and the down leaves it: then the up fails on it when it runs again after the rollback.

A column the down leaves nullable where it was NOT NULL, or a wider type of the same kind (`varchar(50)` for
`varchar(20)`), is not reported: the old release writes it as before; nor is a backup table the down restores
from. A narrower one (`varchar(100)` for `varchar(255)`, `integer` for `bigint`) is: the old release's longer
values, and those written since the up, no longer fit, and the rollback itself fails on them.

## Use instead
Write the down as the exact inverse of the up, statement by statement in reverse order, and run up, down
and up again on a scratch database before merging (the review's shadow run does this when configured).

A migration written as numbered parts (pop's `…000001_name.up.sql`, `…000002_name.up.sql`) is judged as a
whole: every part's up, then every part's down from the last part to the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, Table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddIndex,
    CreateTable,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    Unparsed,
)
from bot.rules._numbered_parts import both_ways, numbered_parts
from bot.rules.context import Context
from bot.sql.conversions import classify

RULE = Rule(
    id="down-does-not-restore",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Make the down the exact inverse of the up, and run up, down, up on a scratch database before merging.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, nick text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE users RENAME COLUMN nick TO handle;\n"
        "-- +goose Down\nALTER TABLE users RENAME COLUMN handle TO nickname;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, nick text);\n-- migration\n"
        "-- +goose Up\nALTER TABLE users RENAME COLUMN nick TO handle;\n"
        "-- +goose Down\nALTER TABLE users RENAME COLUMN handle TO nick;",
    ),
)

_SHOWN = 4


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ways = both_ways(migration, context)
    if ways is None:
        return  # one migration written as numbered parts: judged whole, at its first part
    up, down = ways
    whole = bool(numbered_parts(migration, context))
    if not down or not up or any(isinstance(op, Unparsed) for op in (*up, *down)):
        return  # no way back (other rules say so), or a part the review could not read
    if not whole and _derived(migration, down):
        return  # a way back the framework works out from the up (Rails' `change`, Django's operations)
    before = context.catalog
    if any(_exists(op, before) for op in up):
        return  # the up creates what the schema holds already: another database's history shares it
    state = before.snapshot()
    for op in up:
        state.apply(op)
    if _same(before, state):
        return  # the up changes no schema: nothing for the down to restore
    for op in down:
        state.apply(op)
    read_back = " ".join(op.sql.lower() for op in down)  # a backup the down restores from stays on purpose
    differences = [d for d in _differences(before, state, context.dialect) if not _backup(d, read_back)]
    differences += _indexes_left(up, down, before, state)
    if not differences:
        return
    shown = "; ".join(differences[:_SHOWN]) + (
        f"; and {len(differences) - _SHOWN} more" if len(differences) > _SHOWN else ""
    )
    first = down[0]
    yield first.finding(
        RULE,
        f"After the up and then the down, the schema is not what it was: {shown}.",
        blast_radius="A rollback puts the previous release back on a schema it was not written for: its queries "
        "and inserts fail on what the down leaves different.",
        fix=_laravel_remove(down)
        + "Make the down the exact inverse of the up (each statement undone, in reverse order), and run up, "
        "down and up again on a scratch database before merging.",
    )


def _laravel_remove(down: tuple[Operation, ...] | list[Operation]) -> str:
    """Laravel's `$table->removeColumn(…)` reads as a drop and is none: it takes the column out of the Blueprint
    being built, and no statement reaches the database."""
    if any(isinstance(op, RawSQL) and op.category == "Blueprint::removeColumn" for op in down):
        return "`$table->removeColumn(…)` drops nothing (it takes the column out of the Blueprint being built): use `dropColumn`. "
    return ""


def _exists(op: Operation, catalog: Catalog) -> bool:
    """A CREATE TABLE (without IF NOT EXISTS) of a table, or an ADD COLUMN of a column, the schema has."""
    if isinstance(op, CreateTable):
        return not op.if_not_exists and catalog.tables.get(op.table) is not None
    if isinstance(op, AddColumn):
        return not op.if_not_exists and catalog.has_column(op.table, op.column.name) is True
    return False


def _backup(difference: str, read_back: str) -> bool:
    if not difference.startswith("table `") or not difference.endswith("is left behind"):
        return False
    name = difference.split("`")[1].rsplit(".", 1)[-1]
    return re.search(rf"\b{re.escape(name)}\b", read_back) is not None


def _derived(migration: Migration, down: tuple[Operation, ...]) -> bool:
    """The down is the framework's inverse of the up, not written by hand: Django always; otherwise when a
    statement of the down comes from a line of the up (Rails' `change`, with or without `reversible` blocks;
    Ecto's `change`): a down written by hand shares no line with the up."""
    if migration.framework == "django":
        return True
    lines = {(op.location.path, op.location.line) for op in migration.up}
    return any((op.location.path, op.location.line) in lines for op in down)


def _same(a: Catalog, b: Catalog) -> bool:
    """No table, column, index or default the up adds, drops, retypes or makes NULL or NOT NULL."""
    old, new = _tables(a), _tables(b)
    if old.keys() != new.keys() or _indexes(a) != _indexes(b):
        return False
    return all(
        {c: (s.type, s.nullable, _default(s.default)) for c, s in old[t].columns.items()}
        == {c: (s.type, s.nullable, _default(s.default)) for c, s in new[t].columns.items()}
        for t in old
    )


Shape = tuple[str, tuple[str, ...], bool, str]  # an index: table, columns, unique, predicate


def _indexes(catalog: Catalog) -> set[Shape]:
    """The unique indexes (and unique constraints) of the schema on plain columns, by what they hold (an
    index on an expression is left out: how the schema spells one after later renames is not exact)."""
    found: set[Shape] = set()
    for d in catalog.index_definitions.values():
        columns = tuple(_column(c) for c in d.columns)
        if d.unique and all(c.isidentifier() for c in columns):
            where = " ".join(d.where.lower().split())
            found.add((d.table.lower().rpartition(".")[2], columns, d.unique, where))
    return found


def _column(text: str) -> str:
    """An index column without quotes, ordering or spaces: `"Email" DESC` is `email`."""
    spelled = re.sub(r"\s+(?:asc|desc)(?:\s+nulls\s+(?:first|last))?\s*$", "", text.strip().lower())
    return spelled.replace('"', "").replace("`", "").strip()


def _index_differences(before: Catalog, after: Catalog) -> Iterator[str]:
    old, new = _tables(before), _tables(after)
    was, now = _indexes(before), _indexes(after)
    for table, columns, _, where in sorted(was - now):
        kept = new.get(table)
        if kept is None or kept.partial or not all(c in kept.columns for c in columns):
            continue  # the table or the column is gone: said above
        yield f"the unique index on `{table}({', '.join(columns)})`{' WHERE ' + where if where else ''} is gone"
    for table, columns, _, _ in sorted(now - was):
        kept = new.get(table)
        # (an index on a dropped column went with it, whatever the schema's record of it says)
        if (
            table in old
            and not old[table].partial
            and kept is not None
            and all(c in kept.columns for c in columns)
        ):
            yield f"a unique index on `{table}({', '.join(columns)})` is left behind"


def _indexes_left(
    up: tuple[Operation, ...], down: tuple[Operation, ...], before: Catalog, after: Catalog
) -> list[str]:
    """The indexes the up creates by name, without IF NOT EXISTS, that the down leaves in place (a unique one is
    judged by what it holds, above): the up fails on it when it runs again after the rollback. One the down
    builds again itself (a table rebuilt with its indexes) is the down's."""
    rebuilt = {op.name for op in down if isinstance(op, AddIndex)}
    dropped = {op.table.lower() for op in down if isinstance(op, DropTable)}
    left = []
    for op in up:
        if (
            isinstance(op, AddIndex)
            and not op.unique
            and not op.if_not_exists
            and op.name
            and op.name not in before.index_definitions
            and op.name not in rebuilt
            and op.table.lower() not in dropped
            and op.name in after.index_definitions
            and op.table.lower() in _tables(after)
        ):
            left.append(
                f"the index `{op.name}` is left behind, and the up fails on it when it runs again "
                "(`already exists`)"
            )
    return left


def _default(value: str | None) -> str | None:
    """A default as written without casts, a schema, quotes around a number, case, spaces or underscores:
    `'0'::integer` and `CAST('0' AS INT)` are `0`; `'RequireApplication'` is `'require_application'` (an
    enum value renamed later, which the schema's record of the default does not follow)."""
    if value is None:
        return None
    text = value.lower().strip()
    cast = re.fullmatch(r"cast\((.*) as [\w.\" ]+(?:\([^)]*\))?\)", text)
    text = cast.group(1) if cast else text
    text = re.sub(r"::[\w.\" ]+(?:\([^)]*\))?", "", text).replace(" ", "").replace("_", "").strip("()")
    return text.strip("'") if re.fullmatch(r"'-?[\d.]+'", text) else text


def _differences(before: Catalog, after: Catalog, dialect: str) -> Iterator[str]:
    old, new = _tables(before), _tables(after)
    for name in sorted(old.keys() - new.keys()):
        yield f"table `{name}` is gone"
    for name in sorted(new.keys() - old.keys()):
        if not new[name].partial:  # (a table only known from what the up did to it was there before)
            yield f"table `{name}` is left behind"
    for name in sorted(old.keys() & new.keys()):
        was, now = old[name], new[name]
        if was.partial or now.partial:
            continue  # the columns it had before are not known
        for column in was.columns.keys() - now.columns.keys():
            yield f"`{name}.{column}` is gone"
        for column in now.columns.keys() - was.columns.keys():
            yield f"`{name}.{column}` is left behind"
        for column in sorted(was.columns.keys() & now.columns.keys()):
            a, b = was.columns[column], now.columns[column]
            if _known(a.type) and _known(b.type) and _family(a.type) != _family(b.type):
                yield f"`{name}.{column}` is `{b.type}`, was `{a.type}`"
            elif (
                dialect != "sqlite"
                and _known(a.type)
                and _known(b.type)
                and classify(a.type, b.type, column, dialect)
            ):
                # narrower (`varchar(100)` for `varchar(255)`, `integer` for `bigint`); SQLite keeps any length
                yield (
                    f"`{name}.{column}` is `{b.type}`, was `{a.type}`: narrower, so values the old release "
                    "writes, and those written since the up, may no longer fit"
                )
            if a.nullable and not b.nullable:  # (left nullable, the old release writes it as before)
                yield f"`{name}.{column}` is NOT NULL, was nullable"
            if a.default is not None and _default(a.default) != _default(b.default) and not b.identity:
                current = f"`{b.default}`" if b.default is not None else "none"
                yield f"`{name}.{column}` has the default {current}, was `{a.default}`"
    yield from _index_differences(before, after)


def _tables(catalog: Catalog) -> dict[str, Table]:
    return {name.lower(): table for name, table in catalog.tables.items()}


def _type(text: str) -> str:
    """The type as spelled without case, spaces, quotes or a schema (`public.mood` is `mood`)."""
    spelled = "".join(text.lower().split()).replace('"', "")
    return spelled.rsplit(".", 1)[-1] if "(" not in spelled else spelled


def _known(text: str) -> bool:
    """A type the schema names: not empty, not a schema dump's bare `enum` (Rails' `t.enum`, its type elsewhere)."""
    return bool(text) and text.lower() != "enum"


_FAMILIES = {
    **dict.fromkeys(
        ("text", "varchar", "charactervarying", "char", "character", "bpchar", "citext", "string"), "text"
    ),
    **dict.fromkeys(
        (
            "int",
            "integer",
            "int2",
            "int4",
            "int8",
            "smallint",
            "bigint",
            "tinyint",
            "mediumint",
            "serial",
            "bigserial",
        ),
        "integer",
    ),
    **dict.fromkeys(("decimal", "numeric"), "numeric"),
    **dict.fromkeys(("float", "double", "doubleprecision", "real", "float4", "float8"), "float"),
    **dict.fromkeys(
        ("timestamp", "timestamptz", "datetime", "timestampwithtimezone", "timestampwithouttimezone"),
        "timestamp",
    ),
}


def _family(text: str) -> str:
    """Types of one kind (`varchar(20)` and `varchar(50)`, `int` and `bigint`) read the same to the old
    release: only a change of kind is reported."""
    base = _type(text).split("(")[0]
    return _FAMILIES.get(base, base)
