"""A data change compares a PostgreSQL enum column with a label the enum type does not have: the statement fails.

## Why is this bad?
`UPDATE orders SET archived = true WHERE status = 'canceled'` on a column of the enum type `order_status`
('open', 'paid', 'cancelled'): PostgreSQL reads `'canceled'` as a value of the enum before it looks at any
row, and stops with `invalid input value for enum order_status: "canceled"`. It is not a condition that
matches no rows: the statement errors on every database, whatever it holds, the migration stops there, and
a deploy that runs it fails (with the earlier statements of a migration outside a transaction applied).
`<>`, `IN` and `NOT IN` read the label the same way.

## Use instead
Compare with a label the type has (the finding lists them), or add the label first, in an earlier migration
(`ALTER TYPE order_status ADD VALUE 'canceled'`), when the value is meant to exist.

## Framework notes
The labels are the enum type's as the migrations before this statement left it (`CREATE TYPE … AS ENUM`,
`ALTER TYPE … ADD VALUE`, `RENAME VALUE`, a type rebuilt under the same name). The conditions of data changes
each framework writes its own way (Rails `where(status: 'canceled')`, Django `filter(status="canceled")`, the
query builders of Laravel, Knex, TypeORM, Sequelize and Ecto) are read as the SQL they send. MySQL's
`ENUM(…)` columns accept the comparison (and match no rows): `where-matches-no-rows` says so.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration
from bot.rules._schema_domain import unknown_enum_labels
from bot.rules.context import Context

RULE = Rule(
    id="enum-label-unknown",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Compare the enum column with a label its type has, or add the label in an earlier migration.",
    bad=(
        "CREATE TYPE ticket_state AS ENUM ('open', 'cancelled');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state, archived boolean);\n-- migration\n"
        "UPDATE tickets SET archived = true WHERE state = 'canceled' AND id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TYPE ticket_state AS ENUM ('open', 'cancelled');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state, archived boolean);\n-- migration\n"
        "UPDATE tickets SET archived = true WHERE state = 'cancelled' AND id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataDelete) or context.catalog.is_new(op.table):
            continue
        for column, type_name, absent, allowed in unknown_enum_labels(op, context.before(op)):
            shown = ", ".join(
                f"`'{v}'`"
                + (
                    f" (meant `'{close[0]}'`?)"
                    if (close := difflib.get_close_matches(v, allowed, 1, 0.8))
                    else ""
                )
                for v in absent[:6]
            )
            yield op.finding(
                RULE,
                f"`{op.table}.{column}` is of the enum type `{type_name}`, which has no label {shown}: PostgreSQL "
                f"refuses the comparison (`invalid input value for enum {type_name}`), so the statement fails "
                "on every database, whatever rows it holds.",
                blast_radius="The migration stops at this statement on every deploy; the data change never "
                "runs, and statements it ran before outside a transaction stay applied. The labels "
                f"`{type_name}` has: " + ", ".join(f"`'{v}'`" for v in allowed[:12]) + ".",
            )
