"""A time column added with `DEFAULT now()` stamps every existing row with the time of the migration.

## Why is this bad?
`ALTER TABLE customers ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()` fills the new column of
every row the table already has, and the value is the moment the migration runs (PostgreSQL evaluates
`now()` once for the statement; MySQL does the same with `CURRENT_TIMESTAMP`). The column says when each
customer was created, but for all the existing ones it now says "the day of the deploy": sign-ups per
day show one huge spike, "newest first" lists put years-old rows on top, retention and expiry rules
that read the column treat old rows as new. Nothing fails, and once written the false times cannot be
told apart from real ones. Rails' `add_timestamps … default: -> { 'CURRENT_TIMESTAMP' }`, Django's
`AddField(default=timezone.now)` (the one-off default `makemigrations` asks for) and Knex's
`timestamps(true, true)` do the same.

## Use instead
Add the column without the default (nullable), then set the default for the rows inserted from now on,
and fill the existing rows from where their real time is (an older column, the first related row, an
audit log), or leave them NULL so that nobody mistakes them for known:

```sql
ALTER TABLE customers ADD COLUMN created_at timestamptz;
ALTER TABLE customers ALTER COLUMN created_at SET DEFAULT now();
UPDATE customers c SET created_at = o.first_order_at FROM (…) o WHERE …;  -- in batches
```

A column whose time puts the row in a state (`deleted_at`, `archived_at`, `expires_at`, `processed_at`) is
worse: every existing row is deleted, archived or expired at once, and the finding is critical.

If the time of the migration is really what the old rows should hold (a `synced_at` that starts now),
suppress the finding with that reason. Columns named for the last change (`updated_at`, `modified_at`,
`last_seen_at`) are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, Migration
from bot.references.inflection import name_words
from bot.rules._backfill import emptied_before, filled_later
from bot.rules.context import Context

RULE = Rule(
    id="existing-rows-stamped-now",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the column without the default, set the default for new rows, then backfill the real times "
    "(or leave old rows NULL).",
    bad=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "ALTER TABLE customers ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();",
    ),
    good=(
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "ALTER TABLE customers ADD COLUMN created_at timestamptz;\n"
        "ALTER TABLE customers ALTER COLUMN created_at SET DEFAULT now();",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)

_NOW = re.compile(
    r"\b(?:now|current_timestamp|current_date|localtimestamp|statement_timestamp|transaction_timestamp"
    r"|clock_timestamp|sysdate|getdate|utc_timestamp|curdate|timezone\.now|datetime\.(?:now|utcnow|today)"
    r"|date\.today|func\.now|fn\.now)\b",
    re.I,
)
# A column whose time, when set, puts the row in a state (deleted_at, archived_at, expires_at): set on
# every existing row, it puts all of them in that state
_STATES = {
    "delet": "deleted",
    "archiv": "archived",
    "expir": "expired",
    "end": "ended",
    "cancel": "cancelled",
    "clos": "closed",
    "disabl": "disabled",
    "bann": "banned",
    "revok": "revoked",
    "complet": "completed",
    "finish": "finished",
    "resolv": "resolved",
    "process": "processed",
    "sent": "sent",
    "deliver": "delivered",
    "confirm": "confirmed",
    "verifi": "verified",
    "paid": "paid",
    "approv": "approved",
    "reject": "rejected",
    "lock": "locked",
    "suspend": "suspended",
    "block": "blocked",
    "discard": "discarded",
}


def _words(name: str) -> list[str]:
    """The name's words without its numbers (`sort_at_2` → [sort, at])."""
    return [word for word in name_words(name) if not word.isdigit()]


def _state(name: str) -> str | None:
    """The state a column's time puts its row in (`deleted_at`, `archivedAt` → "deleted", "archived"): a word
    of the name that starts with one of the stems, so `weekend_start` and `trended_at` say none."""
    for lowered in _words(name):
        for stem, state in _STATES.items():
            # a short stem is the whole word (`ends`, `sent`), so that `endorsed` and `sentiment` are not it
            if lowered.startswith(stem) and (len(stem) > 4 or lowered in _SHORT.get(stem, ())):
                return state
    return None


_TIME_WORDS = {
    "at",
    "on",
    "date",
    "time",
    "timestamp",
    "stamp",
    "created",
    "added",
    "joined",
    "registered",
    "born",
}


def _names_a_time(name: str) -> bool:
    """`created_at`, `sortAt`, `validator_time`, `created`: the name says the column holds the moment of
    something."""
    words = _words(name)
    return bool(words) and (words[-1] in _TIME_WORDS or any(w in _TIME_WORDS - {"at", "on"} for w in words))


_SHORT = {
    "end": ("end", "ends", "ended", "ending"),
    "sent": ("sent",),
    "paid": ("paid",),
    "lock": ("lock", "locks", "locked"),
    "clos": ("close", "closes", "closed", "closing"),
    "bann": ("banned",),
}


# The types of a column that says when something happened
_TIMED = re.compile(r"date|time", re.I)
# A column that records the last change (or a start from now on), where the migration's time is honest
_LATEST = re.compile(
    r"updated|modified|changed|touched|refreshed|synced|checked|seen|^last|_last|last_", re.I
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        default = op.column.default or ""
        if not _NOW.search(default) or _LATEST.search(op.column.name) or _quoted(default):
            continue
        if not _TIMED.search(op.column.type):
            continue  # a uuid or a token computed from the clock among other things: no time is claimed
        if not _names_a_time(op.column.name):
            continue  # `c`, `foo`: nothing says which moment the column records
        if filled_later(migration, op, op.table, op.column.name, context.later()) or emptied_before(
            migration, op, op.table
        ):
            continue
        column = f"`{op.table}.{op.column.name}`"
        state = _state(op.column.name)
        if state is not None:
            said = (
                f"{column} is added with the default `{default}`: a time there says the row was "
                f"{state}, and every row `{op.table}` already has gets one, so all of "
                f"them are {state} the moment the migration runs."
            )
            blast = (
                f"Every existing row of {context.size_words(op.table)}: code that reads `{op.column.name} IS "
                "NULL` as the normal state (scopes, filters, jobs that pick rows without it) treats them all as "
                f"{state}, at once."
            )
        else:
            said = (
                f"{column} is added with the default `{default}`: every row `{op.table}` already has gets the "
                "time of the migration, not the time the column is meant to record."
            )
            blast = (
                f"Every existing row of {context.size_words(op.table)}: whatever sorts, filters or counts by "
                f"`{op.column.name}` (newest first, per-day reports, retention and expiry) sees all of them as "
                "created at the deploy, and the false times cannot be told from real ones afterwards."
            )
        yield op.finding(
            RULE,
            said,
            severity=Severity.CRITICAL if state is not None else RULE.severity,
            blast_radius=blast,
            fix=f"Add {column} without the default, then `ALTER TABLE {op.table} ALTER COLUMN {op.column.name} "
            "SET DEFAULT …` for new rows, and backfill the existing rows from where their real time is (or "
            "leave them NULL). If the migration's time is right for them, suppress this with that reason.",
        )


def _quoted(default: str) -> bool:
    """`'now'` written as a string literal in a Python or Ruby default is still read as now() by the
    database on PostgreSQL, but a literal date (`'2020-01-01'`) is not a time of the migration."""
    return default.startswith("'") and default.strip("'").lower() not in ("now", "today")
