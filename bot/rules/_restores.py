"""What a migration's way back writes: the tables its down migration (or the reverse of its code) puts data
back into. Shared by the rules that ask whether a rollback restores what the up overwrote
(`data-lost-on-rollback`, `every-row-overwritten`)."""

from __future__ import annotations

from bot.model.catalog import unqualified
from bot.model.migration import DataInsert, DataUpdate, Migration, RunCode
from bot.rules.missing_down_migration import DERIVED_DOWN


def restored_tables(migration: Migration) -> set[str]:
    """Tables the way back writes data into: an UPDATE or INSERT of the down migration, code it runs, or the
    reverse code of the up's own (Django `RunPython(forwards, backwards)`)."""
    down = migration.down or ()
    tables = {op.table for op in down if isinstance(op, DataUpdate | DataInsert)}
    tables |= {t for op in down if isinstance(op, RunCode) for t in op.touches}
    tables |= {
        t
        for op in migration.up
        if isinstance(op, RunCode) and op.reverse and not op.reverse_noop
        for t in op.touches
    }
    return {unqualified(t) for t in tables}


def has_way_back(migration: Migration) -> bool:
    """Does the migration have a down to judge (not none at all, nor an empty one, which
    `missing-down-migration` reports)?"""
    if migration.down is None:
        return False
    return bool(migration.down) or migration.framework in DERIVED_DOWN


def restores_nothing_of(migration: Migration, table: str) -> bool:
    """Does the migration have a way back that writes nothing back into `table`?"""
    return has_way_back(migration) and unqualified(table) not in restored_tables(migration)
