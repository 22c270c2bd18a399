"""The `dependent:` associations of a Rails application's models, and which of them a delete runs.

`has_many :comments, dependent: :destroy` on `Post` means `post.destroy` (and `Post.destroy_all`) destroys
the post's comments first, each through its own model (so their own associations run too); `:delete_all`
deletes them with one DELETE, `:nullify` empties their `post_id`. None of it is in the database: only the
model's callbacks do it, so `delete_all`, `delete` and SQL leave those rows behind, and so does a model class
the migration defines for itself without the associations.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import ruby, ruby_model
from bot.frameworks.rails_common import plural, singular
from bot.model.changeset import Tree, read_ahead
from bot.model.migration import DataDelete, Dependent, Operation

_ASSOCIATIONS = ("has_many", "has_one", "has_and_belongs_to_many", "belongs_to")
_ACTIONS = frozenset(
    {
        "destroy",
        "delete_all",
        "delete",
        "nullify",
        "destroy_async",
        "restrict_with_exception",
        "restrict_with_error",
    }
)
_BASES = ("ApplicationRecord", "ActiveRecord::Base", "ActiveRecord::Migration")
# methods that destroy through the model (its callbacks and associations run), and those that do not
_DESTROYS = re.compile(r"(?:\.|&:)(?:destroy_all|destroy_by|destroy!?|destroy_async)(?![\w!?])")
_SKIPS = re.compile(r"(?:\.|&:)(?:delete_all|delete_by|delete)(?![\w!?])")


@dataclass
class _Model:
    name: str  # `Shop::Order`
    superclass: str
    path: str
    table_name: str | None = None
    associations: list[tuple[ruby.Call, str]] = field(default_factory=list)  # (call, its source line text)


def _classes(root: Node, path: str, owner: str = "") -> list[_Model]:
    """The classes of a Ruby file, nested modules giving their names, with what their bodies declare."""
    found: list[_Model] = []
    for child in root.named_children:
        if child.type not in ("class", "module"):
            if child.type in ("body_statement", "program"):
                found.extend(_classes(child, path, owner))
            continue
        name_node = child.child_by_field_name("name")
        name = ruby.text_of(name_node) if name_node is not None else ""
        full = f"{owner}::{name}" if owner and name else name
        body = child.child_by_field_name("body") or next(
            (c for c in child.named_children if c.type == "body_statement"), None
        )
        if child.type == "class":
            superclass = ruby.text_of(child.child_by_field_name("superclass")).lstrip("< ").strip()
            model = _Model(full, superclass, path)
            for node in body.named_children if body is not None else ():
                _declaration(node, model)
            found.append(model)
        if body is not None:
            found.extend(_classes(body, path, full))
    return found


def _declaration(node: Node, model: _Model) -> None:
    text = ruby.text_of(node)
    named = re.match(r"self\.table_name\s*=\s*[\"':](\w+)", text)
    if named:
        model.table_name = named.group(1)
        return
    c = ruby.call(node) if node.type == "call" else None
    if c is not None and c.receiver is None and c.name in _ASSOCIATIONS and c.args:
        model.associations.append((c, " ".join(text.split())))


# the tree whose models were read last, and its models (never changed once read)
_LAST: list[tuple[Tree, dict[str, _Model]]] = []


class Models:
    """The application's models (`app/models/**/*.rb`, engines' too), read when a delete asks for them."""

    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self._models: dict[str, _Model] | None = None
        self._constants = ruby_model.Constants([], tree)

    def _all(self) -> dict[str, _Model]:
        if self._models is None:
            if _LAST and _LAST[0][0] is self._tree:  # the migrations of one history ask of the same tree
                self._models = _LAST[0][1]
                return self._models
            self._models = {}
            paths = sorted(p for p in self._tree.paths() if _model_file(p))
            for path in read_ahead(self._tree, paths):  # one git process, not one a model
                text = self._tree.read(path) or ""
                if "class" not in text:
                    continue
                for model in _classes(ruby.parse(text), path):
                    self._models.setdefault(model.name, model)
            _LAST[:] = [(self._tree, self._models)]
        return self._models

    def table(self, name: str, own: dict[str, _Model] | None = None) -> str:
        """The table of a model: its `self.table_name`, its base class's (single-table inheritance), else
        Rails' convention."""
        models = {**self._all(), **(own or {})}
        seen: set[str] = set()
        while name in models and name not in seen:
            seen.add(name)
            model = models[name]
            if model.table_name:
                return model.table_name
            base = _resolve(model.superclass, model.name, models)
            if base is None:
                break
            name = base
        return self._constants.table_name(name) or plural(_snake(name.split("::")[-1]))

    def dependents(
        self, table: str, model: str | None = None, own: dict[str, _Model] | None = None
    ) -> tuple[Dependent, ...]:
        """The associations a destroy of `table`'s rows runs (its model's, or `model`'s when the delete
        names one), and through each `dependent: :destroy` those of the child's model, recursively."""
        models = {**self._all(), **(own or {})}
        start = [model] if model and model in models else self._roots(table, models, own)
        found: list[Dependent] = []
        pending, seen = list(start), set()
        while pending:
            name = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            for each, child in self._declared(name, models, own):
                if each not in found:
                    found.append(each)
                if each.action in ("destroy", "destroy_async") and child:
                    pending.append(child)
        return tuple(found)

    def _roots(self, table: str, models: dict[str, _Model], own: dict[str, _Model] | None) -> list[str]:
        """The models of a table whose rows a delete that names no model removes: the base classes, not the
        subclasses of single-table inheritance (whose associations hold for their own rows only)."""
        found = [n for n in models if self.table(n, own) == table]
        return [
            n
            for n in found
            if (base := _resolve(models[n].superclass, n, models)) is None or self.table(base, own) != table
        ]

    def _declared(
        self, name: str, models: dict[str, _Model], own: dict[str, _Model] | None
    ) -> list[tuple[Dependent, str]]:
        """The `dependent:` associations of a model and of the classes it inherits from."""
        found: list[tuple[Dependent, str]] = []
        table = self.table(name, own)
        current: str | None = name
        seen: set[str] = set()
        while current is not None and current in models and current not in seen:
            seen.add(current)
            model = models[current]
            for c, text in model.associations:
                found.extend(self._association(c, text, model, table, models, own))
            current = _resolve(model.superclass, model.name, models)
        return found

    def _association(
        self,
        c: ruby.Call,
        text: str,
        model: _Model,
        table: str,
        models: dict[str, _Model],
        own: dict[str, _Model] | None,
    ) -> list[tuple[Dependent, str]]:
        association = ruby.value(c.args[0])
        if c.name == "has_and_belongs_to_many" and isinstance(association, str):
            return self._join_rows(c, text, model, table, association, models, own)
        action = c.option("dependent")
        if not isinstance(action, str) or action not in _ACTIONS or not isinstance(association, str):
            return []
        where = f"`{model.path}`, line {c.line}"
        if c.name == "belongs_to":  # the row the deleted row points at goes with it
            named = c.option("class_name")
            parent = _resolve(named if isinstance(named, str) else _camel(association), model.name, models)
            key = c.option("foreign_key")
            column = key if isinstance(key, str) else f"{association}_id"
            if parent is None or c.option("polymorphic") is not None:
                return []  # a class the review cannot name, or one of several
            parent_table = self.table(parent, own)
            primary = c.option("primary_key")
            parent_key = primary if isinstance(primary, str) else "id"
            declared = f"`{text}` ({where})"
            return [
                (
                    Dependent(parent_table, (parent_key,), table, action, declared, (column,), owner=True),
                    parent,
                )
            ]
        target, kind = c, c.name
        through = c.option("through")
        if through is not None:  # the join model's rows go, not the records reached through them
            if not isinstance(through, str):
                return []
            found = next(
                (
                    a
                    for a, _ in model.associations
                    if a.name in ("has_many", "has_one") and a.args and ruby.value(a.args[0]) == through
                ),
                None,
            )
            target, association, kind = found or c, through, found.name if found else "has_many"
        named = target.option("class_name") if target is not c or through is None else None
        class_name = (
            named
            if isinstance(named, str)
            else _camel(singular(association) if kind == "has_many" else association)
        )
        child = _resolve(class_name, model.name, models) or class_name.lstrip(":")
        child_table = self.table(child, own)
        polymorphic = target.option("as")
        key = target.option("foreign_key")
        column = (
            key
            if isinstance(key, str)
            else f"{polymorphic}_id"
            if isinstance(polymorphic, str)
            else _snake(model.name.split("::")[-1]) + "_id"
        )
        type_column, type_value = (
            (f"{polymorphic}_type", self._base_class(model.name, models, own))
            if isinstance(polymorphic, str)
            else ("", "")
        )
        dependent = Dependent(
            child_table,
            (column,),
            table,
            action,
            f"`{text}` ({where})",
            type_column=type_column,
            type_value=type_value,
        )
        return [(dependent, child)]

    def _base_class(self, name: str, models: dict[str, _Model], own: dict[str, _Model] | None) -> str:
        """The class Rails writes into a polymorphic `*_type` column: the base class of the model's table
        (single-table inheritance stores the base class's name)."""
        table = self.table(name, own)
        while name in models:
            base = _resolve(models[name].superclass, name, models)
            if base is None or self.table(base, own) != table:
                break
            name = base
        return name

    def _join_rows(
        self,
        c: ruby.Call,
        text: str,
        model: _Model,
        table: str,
        association: str,
        models: dict[str, _Model],
        own: dict[str, _Model] | None,
    ) -> list[tuple[Dependent, str]]:
        """`has_and_belongs_to_many :tags`: a destroy deletes the record's rows of the join table (`posts_tags`,
        the two tables in alphabetical order, or `join_table:`) with one DELETE, as `dependent: :delete_all`."""
        named = c.option("class_name")
        other = _resolve(
            named if isinstance(named, str) else _camel(singular(association)), model.name, models
        )
        join = c.option("join_table")
        join_table = (
            join
            if isinstance(join, str)
            else "_".join(sorted((table, self.table(other, own) if other else association)))
        )
        key = c.option("foreign_key")
        column = key if isinstance(key, str) else _snake(model.name.split("::")[-1]) + "_id"
        where = f"`{model.path}`, line {c.line}"
        return [(Dependent(join_table, (column,), table, "delete_all", f"`{text}` ({where})"), "")]


