"""A column added to replace another is not written alongside it: the transition loses writes.

## Why is this bad?
In the expand step of a rename or a type change the migration adds the new column and backfills it
from the old one. Rows the application writes after the backfill get a value only in the column the
code writes. If the code writes only the old column, the new one misses every row written since the
backfill and reads that switch to it see NULLs; if it writes only the new one, the old column goes
stale and rolling back to the previous release reads outdated values.

## Use instead
Write both columns in the same release (side by side in the model or service, a model callback, or a
database trigger installed by the migration), deploy it before the backfill runs, and switch reads only
once both are in sync.

## Framework notes
The review looks for writes to both names in the code of the pull request (`order.state_id = …`,
`update(state_id: …)`, `Order.objects.create(state_id=…)`, `SET state_id =`, `data: { stateId: … }`).
A trigger on the table created by the same migration counts as writing both. A new column seeded from a
timestamp the ORM writes itself (`last_edited_at = created_at`, `updated_at`) that the code writes is no
replacement: the ORM keeps the old one current. A count or maximum over other rows is no copy either, and
neither is a value derived from the row's own key (`UPDATE idp SET uid = to_hex(id)`): the key is never
replaced, and new rows get their value where they are inserted.
Each new column is checked on its own (two columns filled from one old column are two transitions),
and a new column whose old one the same migration drops is none: the two never live side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.model.findings import Dimension, Finding, Reference, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.references.search import Use
from bot.references.targets import replacements
from bot.rules.context import Context

RULE = Rule(
    id="dual-write-incomplete",
    dimension=Dimension.ROLLBACK,
    severity=Severity.WARNING,
    help="Write the old and the new column in the same release until reads have switched and the old one is dropped.",
    bad=(
        "ALTER TABLE orders ADD COLUMN state_id integer;\n"
        "UPDATE orders SET state_id = CASE status WHEN 'paid' THEN 2 ELSE 1 END;",
    ),
    good=(
        "ALTER TABLE orders ADD COLUMN state_id integer;\n"
        "CREATE TRIGGER orders_state_sync BEFORE INSERT OR UPDATE ON orders\n"
        "  FOR EACH ROW EXECUTE FUNCTION orders_sync_state_id();\n"
        "UPDATE orders SET state_id = CASE status WHEN 'paid' THEN 2 ELSE 1 END;",
    ),
)


# Columns the ORMs write on every insert or update themselves (Rails, Django, Ecto, Sequelize, Prisma)
_FRAMEWORK_TIMESTAMPS = frozenset(
    {"created_at", "updated_at", "inserted_at", "createdAt", "updatedAt", "created", "modified"}
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for target, backfill in replacements(migration, context.catalog):
        if context.catalog.is_new(target.table) or _synced_by_trigger(migration, target.table):
            continue
        if (target.name,) == context.catalog.row_key(target.table):
            continue  # a value derived from the row's key (`uid = to_hex(id)`): the key replaces nothing
        new = target.new_name or ""
        old_writes = _writes(context.references.uses(target))
        new_writes = _writes(context.references.new_uses(target))
        if old_writes and new_writes:
            continue
        if new_writes and target.name in _FRAMEWORK_TIMESTAMPS:
            continue  # `last_edited_at = created_at`: the ORM keeps writing `created_at` itself, it never goes stale
        if new_writes:
            message = f"The code writes `{target.table}.{new}` but no longer `{target.name}`."
            radius = (
                f"`{target.name}` goes stale from the deploy on, and rolling back to the previous release reads "
                f"it: the code writes only `{new}` ({_list(new_writes)})."
            )
        else:
            message = (
                f"`{target.table}.{new}` is backfilled from `{target.name}`, but the code does not write it."
            )
            only = (
                f"the code writes only `{target.name}` ({_list(old_writes)})"
                if old_writes
                else "no code writes it"
            )
            radius = (
                f"Rows written after the backfill have no `{new}`: {only}. Reads that switch to it see NULLs."
            )
        yield backfill.finding(
            RULE,
            message,
            blast_radius=radius,
            references=tuple(_reference(u) for u in old_writes + new_writes),
            # no write to either name found: the code may write through a path the search cannot see
            severity=None if old_writes or new_writes else Severity.INFO,
        )


def _writes(uses: Sequence[Use]) -> list[Use]:
    return [u for u in uses if u.blocking and u.access == "write" and u.area not in ("test", "doc")]


def _synced_by_trigger(migration: Migration, table: str) -> bool:
    triggers = [op.sql for op in migration.up if isinstance(op, RawSQL) and op.category == "trigger"]
    if not triggers:  # no pattern to compile for the table
        return False
    on_table = re.compile(rf"\bON\s+(?:\w+\.)?\"?{re.escape(table)}\b", re.I)
    return any(on_table.search(sql) for sql in triggers)


def _list(uses: Sequence[Use]) -> str:
    shown = ", ".join(f"`{u.path}:{u.line}`" for u in uses[:3])
    more = f" and {len(uses) - 3} more" if len(uses) > 3 else ""
    return shown + more


def _reference(use: Use) -> Reference:
    return Reference(use.path, use.line, use.text, f"{use.area}, write")
