"""The values the database itself allows in a column: the labels of its enum type (PostgreSQL's, or a MySQL
`ENUM(…)` column's) and the CHECK constraints that read only it. Shared by the rules that ask whether a
value written (`value-not-allowed`) or compared (`where-matches-no-rows`) is one of them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from sqlglot import exp

from bot.model.catalog import Catalog, unqualified
from bot.model.migration import DataDelete, DataUpdate
from bot.sql.data_changes import statement_of
from bot.sql.domains import Literal, admits, reads_only
from bot.sql.names import identifier


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


def unknown_enum_labels(
    op: DataUpdate | DataDelete, catalog: Catalog
) -> Iterator[tuple[str, str, list[str], list[str]]]:
    """(column, its PostgreSQL enum type, the labels compared that the type lacks, the labels it has) for the
    change's condition: PostgreSQL refuses such a comparison before it reads a row."""
    for column, labels in _compared(op):
        known = catalog.column(op.table, column)
        allowed = enum_labels(known.type, catalog) if known is not None else None
        if not allowed or known is None or known.type.lower().startswith("enum("):
            continue
        absent = [label for label in labels if label not in allowed]
        if absent:
            yield column, known.type, absent, allowed


def _compared(op: DataUpdate | DataDelete) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(column, the string labels it is compared with) for each `col = 'x'`, `col <> 'x'`, `col IN ('x', …)`
    of the change's own condition (a sub-select's columns are another table's)."""
    tree = statement_of(op, "postgres")  # a change read from code without a tree: its condition
    where = tree.args.get("where") if tree is not None else None
    condition = where.this if where is not None else None
    if condition is None:
        return
    names = {op.table.rsplit(".", 1)[-1].lower()}
    target = tree.this if isinstance(tree, exp.Update | exp.Delete) else None
    if isinstance(target, exp.Table) and target.alias:
        names.add(target.alias.lower())
    for node in condition.find_all(exp.EQ, exp.NEQ, exp.In):
        if node.find_ancestor(exp.Select, exp.Subquery) is not None and not isinstance(tree, exp.Select):
            continue
        column, values = (
            node.this,
            ([node.expression] if isinstance(node, exp.EQ | exp.NEQ) else list(node.expressions)),
        )
        if isinstance(node, exp.EQ | exp.NEQ) and isinstance(node.expression, exp.Column):
            column, values = node.expression, [node.this]
        if not isinstance(column, exp.Column) or (column.table and column.table.lower() not in names):
            continue
        labels = tuple(str(v.name) for v in values if isinstance(v, exp.Literal) and v.is_string)
        if labels and len(labels) == len(values):
            yield identifier(column.this), labels
