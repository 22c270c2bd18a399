"""Django's index and constraint operations: `AddIndex`, `AddIndexConcurrently`, `AddConstraint` (and
`AddConstraintNotValid`), `RemoveIndex`, `RemoveConstraint`, `ValidateConstraint`, `AlterUniqueTogether`.

A `UniqueConstraint` with a condition or expressions is a unique index, not a constraint, as Django
creates it; a CheckConstraint's `Q(…)` is read as the SQL Django sends (`Q(col__isnull=False)` is
`col IS NOT NULL`, `Q(state__in=[…])` is `state IN (…)`).
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.frameworks import python_source as py
from bot.frameworks.django_orm import OrmSql
from bot.frameworks.django_state import Model, together
from bot.frameworks.origin import Origin
from bot.frameworks.python_code import sql_value
from bot.model.migration import (
    AddConstraint,
    AddIndex,
    DropConstraint,
    DropIndex,
    Operation,
    ValidateConstraint,
)

if TYPE_CHECKING:
    from bot.frameworks.django_operations import Reader


def _add_index(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    index = py.argument(call, 1, "index")
    concurrently = py.name(call).endswith("AddIndexConcurrently")
    return [index_op(model, index, r.base(call), concurrently=concurrently)]


def index_op(model: Model, index: ast.expr | None, base: Origin, *, concurrently: bool = False) -> AddIndex:
    """The index a `models.Index(fields=[…], name=…)` builds on the model's table (of an `AddIndex`, or of a
    `CreateModel`'s `indexes` option)."""
    kwargs = py.keywords(index) if isinstance(index, ast.Call) else {}
    fields = py.literal(kwargs.get("fields"))
    columns = (
        tuple(column_of(model, f.lstrip("-")) for f in fields) if isinstance(fields, list | tuple) else ()
    )
    name = py.literal(kwargs.get("name"))
    return AddIndex(
        table=model.table,
        name=str(name or f"{model.table}_idx"),
        columns=columns,
        concurrently=concurrently,
        **base,
    )


