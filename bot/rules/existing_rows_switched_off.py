"""A flag added with the default that switches every existing row off (`is_active DEFAULT false`).

## Why is this bad?
`ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT false` gives every user the table already
has `is_active = false`. Until now every row was, by the absence of the column, active; the moment the
migration runs none of them is: logins that check the flag refuse every existing user, listings that filter
on `published` or `visible` go empty, jobs that pick `enabled` rows stop. Nothing fails and nothing is
logged. The mirror image does the same: `is_deleted`, `archived`, `hidden`, `disabled` added with the
default `true` put every existing row in the state that hides it. Rails' `add_column … default: false`,
Django's `AddField(BooleanField(default=False))`, Prisma's `@default(false)` and MySQL's `TINYINT(1)
DEFAULT 0` all write the default into the existing rows.

Only the flag of the row itself is read this way (`active`, `is_enabled`, `isVisible`, `deleted`): a
named feature of the row (`two_factor_enabled`, `email_visible`) starting off is an opt-in, not reported.

## Use instead
Add the flag with the default that existing rows are really in, then change the default for the rows
inserted from now on:

```sql
ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT true;
ALTER TABLE users ALTER COLUMN is_active SET DEFAULT false;
```

or fill the existing rows in the same migration (`UPDATE users SET is_active = true`, in batches on a
large table). If every existing row really must start switched off, suppress the finding with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._backfill import emptied_before, filled_later
from bot.rules._flags import FALSE, TRUE, added_flags, flag_word
from bot.rules.context import Context

RULE = Rule(
    id="existing-rows-switched-off",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the flag with the value existing rows are in (`DEFAULT true`), then set the default for new rows; "
    "or fill the existing rows in the migration.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
        "ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT false;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migration\n"
        "ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT true;\n"
        "ALTER TABLE users ALTER COLUMN is_active SET DEFAULT false;",
    ),
)

# The row is shown, used or let in while the flag is true ...
_ON = {"active", "enabled", "visible", "published", "listed", "available", "live", "approved"}
# ... or hidden, refused or gone while it is true
_OFF = {
    "deleted",
    "archived",
    "disabled",
    "hidden",
    "banned",
    "blocked",
    "suspended",
    "inactive",
    "deactivated",
    "removed",
    "locked",
    "trashed",
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in added_flags(migration, context):
        column, shown = op.column, op.column.default or ""
        word, default = flag_word(column.name), shown.strip().lower()
        off = (word in _ON and default in FALSE) or (word in _OFF and default in TRUE)
        if (
            not off
            or filled_later(migration, op, op.table, column.name, context.later())
            or emptied_before(migration, op, op.table)
        ):
            continue
        state = f"not {word}" if word in _ON else word
        where = f"{column.name}" if word in _ON else f"NOT {column.name}"
        yield op.finding(
            RULE,
            f"`{op.table}.{column.name}` is added with the default `{shown}`: every row `{op.table}` "
            f"already has becomes {state} the moment the migration runs, though all of them were, by the "
            "absence of the column, in the other state until now.",
            blast_radius=f"Every existing row of {context.size_words(op.table)}: code that keeps to `WHERE "
            f"{where}` (logins, listings, jobs, API filters) drops all of them at once.",
            fix=f"Add the column with the value existing rows are in (`DEFAULT {_opposite(shown)}`), "
            f"then `ALTER TABLE {op.table} ALTER COLUMN {column.name} SET DEFAULT {shown}` for new "
            f"rows; or fill the existing rows in this migration (`UPDATE {op.table} SET {column.name} = "
            f"{_opposite(shown)}`, in batches). If every existing row must really start {state}, "
            "suppress this with that reason.",
        )


def _opposite(default: str) -> str:
    lowered = default.strip().lower()
    if lowered in ("0", "1", "'0'", "'1'", "b'0'", "b'1'"):
        return "1" if "0" in lowered else "0"
    return "true" if lowered in FALSE else "false"
