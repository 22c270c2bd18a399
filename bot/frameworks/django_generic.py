"""Django's generic relations: the rows a `GenericRelation` ties to a model, by content type and object id.

`tags = GenericRelation(TaggedItem)` on `Post` makes deleting a post through the current model delete its
tagged items: the rows of `TaggedItem` whose `object_id` is the post's id *and* whose `content_type` is
the content type of `Post`. Every other model's items with the same `object_id` are not the post's. A
`GenericRelation` is no column, so Django keeps it out of migrations: the historical model a data migration
gets from `apps.get_model` has none, and its `delete()` (like a SQL DELETE) leaves the items behind,
pointing at a row that is gone.

Read from the application's `models.py` files (and `models/` packages) of the tree; a model's table is
`<app>_<model>` unless its `Meta.db_table` says otherwise, and its content type is (`app`, `model`).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import weakref
from dataclasses import dataclass

from bot.frameworks.django_models import model_classes
from bot.frameworks.django_state import default_table
from bot.model.changeset import Tree
from bot.model.migration import DataDelete, Dependent, Operation


@dataclass(frozen=True)
class _Relation:
    parent_table: str
    parent_app: str
    parent_model: str
    child_table: str
    object_id: str
    content_type: str
    declared: str


def with_generic_relations(ops: list[Operation], tree: Tree, current: set[str]) -> list[Operation]:
    """The deletes of `ops` with the generic relations of the rows they delete: cascaded when the delete
    runs the current model's code (`current`: tables of the models the migration imports), left behind
    otherwise (a historical model, SQL)."""
    deletes = [op for op in ops if isinstance(op, DataDelete)]
    if not deletes:
        return ops
    relations = _relations(tree)
    if not relations:
        return ops
    return [_with(op, relations, current) if isinstance(op, DataDelete) else op for op in ops]


def _with(op: DataDelete, relations: list[_Relation], current: set[str]) -> DataDelete:
    found = tuple(
        Dependent(
            r.child_table,
            (r.object_id,),
            r.parent_table,
            "destroy",
            r.declared,
            type_column=r.content_type,
            type_value=f"{r.parent_app}.{r.parent_model}",
            type_query=(
                "(SELECT id FROM django_content_type WHERE "
                f"app_label = '{r.parent_app}' AND model = '{r.parent_model}')"
            ),
        )
        for r in relations
        if r.parent_table == op.table
    )
    if not found:
        return op
    dependents = op.dependents + found
    if op.table in current and op.cascades_in_code and not op.spelled_out:
        return dataclasses.replace(op, dependents=dependents)
    why = (
        "a SQL DELETE runs no model code"
        if op.spelled_out
        else "the migration's historical model has no `GenericRelation` (Django keeps them out of migrations), "
        "so its `delete()` does not reach the related rows"
    )
    return dataclasses.replace(op, dependents=dependents, callbacks_skipped=op.callbacks_skipped or why)


_CACHE: weakref.WeakKeyDictionary[Tree, list[_Relation]] = weakref.WeakKeyDictionary()


def _relations(tree: Tree) -> list[_Relation]:
    try:
        return _CACHE[tree]
    except (KeyError, TypeError):
        pass
    found: list[_Relation] = []
    # class name → (app, class): the models files read once for every reader of them (django_models)
    classes = {name: entries[-1] for name, entries in model_classes(tree).items()}
    for name, (app, node) in classes.items():
        for field, call, line in _generic_fields(node):
            target = _target(call)
            if target not in classes:
                continue
            child_app, child = classes[target]
            content_type, object_id = (
                _keyword(call, "content_type_field", "content_type"),
                _keyword(call, "object_id_field", "object_id"),
            )
            found.append(
                _Relation(
                    parent_table=_table(app, node),
                    parent_app=app,
                    parent_model=name.lower(),
                    child_table=_table(child_app, child),
                    object_id=_column(child, object_id, object_id),
                    content_type=_column(child, content_type, f"{content_type}_id"),
                    declared=f"`{field} = GenericRelation({target})` (`{app}/models.py`, line {line})",
                )
            )
    with contextlib.suppress(TypeError):  # a tree that cannot be weakly referenced is read each time
        _CACHE[tree] = found
    return found


def _generic_fields(node: ast.ClassDef) -> list[tuple[str, ast.Call, int]]:
    found = []
    for statement in node.body:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Call):
            continue
        func = statement.value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "GenericRelation" and isinstance(statement.targets[0], ast.Name):
            found.append((statement.targets[0].id, statement.value, statement.lineno))
    return found


def _target(call: ast.Call) -> str:
    """`GenericRelation(TaggedItem)`, `GenericRelation("TaggedItem")`, `GenericRelation("tags.TaggedItem")`."""
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "to"), None)
    if isinstance(first, ast.Name):
        return first.id
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value.rsplit(".", 1)[-1]
    return ""


def _keyword(call: ast.Call, name: str, default: str) -> str:
    value = next((k.value for k in call.keywords if k.arg == name), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else default


def _table(app: str, node: ast.ClassDef) -> str:
    """The model's `Meta.db_table`, else Django's `<app>_<model>`."""
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            for item in statement.body:
                if (
                    isinstance(item, ast.Assign)
                    and isinstance(item.targets[0], ast.Name)
                    and item.targets[0].id == "db_table"
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)
                ):
                    return item.value.value
    return default_table(app, node.name)


def _column(node: ast.ClassDef, field: str, default: str) -> str:
    """A field's column: its `db_column` when it sets one, else `default` (`content_type_id` for a key)."""
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == field
            and isinstance(statement.value, ast.Call)
        ):
            column = _keyword(statement.value, "db_column", "")
            if column:
                return column
    return default
