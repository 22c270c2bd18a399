"""An enum type recreated without one of its values: rows that hold it fail the cast to the new type.

## Why is this bad?
PostgreSQL cannot drop a value from an enum, so migrations create a new type and move the column over:
`ALTER TYPE status RENAME TO status_old; CREATE TYPE status AS ENUM (…); ALTER TABLE … TYPE status USING
status::text::status; DROP TYPE status_old`. A value the new type leaves out is not removed from the data:
the cast fails at the first row that still holds it, after the table has been locked and partly
rewritten, and the deploy stops. Code that still writes the value fails the same way after the change.

## Use instead
Move the rows off the value first (`UPDATE … SET status = 'closed' WHERE status = 'archived'`, in this
migration before the cast or in an earlier one), or map it in the cast itself (`USING CASE status::text
WHEN 'archived' THEN 'closed' ELSE status::text END::status`), and stop writing it in the code first.

A text column moved onto an enum (`ALTER COLUMN status TYPE ticket_status USING status::ticket_status`) has
the same trap for every value it holds that the enum lacks: values the migrations seeded into the table fail
the cast wherever they ran (critical); values the code defines for the column (a Rails constant, Django
choices, a TypeScript enum) are a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Reference, Rule, Severity
from bot.model.migration import AlterColumnType, CreateEnum, DataUpdate, Migration, RawSQL
from bot.references.code_values import SEED_KIND, describe, where
from bot.rules.context import Context
from bot.sql.domains import literal
from bot.sql.pg_casts import pg_type

RULE = Rule(
    id="enum-value-dropped",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Move the rows off the dropped value (or map it in USING) before the cast, and stop writing it first.",
    bad=(
        "CREATE TYPE ticket_state AS ENUM ('open', 'archived', 'closed');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state);\n"
        "-- migration\n"
        "ALTER TYPE ticket_state RENAME TO ticket_state_old;\n"
        "CREATE TYPE ticket_state AS ENUM ('open', 'closed');\n"
        "ALTER TABLE tickets ALTER COLUMN state TYPE ticket_state USING state::text::ticket_state;\n"
        "DROP TYPE ticket_state_old;",
    ),
    good=(
        "CREATE TYPE ticket_state AS ENUM ('open', 'archived', 'closed');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state);\n"
        "-- migration\n"
        "UPDATE tickets SET state = 'closed' WHERE state = 'archived';\n"
        "ALTER TYPE ticket_state RENAME TO ticket_state_old;\n"
        "CREATE TYPE ticket_state AS ENUM ('open', 'closed');\n"
        "ALTER TABLE tickets ALTER COLUMN state TYPE ticket_state USING state::text::ticket_state;\n"
        "DROP TYPE ticket_state_old;",
    ),
    dialects=("postgres",),
)

_RENAME = re.compile(r"^\s*ALTER\s+TYPE\s+([\w.\"]+)\s+RENAME\s+TO\s+([\w.\"]+)\s*;?\s*$", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not any(isinstance(op, AlterColumnType) for op in migration.up):
        return  # only a column moved to another type can lose a value
    labels = {_name(name): list(values) for name, values in context.catalog.enums.items()}
    shown = {_name(name): _display(name) for name in context.catalog.enums}  # a type's name as written
    retyped = {(op.table, op.column) for op in migration.up if isinstance(op, AlterColumnType)}
    columns: dict[
        tuple[str, str], str
    ] = {}  # the enum type of each column the migration retypes, as the migration goes
    for table, name in retyped:
        known = context.catalog.column(table, name)
        if known is not None and _name(known.type) in labels:
            columns[(table, name)] = _name(known.type)
    moved: dict[tuple[str, str], set[str]] = {}  # values rows were moved off, per column
    for op in migration.up:
        renamed = _RENAME.match(op.sql) if isinstance(op, RawSQL) else None
        if renamed:
            old, new = _name(renamed.group(1)), _name(renamed.group(2))
            shown[new] = _display(renamed.group(2))
            if old in labels:
                labels[new] = labels.pop(old)
                columns = {key: new if kind == old else kind for key, kind in columns.items()}
        elif isinstance(op, CreateEnum):
            labels[_name(op.name)] = list(op.values)
            shown[_name(op.name)] = _display(op.name)
        elif isinstance(op, DataUpdate):
            for column, _ in op.assignments:
                moved.setdefault((op.table, column), set()).update(_values_left(op.where or ""))
        elif isinstance(op, AlterColumnType):
            before = columns.get((op.table, op.column))
            after = _name(op.new_type)
            if before is None and after in labels:
                yield from _from_text(op, labels[after], moved.get((op.table, op.column), set()), context)
                columns[(op.table, op.column)] = after
                continue
            if before is None or after not in labels or before == after:
                continue
            dropped = [
                v
                for v in labels.get(before, [])
                if v not in labels[after] and v not in moved.get((op.table, op.column), set())
            ]
            columns[(op.table, op.column)] = after
            if dropped and not _mapped(op.using or "", dropped):
                yield _finding(op, shown.get(before, before), shown.get(after, after), dropped, context)


def _from_text(
    op: AlterColumnType, labels: list[str], moved: set[str], context: Context
) -> Iterator[Finding]:
    """A text column moved onto an enum that lacks values the column is known to hold: the rows the migrations
    seeded into the table (the cast fails wherever they ran: critical), or the values the code defines for
    the column (a warning)."""
    catalog = context.before(op)
    column = catalog.column(op.table, op.column)
    if column is None or pg_type(column.type) != "string":
        return
    seeded = [
        value.text
        for row in catalog.seeds.get(op.table, [])
        if (value := literal(row.get(op.column, ""))) is not None and value.quoted
    ]
    missing = [v for v in dict.fromkeys(seeded) if v not in labels and v not in moved]
    refs: tuple[Reference, ...] = ()
    said, severity = f"rows the migrations seeded hold {_quoted(missing)}", Severity.CRITICAL
    if not missing:
        code = context.values.best(op.table, op.column, labels, catalog)
        if code is None or code.kind in (SEED_KIND, "database enum type"):
            return
        missing = [
            v for v in dict.fromkeys(m.value for m in code.members) if v not in labels and v not in moved
        ]
        refs = tuple(where(code, m) for m in code.members if m.value in missing)[:6]
        said, severity = f"the code defines {_quoted(missing)} for it ({describe(code)})", Severity.WARNING
    if not missing or _mapped(op.using or "", missing):
        return
    values = _quoted(missing)
    yield op.finding(
        RULE,
        f"`{op.table}.{op.column}` is cast from `{column.type}` to the enum `{_display(op.new_type)}`, which has no "
        f"{values}, while {said}: every row that holds one fails the cast.",
        severity=severity,
        references=refs,
        blast_radius=f"The change over {context.size_words(op.table)} fails at the first such row, after locking "
        "the table; code that writes the value fails from then on.",
        fix=f"Add {values} to the enum, or move the rows off them first (`UPDATE {op.table} SET {op.column} = '…' "
        f"WHERE {op.column} IN ({values})`) and stop writing them in the code.",
    )


def _quoted(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _name(type_sql: str) -> str:
    return type_sql.split(".")[-1].strip('"').lower()


def _display(type_sql: str) -> str:
    """A type's name as the migration writes it: a quoted name keeps its case (`"Role"`)."""
    return type_sql.split(".")[-1].strip('"')


