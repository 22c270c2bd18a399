"""Django's schema operations (`CreateModel`, `AddField`, `AlterField`, …) as operations, on the model state.

Each handler reads one `migrations.X(...)` call, returns what it does to the database (the SQL Django's
schema editor would run, as typed operations) and advances the app's model state, so the next
operation, and the next migration, see the fields as they will be.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import replace

from bot.frameworks import django_indexes
from bot.frameworks import python_source as py
from bot.frameworks.django_apps import Apps
from bot.frameworks.django_state import (
    Field,
    Model,
    State,
    default_table,
    model_options,
    option_items,
    ordering,
    read_field,
    together,
)
from bot.frameworks.origin import Origin
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ChangeChoices,
    ChangeOrmOnDelete,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
)


class Reader:
    def __init__(self, text: str, path: str, dialect: str, state: State, apps: Apps | None = None) -> None:
        self.text, self.path, self.dialect, self.state = text, path, dialect, state
        self.apps = apps  # the other apps of the project, for foreign keys to their models
        # operation classes the migration defines on one of Django's, forwards unchanged: name → Django's
        self.subclasses: dict[str, str] = {}

    def field(self, name: str, node: ast.expr, table: str) -> Field:
        return read_field(name, node, self.state, self.dialect, table, self.apps)

    def base(self, node: ast.expr) -> Origin:
        return {
            "location": Location(self.path, node.lineno),
            "end_line": node.end_lineno or node.lineno,
            "sql": py.segment(self.text, node),
        }

    def operation(self, call: ast.Call) -> list[Operation] | None:
        """None when the operation is not one of Django's schema operations."""
        name = py.name(call)
        if name in self.subclasses:  # read as the call of the operation it runs as, in the same place
            name = self.subclasses[name]
            call = ast.copy_location(
                ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=call.args, keywords=call.keywords), call
            )
        for suffix in ("AddIndexConcurrently", "RemoveIndexConcurrently"):
            if name.endswith(suffix):  # wrappers from third-party packages keep Django's behaviour
                name = suffix
        handler = _HANDLERS.get(name)
        return handler(self, call) if handler is not None else None

    def model(self, call: ast.Call, index: int = 0, keyword: str = "model_name") -> tuple[str, Model]:
        name = py.text_argument(call, index, keyword)
        found = self.state.models.get(name.lower())
        if found is None:
            found = self.state.models[name.lower()] = Model(default_table(self.state.app, name))
        return name, found


def operation_subclasses(module: ast.Module) -> dict[str, str]:
    """The operation classes a migration module defines on one of Django's schema operations without changing
    what it does to the database going forward (`class AddIndexConcurrentlyPlainReverse(AddIndexConcurrently)`
    that only overrides `database_backwards`): by name, the operation each one runs as."""
    found = {}
    for node in module.body:
        if not isinstance(node, ast.ClassDef) or len(node.bases) != 1:
            continue
        base = py.name(node.bases[0])
        known = base in _HANDLERS or base.endswith(
            ("AddIndexConcurrently", "RemoveIndexConcurrently", "RunPython", "RunSQL")
        )
        methods = {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef) and not (item.name == "__init__" and _only_configures(item))
        }
        if known and not methods & {"database_forwards", "state_forwards", "__init__"}:
            found[node.name] = base
    return found


def _only_configures(function: ast.FunctionDef) -> bool:
    """An `__init__` that passes its arguments on to the operation's own and sets attributes of the instance,
    under conditions or not (Mayan EDMS's `RunPython` subclass sets `self.atomic` from the database's
    features): the operation still does what its base class does."""

    def plain(statements: list[ast.stmt]) -> bool:
        for statement in statements:
            if isinstance(statement, ast.If):
                if not plain(statement.body) or not plain(statement.orelse):
                    return False
            elif isinstance(statement, ast.Assign):
                if not all(
                    isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                    for t in statement.targets
                ):
                    return False
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                if ast.unparse(statement.value.func) != "super().__init__":
                    return False
            elif not isinstance(statement, ast.Pass):
                return False
        return True

    passes_on = any(
        isinstance(node, ast.Call) and ast.unparse(node.func) == "super().__init__"
        for node in ast.walk(function)
    )
    return passes_on and plain(function.body)


