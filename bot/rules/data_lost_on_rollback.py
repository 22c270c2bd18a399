"""A data change whose down migration does not bring the data back: the rollback keeps the damage.

## Why is this bad?
`UPDATE orders SET status = 'closed' WHERE status = 'stale'` going up and `RunPython.noop` (or a down
migration that only reverses the schema) going down: the rollback succeeds, and every row keeps the value
the release being rolled back wrote. A DELETE or TRUNCATE is worse: the rows are gone, and nothing in the
down migration can know what they held. The rollback looks clean and the data is not.

## Use instead
Save what the change overwrites or removes before it runs (`CREATE TABLE orders_status_backup AS SELECT
id, status FROM orders WHERE …`, in the migration or as the first deploy step) and restore from it in the
down migration. A change that only fills empty values (`WHERE status IS NULL`, `= ''`, also when the rows
come in key slices of a queryset so filtered), or writes a column the same change adds (in this migration
or an earlier one of the pull request), loses nothing and is not reported. A column an UPDATE without WHERE
sets to one constant in every row is left to `every-row-overwritten`, which says the rollback does not
restore it either (unless that rule is turned off).

A down migration that writes the table back is not enough when the up merged several values into one:
`SET status = 'closed' WHERE status IN ('cancelled', 'refunded')` undone by `SET status = 'cancelled' WHERE
status = 'closed'` turns every refunded order into a cancelled one on the way back. A CASE that maps several
old values to one (`CASE WHEN status IN ('cancelled', 'refunded') THEN 'closed' … END`, Django's
`Case(When(…))`, Rails `update_all` with such a string) loses them the same way, whether the down maps the
merged value back to one of them or leaves it.

## Framework notes
Django's `RunPython(forwards, RunPython.noop)` and an empty `def down` (Rails) or `def downgrade(): pass`
(Alembic) are such downs: reversible on paper, lossy in fact. The changes one piece of code makes (the
function a `RunPython` runs, a Rails `def up`) are one finding that names every table and column they lose;
the rollback plan saves each table on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlglot
from sqlglot import exp

from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    CaseMapping,
    DataDelete,
    DataUpdate,
    Migration,
    Truncate,
)
from bot.rules import every_row_overwritten
from bot.rules._backfill import added_by_change
from bot.rules._framework_fixes import restore
from bot.rules._restores import has_way_back, restored_tables
from bot.rules.context import Context
from bot.sql.data_changes import fills_nulls
from bot.sql.names import backup_statement, identifier, quote_column
from bot.sql.writes import Write, in_conjunction, writes

RULE = Rule(
    id="data-lost-on-rollback",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Save what the change overwrites or deletes before it runs, and restore it in the down migration.",
    bad=(
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state text);\n-- migration\n"
        "-- +goose Up\nUPDATE tickets SET state = 'closed' WHERE state = 'stale' AND id >= 1 AND id < 1000;\n"
        "-- +goose Down\nSELECT 1;",
    ),
    good=(
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state text);\n-- migration\n"
        "-- +goose Up\nCREATE TABLE tickets_state_backup AS SELECT id, state FROM tickets WHERE state = 'stale';\n"
        "UPDATE tickets SET state = 'closed' WHERE state = 'stale' AND id >= 1 AND id < 1000;\n"
        "-- +goose Down\nUPDATE tickets SET state = b.state FROM tickets_state_backup b WHERE b.id = tickets.id;",
    ),
)
Destructive = DataUpdate | DataDelete | Truncate


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not has_way_back(migration):  # none at all, or an empty down: missing-down-migration says so
        return
    restored = restored_tables(migration)
    added = {(unqualified(op.table), op.column.name) for op in migration.up if isinstance(op, AddColumn)}
    # columns every-row-overwritten reports (an UPDATE without WHERE setting a constant), saying too that the
    # way back does not restore them: one finding for one statement's loss
    added |= _spoken_for(migration, context)
    # One finding per unit of code (a RunPython function, the up migration): the data it loses, table by table
    units: dict[str, list[tuple[Destructive, str]]] = {}
    for op in migration.up:
        if (
            not isinstance(op, Destructive)
            or context.catalog.is_new(op.table)
            or unqualified(op.table) in restored
        ):
            continue
        lost = _lost(op, added | added_by_change(op, context))
        if lost:
            units.setdefault(op.unit, []).append((op, lost))
    for unit, found in units.items():
        yield _finding(migration, unit, found)
    yield from _merges_undone_as_one(migration, context)
    yield from _case_merges_undone(migration, context)


def _case_merges_undone(migration: Migration, context: Context) -> Iterator[Finding]:
    """`SET status = CASE WHEN status IN ('cancelled', 'refunded') THEN 'closed' … END` going up, and a down
    migration that writes the column back with one value for `'closed'` (or none): the rows that held the
    other merged values are lost, however the down is written."""
    for op in migration.up:
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        for mapping in op.case_mappings:
            found = _mapped_back(migration, op.table, mapping.target)
            if found is None:
                continue  # the down does not write the column: the overwrite is reported as such
            back, every = found
            for result, merged in _case_merges(mapping).items():
                restored = back.get(result, every or result)
                lost = [m for m in merged if m != restored]
                if not lost:
                    continue
                said = (
                    f"sets them all back to {restored}"
                    if result in back or every
                    else f"does not map {result} back (it keeps {result})"
                )
                yield op.finding(
                    RULE,
                    f"The UPDATE's CASE merges {', '.join(merged)} of `{op.table}.{mapping.target}` into "
                    f"{result}, and the down migration {said}: after a rollback the rows that held "
                    f"{', '.join(lost)} hold {restored}.",
                    blast_radius=f"Rows of `{op.table}` that held {', '.join(lost)} before the change: the "
                    "rollback cannot tell them apart from the others the CASE merged, so their old value is gone.",
                    fix=f"Save `id, {mapping.target}` of the rows the CASE merges before it runs ("
                    + code_span(
                        backup_statement(
                            op.table,
                            (mapping.target,),
                            context.dialect,
                            f"{quote_column(mapping.target, context.dialect)} IN ({', '.join(merged)})",
                        )
                    )
                    + ") and restore each row's own value from it in the down migration.",
                )


def _case_merges(mapping: CaseMapping) -> dict[str, list[str]]:
    """The results of a CASE on its own column that several old values end in (`WHEN 'a' THEN 'x' WHEN 'b' THEN
    'x'`, `WHEN status IN ('a', 'b') THEN 'x'`), each with those old values; literals only. (A result the ELSE
    keeps for rows that already held it is a merge only if such rows exist, which the migration does not say.)"""
    if mapping.source != mapping.target:
        return {}
    olds: dict[str, list[str]] = {}
    for values, result in mapping.whens:
        parsed = _literals(values)
        if parsed is None or _literals(result) is None:
            return {}  # a condition or a computed value: not a mapping of values
        for value in parsed:
            bucket = olds.setdefault(result, [])
            if value not in bucket:
                bucket.append(value)
    return {result: bucket for result, bucket in olds.items() if len(bucket) > 1}


def _literals(text: str) -> list[str] | None:
    """`'a', 'b'` → ["'a'", "'b'"]; None when the text is not a list of literals."""
    try:
        parsed = sqlglot.parse_one(f"SELECT {text}")
    except sqlglot.errors.ParseError:
        return None
    values = parsed.expressions if isinstance(parsed, exp.Select) else []
    if not values or not all(isinstance(v, exp.Literal) for v in values):
        return None
    return [v.sql() for v in values]


def _mapped_back(migration: Migration, table: str, column: str) -> tuple[dict[str, str], str] | None:
    """What the down migration writes into the column for rows holding each value: a CASE of the down on the
    column (value → result), or one literal for the values its WHERE picks (`status = 'x'`, `status IN (…)`;
    for every row, the second item, when the WHERE does not name the column); None when the down does not
    write the column (or writes something the review does not read as such a mapping)."""
    for op in migration.down or ():
        if not isinstance(op, DataUpdate) or unqualified(op.table) != unqualified(table):
            continue
        for mapping in op.case_mappings:
            if mapping.target == column and mapping.source == column:
                back: dict[str, str] = {}
                for values, result in mapping.whens:
                    for value in _literals(values) or []:
                        back.setdefault(value, result)
                return back, ""
        for write in writes(op):
            if write.target == column and isinstance(write.value, exp.Literal):
                picked = _merged_values(write) or _picked(write)
                value = write.value.sql()
                return ({m.sql(): value for m in picked}, "") if picked else ({}, value)
    return None


def _merges_undone_as_one(migration: Migration, context: Context) -> Iterator[Finding]:
    """`SET status = 'closed' WHERE status IN ('cancelled', 'refunded')` going up and `SET status = 'cancelled'
    WHERE status = 'closed'` going down: the down writes a table back, but one value for rows that held
    several; the others are lost."""
    for op in migration.up:
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        for write in writes(op):
            merged = _merged_values(write)
            if len(merged) < 2 or not isinstance(write.value, exp.Literal):
                continue
            back = _written_back(migration, op.table, write.target)
            if back is None or back.sql() not in [m.sql() for m in merged]:
                continue
            lost = [m.sql() for m in merged if m.sql() != back.sql()]
            yield op.finding(
                RULE,
                f"The UPDATE merges {', '.join(m.sql() for m in merged)} of `{op.table}.{write.target}` into "
                f"{write.value.sql()}, and the down migration sets them all back to {back.sql()}: after a "
                f"rollback the rows that held {', '.join(lost)} hold {back.sql()}.",
                blast_radius=f"Rows of `{op.table}` that held {', '.join(lost)} before the change: the rollback "
                "cannot tell them apart from the others it merged, so their old value is gone.",
                fix=f"Save `id, {write.target}` of the rows the UPDATE merges before it runs ("
                + code_span(
                    backup_statement(
                        op.table,
                        (write.target,),
                        context.dialect,
                        f"{quote_column(write.target, context.dialect)} IN ({', '.join(m.sql() for m in merged)})",
                    )
                )
                + ") and restore each row's own value from it in the down migration.",
            )


def _picked(write: Write) -> list[exp.Literal]:
    """The one old value of the written column the UPDATE's condition picks (`status = 'closed'`)."""
    if write.where is None:
        return []
    for node in write.where.find_all(exp.EQ):
        column, value = node.this, node.expression
        if (
            isinstance(column, exp.Column)
            and identifier(column.this) == write.target
            and isinstance(value, exp.Literal)
            and in_conjunction(node, write.where)
        ):
            return [value]
    return []