def _resolve(name: str, owner: str, models: dict[str, _Model]) -> str | None:
    """A constant as Ruby finds it from inside `owner`: `LineItem` in `Shop::Order` is `Shop::LineItem` when
    that exists, else the top-level `LineItem`; None when it names no model (or a base class)."""
    name = name.lstrip(":")
    if not name or name in _BASES:
        return None
    parts = owner.split("::")[:-1]
    while True:
        candidate = "::".join([*parts, name])
        if candidate in models:
            return candidate
        if not parts:
            return None
        parts.pop()


def _model_file(path: str) -> bool:
    return (
        path.endswith(".rb")
        and ("/app/models/" in f"/{path}")
        and "/spec/" not in f"/{path}"
        and "/test/" not in f"/{path}"
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def with_dependents(ops: tuple[Operation, ...], root: Node, path: str, tree: Tree) -> tuple[Operation, ...]:
    """The deletes of a migration with the associations of the models they delete through: run by
    `destroy`/`destroy_all` on an application model; skipped (and said why) by `delete_all`, `delete` and
    SQL, or by a model the migration defines for itself without them."""
    if not any(isinstance(op, DataDelete) for op in ops):
        return ops
    models = Models(tree)
    # classes the migration defines (in its own class too: `PurgePosts::Post` is `Post` to its methods)
    own = {
        m.name.split("::")[-1]: dataclasses.replace(m, name=m.name.split("::")[-1])
        for m in _classes(root, path)
        if "Migration" not in m.superclass
    }
    return tuple(_with(op, models, own) if isinstance(op, DataDelete) else op for op in ops)


def _with(op: DataDelete, models: Models, own: dict[str, _Model]) -> DataDelete:
    text = op.sql
    receiver = re.match(r"\s*((?:::)?[A-Z]\w*(?:::[A-Z]\w*)*)\.", text)
    model = receiver.group(1).lstrip(":") if receiver else None
    destroys = _DESTROYS.search(text) is not None and not op.spelled_out
    app = models.dependents(op.table, model if model not in own else None)
    if model in own:
        declared = models.dependents(op.table, model, own)
        if destroys and declared:
            return dataclasses.replace(op, dependents=declared, cascades_in_code=True)
        if destroys and app:
            why = (
                f"the migration's own `{model}` class declares none of the application model's associations, "
                "so its `destroy` runs none of them"
            )
            return dataclasses.replace(op, dependents=app, callbacks_skipped=why)
    if not app:
        return op
    if destroys:
        return dataclasses.replace(op, dependents=app, cascades_in_code=True)
    method = _SKIPS.search(text)
    why = (
        f"`{method.group(0).lstrip('.&:')}` deletes with SQL and runs no model callbacks"
        if method is not None and not op.spelled_out
        else "a SQL DELETE runs no model callbacks"
    )
    return dataclasses.replace(op, dependents=app, callbacks_skipped=why)
