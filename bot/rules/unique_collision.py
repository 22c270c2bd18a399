"""An UPDATE can give two rows the same value of a unique key.

## Why is this bad?
`UPDATE users SET email = lower(email)` turns `Ann@example.com` and `ann@example.com` into one value. With a
unique index on `email`, PostgreSQL and MySQL reject the statement at the first such pair: the migration
fails in production (and in a transaction everything before it is undone), though it passed on every
development database, which had no such pair. The same happens with any function that maps several values
to one (`trim`, `upper`, `left(…, 8)`, `round`, `date_trunc`) and with one constant written to many rows
(`SET code = ''`). A test database rarely holds the colliding rows; production usually does.

## Use instead
Count the values that would collide first (the review's validation query does:
`SELECT lower(email) AS new_value, count(*) FROM users GROUP BY 1 HAVING count(*) > 1`), decide which row of each
group keeps the value and merge or rename the others in an earlier step, then normalise; or normalise only
the rows whose new value is free (`WHERE NOT EXISTS (SELECT 1 FROM users o WHERE o.email = lower(users.email)
AND o.id <> users.id)`). Write a constant to a unique column only for a condition that fixes one row.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.collisions import collisions

RULE = Rule(
    id="unique-collision",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Resolve the rows whose new value of a unique key would collide before the UPDATE, or update only the rows whose new value is free.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n-- migration\n"
        "UPDATE users SET email = lower(email) WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE coupons (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, expired boolean);\n-- migration\n"
        "UPDATE coupons SET code = '' WHERE expired;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, nickname text);\n-- migration\n"
        "UPDATE users SET nickname = lower(nickname) WHERE id BETWEEN 1 AND 1000;",
        "CREATE TABLE coupons (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, expired boolean);\n-- migration\n"
        "UPDATE coupons SET code = 'RETIRED-' || code WHERE expired;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        for found in collisions(op, context.before(op), context.dialect):
            key = (
                f"the unique index `{found.key_name}`"
                if found.key_name
                else f"the unique key ({', '.join(found.key)})"
            )
            if found.kind == "folding":
                message = (
                    f"`{op.table}.{found.column}` is set to `{found.value}`, which can turn two different values "
                    f"into one; {key} then rejects the UPDATE."
                )
            else:
                shared = [c for c in found.key if c != found.column]
                pair = f"two rows with the same {', '.join(f'`{c}`' for c in shared)}" if shared else "two"
                message = (
                    f"`{op.table}.{found.column}` is set to `{found.value}` on every row the UPDATE chooses; "
                    f"{key} rejects the UPDATE as soon as it chooses {pair}."
                )
            others = "".join(f", {c}" for c in found.key if c != found.column)
            query = f"SELECT {found.value}{others}, count(*) FROM {op.table} GROUP BY 1{''.join(f', {i + 2}' for i in range(len(found.key) - 1))} HAVING count(*) > 1"
            # any two rows collide on a key of one column; on a compound key, only two sharing its other columns
            yield op.finding(
                RULE,
                message,
                severity=Severity.CRITICAL if len(found.key) == 1 else Severity.WARNING,
                blast_radius=(
                    f"The migration fails in production at the first pair of rows of `{op.table}` that would share "
                    f"a value of {key}, after passing on databases without such a pair; in a transaction, every "
                    "statement before it is undone, and the deploy stops."
                ),
                fix=(
                    f"Before the UPDATE, find the values that would collide (`{query}`, over the rows it changes, must "
                    "return no rows; the validation query below counts them with the rows it leaves alone), merge or "
                    "rename those rows, or update only the rows whose new value no other row holds."
                ),
            )
