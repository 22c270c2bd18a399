"""The schema the review's own SQL runs against: the tables before the change with what the change adds,
so a query written for before the deploy and one written for after it are both judged."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.model.catalog import Catalog
from bot.model.migration import CreateTable, Operation, RenameTable
from bot.sql.checked import Schema, problem


def schema_of(catalog: Catalog | None, ops: Sequence[Operation]) -> Schema:
    """A table the schema before the change does not hold, and the change does not create (or rename from a
    known one), stays unknown: the change's ALTERs alone would make it a table of only the columns they add."""
    if catalog is None:
        return {}
    after = catalog.snapshot()
    for op in ops:
        after.apply(op)
    known_after = set(catalog.tables)
    for op in ops:
        if isinstance(op, CreateTable):
            known_after.add(op.table)
        elif isinstance(op, RenameTable) and op.table in known_after:
            known_after.add(op.new_name)
    schema: Schema = {}
    for known in (catalog, after):
        for table in known.tables.values():
            if known is after and table.name not in known_after:
                continue
            columns = schema.setdefault(table.name, {})
            for column in table.columns.values():
                columns.setdefault(column.name, column.type or "text")
    return {t: c for t, c in schema.items() if c}


def runnable(sql: str, dialect: str, schema: Schema) -> bool:
    return not problem(sql, dialect, schema)


_NAME = re.compile(r"[\"`]?[^\s\"`*]+[\"`]?")


def named(op: Operation) -> bool:
    """Does the operation name its table and columns (what the review's SQL quotes)? A migration mangled
    past reading can leave a table `""` or a column `*`; no statement is written for those."""
    table = getattr(op, "table", None)
    names = [table] if isinstance(table, str) else []
    column = getattr(op, "column", None)
    names += (
        [column] if isinstance(column, str) else [getattr(column, "name", "")] if column is not None else []
    )
    names += [c for c, _ in getattr(op, "assignments", ()) or ()]
    listed = [c for c in getattr(op, "columns", ()) or () if isinstance(c, str)]  # may be expressions
    return all(isinstance(n, str) and _NAME.fullmatch(n) for n in names) and all(
        c.strip() and c.strip() != "*" for c in listed
    )
