"""A backfill of a table whose last-modified time the database bumps on every update stamps every row "now".

## Why is this bad?
`updated_at` says when a row last changed. When the database sets it itself on every UPDATE (a MySQL column
declared `ON UPDATE CURRENT_TIMESTAMP`, a PostgreSQL `BEFORE UPDATE` trigger doing `NEW.updated_at :=
now()`, the `moddatetime` extension), a data backfill of an existing table (`UPDATE accounts SET tier =
'basic'`, Rails `update_all`, Django `.update()` or `bulk_update`, Alembic `op.execute`) rewrites that time
on every row it touches to the moment of the deploy. The real times are gone for good, "recently changed"
lists put every row on top, and whatever reads "changed since" (incremental syncs, search indexing, caches,
ETL, replication to a warehouse) sees every row as changed and processes the whole table again.

## Use instead
MySQL: set the column to itself in the same UPDATE: a column the statement assigns is not bumped.

```sql
UPDATE accounts SET tier = 'basic', updated_at = updated_at WHERE tier IS NULL;
```

PostgreSQL: a trigger overrides what the UPDATE writes (a trigger that bumps only when the column is
unchanged bumps on `updated_at = updated_at` too), so turn it off around the backfill (`ALTER TABLE
accounts DISABLE TRIGGER set_updated_at; … ENABLE TRIGGER set_updated_at;`, which takes an exclusive lock
for the time of the migration), or make the trigger skip rows whose only change is the backfilled column.

If the new time is what the rows should say (the change is one the users made), suppress the finding
with that reason.

## Decisions
A warning, not a blocker: the backfill itself is correct, what it loses is a time. Quiet for a table the
change creates, for a last-modified column the change adds (no real time is lost), for one row picked by
its key or one record the code fetched (a fix of that row, not a backfill), for an UPDATE that assigns the
column itself (MySQL), for a trigger the migration disables first (or `session_replication_role =
replica`), for a trigger that fires only for other columns (`UPDATE OF`, `WHEN`, an `IF` around the
assignment), and for a table where nothing bumps the column. The ORM's own timestamps count only when
the rows are saved one record at a time: Rails `update_all` and Django `.update()` / `bulk_update` leave
`updated_at` and `auto_now` fields alone, `save`, `update!` and Django's `save()` set them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration, Operation, RawSQL
from bot.rules.context import Context
from bot.sql.auto_bumps import Bump, bumped_columns, saved_columns

RULE = Rule(
    id="last-modified-overwritten",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Keep the last-modified column as it was: assign it to itself in the UPDATE (MySQL ON UPDATE), "
    "or disable the trigger that bumps it for the backfill.",
    bad=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, tier text, updated_at timestamptz);\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); "
        "RETURN NEW; END $$;\n"
        "CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();\n"
        "-- migration\nUPDATE accounts SET tier = 'basic' WHERE tier IS NULL;",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, tier text, updated_at timestamptz);\n"
        "-- migration\nUPDATE accounts SET tier = 'basic' WHERE tier IS NULL;",
    ),
)

# `id = 42`, `accounts.id = …`: one row, by its key
_ONE_ROW = re.compile(r"^\s*\(?\s*(?:\w+\.)?id\s*=\s*[^\s()]+\s*\)?\s*$", re.I)
_DISABLE = re.compile(r"\bDISABLE\s+TRIGGER\s+(ALL|USER|[\"`]?(\w+)[\"`]?)", re.I)
_ENABLE = re.compile(r"\bENABLE\s+(?:ALWAYS\s+|REPLICA\s+)?TRIGGER\b", re.I)
_REPLICA = re.compile(r"\bsession_replication_role\s*(?:=|\bTO\b)\s*'?replica\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataUpdate) or not op.table:
            continue
        catalog = context.before(op)
        if catalog.is_new(op.table):
            continue
        if (op.where and _ONE_ROW.match(op.where)) or op.saves == "one":
            continue  # one row picked by its key, one record fetched: a fix of that row, not a backfill
        off = _disabled(migration.up[:index], op.table)
        written = dict(op.assignments)
        found = bumped_columns(catalog, op.table)
        if op.saves:
            found += [
                b
                for b in saved_columns(catalog, op.table, migration.framework)
                if all(other.column != b.column for other in found)
            ]
        bumps = [
            b for b in found if _bumped(b, written, off) and not _new_column(catalog, op.table, b.column)
        ]
        if not bumps:
            continue
        yield _finding(op, bumps, context)


def _new_column(catalog: Catalog, table: str, column: str) -> bool:
    """A column the change adds holds no times worth keeping yet (a migration that adds `updated_on` and
    saves every record to fill it)."""
    found = catalog.column(table, column)
    return found is not None and found.added_in_change


def _bumped(bump: Bump, written: dict[str, str], disabled: set[str]) -> bool:
    """Does this UPDATE leave the column to what bumps it?"""
    if not bump.trigger and not bump.orm:
        return bump.column not in written  # MySQL does not bump a column the statement assigns
    if "*" in disabled or bump.trigger.lower() in disabled or not bump.fires(set(written)):
        return False
    value = written.get(bump.column)  # a trigger overrides it, unless the author wrote a time of their own
    return value is None or value.strip('`"').lower() == bump.column.lower()


def _disabled(earlier: tuple[Operation, ...], table: str) -> set[str]:
    """The triggers of `table` the migration has turned off before this statement ("*" for all of them)."""
    off: set[str] = set()
    for op in earlier:
        if not isinstance(op, RawSQL):
            continue
        if _REPLICA.search(op.sql):
            off.add("*")
        if op.category == "trigger-toggle" and op.table == table:
            found = _DISABLE.search(op.sql)
            if found is not None:
                off.add("*" if found.group(1).upper() in ("ALL", "USER") else (found.group(2) or "").lower())
            elif _ENABLE.search(op.sql):
                off.clear()
    return off


_ORM_FIX = {
    "rails": "Write the rows with `update_all` (per batch: `in_batches { |batch| batch.update_all(…) }`) or "
    "`update_columns`, which leave `updated_at` alone, or turn the timestamps off for the backfill "
    "(`Model.record_timestamps = false`, restored in an `ensure`).",
    "django": "Write the rows with the queryset's `.update(…)` or `bulk_update(…)`, which leave `auto_now` "
    "fields alone, or `save(update_fields=[…])` naming only the backfilled fields.",
}


def _finding(op: DataUpdate, bumps: list[Bump], context: Context) -> Finding:
    columns = ", ".join(f"`{b.column}`" for b in bumps)
    hows = "; ".join(b.how for b in bumps)
    triggers = sorted({b.trigger for b in bumps if b.trigger})
    orm = next((b.orm for b in bumps if b.orm), "")
    if orm and not triggers:
        fix = _ORM_FIX[orm]
    elif triggers and context.dialect in ("mysql", "mariadb"):
        fix = (
            f"MySQL cannot disable a trigger: drop `{triggers[0]}` before the backfill and create it again after "
            "it, or make it keep the column when only the backfilled columns change; assigning the column to "
            "itself does not stop a trigger."
        )
    elif triggers:
        names = ", ".join(f"`{t}`" for t in triggers)
        fix = (
            f"Disable {names} on `{op.table}` for the backfill (`ALTER TABLE {op.table} DISABLE TRIGGER "
            f"{triggers[0]};` before it, `ENABLE TRIGGER {triggers[0]};` after it), or make the trigger skip "
            "rows whose only change is the backfilled column; assigning the column to itself does not stop a "
            "trigger."
        )
    else:
        keep = ", ".join(f"{b.column} = {b.column}" for b in bumps)
        fix = f"Add `{keep}` to the SET list: MySQL does not bump a column the UPDATE assigns itself."
    return op.finding(
        RULE,
        f"This data change updates existing rows of `{op.table}`, and {hows}: every row it touches gets "
        f"the time of the deploy in {columns}, and the time it last really changed is lost.",
        blast_radius=f"Every row of {context.size_words(op.table)} the statement updates; incremental syncs, "
        f"caches and exports that read rows changed since a time ({columns}) process all of them again.",
        fix=fix,
    )
