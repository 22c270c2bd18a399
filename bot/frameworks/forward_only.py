"""Frameworks with no down migrations by design, and the way back each one offers instead.

Prisma Migrate never writes a down migration, and Flyway's undo scripts exist only in its paid editions:
for them a missing down is how the tool works, not a gap in the pull request. Their way back is a forward
fix: a new migration that reverses this one. Sqitch is not among them: every change has a revert script.
"""

from __future__ import annotations

from bot.model.migration import Migration

FORWARD_FIX = {
    "prisma": (
        "Prisma Migrate has no down migrations: roll back with a forward fix. Generate the reverse with "
        "`npx prisma migrate diff --from-schema-datasource prisma/schema.prisma --to-schema-datamodel "
        "<the previous schema.prisma> --script`, save it as a new migration, and apply it with "
        "`npx prisma migrate deploy` (a migration that failed half-way is first marked with "
        "`npx prisma migrate resolve --rolled-back <name>`)."
    ),
    "flyway": (
        "Flyway Community has no undo: roll back with a corrective version, a new `V<next>__revert_…sql` "
        "that reverses this one, applied with `flyway migrate` (a failed migration is first cleared with "
        "`flyway repair`)."
    ),
}


def forward_fix(migration: Migration) -> str:
    """How to go back from a migration whose framework has no down by design; empty when it has one."""
    return FORWARD_FIX.get(migration.framework, "") if migration.down is None else ""
