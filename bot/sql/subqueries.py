"""Where a written value can be NULL although every column it reads holds one: a scalar sub-query that finds
no row, a column of the optional side of an outer join.

A sub-query's columns are placed on its own tables or on the statement around it the way SQL scopes them:
a qualifier names a table of the sub-query or of the outer statement; an unqualified name belongs to the
sub-query's tables when they have that column (the catalog says), else to the outer table.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog, same_table
from bot.model.migration import PLACEHOLDER
from bot.sql.names import identifier, table_name
from bot.sql.writes import Write, in_conjunction

INNER, OUTER, UNKNOWN = "inner", "outer", "unknown"


def scalar_select(value: exp.Expression) -> exp.Select | None:
    """The SELECT of `(SELECT …)` written as a value (under casts and parentheses only)."""
    node = value
    while isinstance(node, exp.Cast | exp.Paren):
        node = node.this
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        return node.this
    return None


def always_one_row(select: exp.Select) -> bool:
    """An aggregate without GROUP BY returns one row; count() is never NULL, coalesce(…) guards itself."""
    if select.args.get("group") is not None or len(select.expressions) != 1:
        return False
    projected = select.expressions[0]
    projected = projected.this if isinstance(projected, exp.Alias) else projected
    return isinstance(projected, exp.Count | exp.Coalesce) or (
        isinstance(projected, exp.Anonymous) and projected.name.lower() in ("ifnull", "nvl")
    )


def inner_table(select: exp.Select) -> str:
    origin = select.args.get("from_")
    table = origin.find(exp.Table) if origin is not None else None
    return table_name(table) if table is not None else ""


def placed(select: exp.Select, write: Write, catalog: Catalog) -> Iterator[tuple[exp.Column, str]]:
    """Each column of the sub-query's condition with the side it belongs to: INNER, OUTER or UNKNOWN (an
    unqualified name the catalog cannot place)."""
    inner = visible(select)
    where = select.args.get("where")
    for column in where.find_all(exp.Column) if where is not None else ():
        qualifier = column.table
        if qualifier:
            if qualifier in inner:
                yield column, INNER
            elif qualifier in write.aliases or write.aliases.get(qualifier, qualifier) == write.table:
                yield column, OUTER
            else:
                yield column, UNKNOWN
            continue
        name = identifier(column.this)
        tables = set(inner.values())
        if any(catalog.column(t, name) is not None for t in tables):
            yield column, INNER
        elif all(t in catalog.tables for t in tables) and _outer_has(write, name, catalog):
            yield column, OUTER
        else:
            yield column, UNKNOWN


def visible(select: exp.Select) -> dict[str, str]:
    """name → table for the sub-query's own tables, under the one name SQL lets it use: the alias when there
    is one (an aliased table's own name then means the outer statement's), else the table's name."""
    found: dict[str, str] = {}
    for table in select.find_all(exp.Table):
        if table.find_ancestor(exp.Select) is select:
            found.setdefault(table.alias_or_name, table_name(table))
    return found


def outer_table(column: exp.Column, write: Write) -> str:
    """The table of the outer statement a column placed OUTER belongs to."""
    return write.table_of(column) if column.table else write.source or write.table


def _outer_has(write: Write, name: str, catalog: Catalog) -> bool:
    return catalog.column(write.source or write.table, name) is not None


def optional_aliases(scope: exp.Expression) -> set[str]:
    """The names (alias and table) of the tables on the optional side of an outer join of the statement
    (`LEFT JOIN t`, `FULL JOIN t`): their columns are NULL where the join found no row."""
    found: set[str] = set()
    for join in scope.find_all(exp.Join):
        if join.find_ancestor(exp.Subquery) is not None and scope.find_ancestor(exp.Subquery) is None:
            continue
        side = str(join.args.get("side") or "").upper()
        if side not in ("LEFT", "FULL") or not isinstance(join.this, exp.Table):
            continue
        found |= {join.this.alias_or_name, join.this.name}
    return found