def _merged_values(write: Write) -> list[exp.Literal]:
    """The old values of the written column the UPDATE's condition picks (`status IN ('a', 'b')`)."""
    if write.where is None:
        return []
    for node in write.where.find_all(exp.In):
        column = node.this
        if (
            isinstance(column, exp.Column)
            and identifier(column.this) == write.target
            and not isinstance(node.parent, exp.Not)
            and in_conjunction(node, write.where)
            and node.expressions
            and all(isinstance(e, exp.Literal) for e in node.expressions)
        ):
            return [e for e in node.expressions if isinstance(e, exp.Literal)]
    return []


def _written_back(migration: Migration, table: str, column: str) -> exp.Literal | None:
    """The one literal the down migration writes back into the column, when it writes one."""
    for op in migration.down or ():
        if isinstance(op, DataUpdate) and unqualified(op.table) == unqualified(table):
            for write in writes(op):
                if write.target == column and isinstance(write.value, exp.Literal):
                    return write.value
    return None


def _finding(migration: Migration, unit: str, found: list[tuple[Destructive, str]]) -> Finding:
    first = found[0][0]
    tables = list(dict.fromkeys(op.table for op, _ in found))
    if not migration.down:
        down = "the down migration does nothing"
    elif len(tables) == 1:
        down = f"the down migration does not restore the data of `{tables[0]}`"
    else:
        down = "the down migration restores none of it"
    if len(found) == 1:
        what = found[0][1]
        what = f"`{unit}`: {what[0].lower()}{what[1:]}" if unit else what
    else:
        lines: dict[str, list[int]] = {}  # the same loss at several lines is said once
        for op, text in found:
            lines.setdefault(_item(op, text), []).append(op.location.line)
        parts = "; ".join(
            f"{item} (line{'s' if len(at) > 1 else ''} {', '.join(str(n) for n in at)})"
            for item, at in lines.items()
        )
        who = f"`{unit}`" if unit else "The migration"
        what = f"{who} changes data {len(found)} times, in {len(tables)} table{'s' if len(tables) > 1 else ''}: {parts}"
    named = ", ".join(f"`{t}`" for t in tables)
    return first.finding(
        RULE,
        f"{what}, and {down}: after a rollback the data stays as this change left it.",
        blast_radius=_blast(found, named),
        fix=restore(migration.framework),
    )


