"""Branches of a migration that run only where the schema has, or lacks, what they change, or only where a
table holds fewer rows than the migration counted.

Alembic has no `IF EXISTS` on most of its directives; revisions that must run on databases in several states
ask SQLAlchemy's inspector first:

    inspector = sa.inspect(op.get_bind())
    names = [fk["name"] for fk in inspector.get_foreign_keys("orders")]
    if "orders_user_id_fkey" in names:
        op.drop_constraint("orders_user_id_fkey", "orders", type_="foreignkey")

The statements that only read the schema change nothing, and what the `if` guards is written to run again
without failing: the same as `IF EXISTS` / `IF NOT EXISTS`. The condition is not evaluated (which way it
points is the author's); a branch guarded by what the inspector said is a guarded statement.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable

from bot.frameworks import python_source as py
from bot.model.migration import Operation, RawSQL

# SQLAlchemy's inspector and the calls that make one
INSPECTIONS = frozenset(
    {"inspect", "from_engine", "get_columns", "get_indexes", "get_foreign_keys", "get_unique_constraints",
     "get_check_constraints", "get_pk_constraint", "get_table_names", "get_view_names", "get_enums",
     "get_sequence_names", "get_schema_names", "has_table", "has_index", "has_sequence", "has_schema"}
)  # fmt: skip
# calls that only shape what the inspector returned (`any(…)`, `set(…)`, `c["name"].lower()`)
_SHAPING = frozenset(
    {"any", "all", "len", "set", "frozenset", "list", "tuple", "dict", "sorted", "str", "lower", "upper", "get",
     "startswith", "endswith", "keys", "values", "items", "get_bind", "bool", "next", "filter", "map"}
)  # fmt: skip
_MENTIONS = re.compile(r"\b(?:" + "|".join(sorted(INSPECTIONS - {"inspect"})) + r"|inspect)\s*\(")


def helpers(text: str) -> frozenset[str]:
    """The module's own functions that answer from the inspector (`def column_exists(table, column): …`):
    they call an inspection and nothing else but the calls that shape its answer."""
    if not _MENTIONS.search(text):
        return frozenset()
    try:
        module = ast.parse(text)
    except SyntaxError:
        return frozenset()
    found: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name not in ("upgrade", "downgrade"):
            calls = {py.name(c) for c in ast.walk(node) if isinstance(c, ast.Call)}
            if calls & INSPECTIONS and calls <= INSPECTIONS | _SHAPING:
                found.add(node.name)
    return frozenset(found)


def reads_schema(node: ast.expr, names: Iterable[str], own: frozenset[str]) -> bool:
    """Is the expression only a question to the inspector (or about what it answered, bound to `names`)?"""
    known = set(names)
    calls = [py.name(c) for c in ast.walk(node) if isinstance(c, ast.Call)]
    if not all(c in INSPECTIONS or c in own or c in _SHAPING for c in calls):
        return False
    asks = any(c in INSPECTIONS or c in own for c in calls)
    return asks or any(isinstance(n, ast.Name) and n.id in known for n in ast.walk(node))


def asks_schema(test: ast.expr, names: Iterable[str], own: frozenset[str]) -> bool:
    """Does an `if`'s condition depend on what the inspector said?"""
    known = set(names)
    return any(
        (isinstance(n, ast.Call) and (py.name(n) in INSPECTIONS or py.name(n) in own))
        or (isinstance(n, ast.Name) and n.id in known)
        for n in ast.walk(test)
    )


def bound(node: ast.stmt) -> list[str]:
    """The names an assignment binds (`a = …`, `a, b = …`, `a: T = …`)."""
    targets = (
        node.targets
        if isinstance(node, ast.Assign)
        else [node.target]
        if isinstance(node, ast.AnnAssign)
        else []
    )
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def guarded(op: Operation) -> Operation:
    """The operation as written with `IF EXISTS` (a drop) or `IF NOT EXISTS` (a create or an add)."""
    if isinstance(op, RawSQL):
        return op
    fields = {f.name for f in dataclasses.fields(op)}
    if "if_not_exists" in fields:
        return dataclasses.replace(op, if_not_exists=True)  # type: ignore[call-arg]
    if "if_exists" in fields:
        return dataclasses.replace(op, if_exists=True)  # type: ignore[call-arg]
    return op


# `SELECT COUNT(*) FROM stagedresource` (every row of one table), in the string a statement executes
_COUNT = re.compile(r"^\s*SELECT\s+COUNT\(\s*(?:\*|1)\s*\)\s+FROM\s+\"?([A-Za-z_][\w.]*)\"?\s*;?\s*$", re.I)


def counted_table(node: ast.expr) -> str:
    """The table whose rows an expression counts (`conn.execute(sa.text("SELECT COUNT(*) FROM t")).scalar()`),
    "" for anything else."""
    for each in ast.walk(node):
        if isinstance(each, ast.Constant) and isinstance(each.value, str):
            match = _COUNT.match(each.value)
            if match:
                return match.group(1)
    return ""


def rows_below(
    test: ast.expr, counted: dict[str, str], constants: dict[str, ast.expr]
) -> tuple[str, int] | None:
    """(table, limit) when a condition holds only below a number of rows counted before (`count < 1000000`,
    `LIMIT > count`, the limit a literal or a module-level constant); None otherwise."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(op, ast.Gt | ast.GtE):
        left, right, op = right, left, ast.Lt() if isinstance(op, ast.Gt) else ast.LtE()
    if not isinstance(op, ast.Lt | ast.LtE) or not isinstance(left, ast.Name) or left.id not in counted:
        return None
    if isinstance(right, ast.Name) and right.id in constants:
        right = constants[right.id]
    limit = right.value if isinstance(right, ast.Constant) else None
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        return None
    return counted[left.id], limit + (1 if isinstance(op, ast.LtE) else 0)
