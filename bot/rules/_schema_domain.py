"""The values the database itself allows in a column: the labels of its enum type (PostgreSQL's, or a MySQL
`ENUM(…)` column's) and the CHECK constraints that read only it. Shared by the rules that ask whether a
value written (`value-not-allowed`) or compared (`where-matches-no-rows`) is one of them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.model.catalog import Catalog, unqualified
from bot.sql.domains import Literal, admits, reads_only


def enum_labels(type_sql: str, catalog: Catalog) -> list[str] | None:
    """The labels of a MySQL `ENUM('a', 'b')` column type or of a PostgreSQL enum type; None for others."""
    if type_sql.lower().startswith("enum("):
        return [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", type_sql)]
    name = type_sql.split(".")[-1].strip('"')
    return catalog.enums.get(name) or catalog.enums.get(name.lower())


def refused_by_check(
    table: str,
    column: str,
    values: Sequence[Literal],
    catalog: Catalog,
    dialect: str,
    *,
    validated_only: bool = False,
) -> tuple[str, tuple[Literal, ...]] | None:
    """("CHECK `name` (expression)", the values it refuses) for the first CHECK reading only the column that
    refuses some of `values`; `validated_only`: skip a NOT VALID check (rows from before it may break it)."""
    wanted = unqualified(table)
    for name, constraint in catalog.checks.items():
        if constraint.table != table and unqualified(constraint.table) != wanted:
            continue  # not `same_table` (spelled out: every CHECK of the schema is asked about)
        if validated_only and not constraint.validated:
            continue
        if not reads_only(constraint.expression, column, dialect):
            continue
        refused = tuple(v for v in values if admits(constraint.expression, column, v, dialect) is False)
        if refused:
            return f"CHECK `{name}` ({constraint.expression})", refused
    return None