def _spoken_for(migration: Migration, context: Context) -> set[tuple[str, str]]:
    """(table, column) of the writes `every-row-overwritten` reports for this migration, when it runs."""
    rule = every_row_overwritten.RULE
    chosen = context.config.rules
    if rule.id in chosen.ignore or (chosen.select and rule.id not in chosen.select):
        return set()
    if rule.dialects and context.dialect not in rule.dialects:
        return set()
    return {
        (unqualified(op.table), column)
        for (_, column, _), ops in every_row_overwritten.overwrites(migration, context).items()
        for op in ops
    }


def _item(op: Destructive, lost: str) -> str:
    """One data change of a unit, short: what it loses."""
    if isinstance(op, Truncate):
        return f"`TRUNCATE {op.table}` empties it"
    if isinstance(op, DataDelete):
        return f"rows of `{op.table}` deleted"
    if lost.startswith("The UPDATE overwrites "):
        return f"{lost.removeprefix('The UPDATE overwrites ')} overwritten"
    return f"rows of `{op.table}` overwritten"


def _lost(op: Destructive, added: set[tuple[str, str]]) -> str:
    if isinstance(op, Truncate):
        return f"`TRUNCATE {op.table}` removes every row"
    if isinstance(op, DataDelete):
        return f"The DELETE removes rows of `{op.table}`" + (f" matching `{op.where}`" if op.where else "")
    columns = [
        c for c, value in op.assignments if (unqualified(op.table), c) not in added and not _itself(c, value)
    ]
    if op.assignments and not columns:
        return ""  # writes only columns this change adds: the down migration drops them
    if columns and all(fills_nulls(op, c) for c in columns):
        return ""  # fills NULLs only: nothing held a value before
    if not columns:
        return f"The code at line {op.location.line} overwrites rows of `{op.table}`"
    named = ", ".join(f"`{op.table}.{c}`" for c in columns)
    return f"The UPDATE overwrites {named}"


def _blast(found: list[tuple[Destructive, str]], named: str) -> str:
    if all(isinstance(op, DataUpdate) for op, _ in found):
        return f"Every row of {named} the change writes keeps its new value after a rollback; the old values are gone."
    if not any(isinstance(op, DataUpdate) for op, _ in found):
        return f"The rows of {named} it removes do not come back with a rollback."
    return (
        f"The rows of {named} it overwrites keep their new values after a rollback, and the rows it removes "
        "do not come back."
    )


def _itself(column: str, value: str) -> bool:
    """`SET updated_at = updated_at`: the column keeps the value it holds (written to steer a trigger)."""
    return value.strip().strip('"`').lower() == column.lower()
