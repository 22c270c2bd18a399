"""Maintenance and explicit locks read from PostgreSQL's nodes: VACUUM, ANALYZE, CLUSTER, REINDEX, LOCK TABLE.

Options are read for their value, not their presence: `VACUUM (FULL FALSE)` does not block and
`REINDEX (CONCURRENTLY false)` is not concurrent. `REINDEX SYSTEM` cannot run concurrently at all, so it is
kept as maintenance with no better form to suggest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import ReindexObjectType

from bot.model.migration import LockTable, Maintenance, Operation, Reindex
from bot.sql.pg_nodes import flag, option, relation

Base = dict[str, Any]


def vacuum(node: ast.VacuumStmt, base: Base) -> Iterator[Operation]:
    full = flag(option(node.options, "full"))
    command = ("VACUUM FULL" if full else "VACUUM") if node.is_vacuumcmd else "ANALYZE"
    tables = [relation(r.relation) for r in node.rels or () if isinstance(r, ast.VacuumRelation)] or [""]
    for table in tables:
        yield Maintenance(command=command, table=table, blocking=full, **base)


def cluster(node: ast.ClusterStmt, base: Base) -> Iterator[Operation]:
    yield Maintenance(command="CLUSTER", table=relation(node.relation), blocking=True, **base)


def reindex(node: ast.ReindexStmt, base: Base) -> Iterator[Operation]:
    kind = node.kind.name.removeprefix("REINDEX_OBJECT_").lower() if node.kind is not None else "index"
    name = relation(node.relation) if node.relation is not None else str(node.name or "")
    if node.kind in (ReindexObjectType.REINDEX_OBJECT_SYSTEM,):
        # System catalogs cannot be reindexed concurrently: there is nothing better to suggest.
        yield Maintenance(command="REINDEX SYSTEM", table="", blocking=False, **base)
        return
    yield Reindex(
        target=f"{kind} {name}".strip(),
        table=name if node.kind == ReindexObjectType.REINDEX_OBJECT_TABLE else "",
        concurrently=flag(option(node.params, "concurrently")),
        **base,
    )


_LOCK_MODES = (
    "",
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)


def lock(node: ast.LockStmt, base: Base) -> Iterator[Operation]:
    number = node.mode or 0
    mode = _LOCK_MODES[number] if 0 < number < len(_LOCK_MODES) else "ACCESS EXCLUSIVE"
    for target in node.relations or ():
        yield LockTable(table=relation(target), mode=mode, nowait=bool(node.nowait), **base)
