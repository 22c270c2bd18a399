"""Where a migration turns the database's foreign-key checks off and on again (shared by the rules that judge
what a data change does to the rows other tables point at)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model.migration import Migration, Operation, RawSQL

_REPLICA = re.compile(r"\bsession_replication_role\s*(?:=|\bto\b)\s*'?replica\b", re.I)
_ORIGIN = re.compile(r"\bsession_replication_role\s*(?:=|\bto\b)\s*'?(?:origin|local|default)\b", re.I)
_RESET_ROLE = re.compile(r"^\s*reset\s+session_replication_role\b", re.I)
_CHECKS_OFF = re.compile(r"\bforeign_key_checks\s*(?::=|=)\s*'?(?:0|off|false)\b", re.I)
_CHECKS_ON = re.compile(r"\bforeign_key_checks\s*(?::=|=)\s*'?(?:1|on|true|default)\b", re.I)
_TRIGGERS_OFF = re.compile(r"\bdisable\s+trigger\s+all\b", re.I)
_TRIGGERS_ON = re.compile(r"\benable\s+trigger\s+all\b", re.I)

EVERY_TABLE = "*"


@dataclass(frozen=True)
class Switch:
    """A statement that turns the checks off (or back on) for one table or, for a session setting, all."""

    op: Operation
    table: str  # EVERY_TABLE for a session setting
    off: bool
    how: str  # what the statement does, for messages


def switches(migration: Migration) -> list[Switch]:
    found: list[Switch] = []
    for op in migration.up:
        if not isinstance(op, RawSQL):
            continue
        sql = op.sql
        if op.category in ("set", "reset"):
            if _REPLICA.search(sql):
                found.append(Switch(op, EVERY_TABLE, True, "`session_replication_role = replica`"))
            elif _ORIGIN.search(sql) or _RESET_ROLE.search(sql):
                found.append(Switch(op, EVERY_TABLE, False, "session_replication_role reset"))
            elif _CHECKS_OFF.search(sql):
                found.append(Switch(op, EVERY_TABLE, True, "`FOREIGN_KEY_CHECKS = 0`"))
            elif _CHECKS_ON.search(sql):
                found.append(Switch(op, EVERY_TABLE, False, "`FOREIGN_KEY_CHECKS = 1`"))
        elif op.category == "trigger-toggle" and op.table:
            if _TRIGGERS_OFF.search(sql):
                found.append(Switch(op, op.table, True, f"`ALTER TABLE {op.table} DISABLE TRIGGER ALL`"))
            elif _TRIGGERS_ON.search(sql):
                found.append(Switch(op, op.table, False, f"`ALTER TABLE {op.table} ENABLE TRIGGER ALL`"))
    return found


def off_at(
    migration: Migration, op: Operation, table: str, found: list[Switch] | None = None
) -> Switch | None:
    """The switch that has the checks off for `table` when `op` runs, if any."""
    state: dict[str, Switch | None] = {}
    by_op = {id(s.op): s for s in (switches(migration) if found is None else found)}
    for current in migration.up:
        if current is op:
            return state.get(table) or state.get(EVERY_TABLE)
        switch = by_op.get(id(current))
        if switch is not None:
            state[switch.table] = switch if switch.off else None
    return None