def _remove_index(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    return [
        DropIndex(
            name=py.text_argument(call, 1, "name"),
            table=model.table,
            concurrently=py.name(call).endswith("RemoveIndexConcurrently"),
            **r.base(call),
        )
    ]


def _add_constraint(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    not_valid = py.name(call) == "AddConstraintNotValid"
    return constraint_ops(
        model, py.argument(call, 1, "constraint"), r.base(call), r.text, not_valid=not_valid
    )


def constraint_ops(
    model: Model, constraint: ast.expr | None, base: Origin, text: str, *, not_valid: bool = False
) -> list[Operation]:
    """What a `UniqueConstraint` or `CheckConstraint` adds to the model's table (of an `AddConstraint`, or of a
    `CreateModel`'s `constraints` option)."""
    if not isinstance(constraint, ast.Call):
        return []
    kwargs = py.keywords(constraint)
    name = str(py.literal(kwargs.get("name")) or "")
    if py.name(constraint) == "UniqueConstraint":
        fields = py.literal(kwargs.get("fields"))
        columns = tuple(column_of(model, f) for f in fields) if isinstance(fields, list | tuple) else ()
        if "condition" in kwargs or "expressions" in kwargs or constraint.args:
            expressions = _expressions(constraint.args, model)
            condition = kwargs.get("condition")
            return [
                AddIndex(
                    table=model.table,
                    name=name,
                    columns=columns or expressions,
                    unique=True,
                    where=_condition_sql(condition, model),
                    **base,
                )
            ]
        return [AddConstraint(table=model.table, name=name, constraint="unique", columns=columns, **base)]
    check = kwargs.get("check") or kwargs.get("condition")
    kind = "check" if py.name(constraint) == "CheckConstraint" else "exclusion"
    return [
        AddConstraint(
            table=model.table,
            name=name,
            constraint=kind,
            not_valid=not_valid,
            expression_sql=_q_sql(check, text, model),
            **base,
        )
    ]


def _remove_constraint(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    return [DropConstraint(table=model.table, name=py.text_argument(call, 1, "name"), **r.base(call))]


def _validate_constraint(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    return [ValidateConstraint(table=model.table, name=py.text_argument(call, 1, "name"), **r.base(call))]


def _alter_unique_together(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call, 0, "name")
    wanted = set(together(py.literal(py.argument(call, 1, "unique_together"))))
    ops: list[Operation] = [
        unique_together_op(model, fields, r.base(call)) for fields in sorted(wanted - model.unique_together)
    ]
    for fields in sorted(model.unique_together - wanted):
        columns = tuple(column_of(model, f) for f in fields)
        ops.append(
            DropConstraint(table=model.table, name=derived_name(model.table, columns, "uniq"), **r.base(call))
        )
    model.unique_together = wanted
    return ops


def unique_together_op(model: Model, fields: tuple[str, ...], base: Origin) -> AddConstraint:
    """The unique constraint Django's schema editor names itself for one entry of `unique_together`."""
    columns = tuple(column_of(model, f) for f in fields)
    return AddConstraint(
        table=model.table,
        name=derived_name(model.table, columns, "uniq"),
        constraint="unique",
        columns=columns,
        **base,
    )


# Django's functions of one field that an expression index may hold, as PostgreSQL writes them
_FUNCTIONS = {"Lower": "lower", "Upper": "upper"}


def _expressions(nodes: list[ast.expr], model: Model) -> tuple[str, ...]:
    """A UniqueConstraint's expressions as the index's key (`F("email")` → `email`, `Lower("username")` →
    `lower(username)`); () when one of them is something else."""
    found = []
    for node in nodes:
        name = py.name(node) if isinstance(node, ast.Call) else ""
        field = py.literal(node.args[0]) if isinstance(node, ast.Call) and len(node.args) == 1 else None
        if not isinstance(field, str) or (name != "F" and name not in _FUNCTIONS):
            return ()
        column = column_of(model, field)
        found.append(column if name == "F" else f"{_FUNCTIONS[name]}({column})")
    return tuple(found)


def column_of(model: Model, field: str) -> str:
    found = model.fields.get(field)
    return found.spec.name if found is not None else field


def _q_sql(node: ast.expr | None, text: str, model: Model) -> str:
    """A CheckConstraint's `Q(…)` as the SQL Django sends: `Q(total__isnull=False)` → `total IS NOT NULL`,
    `Q(state__in=["open", "paid"])` → `state IN ('open', 'paid')`, `&`, `|` and `~` as AND, OR and NOT; the
    source as written when some part is not such a form."""
    source = py.segment(text, node) if node is not None else ""
    if node is None:
        return source
    orm = OrmSql(lambda _: None, lambda _, field: column_of(model, field), sql_value)
    found = orm.q(node, model.table)
    return found if found is not None else source


def _condition_sql(node: ast.expr | None, model: Model) -> str:
    """A partial index's `condition=Q(…)` as SQL; "" when there is none or it is no form `q` reads."""
    if node is None:
        return ""
    orm = OrmSql(lambda _: None, lambda _, field: column_of(model, field), sql_value)
    return orm.q(node, model.table) or ""


HANDLERS: dict[str, Callable[[Reader, ast.Call], list[Operation]]] = {
    "AddIndex": _add_index,
    "AddIndexConcurrently": _add_index,
    "RemoveIndex": _remove_index,
    "RemoveIndexConcurrently": _remove_index,
    "AddConstraint": _add_constraint,
    "AddConstraintNotValid": _add_constraint,
    "RemoveConstraint": _remove_constraint,
    "ValidateConstraint": _validate_constraint,
    "AlterUniqueTogether": _alter_unique_together,
}


_LONGEST = 63  # PostgreSQL's limit, one under MySQL's: Django keeps each name it derives within its backend's


def derived_name(table: str, columns: tuple[str, ...], suffix: str) -> str:
    """The name Django's schema editor gives an index or constraint it names itself (`db_index`,
    `unique_together`): `<table>_<columns>_<suffix>`, and when that is too long for the database, the table and
    the columns cut to fit with a digest of them before the suffix, so the name always fits."""
    joined = "_".join(columns)
    name = f"{table}_{joined}_{suffix}"
    if len(name) <= _LONGEST:
        return name
    digest = hashlib.md5("\0".join((table, *columns)).encode(), usedforsecurity=False).hexdigest()[:8]
    room = (_LONGEST - len(digest) - len(suffix) - 3) // 2
    return f"{table[:room]}_{joined[:room]}_{digest}_{suffix}"