def shadowed(select: exp.Select, table: str) -> str:
    """The name under which the sub-query reads the very table the statement writes, when its condition
    qualifies columns with it: what looks like the written row is the sub-query's own ("" otherwise)."""
    inner = {name for name, target in visible(select).items() if same_table(target, table)}
    where = select.args.get("where")
    named = {c.table for c in where.find_all(exp.Column)} if where is not None else set()
    shadowing = sorted(inner & named & {table, table.rsplit(".", 1)[-1]})
    return shadowing[0] if shadowing else ""


def pinned(select: exp.Expression, inner: str, catalog: Catalog) -> dict[str, str] | None:
    """column → literal when the condition (of a SELECT, UPDATE or DELETE) fixes every column of one of the
    table's unique keys, so it reaches one row at most; None else."""
    fixed = fixed_values(select)
    unique = catalog.unique_keys(inner)
    if inner not in catalog.primary_keys:
        unique += conventional_keys(inner)
    return fixed if fixed and any(all(c in fixed for c in key) for key in unique) else None


def listed_rows(select: exp.Expression, inner: str, catalog: Catalog, limit: int = 1000) -> bool:
    """Does the condition reach at most `limit` rows by naming them: every column of one of the table's
    unique keys set to one value or to a list of values (`WHERE id IN ('overall', 'images')`)?"""
    where: exp.Expression | None = select.args.get("where")
    if where is None:
        return False
    named = {column: 1 for column in fixed_values(select)}
    for node in where.find_all(exp.In):
        values = node.expressions
        if (
            isinstance(node.this, exp.Column)
            and values
            and not node.args.get("query")
            and all(
                isinstance(v, exp.Literal) for v in values
            )  # `IN ($1)`, `IN (ids)`: a list of unknown size
            and in_conjunction(node, where)
        ):
            named[identifier(node.this.this)] = len(values)
    unique = catalog.unique_keys(inner)
    if inner not in catalog.primary_keys:
        unique += conventional_keys(inner)
    for key in unique:
        if key and all(c in named for c in key):
            count = 1
            for column in key:
                count *= named[column]
            if count <= limit:
                return True
    return False


def conventional_keys(table: str) -> list[tuple[str, ...]]:
    """The primary key a table whose own is unknown (created before the history read) has by convention:
    `id`, or the table's name with `_id` (`field_type.field_type_id`, `users.user_id`)."""
    name = table.rsplit(".", 1)[-1]
    names = ["id", f"{name}_id"] + ([f"{name[:-1]}_id"] if name.endswith("s") else [])
    return [(n,) for n in names]


def fixed_values(select: exp.Expression) -> dict[str, str]:
    """column → literal for each column the condition (of a SELECT, UPDATE or DELETE) sets equal to one value."""
    where: exp.Expression | None = select.args.get("where")
    fixed: dict[str, str] = {}
    if where is None:
        return fixed
    for node in where.find_all(exp.EQ):
        if not in_conjunction(node, where):
            continue
        for mine, value in ((node.this, node.expression), (node.expression, node.this)):
            if isinstance(mine, exp.Column) and _one_value(value):
                fixed[identifier(mine.this)] = value.sql(dialect="postgres")
    return fixed


def _one_value(node: exp.Expression) -> bool:
    """A literal, a parameter (`$1`, `?`) or a value the migration's code fills in (`row.id`): one value."""
    return isinstance(node, exp.Literal | exp.Placeholder | exp.Parameter) or (
        isinstance(node, exp.Column) and not node.table and node.name == PLACEHOLDER
    )


def seeded(pinned: dict[str, str], inner: str, catalog: Catalog, *, retired: bool = False) -> bool:
    """Does the condition name a row the migrations inserted (`retired`: or one a later DELETE removed)?"""
    rows = catalog.seeds.get(inner, []) + (catalog.retired.get(inner, []) if retired else [])
    return any(all(row.get(column) == value for column, value in pinned.items()) for row in rows)
