"""Updates that can give two rows the same value in a column no two rows may share.

`UPDATE users SET email = lower(email)` turns `Ann@x.io` and `ann@x.io` into one value; when `email` is a
unique key the statement fails at the first such pair (the whole migration with it), and where the key is
only the application's, the rows become indistinguishable. The same holds for any function that maps
different values to one (trimming, case folding, cutting to a prefix, rounding, truncating a date) and for a
constant written to more than one row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

from bot.model.catalog import Catalog, same_table
from bot.model.migration import DataUpdate
from bot.sql.data_changes import constant, held_to_constants, statement_of
from bot.sql.names import identifier, quote
from bot.sql.subqueries import pinned
from bot.sql.writes import assigned

# Functions that map several values to one. sqlglot gives some their own node types; the rest stay
# anonymous calls, compared by name.
_FOLDING_NODES: tuple[type[exp.Expression], ...] = (
    exp.Lower,
    exp.Upper,
    exp.Initcap,
    exp.Trim,
    exp.Substring,
    exp.Left,
    exp.Right,
    exp.Round,
    exp.Floor,
    exp.Ceil,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.RegexpReplace,
)
_FOLDING_NAMES = frozenset(
    {"lower", "upper", "initcap", "trim", "btrim", "ltrim", "rtrim", "substr", "substring", "left", "right"}
    | {"round", "trunc", "truncate", "floor", "ceil", "ceiling", "date_trunc", "regexp_replace", "replace"}
    | {"translate", "split_part", "unaccent", "lcase", "ucase", "date"}
)


@dataclass(frozen=True)
class Collision:
    column: str  # the written column, part of a unique key
    key: tuple[str, ...]  # the unique key it belongs to
    key_name: str  # the index or constraint holding the key ("" when unnamed)
    value: str  # the expression written, as SQL
    kind: str  # "folding": a function that maps several values to one; "constant": one value for many rows


def collisions(op: DataUpdate, catalog: Catalog, dialect: str) -> Iterator[Collision]:
    """The columns of a unique key this UPDATE can write the same value to in two rows."""
    keys = [key for key in catalog.unique_keys(op.table) if all(key)]
    if not keys:
        return
    one_row: bool | None = None
    for write in assigned(op, dialect):
        column, value = write.target, write.value
        key = next((k for k in keys if column in k), None)
        if key is None:
            continue
        kind = _kind(value, column)
        if kind == "folding" and dialect in ("mysql", "mariadb") and _case_only(value):
            continue  # MySQL's default collations already compare 'Ann' and 'ann' as one value of the key
        if kind == "constant":
            if one_row is None:
                one_row = _one_row(op, catalog, dialect)
            # `SET code = 'new' WHERE code = 'old'`: the rows chosen already differ in the rest of the key
            if one_row or _fixed(op, column, dialect):
                continue
        if kind:
            yield Collision(
                column,
                key,
                _key_name(catalog, op.table, key),
                value.sql(dialect="mysql" if dialect in ("mysql", "mariadb") else dialect),
                kind,
            )


def duplicates_query(op: DataUpdate, collision: Collision, dialect: str) -> str:
    """The values of the key every row would hold once the UPDATE has run (the written value where its
    condition holds, the row's own value elsewhere) that two rows would share: none may come back. NULLs
    are left out, as a unique index leaves them out."""
    column = quote(collision.column, dialect)
    new = (
        collision.value if not op.where else f"CASE WHEN {op.where} THEN {collision.value} ELSE {column} END"
    )
    others = [quote(c, dialect) for c in collision.key if c != collision.column]
    names = ["new_value", *others]
    inner = ", ".join([f"{new} AS new_value", *others])
    present = " AND ".join(f"{n} IS NOT NULL" for n in names)
    positions = ", ".join(str(i + 1) for i in range(len(names)))
    return (
        f"SELECT {', '.join(names)}, count(*) FROM (SELECT {inner} FROM {quote(op.table, dialect)}) AS after_update "
        f"WHERE {present} GROUP BY {positions} HAVING count(*) > 1 LIMIT 20;"
    )


def _kind(value: exp.Expression, column: str) -> str:
    """ "folding" when the value folds the column itself through a function that maps several values to
    one; "constant" for a literal other than NULL; "" otherwise."""
    if constant(value):
        return "constant"
    while isinstance(value, exp.Paren | exp.Cast):
        value = value.this
    if not isinstance(value, exp.Func) or not _folds(value):
        return ""
    reads = {identifier(c.this) for c in value.find_all(exp.Column)}
    return "folding" if reads == {column} else ""


def _case_only(value: exp.Expression) -> bool:
    """Every function of the value only changes letter case (`lower`, `upper`), or trailing spaces, which
    MySQL's PAD SPACE collations ignore as well."""
    calls = [n for n in value.find_all(exp.Func) if not isinstance(n, exp.Column | exp.Paren)]
    return all(
        isinstance(n, exp.Lower | exp.Upper)
        or (isinstance(n, exp.Anonymous) and str(n.this).lower() in ("lcase", "ucase", "rtrim"))
        or (isinstance(n, exp.Trim) and str(n.args.get("position", "")).upper() == "TRAILING")
        for n in calls
    )


def _folds(node: exp.Func) -> bool:
    """The outermost function maps several inputs to one output (nested ones fold too: `lower(trim(x))`)."""
    if isinstance(node, _FOLDING_NODES):
        return True
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower() in _FOLDING_NAMES
    # a function the SQL reader knows by a node of its own (`replace`, `split_part`, `initcap`): by its name
    return node.sql_name().lower() in _FOLDING_NAMES


def _one_row(op: DataUpdate, catalog: Catalog, dialect: str) -> bool:
    """The UPDATE's condition fixes a unique key: it reaches one row at most."""
    tree = statement_of(op, dialect)
    return tree is not None and pinned(tree, op.table, catalog) is not None


def _fixed(op: DataUpdate, column: str, dialect: str) -> bool:
    """The condition holds the written column to one value (`code = 'old'`, AND-ed with the rest)."""
    return any(held == column for held, _ in held_to_constants(statement_of(op, dialect)))


def _key_name(catalog: Catalog, table: str, key: tuple[str, ...]) -> str:
    for name, definition in catalog.index_definitions.items():
        columns = tuple(c.strip().strip('"`').lower() for c in definition.columns)
        if (
            same_table(definition.table, table)
            and definition.unique
            and not definition.where
            and columns == key
        ):
            return name
    return ""
