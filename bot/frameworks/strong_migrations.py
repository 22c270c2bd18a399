"""strong_migrations' `safe_by_default`: the gem runs some Rails operations in their safe form.

A Rails application whose `config/initializers/strong_migrations.rb` says `StrongMigrations.safe_by_default =
true` writes `add_index :users, :email` and gets, on PostgreSQL, `CREATE INDEX CONCURRENTLY` outside the
migration's transaction; `add_foreign_key` and `add_check_constraint` become `NOT VALID` and a separate
`VALIDATE CONSTRAINT`; `change_column_null … false` becomes a `CHECK (… IS NOT NULL) NOT VALID`, validated,
then `SET NOT NULL` (which the validated check lets PostgreSQL 12+ do without a scan) and the check
dropped; its default, when one is given, is backfilled in batches of 10,000 rows. The review reads what runs, or it would report hazards the gem has already removed.
"""

from __future__ import annotations

import dataclasses
import re

from bot.model.changeset import Tree
from bot.model.migration import (
    AddConstraint,
    AddIndex,
    DataUpdate,
    DropConstraint,
    DropIndex,
    Operation,
    SetNotNull,
    ValidateConstraint,
)

INITIALIZER = "config/initializers/strong_migrations.rb"
_ON = re.compile(r"^\s*StrongMigrations\.safe_by_default\s*=\s*true\b", re.M)
NOTE = "strong_migrations' safe_by_default commits the migration's transaction before its safe operations"


# The tree asked about last and the answer: a history replay asks once per migration of the same tree, and
# the answer may need a walk over every path of it
_last: list[tuple[Tree, bool]] = []


def safe_by_default(tree: Tree) -> bool:
    """Does the application turn `safe_by_default` on (in the gem's initializer, or another one)?"""
    if _last and _last[0][0] is tree:
        return _last[0][1]
    answer = _turned_on(tree)
    _last[:] = [(tree, answer)]
    return answer


def _turned_on(tree: Tree) -> bool:
    text = tree.read(INITIALIZER)
    if text is not None:
        return _ON.search(text) is not None
    return any(
        path.startswith("config/initializers/") and path.endswith(".rb") and _ON.search(tree.read(path) or "")
        for path in tree.paths()
    )


def rewritten(ops: tuple[Operation, ...]) -> tuple[tuple[Operation, ...], bool]:
    """The operations as the gem runs them on PostgreSQL, and whether it takes them out of the migration's
    transaction (it commits it before its first safe operation)."""
    out: list[Operation] = []
    disabled = False
    for index, op in enumerate(ops):
        following = ops[index + 1] if index + 1 < len(ops) else None
        if (
            isinstance(op, DataUpdate)
            and isinstance(following, SetNotNull)
            and following.location == op.location
        ):
            # `change_column_null … false, default`: the gem backfills the NULLs in batches of 10,000
            out.append(dataclasses.replace(op, batched=True))
            continue
        made = _safe(op)
        if made is None:
            out.append(op)
            continue
        out.extend(made)
        disabled = True
    return tuple(out), disabled


def _safe(op: Operation) -> list[Operation] | None:
    if isinstance(op, AddIndex) and not op.concurrently:
        return [dataclasses.replace(op, concurrently=True)]
    if isinstance(op, DropIndex) and not op.concurrently:
        return [dataclasses.replace(op, concurrently=True)]
    if (
        isinstance(op, AddConstraint)
        and op.constraint in ("foreign_key", "check")
        and not op.not_valid
        and not op.on_column
    ):
        return [
            dataclasses.replace(op, not_valid=True),
            ValidateConstraint(
                table=op.table, name=op.name, location=op.location, end_line=op.end_line, sql=op.sql
            ),
        ]
    if isinstance(op, SetNotNull):
        name = f"{op.table}_{op.column}_null"
        return [
            AddConstraint(
                table=op.table,
                name=name,
                constraint="check",
                columns=(op.column,),
                not_valid=True,
                expression_sql=f"{op.column} IS NOT NULL",
                location=op.location,
                end_line=op.end_line,
                sql=op.sql,
            ),
            ValidateConstraint(
                table=op.table, name=name, location=op.location, end_line=op.end_line, sql=op.sql
            ),
            op,
            DropConstraint(table=op.table, name=name, location=op.location, end_line=op.end_line, sql=op.sql),
        ]
    return None
