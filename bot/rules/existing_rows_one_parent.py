"""A foreign-key column added with a fixed default (`org_id … DEFAULT 1`): every existing row now belongs to
that one parent.

## Why is this bad?
`ALTER TABLE projects ADD COLUMN org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id)` answers the
question "which organisation owns each existing project?" with "organisation 1", for all of them. In a
multi-tenant application that moves every customer's projects into one customer's account: they see each
other's data, permissions follow the wrong owner, and the real owners cannot be told apart afterwards.
Where id 1 does not exist in production (ids differ between databases), the migration fails instead.
Django's one-off default (`ForeignKey(…, default=1)`, what `makemigrations` asks for when a required
relation is added) and Rails' `add_reference … default: 1` do the same.

## Use instead
Add the column nullable, fill each row from where its real parent is (`UPDATE projects p SET org_id =
u.org_id FROM users u WHERE u.id = p.owner_id`, in batches), then set NOT NULL (with a validated check
first on a large table). If every existing row really belongs to one parent (a single-tenant install),
look the parent up rather than hard-coding its id, and suppress the finding with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddConstraint, Migration
from bot.rules._backfill import emptied_before, filled_later
from bot.rules.context import Context

RULE = Rule(
    id="existing-rows-one-parent",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the key nullable, fill each row from its real parent, then make it NOT NULL; never a fixed id.",
    bad=(
        "CREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE TABLE projects (id bigint PRIMARY KEY, name text);\n"
        "-- migration\n"
        "ALTER TABLE projects ADD COLUMN org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id);",
    ),
    good=(
        "CREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE TABLE projects (id bigint PRIMARY KEY, name text);\n"
        "-- migration\n"
        "ALTER TABLE projects ADD COLUMN org_id bigint REFERENCES orgs (id);",
    ),
)

# a literal id: a number, or a quoted key (`'default'`, a uuid)
_FIXED = re.compile(r"^\(?\s*(?:-?\d+|'[^']*')\s*\)?(?:::\w+)?$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    keyed = {
        (op.table, op.columns[0]): op.references
        for op in migration.up
        if isinstance(op, AddConstraint) and op.constraint == "foreign_key" and len(op.columns) == 1
    }
    for op in migration.up:
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        default = (op.column.default or "").strip()
        parent = op.column.references or keyed.get((op.table, op.column.name))
        if not parent or not _FIXED.match(default) or default.strip("'") in ("", "0"):
            continue
        if filled_later(migration, op, op.table, op.column.name, context.later()):
            continue
        if emptied_before(migration, op, op.table):
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column.name}` points at `{parent}` and is added with the default `{default}`: every "
            f"row `{op.table}` already has now belongs to that one `{parent}` row.",
            blast_radius=f"Every existing row of {context.size_words(op.table)}: owned by `{parent}` {default} "
            "whatever its real parent is (in a multi-tenant application, one tenant's rows seen by another); "
            f"where no `{parent}` row has that id, the migration fails.",
        )
