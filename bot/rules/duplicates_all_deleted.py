"""A clean-up of duplicate rows that deletes every copy, not all copies but one.

## Why is this bad?
`DELETE FROM accounts a USING accounts b WHERE a.email = b.email AND a.id <> b.id` is meant to keep one
account per email. But `<>` holds both ways: for a pair (1, 2), row 1 matches against row 2 and row 2
against row 1, so both go, and every email that had a duplicate has no row left at all. The same happens
with `WHERE email IN (SELECT email FROM accounts GROUP BY email HAVING count(*) > 1)`: the sub-query
names the duplicated keys, and the DELETE removes every row holding one of them. Without any condition that
tells the two copies apart (`USING accounts b WHERE a.email = b.email` alone) it is worse: every row pairs
with itself, and every row whose email is not NULL is deleted, duplicated or not. The migration succeeds;
the rows, and whatever pointed at them, are gone.

## Use instead
Keep one row per key by ordering the pair: `a.id > b.id` deletes every copy but the one with the lowest
id. Or delete by what to keep: `WHERE id NOT IN (SELECT min(id) FROM accounts GROUP BY email)`, or
number the copies (`row_number() OVER (PARTITION BY email ORDER BY id)`) and delete those numbered above 1.
Count first: the rows to delete must equal `count(*) - count(DISTINCT email)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, Migration
from bot.rules.context import Context
from bot.sql.names import identifier, table_name
from bot.sql.statements import render

RULE = Rule(
    id="duplicates-all-deleted",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Order the pair (`a.id > b.id`) or delete `WHERE id NOT IN (SELECT min(id) … GROUP BY key)`, so one "
    "row of each key stays.",
    bad=(
        "CREATE TABLE members (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "DELETE FROM members a USING members b WHERE a.email = b.email AND a.id <> b.id;",
    ),
    good=(
        "CREATE TABLE members (id bigint PRIMARY KEY, email text);\n-- migration\n"
        "DELETE FROM members a USING members b WHERE a.email = b.email AND a.id > b.id;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataDelete) or not isinstance(op.expression, exp.Delete):
            continue
        tree = op.expression
        itself = _paired_with_itself(tree, op.table)
        if itself is not None:
            keys, condition = itself
            yield op.finding(
                RULE,
                f"`{render(condition, context.dialect)}` matches every row of `{op.table}` with itself (nothing "
                "tells the two copies apart): every row whose "
                f"`{', '.join(keys)}` is not NULL is deleted, duplicated or not.",
                blast_radius=f"Nearly all of `{op.table}` is deleted, and rows of other tables that point at it are "
                "orphaned or deleted too.",
                fix=f"Tell the copies apart and keep one: `… AND a.id > b.id`, or `DELETE FROM {op.table} WHERE id "
                f"NOT IN (SELECT min(id) FROM {op.table} GROUP BY {', '.join(keys)})`.",
            )
            continue
        found = _unordered_pair(tree, op.table) or _every_duplicated_key(tree, op.table)
        if found is None:
            continue
        keys, condition = found
        key_list = ", ".join(keys)
        yield op.finding(
            RULE,
            f"`{render(condition, context.dialect)}` deletes every copy of each duplicated `{key_list}` in "
            f"`{op.table}`, the one meant to stay with the rest.",
            blast_radius=f"Every row of `{op.table}` whose `{key_list}` has a duplicate is deleted, so those "
            "keys have no row left, and rows of other tables that point at them are orphaned or deleted too.",
            fix=f"Keep one row per key: `… AND a.id > b.id`, or `DELETE FROM {op.table} WHERE id NOT IN "
            f"(SELECT min(id) FROM {op.table} GROUP BY {key_list})`. Check that the count deleted equals "
            f"`SELECT count(*) - count(DISTINCT ({key_list})) FROM {op.table}`.",
        )


def _aliases(tree: exp.Delete, table: str) -> set[str]:
    """The names by which the statement refers to rows of `table` (its own name and every alias)."""
    names: set[str] = set()
    for node in tree.find_all(exp.Table):
        if table_name(node).lower() == table.lower():
            names.add(identifier(node.alias_or_name).lower())
    return names


def _qualifier(node: exp.Expression) -> str:
    return identifier(node.args["table"]).lower() if isinstance(node, exp.Column) and node.table else ""


def _self_pair(node: exp.Binary, aliases: set[str]) -> str:
    """The column of `a.col OP b.col` where `a` and `b` are two names for rows of the same table."""
    left, right = node.this, node.expression
    if not isinstance(left, exp.Column) or not isinstance(right, exp.Column):
        return ""
    first, second = _qualifier(left), _qualifier(right)
    if first == second or first not in aliases or second not in aliases:
        return ""
    return identifier(left.this) if identifier(left.this) == identifier(right.this) else ""


def _unordered_pair(tree: exp.Delete, table: str) -> tuple[list[str], exp.Expression] | None:
    """`a.key = b.key AND a.id <> b.id` over two copies of the deleted table."""
    aliases = _aliases(tree, table)
    if len(aliases) < 2:
        return None
    different = [
        node
        for node in tree.find_all(exp.NEQ)
        if _self_pair(node, aliases) and not node.find_ancestor(exp.Not)
    ]
    keys = sorted(
        {
            column
            for node in tree.find_all(exp.EQ)
            if (column := _self_pair(node, aliases)) and not node.find_ancestor(exp.Not)
        }
    )
    ordered = any(
        _self_pair(node, aliases) for node in tree.find_all(exp.GT, exp.GTE, exp.LT, exp.LTE)
    )  # `a.created_at < b.created_at`: the pair is ordered, one copy stays
    if not different or not keys or ordered:
        return None
    return keys, different[0]


def _paired_with_itself(tree: exp.Delete, table: str) -> tuple[list[str], exp.Expression] | None:
    """`USING t b WHERE a.key = b.key` over two copies of the deleted table and no other condition between
    them: each row matches itself."""
    aliases = _aliases(tree, table)
    conditions = [tree.args.get("where")] + [j.args.get("on") for j in tree.find_all(exp.Join)]
    found = [c for c in conditions if c is not None]
    if len(aliases) < 2 or not found:
        return None
    where = exp.and_(*found) if len(found) > 1 else found[0]
    pairs = [
        node
        for node in where.find_all(exp.Binary)
        if isinstance(node.this, exp.Column)
        and isinstance(node.expression, exp.Column)
        and {_qualifier(node.this), _qualifier(node.expression)} <= aliases
        and _qualifier(node.this) != _qualifier(node.expression)
    ]
    keys = sorted(
        {column for node in pairs if isinstance(node, exp.EQ) and (column := _self_pair(node, aliases))}
    )
    if not keys or any(not isinstance(node, exp.EQ) or not _self_pair(node, aliases) for node in pairs):
        return None  # another comparison between the copies (`a.id <> b.id`, `a.id = b.parent_id`)
    if any(node.find_ancestor(exp.Not, exp.Or) for node in pairs):
        return None
    if where.find(exp.Exists, exp.In, exp.Subquery) is not None:
        return None
    first = next(node for node in pairs if isinstance(node, exp.EQ))
    return keys, first


def _every_duplicated_key(tree: exp.Delete, table: str) -> tuple[list[str], exp.Expression] | None:
    """`WHERE key IN (SELECT key FROM same_table GROUP BY key HAVING count(*) > 1)`, and nothing else that
    picks which copies go."""
    where = tree.args.get("where")
    if where is None:
        return None
    for node in where.find_all(exp.In):
        query = node.args.get("query")
        select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(select, exp.Select) or not isinstance(node.this, exp.Column):
            continue
        if node.find_ancestor(exp.Not) or node.args.get("is_global"):
            continue
        key = identifier(node.this.this)
        select = _unwrapped(select)
        origin = select.args.get("from_")
        source = origin.find(exp.Table) if origin is not None else None
        if source is None or table_name(source).lower() != table.lower():
            continue
        group = select.args.get("group")
        grouped = (
            {identifier(c.this) for c in group.expressions if isinstance(c, exp.Column)} if group else set()
        )
        if grouped != {key} or not _more_than_one(select.args.get("having")):
            continue
        inside = {id(n) for n in select.walk()}
        outside = {identifier(c.this) for c in where.find_all(exp.Column) if id(c) not in inside}
        if outside <= {key}:
            return [key], node
    return None


def _unwrapped(select: exp.Select) -> exp.Select:
    """The query inside `SELECT key FROM (SELECT key … GROUP BY key …) d`, the derived table MySQL needs
    to read the table a DELETE writes."""
    origin = select.args.get("from_")
    inner = origin.this if origin is not None else None
    if (
        isinstance(inner, exp.Subquery)
        and isinstance(inner.this, exp.Select)
        and not select.args.get("where")
    ):
        return _unwrapped(inner.this)
    return select


def _more_than_one(having: exp.Expression | None) -> bool:
    """`HAVING count(*) > 1` (or `>= 2`)."""
    if having is None:
        return False
    for node in having.find_all(exp.GT, exp.GTE):
        counted = isinstance(node.this, exp.Count)
        bound = node.expression
        if counted and isinstance(bound, exp.Literal) and not bound.is_string:
            limit = int(bound.name) if bound.name.isdigit() else -1
            if (isinstance(node, exp.GT) and limit == 1) or (isinstance(node, exp.GTE) and limit == 2):
                return True
    return False