def _create_model(r: Reader, call: ast.Call) -> list[Operation]:
    name = py.text_argument(call, 0, "name")
    options_node = py.keywords(call).get("options")
    options = model_options(options_node)
    table = str(options.get("db_table") or default_table(r.state.app, name))
    model = r.state.models[name.lower()] = Model(
        table,
        managed=options.get("managed", True) is not False and not options.get("proxy"),
        ordering=ordering(options),
        order_with_respect_to=str(options.get("order_with_respect_to") or ""),
    )
    fields = py.argument(call, 1, "fields")
    for element in fields.elts if isinstance(fields, ast.List | ast.Tuple) else []:
        if isinstance(element, ast.Tuple) and len(element.elts) == 2:
            field_name = py.literal(element.elts[0])
            if isinstance(field_name, str):
                model.fields[field_name] = r.field(field_name, element.elts[1], table)
    if model.order_with_respect_to:  # Django adds the `_order` column it numbers the rows in
        model.fields["_order"] = r.field("_order", _ORDER, table)
    for names in together(options.get("unique_together")):
        model.unique_together.add(names)
    if not model.managed:
        return []
    # a `unique=True` field (a OneToOneField's too) is a UNIQUE column of the new table
    columns = tuple(
        replace(f.spec, unique=True) if f.unique and not f.spec.primary_key else f.spec
        for f in model.fields.values()
        if not f.columnless
    )
    ops: list[Operation] = [CreateTable(table=table, columns=columns, **r.base(call))]
    ops.extend(
        CreateTable(table=f.many_to_many, **r.base(call)) for f in model.fields.values() if f.many_to_many
    )
    # the index Django's schema editor builds with the table for each `db_index` field (a ForeignKey's too)
    ops.extend(
        AddIndex(
            table=table,
            name=django_indexes.derived_name(table, (f.spec.name,), "idx"),
            columns=(f.spec.name,),
            **r.base(call),
        )
        for f in model.fields.values()
        if f.index and not f.unique and not f.spec.primary_key and not f.columnless
    )
    # the keys and indexes of its options, which Django builds with the table: they are the table's as much as
    # those added later (a later RemoveConstraint or AlterUniqueTogether drops them)
    base = r.base(call)
    ops.extend(
        django_indexes.unique_together_op(model, names, base) for names in sorted(model.unique_together)
    )
    for node in option_items(options_node, "constraints"):
        ops.extend(django_indexes.constraint_ops(model, node, base, r.text))
    ops.extend(django_indexes.index_op(model, node, base) for node in option_items(options_node, "indexes"))
    return ops


