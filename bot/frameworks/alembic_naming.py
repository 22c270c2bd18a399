"""SQLAlchemy's naming convention, as Alembic applies it to the constraints a revision creates.

A project that gives its metadata a naming convention (`MetaData(naming_convention={"ck":
"ck_%(table_name)s_%(constraint_name)s", …})`, or `db.metadata.naming_convention = {…}`) has Alembic name a
constraint by it wherever the revision gives a name the convention builds on: with that convention
`op.create_check_constraint("valid_enum_realm", "logs", …)` creates `ck_logs_valid_enum_realm`, and the
revision's downgrade drops it by that name (indico's revisions do). A name wrapped in `op.f(…)` is final and
kept; so is a name given where the convention has no `%(constraint_name)s` (SQLAlchemy then names only the
constraints created without a name). Checked with Alembic 1.x on PostgreSQL 15.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import re
import weakref
from collections.abc import Mapping

from bot.frameworks import python_source as py
from bot.model.changeset import Tree, read_ahead
from bot.model.migration import AddConstraint, CreateTable, Operation

# the keys of a convention for the constraints a revision names, by the kind of constraint
_KINDS = {"ck": "check", "uq": "unique", "fk": "foreign_key", "pk": "primary_key"}
# files that may define the metadata: the application's database and model modules, not its tests or revisions
_CANDIDATE = re.compile(
    r"(?:^|/)(?:db|database|models?|extensions?|core|base|meta(?:data)?|orm|sqla\w*)(?:/|\.py$|_)"
)
_SKIPPED = re.compile(r"(?:^|/)(?:tests?|versions|node_modules|docs?)/")
_TOKEN = re.compile(r"%\((\w+)\)s")

_CACHE: weakref.WeakKeyDictionary[Tree, dict[str, str]] = weakref.WeakKeyDictionary()


def convention(tree: Tree | None) -> dict[str, str]:
    """The project's naming convention for constraints (`{"ck": "ck_%(table_name)s_%(constraint_name)s"}`);
    {} when the application's database modules give none, or give different ones."""
    if tree is None:
        return {}
    try:
        return _CACHE[tree]
    except (KeyError, TypeError):
        pass
    found = _read(tree)
    with contextlib.suppress(TypeError):  # a tree that cannot be weakly referenced: read again next time
        _CACHE[tree] = found
    return found


def _read(tree: Tree) -> dict[str, str]:
    paths = [p for p in tree.paths() if p.endswith(".py") and _CANDIDATE.search(p) and not _SKIPPED.search(p)]
    seen: list[dict[str, str]] = []
    for path in read_ahead(tree, paths):
        text = tree.read(path) or ""
        if "naming_convention" not in text:
            continue
        try:
            module = ast.parse(text)
        except SyntaxError:
            continue
        seen.extend(_conventions(module))
    distinct = {tuple(sorted(c.items())) for c in seen if c}
    return dict(next(iter(distinct))) if len(distinct) == 1 else {}


def _conventions(module: ast.Module) -> list[dict[str, str]]:
    """The dicts given as `naming_convention=…`, assigned to `….naming_convention`, or bound to a name that
    says it is one (`naming_convention = {…}`, `NAMING_CONVENTION = {…}`)."""
    found: list[ast.expr] = []
    for node in ast.walk(module):
        if (isinstance(node, ast.keyword) and node.arg == "naming_convention") or (
            isinstance(node, ast.Assign) and any("convention" in _target(t).lower() for t in node.targets)
        ):
            found.append(node.value)
    names = {
        t.id: n.value
        for n in module.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    dicts = [names.get(v.id, v) if isinstance(v, ast.Name) else v for v in found]
    return [_templates(d) for d in dicts if isinstance(d, ast.Dict)]


def _target(node: ast.expr) -> str:
    """The name an assignment binds (`naming_convention`, `db.metadata.naming_convention`'s last part)."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _templates(node: ast.Dict) -> dict[str, str]:
    found = {}
    for key, value in zip(node.keys, node.values, strict=True):
        name, template = py.literal(key) if key is not None else None, py.literal(value)
        if name in _KINDS and isinstance(template, str):
            found[str(name)] = template
    return found


def named(ops: tuple[Operation, ...], templates: Mapping[str, str]) -> tuple[Operation, ...]:
    """The operations with each constraint a name (not `op.f(…)`) was given for renamed as the convention
    names it."""
    if not templates:
        return ops

    def one(op: Operation) -> Operation:
        if isinstance(op, AddConstraint):
            return _named(op, templates)
        if isinstance(op, CreateTable) and op.constraints:
            # the `sa.CheckConstraint(…, name=…)` and other keys of a create_table
            return dataclasses.replace(op, constraints=tuple(_named(c, templates) for c in op.constraints))
        return op

    return tuple(one(op) for op in ops)


def _named(op: AddConstraint, templates: Mapping[str, str]) -> AddConstraint:
    kind = next((k for k, v in _KINDS.items() if v == op.constraint), None)
    template = templates.get(kind or "")
    if not template or not op.name or "%(constraint_name)s" not in template or "op.f(" in op.sql:
        return op
    values = {
        "table_name": op.table.rsplit(".", 1)[-1],
        "constraint_name": op.name,
        "column_0_name": op.columns[0] if op.columns else None,
        "referred_table_name": op.references.rsplit(".", 1)[-1] if op.references else None,
    }
    tokens = set(_TOKEN.findall(template))
    if any(values.get(t) is None for t in tokens):
        return op  # a token this reading cannot fill (a function of the project's, a column it does not know)
    return dataclasses.replace(op, name=_TOKEN.sub(lambda m: str(values[m.group(1)]), template))
