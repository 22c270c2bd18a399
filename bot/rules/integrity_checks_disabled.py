"""Foreign-key checks turned off in a migration (`session_replication_role = replica`, MySQL's
`FOREIGN_KEY_CHECKS = 0`, `DISABLE TRIGGER ALL`): what the migration writes meanwhile is never checked.

## Why is this bad?
With the checks off, a DELETE of rows other tables point at succeeds and leaves those rows pointing at
nothing; an INSERT or UPDATE writes keys that match no row. Turning the checks back on does not look at
the rows written meanwhile: PostgreSQL and MySQL only check what is written afterwards, so the orphans stay,
and joins drop them, lookups find nothing, a later `VALIDATE` or dump-and-restore fails on them.
`session_replication_role = replica` also stops every ordinary trigger (audit logs, `updated_at`, search
vectors, counters) for the rest of the session. `ALTER TABLE … DISABLE TRIGGER ALL` is not even limited
to the session: until someone runs `ENABLE TRIGGER ALL`, no session's writes to that table are checked.

## Use instead
Keep the checks on and order the work so that it passes them: delete or move the rows that point at a row
before deleting it, insert parents before children, add a foreign key `NOT VALID` and validate it once the
data is clean. If the checks must be off (a bulk load), turn them back on in the same migration and look for
what slipped through before it ends: `SELECT … FROM child LEFT JOIN parent … WHERE parent.id IS NULL`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration, Operation, Truncate
from bot.rules._integrity import EVERY_TABLE, Switch, off_at, switches
from bot.rules.context import Context

RULE = Rule(
    id="integrity-checks-disabled",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Keep foreign-key checks on and order the changes to pass them; if they must be off, turn them back "
    "on in the migration and query for orphans before it ends.",
    bad=(
        "CREATE TABLE plans (id bigint PRIMARY KEY, code text NOT NULL);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id bigint NOT NULL REFERENCES plans (id));\n"
        "-- migration\n"
        "SET session_replication_role = replica;\n"
        "DELETE FROM plans WHERE code = 'legacy';\n"
        "SET session_replication_role = DEFAULT;",
    ),
    good=(
        "CREATE TABLE plans (id bigint PRIMARY KEY, code text NOT NULL);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id bigint NOT NULL REFERENCES plans (id));\n"
        "-- migration\n"
        "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'free')\n"
        "WHERE plan_id IN (SELECT id FROM plans WHERE code = 'legacy');\n"
        "DELETE FROM plans WHERE code = 'legacy';",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)

_WRITES = (DataDelete, DataInsert, DataUpdate, Truncate)
# a value that is another table's column (`SET community_id = p.community_id`): copied from a checked key
_COLUMN = re.compile(r'"?\w+"?(?:\."?\w+"?)?')


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    found = switches(migration)
    if not any(s.off for s in found):
        return
    reported: set[int] = set()
    for op in migration.up:
        if not isinstance(op, _WRITES):
            continue
        switch = off_at(migration, op, op.table, found)
        related = _related(op, context) if switch is not None else []
        if switch is None or not related:
            continue
        reported.add(id(switch.op))
        copied = (isinstance(op, DataInsert) and op.from_select) or (
            isinstance(op, DataUpdate)
            and all(_COLUMN.fullmatch(value.strip()) for _, value in op.assignments)
        )
        yield op.finding(
            RULE,
            f"This {_verb(op)} `{op.table}` runs while foreign-key checks are off ({switch.how}, line "
            f"{switch.op.location.line}): nothing checks the keys between `{op.table}` and "
            f"{', '.join(f'`{t}`' for t in related)}, and turning the checks back on does not look at what "
            "it wrote.",
            blast_radius=f"Rows of {', '.join(f'`{t}`' for t in related)} left pointing at rows that do not "
            "exist (or keys written that match none); they stay after the checks are back"
            + (", and every ordinary trigger is skipped meanwhile." if "replica" in switch.how else "."),
            # rows copied from tables whose keys were checked can only break them through the query's joins
            severity=Severity.WARNING if copied else None,
        )
    for switch in found:
        if switch.off and id(switch.op) not in reported and not _back_on(migration, switch, found):
            yield _left_off(switch, context)


def _related(op: Operation, context: Context) -> list[str]:
    """The tables whose foreign keys the write could break: those pointing at the rows a delete removes,
    the ones an insert points at, and for an UPDATE only through the key columns it sets (an UPDATE of a
    `sort_type` breaks no key)."""
    table = getattr(op, "table", "")
    keys = [k for k in context.before(op).foreign_keys.values() if not k.declared]
    children = {k.table for k in keys if same_table(k.references, table)}
    if isinstance(op, DataDelete | Truncate):
        return sorted(children)
    if isinstance(op, DataInsert):
        return sorted({k.references for k in keys if same_table(k.table, table)})
    assert isinstance(op, DataUpdate)
    assigned = {column.lower() for column, _ in op.assignments}
    parents = {
        k.references for k in keys if same_table(k.table, table) and assigned & {c.lower() for c in k.columns}
    }
    referenced = {
        k.table
        for k in keys
        if same_table(k.references, table) and assigned & {c.lower() for c in k.referenced_columns or ("id",)}
    }
    return sorted(parents | referenced)


def _verb(op: Operation) -> str:
    return {DataDelete: "DELETE FROM", DataInsert: "INSERT INTO", DataUpdate: "UPDATE", Truncate: "TRUNCATE"}[
        type(op)
    ]


def _back_on(migration: Migration, switch: Switch, found: list[Switch]) -> bool:
    after = False
    for other in found:
        if other.op is switch.op:
            after = True
        elif after and not other.off and other.table in (switch.table, EVERY_TABLE):
            return True
    return False


def _left_off(switch: Switch, context: Context) -> Finding:
    if switch.table == EVERY_TABLE:
        return switch.op.finding(
            RULE,
            f"Foreign-key checks are turned off ({switch.how}) and the migration never turns them back on: "
            "the runner's connection keeps them off for whatever it runs next.",
            severity=Severity.WARNING,
            blast_radius="Every later statement on the same connection (the next migrations of the deploy, "
            "a seed) writes without foreign-key checks.",
            fix="Turn them back on before the migration ends (`SET session_replication_role = DEFAULT`, "
            "`SET FOREIGN_KEY_CHECKS = 1`), or keep them on.",
        )
    return switch.op.finding(
        RULE,
        f"{switch.how} turns off the foreign-key checks of `{switch.table}` for every session, and the "
        "migration never turns them back on.",
        blast_radius=f"Every write to {context.size_words(switch.table)} from now on, by every session: keys that "
        "match no row are accepted, and rows other tables point at can be deleted.",
        fix=f"`ALTER TABLE {switch.table} ENABLE TRIGGER ALL` before the migration ends (or keep them on).",
    )