def _add_field(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    name = py.text_argument(call, 1, "name")
    node = py.argument(call, 2, "field")
    field = r.field(name, node, model.table) if node is not None else None
    if field is None:
        return []
    model.fields[name] = field
    if field.columnless:  # a join table of its own, or none (`through=` a model, a GenericRelation)
        return [CreateTable(table=field.many_to_many, **r.base(call))] if field.many_to_many else []
    base = r.base(call)
    ops: list[Operation] = [AddColumn(table=model.table, column=field.spec, **base)]
    if r.dialect == "postgres" and field.spec.references and field.constraint:
        # PostgreSQL's schema editor declares the key on the column it adds (`ADD COLUMN … CONSTRAINT …
        # REFERENCES …`): without a default, PostgreSQL adds it valid without reading a row
        ops.append(replace(_foreign_key(model.table, field, base), on_column=True))
        field = replace(field, constraint=False)
    if field.one_off_default:  # as Django's schema editor does: the default only fills the existing rows
        ops.append(SetDefault(table=model.table, column=field.spec.name, default=None, **base))
    ops.extend(_field_extras(model.table, field, base))
    return ops


def _field_extras(table: str, field: Field, base: Origin) -> list[Operation]:
    """What Django adds with a column: its unique constraint, its index, its foreign key."""
    column = field.spec.name
    ops: list[Operation] = []
    if field.unique:
        ops.append(
            AddConstraint(
                table=table,
                name=django_indexes.derived_name(table, (column,), "key"),
                constraint="unique",
                columns=(column,),
                **base,
            )
        )
    elif field.index:
        ops.append(
            AddIndex(
                table=table,
                name=django_indexes.derived_name(table, (column,), "idx"),
                columns=(column,),
                **base,
            )
        )
    if field.spec.references and field.constraint:
        ops.append(_foreign_key(table, field, base))
    return ops


def _foreign_key(table: str, field: Field, base: Origin) -> AddConstraint:
    column = field.spec.name
    return AddConstraint(
        table=table,
        name=django_indexes.derived_name(table, (column,), "fk"),
        constraint="foreign_key",
        columns=(column,),
        references=field.spec.references,
        **base,
    )


def _remove_field(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    name = py.text_argument(call, 1, "name")
    field = model.fields.pop(name, None)
    if field is not None and field.columnless:
        return [DropTable(table=field.many_to_many, **r.base(call))] if field.many_to_many else []
    column = field.spec.name if field is not None else name
    return [DropColumn(table=model.table, column=column, **r.base(call))]


def _rename_field(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    old, new = py.text_argument(call, 1, "old_name"), py.text_argument(call, 2, "new_name")
    field = model.fields.pop(old, None)
    if field is None:
        return [RenameColumn(table=model.table, column=old, new_name=new, **r.base(call))]
    if field.columnless:  # no column to rename; Django renames the join table it made for the field
        join = f"{model.table}_{new}" if field.many_to_many else None
        model.fields[new] = replace(field, name=new, many_to_many=join)
        if field.many_to_many and join:
            return [RenameTable(table=field.many_to_many, new_name=join, **r.base(call))]
        return []
    derived = not field.db_column and field.spec.name.startswith(old)  # `customer` → `customer_id`
    new_column = field.spec.name.replace(old, new, 1) if derived else field.spec.name
    model.fields[new] = replace(field, name=new, spec=replace(field.spec, name=new_column))
    if new_column == field.spec.name:
        return []  # db_column keeps the column where it is
    return [RenameColumn(table=model.table, column=field.spec.name, new_name=new_column, **r.base(call))]


def _alter_field(r: Reader, call: ast.Call) -> list[Operation]:
    _, model = r.model(call)
    name = py.text_argument(call, 1, "name")
    node = py.argument(call, 2, "field")
    if node is None:
        return []
    new = r.field(name, node, model.table)
    old = model.fields.get(name)
    model.fields[name] = new
    if new.columnless or (old is not None and old.columnless):
        return []  # a relation without a column of this table
    base = r.base(call)
    table, column = model.table, new.spec.name
    ops: list[Operation] = []
    # Django's schema editor drops the foreign key a field loses first (by the name it had), renames a column
    # whose name changes (a plain field made a relation takes the `_id` suffix), then adds the new key last.
    old_key = old.spec.references if old is not None and old.constraint else None
    new_key = new.spec.references if new.constraint else None
    if old is not None and old_key and old_key != new_key:
        name = django_indexes.derived_name(table, (old.spec.name,), "fk")
        ops.append(DropConstraint(table=table, name=name, **base))
    if old is not None and old.spec.name != column:
        ops.append(RenameColumn(table=table, column=old.spec.name, new_name=column, **base))
    # Without the field's earlier definition the change is unknown: most AlterFields change no column type.
    if old is not None and new.spec.type and old.spec.type != new.spec.type:
        ops.append(
            AlterColumnType(
                table=table, column=column, new_type=new.spec.type, old_type=old.spec.type, **base
            )
        )
        if new.spec.primary_key:
            ops.extend(_follow_key(r, table, new.spec.type, base))
    if old is not None and old.spec.nullable and not new.spec.nullable:
        if new.spec.default is not None:  # Django fills the NULLs with the default first
            ops.append(
                DataUpdate(
                    table=table,
                    assignments=((column, new.spec.default),),
                    where=f"{column} IS NULL",
                    reads=(column,),
                    **base,
                )
            )
        ops.append(SetNotNull(table=table, column=column, **base))
    elif old is not None and not old.spec.nullable and new.spec.nullable:
        ops.append(DropNotNull(table=table, column=column, **base))
    if old is not None and old.unique and not new.unique and not new.spec.primary_key:
        # Django drops the column's unique constraint (PostgreSQL's `<table>_<column>_key` for a field created
        # unique; the schema editor finds the real name when it runs)
        ops.append(
            DropConstraint(table=table, name=django_indexes.derived_name(table, (column,), "key"), **base)
        )
    if old is not None and new_key and new_key != old_key:
        # made a relation, pointed at another model or given back its constraint (`db_constraint=True`)
        ops.append(
            AddConstraint(
                table=table,
                name=django_indexes.derived_name(table, (column,), "fk"),
                constraint="foreign_key",
                columns=(column,),
                references=new_key,
                **base,
            )
        )
    if (
        old is not None
        and new.spec.references
        and old.spec.references
        and old.spec.orm_on_delete != new.spec.orm_on_delete
        and new.spec.orm_on_delete
    ):  # `on_delete=CASCADE` → `SET_NULL`: the models change what a delete does to these rows
        ops.append(ChangeOrmOnDelete(table=table, column=column, on_delete=new.spec.orm_on_delete, **base))
    if old is not None and new.choices and old.choices != new.choices:
        ops.append(
            ChangeChoices(
                table=table,
                column=column,
                old=old.choices,
                new=new.choices,
                old_default=old.spec.default,
                **base,
            )
        )
    if (old is not None and not old.unique and new.unique) or (
        old is not None and not old.index and new.index and not new.unique
    ):
        ops.extend(
            op for op in _field_extras(table, replace(new, spec=replace(new.spec, references=None)), base)
        )
    return ops


def _follow_key(r: Reader, table: str, new_type: str, base: Origin) -> Iterator[Operation]:
    """Django's schema editor gives the foreign keys that point at an altered primary key its new type, in
    the same migration: those of this app and those of the project's other apps."""
    mine = [(r.state, key, name) for key, m in r.state.models.items() for name in m.fields]
    for state, key, name in mine + (r.apps.referencing(table) if r.apps else []):
        model = state.models[key]
        field = model.fields[name]
        if field.references == table and field.spec.references and field.spec.type != new_type:
            if state is r.state:  # another app's replayed state is kept as it is
                model.fields[name] = replace(field, spec=replace(field.spec, type=new_type))
            yield AlterColumnType(
                table=model.table,
                column=field.spec.name,
                new_type=new_type,
                old_type=field.spec.type,
                **base,
            )


def _delete_model(r: Reader, call: ast.Call) -> list[Operation]:
    name = py.text_argument(call, 0, "name")
    model = r.state.models.pop(name.lower(), None)
    if model is not None and not model.managed:
        return []
    return [DropTable(table=model.table if model else default_table(r.state.app, name), **r.base(call))]


def _rename_model(r: Reader, call: ast.Call) -> list[Operation]:
    old, new = py.text_argument(call, 0, "old_name"), py.text_argument(call, 1, "new_name")
    model = r.state.models.pop(old.lower(), None) or Model(default_table(r.state.app, old))
    renamed = model.table == default_table(r.state.app, old)
    new_table = default_table(r.state.app, new) if renamed else model.table
    r.state.models[new.lower()] = replace(model, table=new_table)
    if not renamed or not model.managed:
        return []
    return [RenameTable(table=model.table, new_name=new_table, **r.base(call))]


def _alter_model_table(r: Reader, call: ast.Call) -> list[Operation]:
    name, model = r.model(call, 0, "name")
    new_table = py.text_argument(call, 1, "table") or default_table(r.state.app, name)
    old = model.table
    model.table = new_table
    return [] if old == new_table else [RenameTable(table=old, new_name=new_table, **r.base(call))]


def _nothing(r: Reader, call: ast.Call) -> list[Operation]:
    return []


def _alter_model_options(r: Reader, call: ast.Call) -> list[Operation]:
    """Only the model's state changes: Django replaces its options, `ordering` among them (gone when the new
    options leave it out); `order_with_respect_to` is not one of them, AlterOrderWithRespectTo sets it."""
    model = r.state.models.get(py.text_argument(call, 0, "name").lower())
    if model is not None:
        model.ordering = ordering(model_options(py.argument(call, 1, "options")))
    return []


# The column Django gives a model with `order_with_respect_to` (its `OrderWrt` field): `_order integer NOT NULL`,
# added to existing rows with 0 (the default only fills them)
_ORDER = ast.parse("models.IntegerField()", mode="eval").body
_ORDER_ADDED = ast.parse("models.IntegerField(default=0)", mode="eval").body


def _alter_order_with_respect_to(r: Reader, call: ast.Call) -> list[Operation]:
    """The model's rows get (or lose) the `_order` column Django numbers them by, and orders them by; moving
    the order to another field keeps the column (and its numbers)."""
    model = r.state.models.get(py.text_argument(call, 0, "name").lower())
    if model is None:
        return []
    before = model.order_with_respect_to
    model.order_with_respect_to = py.text_argument(call, 1, "order_with_respect_to")
    if bool(before) == bool(model.order_with_respect_to):
        return []
    base = r.base(call)
    if before:
        model.fields.pop("_order", None)
        return [DropColumn(table=model.table, column="_order", **base)] if model.managed else []
    model.fields["_order"] = r.field("_order", _ORDER, model.table)
    if not model.managed:
        return []
    added = r.field("_order", _ORDER_ADDED, model.table)
    return [
        AddColumn(table=model.table, column=added.spec, **base),
        SetDefault(table=model.table, column="_order", default=None, **base),
    ]


_HANDLERS: dict[str, Callable[[Reader, ast.Call], list[Operation]]] = {
    **django_indexes.HANDLERS,
    "CreateModel": _create_model,
    "AddField": _add_field,
    "RemoveField": _remove_field,
    "RenameField": _rename_field,
    "AlterField": _alter_field,
    "DeleteModel": _delete_model,
    "RenameModel": _rename_model,
    "AlterModelTable": _alter_model_table,
    "AlterIndexTogether": _nothing,
    "AlterModelOptions": _alter_model_options,
    "AlterModelManagers": _nothing,
    "AlterOrderWithRespectTo": _alter_order_with_respect_to,
    "AlterModelTableComment": _nothing,
    "CreateExtension": _nothing,
    "HStoreExtension": _nothing,
    "TrigramExtension": _nothing,
    "BtreeGinExtension": _nothing,
    "UnaccentExtension": _nothing,
    "CITextExtension": _nothing,
    "CryptoExtension": _nothing,
    "BloomExtension": _nothing,
    "CreateCollation": _nothing,
    "RenameIndex": _nothing,
}
