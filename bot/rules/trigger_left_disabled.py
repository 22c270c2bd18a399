"""A trigger turned off by the migration and never turned back on: every later write skips it.

## Why is this bad?
`ALTER TABLE orders DISABLE TRIGGER orders_audit` (or `DISABLE TRIGGER USER`, every trigger the application
made) is not limited to the migration's session: it changes the table. Until someone runs `ENABLE TRIGGER`,
no write from any session fires it, so the audit rows, `updated_at` stamps, search vectors, counters and
denormalised copies that the trigger keeps are silently not kept any more, from this deploy on. Nothing fails;
the data drifts until someone notices the missing history. Migrations disable a trigger to load or backfill rows
quickly and forget the other half, or put it in the down migration only.

(`DISABLE TRIGGER ALL` also turns off the foreign-key checks: `integrity-checks-disabled` reports it.)

## Use instead
Turn the trigger back on in the same migration, right after the statements that needed it off (inside one
transaction, so that the application's writes wait instead of skipping it):

```sql
BEGIN;
ALTER TABLE orders DISABLE TRIGGER orders_audit;
UPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01';
ALTER TABLE orders ENABLE TRIGGER orders_audit;
COMMIT;
```

If the trigger is meant to go, `DROP TRIGGER` says so (and `trigger-dropped` checks what it did).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="trigger-left-disabled",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Enable the trigger again in the same migration (in the same transaction), or drop it on purpose.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n"
        "-- migration\n"
        "ALTER TABLE orders DISABLE TRIGGER orders_audit;\n"
        "UPDATE orders SET status = 'archived' WHERE status = 'old';",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n"
        "-- migration\n"
        "ALTER TABLE orders DISABLE TRIGGER orders_audit;\n"
        "UPDATE orders SET status = 'archived' WHERE status = 'old';\n"
        "ALTER TABLE orders ENABLE TRIGGER orders_audit;",
    ),
    dialects=("postgres",),
)

_DISABLE = re.compile(r"\bDISABLE\s+TRIGGER\s+(?:\"([^\"]+)\"|(\w+))", re.I)
_ENABLE = re.compile(r"\bENABLE\s+(?:ALWAYS\s+|REPLICA\s+)?TRIGGER\s+(?:\"([^\"]+)\"|(\w+))", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    toggles = [
        op for op in migration.up if isinstance(op, RawSQL) and op.category == "trigger-toggle" and op.table
    ]
    for index, op in enumerate(toggles):
        off = _named(_DISABLE, op.sql)
        if off is None or off == "all" or context.catalog.is_new(op.table):
            continue  # ALL is integrity-checks-disabled's (it stops the foreign-key checks too)
        later = toggles[index + 1 :]
        if any(
            same_table(o.table, op.table) and _named(_ENABLE, o.sql) in (off, "all", "user") for o in later
        ):
            continue
        which = "every trigger the application made on" if off == "user" else f"the trigger `{off}` of"
        yield op.finding(
            RULE,
            f"The migration turns off {which} `{op.table}` and never turns "
            f"{'them' if off == 'user' else 'it'} back on: `DISABLE TRIGGER` changes the table for every "
            "session, not only the migration's.",
            blast_radius=f"From this deploy on, no write to {context.size_words(op.table)} fires "
            f"{'them' if off == 'user' else 'it'}: what {'they keep' if off == 'user' else 'it keeps'} (audit "
            "rows, timestamps, counters, copies in other tables) silently stops being kept.",
            fix=f"Add `ALTER TABLE {op.table} ENABLE TRIGGER {'USER' if off == 'user' else off};` after the "
            "statements that need it off, in the same transaction; or `DROP TRIGGER` if it is meant to go.",
        )


def _named(pattern: re.Pattern[str], sql: str) -> str | None:
    found = pattern.search(sql)
    if found is None:
        return None
    return (found.group(1) or found.group(2) or "").lower()
