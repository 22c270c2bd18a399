"""The columns the database itself sets to the current time on every UPDATE of a row.

Three ways a schema does it, all read from the catalog:
- MySQL / MariaDB: a column declared `ON UPDATE CURRENT_TIMESTAMP`;
- PostgreSQL: a `BEFORE UPDATE … FOR EACH ROW` trigger whose function assigns `NEW.updated_at := now()`
  (or the contrib extension's `moddatetime(updated_at)`);
- MySQL: a `BEFORE UPDATE` trigger whose body says `SET NEW.updated_at = NOW()`.
Any UPDATE of the table, however it is written (SQL, an ORM's bulk update), fires them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model.catalog import Catalog, DatabaseObject, same_table

# the functions that give the current time, in PostgreSQL and MySQL
_NOW = re.compile(
    r"\b(?:now|clock_timestamp|statement_timestamp|transaction_timestamp|utc_timestamp|sysdate)\s*\("
    r"|\b(?:current_timestamp|localtimestamp)\b",
    re.I,
)
# `NEW.updated_at := now();`, `NEW."updatedAt" = CURRENT_TIMESTAMP;`, MySQL's `SET NEW.updated_at = NOW()`
_ASSIGNED = re.compile(r"\bNEW\s*\.\s*[\"`]?(\w+)[\"`]?\s*:?=(?!=)\s*([^;]*)", re.I)
# a trigger that runs before an UPDATE of each row (before the table's name: `BEFORE INSERT OR UPDATE ON t`)
_BEFORE_UPDATE = re.compile(r"\bBEFORE\b[\w\s,]*?\bUPDATE\b[\w\s,]*?\bON\b", re.I)
_UPDATE_OF = re.compile(r"\bUPDATE\s+OF\s+([\w\s,\"`]+?)\s+ON\b", re.I)
_WHEN = re.compile(r"\bWHEN\s*\((.*)\)\s*EXECUTE\b", re.I | re.S)
_ROW_COLUMN = re.compile(r"\b(?:NEW|OLD)\s*\.\s*[\"`]?(\w+)[\"`]?", re.I)
# PL/pgSQL's IF blocks, in order: `END IF`, `ELSIF … THEN`, `ELSE`, `IF … THEN`
_IF_PARTS = re.compile(
    r"(?P<end>\bEND\s+IF\b)|\b(?:(?P<elsif>ELS(?:E\s*)?IF)|(?P<els>ELSE)\b(?!\s*IF)|IF)\b"
    r"(?:(?P<condition>.*?)\bTHEN\b)?",
    re.I | re.S,
)
_MODDATETIME = re.compile(r"\bmoddatetime\s*\(\s*[\"']?(\w+)[\"']?\s*\)", re.I)


# Trigger functions a framework installs in its own setup migration, which a repository may not hold:
# Diesel's `diesel_set_updated_at()`, run by the trigger `diesel_manage_updated_at('t')` creates
FRAMEWORK_FUNCTIONS = {
    "diesel_set_updated_at": "CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$ BEGIN "
    "IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN "
    "NEW.updated_at := current_timestamp; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
}


@dataclass(frozen=True)
class Bump:
    column: str
    how: str  # what sets it, as the message says it
    trigger: str = ""  # the trigger that does it ("" for MySQL's ON UPDATE)
    orm: str = ""  # the ORM whose save sets it (rails, django), when the application does it
    # the trigger fires (or sets the column) only when an UPDATE sets one of these: `BEFORE UPDATE OF
    # muted`, `WHEN (NEW.muted IS DISTINCT FROM OLD.muted)`, `IF NEW.muted THEN NEW.muted_at := now()`
    only_when: tuple[str, ...] = ()

    def fires(self, written: set[str]) -> bool:
        return not self.only_when or bool(written & set(self.only_when))


# the columns Active Record sets on every save of a changed record
_RAILS_TIMESTAMPS = ("updated_at", "updated_on")


def saved_columns(catalog: Catalog, table: str, framework: str) -> list[Bump]:
    """The columns the ORM sets to the current time when it saves a record of `table` (not when it updates
    rows in bulk): Rails' `updated_at` / `updated_on`, Django's `auto_now` fields."""
    found = catalog.tables.get(table)
    if found is None:
        return []
    if framework == "rails":
        return [
            Bump(name, f"saving each record sets `{name}` (Active Record's timestamps)", orm="rails")
            for name in _RAILS_TIMESTAMPS
            if name in found.columns
        ]
    if framework == "django":
        return [
            Bump(name, f"`save()` sets `{name}` (`auto_now=True`)", orm="django")
            for name, column in found.columns.items()
            if column.auto_now
        ]
    return []


def bumped_columns(catalog: Catalog, table: str) -> list[Bump]:
    """The columns of `table` that an UPDATE of a row sets to the current time, and what sets them."""
    found = catalog.tables.get(table)
    if found is None:
        return []
    bumps: list[Bump] = []
    for trigger in catalog.objects.values():
        if trigger.kind != "trigger" or not same_table(trigger.table, table):
            continue
        if not _BEFORE_UPDATE.search(trigger.sql):
            continue
        fired_by = _fired_by(trigger.sql)
        for column, condition in _set_by(catalog, trigger):
            if column not in found.columns or any(b.column == column for b in bumps):
                continue
            only = tuple(dict.fromkeys([*fired_by, *condition]))
            when = f" when {', '.join(f'`{c}`' for c in only)} change" if only else " before every update"
            bumps.append(
                Bump(column, f"trigger `{trigger.name}` sets `{column}`{when}", trigger.name, "", only)
            )
    # a trigger overrides what the statement writes: it comes first
    bumps.extend(
        Bump(name, f"`{name}` is declared `ON UPDATE {column.on_update.removesuffix('()')}`")
        for name, column in found.columns.items()
        if column.on_update and _NOW.search(column.on_update) and all(b.column != name for b in bumps)
    )
    return bumps


def _fired_by(sql: str) -> tuple[str, ...]:
    """The columns whose change fires a trigger: `UPDATE OF a, b`, and the columns its `WHEN (…)` compares
    (none for `OLD.* IS DISTINCT FROM NEW.*`, which any change meets)."""
    columns = []
    listed = _UPDATE_OF.search(sql)
    if listed is not None:
        columns += [c.strip().strip('"`') for c in listed.group(1).split(",")]
    when = _WHEN.search(sql)
    if when is not None:
        columns += [m.group(1) for m in _ROW_COLUMN.finditer(when.group(1))]
    return tuple(dict.fromkeys(columns))


def _set_by(catalog: Catalog, trigger: DatabaseObject) -> list[tuple[str, tuple[str, ...]]]:
    """The columns a trigger (its own body, or the function it runs) sets to the current time, each with
    the other columns of the row the `IF` around the assignment tests (only their change sets it)."""
    found: dict[str, tuple[str, ...]] = {m.group(1): () for m in _MODDATETIME.finditer(trigger.sql)}
    bodies = [trigger.sql]
    if trigger.function:
        key = trigger.function.replace('"', "").lower().split(".")[-1]
        function = catalog.objects.get(f"function:{key}")
        if function is not None:
            bodies.append(function.sql)
        elif key in FRAMEWORK_FUNCTIONS:  # Diesel's own, set up before the schema this catalog read
            bodies.append(FRAMEWORK_FUNCTIONS[key])
    for body in bodies:
        for match in _ASSIGNED.finditer(body):
            if _NOW.search(match.group(2)):
                column = match.group(1)
                found.setdefault(column, _condition_columns(body[: match.start()], column))
    return list(found.items())


def _condition_columns(before: str, column: str) -> tuple[str, ...]:
    """The row's columns the innermost open `IF … THEN` (or `ELSIF … THEN`) before an assignment tests, other
    than the column assigned (`IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at` tests only itself)."""
    open_conditions: list[str] = []
    for match in _IF_PARTS.finditer(before):
        if match.group("end"):
            if open_conditions:
                open_conditions.pop()
        elif match.group("elsif") and open_conditions:
            open_conditions[-1] = match.group("condition")
        elif match.group("els"):
            if open_conditions:
                open_conditions[-1] = ""  # ELSE: the negation of what was tested; read as unconditional
        else:
            open_conditions.append(match.group("condition"))
    if not open_conditions:
        return ()
    condition = open_conditions[-1]
    return tuple(dict.fromkeys(m.group(1) for m in _ROW_COLUMN.finditer(condition) if m.group(1) != column))
