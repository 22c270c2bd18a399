"""Rows written as records (an ORM `create`, `insert_all`, `bulk_create`, a fixture, `op.bulk_insert`) as
the columns and VALUES rows of a DataInsert, so the catalog records them as it records `INSERT … VALUES`.

A record is a list of (column, SQL value) pairs; a value that is no literal keeps its source text, which
no rule reads as a literal. A column that some records leave out takes `DEFAULT` in theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

Record = Sequence[tuple[str, str]]
MAX_RECORDS = 1000


def values_rows(records: Sequence[Record]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    columns: dict[str, None] = {}
    for record in records[:MAX_RECORDS]:
        columns.update((column, None) for column, _ in record)
    rows = []
    for record in records[:MAX_RECORDS]:
        values = dict(record)
        rows.append(tuple(values.get(column, "DEFAULT") for column in columns))
    return tuple(columns), tuple(rows)


def sql_literal(value: object) -> str | None:
    """A JSON or Python scalar as SQL: `'pro'`, `2`, `TRUE`, `NULL`; None for anything else."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None


def django_fixture(text: str, table_of: Callable[[str], str]) -> dict[str, list[Record]]:
    """A Django JSON fixture (`[{"model": "shop.plan", "pk": 1, "fields": {…}}]`) as records by table;
    `table_of` maps `shop.plan` to its table."""
    try:
        items = json.loads(text)
    except ValueError:
        return {}
    found: dict[str, list[Record]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("model"), str):
            continue
        fields = item.get("fields")
        fields = fields if isinstance(fields, dict) else {}
        record = [("id", sql_literal(item["pk"]) or "DEFAULT")] if "pk" in item else []
        record += [
            (name, literal) for name, value in fields.items() if (literal := sql_literal(value)) is not None
        ]
        found.setdefault(table_of(item["model"]), []).append(record)
    return found