def _values_left(condition: str) -> set[str]:
    """The values a WHERE moves rows off: `state = 'archived'`, `state IN ('a', 'b')`."""
    return set(re.findall(r"'((?:[^']|'')*)'", condition))


def _mapped(using: str, dropped: list[str]) -> bool:
    """Does the USING expression say what each dropped value becomes (a CASE or replace() naming it)?"""
    return bool(re.search(r"\b(CASE|replace|nullif)\b", using, re.I)) and all(
        f"'{v}'" in using for v in dropped
    )


def _finding(op: AlterColumnType, before: str, after: str, dropped: list[str], context: Context) -> Finding:
    values = ", ".join(f"'{v}'" for v in dropped)
    references: list[Reference] = []
    for definition in context.values.for_column(op.table, op.column):
        for member in definition.members:
            if member.value in dropped and definition.kind != "database enum type":
                references.append(where(definition, member))
    code = (
        f" The code still defines {', '.join(f'`{r.path}:{r.line}`' for r in references[:3])}."
        if references
        else ""
    )
    return op.finding(
        RULE,
        f"`{op.table}.{op.column}` is cast from enum `{before}` to `{after}`, which has no {values}: every row "
        f"that holds {values} fails the cast.{code}",
        references=tuple(references[:6]),
        blast_radius=f"The change over {context.size_words(op.table)} fails at the first such row, after locking "
        "the table; code that writes the value fails from then on.",
        fix=f"Before the cast, `UPDATE {op.table} SET {op.column} = '…' WHERE {op.column} IN ({values})` (or map the "
        f"values in USING), and check `SELECT count(*) FROM {op.table} WHERE {op.column}::text IN ({values})` in "
        "production.",
    )
