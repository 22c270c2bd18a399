"""A key of one table is written into, or compared with, a column that identifies rows of another table.

## Why is this bad?
`UPDATE orders SET user_id = a.id FROM accounts a …` fills a column that references `users` with
`accounts` keys; `DELETE FROM sessions WHERE user_id IN (SELECT id FROM accounts WHERE …)` deletes the
sessions of whichever users happen to share those numbers. Keys are plain integers or UUIDs, so nothing
fails (or a foreign key fails only for the numbers that do not exist): the change attaches rows to the
wrong parents, or touches rows nobody meant to touch, and the mistake is silent. A table whose rows an earlier
INSERT of the migration gave another table's keys (`INSERT INTO layouts (id, board_id) SELECT id, id FROM
boards`) shares them with it: its keys there are no mix-up.

## Use instead
Join through the table the column really references (`… FROM accounts a JOIN users u ON u.account_id =
a.id`, then `SET user_id = u.id`), and compare a key column only with keys of the table it references.
The finding names what each column identifies and how that was known (a foreign key, a primary key, or
the column's name).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration
from bot.rules._keys import Pair, pairs, swaps, telling
from bot.rules.context import Context

RULE = Rule(
    id="mismatched-key",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Write and compare a key column only with keys of the table it references; join through that table.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n"
        "CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"
        "-- migration\n"
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM accounts WHERE id >= 1 AND id < 1000);",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"
        "CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"
        "-- migration\n"
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE account_id >= 1 AND account_id < 1000);",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    shared: set[frozenset[str]] = set()  # tables whose rows the migration gave the keys of another's
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete | DataInsert):
            continue
        every = list(pairs(op, context.before(op)))
        found = [p for p in every if p.crossed and telling(p) and _tables(p) not in shared]
        if isinstance(op, DataInsert):
            shared |= {_tables(p) for p in every if p.crossed and p.written and _copied_key(p)}
        swapped = {id(p) for p in swaps(found)}  # `swapped-values` reports those
        for pair in found:
            if id(pair) in swapped:
                continue
            declared = pair.left_key.declared and pair.right_key.declared
            verb = "is set from" if pair.written else "is compared with"
            yield op.finding(
                RULE,
                f"`{pair.left}` ({pair.left_key.how}) {verb} `{pair.right}` ({pair.right_key.how}): keys of "
                f"`{pair.right_key.table}` used for `{pair.left_key.table}`.",
                severity=None if declared else Severity.WARNING,
                blast_radius=(
                    f"Every row written points at the `{pair.left_key.table}` row that happens to share the "
                    f"`{pair.right_key.table}` key, or fails its foreign key."
                    if pair.written
                    else f"The statement picks rows by `{pair.right_key.table}` keys as if they were "
                    f"`{pair.left_key.table}` keys: other rows than intended are changed."
                ),
            )


def _tables(pair: Pair) -> frozenset[str]:
    return frozenset((pair.left_key.table, pair.right_key.table))


def _copied_key(pair: Pair) -> bool:
    """An INSERT that gives each new row the primary key of a row of another table (homarr's `INSERT INTO
    layout (id, name, board_id, …) SELECT id, 'Base', id, … FROM board`): from then on that table's keys are
    the other's too, and a later write of one where the other is meant is no mix-up."""
    return "primary key" in pair.left_key.how and "primary key" in pair.right_key.how
