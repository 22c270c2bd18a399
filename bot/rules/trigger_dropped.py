"""A trigger that keeps data up to date is dropped, and nothing takes over its work.

## Why is this bad?
A trigger that sets `NEW.search_vector`, `NEW.updated_at` or a denormalised `NEW.total`, or that writes an
audit row or a counter in another table on every change, is part of how the data stays right. `DROP
TRIGGER users_search ON users` removes that work without a trace: rows inserted or changed from then on
get no search vector (they disappear from search), `updated_at` stops moving (caches and syncs that read
it miss every change), audit logs stop. Nothing fails. The rows written while the trigger is gone stay
wrong after it comes back.

## Use instead
Replace the trigger in the same migration (`CREATE OR REPLACE TRIGGER`, or a DROP followed by its new
`CREATE TRIGGER`), or move its work into the application first and say so; when the column it maintained
is no longer needed, drop the column with it. If the trigger is recreated by a script the deploy runs
outside the migrations, suppress the finding naming that script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, DatabaseObject, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropColumn, DropTable, Migration, Operation, RawSQL
from bot.rules.context import Context
from bot.sql.auto_bumps import FRAMEWORK_FUNCTIONS

RULE = Rule(
    id="trigger-dropped",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Replace the trigger in the same migration, or move its work into the code first; drop what it "
    "maintained with it.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text, search tsvector);\n"
        "CREATE FUNCTION users_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN NEW.search := to_tsvector('simple', coalesce(NEW.name, '')); RETURN NEW; END $$;\n"
        "CREATE TRIGGER users_search BEFORE INSERT OR UPDATE ON users\n"
        "FOR EACH ROW EXECUTE FUNCTION users_search_fill();\n"
        "-- migration\n"
        "DROP TRIGGER users_search ON users;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text, search tsvector);\n"
        "CREATE FUNCTION users_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN NEW.search := to_tsvector('simple', coalesce(NEW.name, '')); RETURN NEW; END $$;\n"
        "CREATE TRIGGER users_search BEFORE INSERT OR UPDATE ON users\n"
        "FOR EACH ROW EXECUTE FUNCTION users_search_fill();\n"
        "-- migration\n"
        "DROP TRIGGER users_search ON users;\n"
        "ALTER TABLE users DROP COLUMN search;",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)

# an assignment to the row: a statement of its own (`NEW.x := …;`, `NEW.x = …;`), MySQL's `SET NEW.x = …`;
# `IF NEW.x = 1` and `WHERE id = NEW.x` compare
_ASSIGNED = re.compile(
    r"(?:^|;|\bBEGIN\b|\bTHEN\b|\bELSE\b|\bLOOP\b|\bSET\b|,)\s*NEW\.\"?(\w+)\"?\s*:?=(?!=)", re.I | re.M
)
_EACH_ROW = re.compile(r"\bFOR\s+EACH\s+(?:ROW|STATEMENT)\b", re.I)
_WRITTEN = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?\"?([\w.]+)\"?", re.I)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_ROW_COLUMN = re.compile(r"\b(?:NEW|OLD)\.\"?(\w+)\"?", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, RawSQL) or op.category != "drop-trigger":
            continue
        catalog = context.before(op)
        trigger = _trigger(catalog, op.table)
        if trigger is None or catalog.is_new(trigger.table):
            continue
        # the code it runs: its function's, or (MySQL) the statement after FOR EACH ROW
        body = _COMMENTS.sub(
            " ", _EACH_ROW.split(trigger.sql, 1)[-1] + "\n" + _function_sql(catalog, trigger)
        )
        columns = list(dict.fromkeys(m.group(1) for m in _ASSIGNED.finditer(body)))
        tables = [
            t
            for t in dict.fromkeys(m.group(1) for m in _WRITTEN.finditer(body))
            if not same_table(t, trigger.table) and t.upper() not in ("ON", "OF", "SET")
        ]
        later = migration.up[index + 1 :]
        read = {m.group(1).lower() for m in _ROW_COLUMN.finditer(body)}
        if (not columns and not tables) or _taken_over(later, trigger, columns, tables, read):
            continue
        work = []
        if columns:
            work.append("sets " + ", ".join(f"`{trigger.table}.{c}`" for c in columns))
        if tables:
            work.append("writes to " + ", ".join(f"`{t}`" for t in tables))
        yield op.finding(
            RULE,
            f"Trigger `{trigger.name}` on `{trigger.table}` (`{trigger.path}`, line {trigger.line}) "
            f"{' and '.join(work)} on every change it fires for; it is dropped and nothing in the migration "
            "takes over.",
            blast_radius=f"Every row of {context.size_words(trigger.table)} written from now on"
            + (
                f": {', '.join(f'`{c}`' for c in columns)} stop{'s' if len(columns) == 1 else ''} being kept up "
                "to date"
                if columns
                else ""
            )
            + (
                f"{'; ' if columns else ': '}the rows it wrote to {', '.join(f'`{t}`' for t in tables)} stop"
                if tables
                else ""
            )
            + ". Rows written meanwhile stay wrong after the trigger returns.",
        )


def _trigger(catalog: Catalog, dropped: str) -> DatabaseObject | None:
    """The trigger a DROP TRIGGER names: `table.trigger` (PostgreSQL), or the name alone (MySQL)."""
    wanted = dropped.lower().split(".")
    for key, obj in catalog.objects.items():
        parts = key.removeprefix("trigger:").split(".")
        if obj.kind == "trigger" and parts[-min(2, len(wanted)) :] == wanted[-2:]:
            return obj
    return None


def _function_sql(catalog: Catalog, trigger: DatabaseObject) -> str:
    if not trigger.function:
        return ""
    name = trigger.function.lower().split(".")[-1]
    found = catalog.objects.get(f"function:{name}")
    return found.sql if found is not None else FRAMEWORK_FUNCTIONS.get(name, "")


def _taken_over(
    later: tuple[Operation, ...],
    trigger: DatabaseObject,
    columns: list[str],
    tables: list[str],
    read: set[str],
) -> bool:
    """A new trigger on the table, the table dropped, the tables it wrote dropped with it, or a column it reads
    or sets dropped (a trigger that kept an old and a new column in step is retired with the old one)."""
    dropped_tables = [op.table for op in later if isinstance(op, DropTable)]
    dropped_columns = {
        op.column.lower()
        for op in later
        if isinstance(op, DropColumn) and same_table(op.table, trigger.table)
    }
    if any(
        isinstance(op, RawSQL) and op.category == "trigger" and same_table(op.table, trigger.table)
        for op in later
    ):
        return True
    if any(same_table(t, trigger.table) for t in dropped_tables):
        return True
    if dropped_columns & (read | {c.lower() for c in columns}):
        return True
    return not columns and all(any(same_table(t, d) for d in dropped_tables) for t in tables)
