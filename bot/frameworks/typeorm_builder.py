"""TypeORM's query builder in a migration: `queryRunner.manager.createQueryBuilder().update("orders")
.set({ state: "closed" }).where("state = :old", { old: "stale" }).execute()` is one UPDATE.

- `update(target).set({…})` is a DataUpdate, `delete().from(target)` a DataDelete, `insert().into(target)
  .values([…])` a DataInsert; `where`/`andWhere` are SQL (a `:name` the
  parameters object binds to a literal is read as that value, the others as bound values), a `set` value
  given as a function (`() => "NOT is_hidden"`) is the SQL it returns.
- A target given as an entity class (`update(User)`) is the entity's table when the project declares it
  (`@Entity("users")`); otherwise the write is an UnreadDataChange, said, never passed over. A chain that reads (`getMany`, `getCount`) changes nothing.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import node_migration as nm
from bot.frameworks.node_migration import Source
from bot.model.migration import DataInsert, Operation, UnreadDataChange

_WRITES = frozenset({"update", "delete", "insert", "softDelete", "restore"})
_TARGETS = frozenset({"update", "from", "into"})
_CONDITIONS = ("where", "andWhere")


def is_builder(calls: list[js.Call]) -> bool:
    return any(c.name == "createQueryBuilder" for c in calls)


def operations(
    node: Node, calls: list[js.Call], src: Source, entities: dict[str, str] | None = None
) -> list[Operation]:
    """The data change a query-builder chain makes; nothing for a chain that only reads. An entity class
    given as the target (`update(User)`) is its table when the project declares the entity."""
    verb = next((c for c in calls if c.name in _WRITES), None)
    if verb is None:
        return []
    target = next((c.args[0] for c in calls if c.name in _TARGETS and c.args), None)
    if target is None:
        given = (c for c in calls if c.name in ("createQueryBuilder", "getRepository") and c.args)
        target = next((c.args[0] for c in given), None)
    table = nm.name(target) or (entities or {}).get(js.text_of(target) if target is not None else "", "")
    if not table or verb.name in ("softDelete", "restore"):
        return [_unread(node, src, js.text_of(target) if target is not None else "", verb.name)]
    where = _where(calls)
    if verb.name == "delete":
        return [nm.delete(node, src, table, where)]
    if verb.name == "insert":
        values = next((c.args[0] for c in calls if c.name == "values" and c.args), None)
        found = nm.insert(node, src, table, values)
        return [found] if isinstance(found, DataInsert) else []
    values = next((c.args[0] for c in calls if c.name == "set" and c.args), None)
    return [nm.update(node, src, table, values, where)]


def _where(calls: list[js.Call]) -> str | None:
    parts = [
        _bound(found, js.value(c.args[1]) if len(c.args) > 1 else None)
        for c in calls
        if c.name in _CONDITIONS and c.args and isinstance(found := js.value(c.args[0]), str)
    ]
    return " AND ".join(f"({part})" if len(parts) > 1 else part for part in parts) or None


# `:name` (or `:...name`, a list spread) outside quotes, not a `::` cast
_PARAMETER = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|::)|(?<![:\w]):(\.\.\.)?([A-Za-z_]\w*)""")


def _bound(condition: str, parameters: js.Value) -> str:
    """The condition with each parameter whose value the object gives as a literal written in its place
    (`state = :old`, `{ old: "stale" }` → `state = 'stale'`); the others stay parameters."""
    if not isinstance(parameters, dict):
        return condition

    def fill(match: re.Match[str]) -> str:
        value = parameters.get(match.group(3)) if not match.group(1) else None
        if match.group(2) and isinstance(value, list) and value and all(_literal(v) for v in value):
            return ", ".join(nm.literal(v) for v in value)
        return nm.literal(value) if not match.group(2) and _literal(value) else match.group(0)

    return _PARAMETER.sub(fill, condition)


def _literal(value: js.Value) -> bool:
    return isinstance(value, str | int | float | bool) and not isinstance(value, js.Code)


def _unread(node: Node, src: Source, target: str, verb: str) -> Operation:
    what = f"`{target}`" if target else "a target computed at run time"
    return UnreadDataChange(
        runs=f"the query builder's `{verb}` on {what}",
        how="an entity class or a computed target, whose table the migration does not name",
        check=f"Check which table {what} maps to, which rows the chain writes, and how the down migration "
        "restores them",
        **nm.origin_of(node, src),
    )
