"""Django's model state as the migrations of one app build it: tables, columns and their SQL types.

Django names a model's table `<app_label>_<model name in lower case>` unless `db_table` says otherwise,
and a ForeignKey's column `<field>_id`. The state before a migration comes from replaying the earlier
migrations of the same app, which is what Django itself does.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Protocol

from bot.frameworks import python_source as py
from bot.frameworks.column_types import django_type
from bot.model.migration import ColumnSpec

# Field classes are told by the end of their name, so a library's subclass counts: django-mptt's
# TreeForeignKey and TreeManyToManyField, modelcluster's ParentalKey and ParentalManyToManyField.
_RELATIONS = ("ForeignKey", "OneToOneField", "ParentalKey")
_COLUMNLESS = ("ManyToManyField", "TaggableManager", "GenericRelation")


@dataclass
class Field:
    name: str
    spec: ColumnSpec
    field_class: str
    unique: bool = False
    index: bool = False
    references: str | None = None  # the table of the related model
    constraint: bool = True  # db_constraint
    many_to_many: str | None = None  # the join table Django creates for a ManyToManyField without `through`
    # no column on the model's table: a many-to-many relation (django-taggit's TaggableManager is one) or a
    # GenericRelation, which reads the other model's object id
    columnless: bool = False
    # `default=` (not `db_default=`): Django sets it on the column to fill the existing rows, then drops it
    one_off_default: bool = False
    db_column: bool = False  # `db_column=` given: the column keeps its name when the field is renamed
    # `choices=`: each stored value (as Python writes it) and its label, groups flattened; () when not literal
    choices: tuple[tuple[str, str], ...] = ()


@dataclass
class Model:
    table: str
    fields: dict[str, Field] = field(default_factory=dict)
    unique_together: set[tuple[str, ...]] = field(default_factory=set)
    managed: bool = True
    ordering: tuple[
        str, ...
    ] = ()  # `Meta.ordering`: the order of every queryset with no `order_by` of its own
    # `Meta.order_with_respect_to`: the field whose rows Django numbers in a hidden `_order` column
    order_with_respect_to: str = ""

    def default_order(self) -> tuple[str, ...]:
        """The order of a queryset of the model with no `order_by`: `_order` under `order_with_respect_to`
        (Django then orders by it whatever `ordering` says), else `Meta.ordering`."""
        return ("_order",) if self.order_with_respect_to else self.ordering


@dataclass
class State:
    app: str
    models: dict[str, Model] = field(default_factory=dict)

    def copy(self) -> State:
        """A copy that replaying another migration may change without touching this one. Fields are
        replaced, never changed in place, and column specs are frozen, so they are shared."""
        models = {
            key: Model(
                m.table,
                dict(m.fields),
                set(m.unique_together),
                m.managed,
                m.ordering,
                m.order_with_respect_to,
            )
            for key, m in self.models.items()
        }
        return State(self.app, models)

    def table(self, model: str) -> str:
        found = self.models.get(model.lower())
        return found.table if found is not None else default_table(self.app, model)

    def field(self, model: str, name: str) -> Field | None:
        found = self.models.get(model.lower())
        return found.fields.get(name) if found is not None else None


def default_table(app: str, model: str) -> str:
    return f"{app}_{model.lower()}"


def related_table(app: str, target: object, state: State, project: Project | None = None) -> str:
    """`"shop.Order"` → `shop_order` (the model's `db_table` when `project` knows it); `"Order"` → a model of
    this app; `settings.AUTH_USER_MODEL` → the project's user model, Django's `auth_user` by default."""
    if isinstance(target, py.Code):
        if "AUTH_USER_MODEL" not in target.text:
            return target.text.lower().replace(".", "_")
        target = ".".join(project.user if project is not None else ("auth", "User"))
    if not isinstance(target, str):
        return ""
    if "." in target:
        other_app, model = target.split(".", 1)
        if other_app == app:
            return state.table(model)
        return project.table(other_app, model) if project is not None else default_table(other_app, model)
    return state.table(target) if target != "self" else ""


def key_type(state: State, table: str) -> str:
    """The column type of a model's primary key, which Django gives the foreign keys that point at it (an
    AutoField's `integer`, a BigAutoField's `bigint`); "" when the model is not in this app's state."""
    model = next((m for m in state.models.values() if m.table == table), None)
    key = next((f for f in model.fields.values() if f.spec.primary_key), None) if model is not None else None
    return key.spec.type if key is not None else ""


class Project(Protocol):
    """The other apps of the project, as the fields of one app see them."""

    @property
    def user(self) -> tuple[str, str]:
        """(app label, model name) of the user model."""
        ...

    def table(self, app: str, model: str) -> str:
        """The table of a model of another app."""
        ...

    def key_type(self, app: str, model: str) -> str:
        """The column type of the primary key of a model of another app; "" when unknown."""
        ...


def read_field(
    name: str,
    node: ast.expr,
    state: State,
    dialect: str,
    model_table: str = "",
    project: Project | None = None,
) -> Field:
    """A field definition `models.CharField(max_length=20, null=True)` as a column; a foreign key gets the
    table and the type of the key it points at (`project` finds those of other apps)."""
    call = node if isinstance(node, ast.Call) else None
    field_class = py.name(node)
    kwargs = {k: py.literal(v) for k, v in py.keywords(call).items()} if call is not None else {}
    relation = field_class.endswith(_RELATIONS)
    many = field_class.endswith("ManyToManyField")
    column = str(kwargs.get("db_column") or (f"{name}_id" if relation else name))
    default = _default(kwargs)
    if default is None and kwargs.get("db_default") is None and _blank_string(field_class, kwargs):
        # Django's schema editor fills a NOT NULL `blank=True` text field with '' (its "effective default")
        default = "''"
    references, target_type = None, ""
    if relation or many:
        target = py.literal(py.argument(call, 0, "to")) if call is not None else None
        references = related_table(state.app, target, state, project) or model_table
        if relation and references:
            target_type = key_type(state, references) or _other_key(target, state, project)
    spec = ColumnSpec(
        name=column,
        type=target_type or django_type(field_class, kwargs, dialect),
        nullable=kwargs.get("null") is True and kwargs.get("primary_key") is not True,
        default=default,
        primary_key=kwargs.get("primary_key") is True,
        identity=field_class.endswith("AutoField"),
        references=references if relation else None,
        orm_on_delete=_on_delete(call) if relation else "",
        auto_now=kwargs.get("auto_now") is True,
    )
    columnless = field_class.endswith(_COLUMNLESS)
    through = call is not None and "through" in py.keywords(call)
    m2m = f"{model_table}_{name}" if many and model_table and not through else None
    return Field(
        name=name,
        spec=spec,
        field_class=field_class,
        unique=kwargs.get("unique") is True or field_class.endswith("OneToOneField"),
        index=kwargs.get("db_index") is True or (relation and kwargs.get("db_index") is not False),
        references=references,
        constraint=kwargs.get("db_constraint") is not False,
        many_to_many=m2m,
        columnless=columnless,
        one_off_default=default is not None and kwargs.get("db_default") is None,
        db_column=bool(kwargs.get("db_column")),
        choices=choices(kwargs.get("choices")),
    )


def choices(value: object) -> tuple[tuple[str, str], ...]:
    """`[(0, "draft"), (1, "published")]`, with `("Group", [(…), …])` groups flattened, as (value, label)
    pairs; () for choices the migration does not spell out."""
    if not isinstance(value, list | tuple):
        return ()
    found: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            return ()
        stored, label = item
        if isinstance(label, list | tuple):
            found.extend(choices(label))
        elif isinstance(stored, str | int | float | bool) and isinstance(label, str):
            found.append((repr(stored), label))
        else:
            return ()
    return tuple(found)


def _on_delete(call: ast.Call | None) -> str:
    """`on_delete=models.CASCADE` → "cascade": what Django does itself to these rows when their parent is
    deleted through the ORM (the database's key has no action)."""
    action = py.argument(call, 1, "on_delete") if call is not None else None
    name = (
        action.attr
        if isinstance(action, ast.Attribute)
        else action.id
        if isinstance(action, ast.Name)
        else ""
    )
    return name.lower().replace("_", " ")


def _other_key(target: object, state: State, project: Project | None) -> str:
    """The key type of a model of another app (`"shop.Order"`, the user model)."""
    if project is None:
        return ""
    if isinstance(target, py.Code) and "AUTH_USER_MODEL" in target.text:
        target = ".".join(project.user)
    if isinstance(target, str) and "." in target and target.split(".", 1)[0] != state.app:
        app, model = target.split(".", 1)
        return project.key_type(app, model)
    return ""


# Field classes whose empty value is the empty string (Django's `empty_strings_allowed`).
_STRING_FIELDS = frozenset(
    {"SlugField", "EmailField", "URLField", "FilePathField", "FileField", "ImageField", "BinaryField"}
)


def _blank_string(field_class: str, kwargs: dict[str, object]) -> bool:
    # a field class of the project's own with a `max_length` is a CharField underneath (a ColorField)
    textual = (
        field_class in _STRING_FIELDS
        or field_class.endswith(("CharField", "TextField"))
        or "max_length" in kwargs
    )
    return textual and kwargs.get("blank") is True and kwargs.get("null") is not True


def _default(kwargs: dict[str, object]) -> str | None:
    """The value existing rows get: `db_default`, else Django's one-off `default` (set, then dropped)."""
    for key in ("db_default", "default"):
        if key in kwargs and kwargs[key] is not None:
            value = kwargs[key]
            if isinstance(value, py.Code):
                return (
                    value.text
                    if key == "db_default"
                    else f"{value.text}()"
                    if "." in value.text or value.text.isidentifier()
                    else value.text
                )
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, str):
                return "'" + value.replace("'", "''") + "'"
            return repr(value)
    return None


def model_options(node: ast.expr | None) -> dict[str, object]:
    """The options of a `CreateModel` or `AlterModelOptions`, by name. Each is read on its own: a value that is
    no literal (`"ordering": ("device", CollateAsChar("_name"))`, `"constraints": [models.UniqueConstraint(…)]`)
    leaves the others readable (netbox's `unique_together` beside such an `ordering`, paperless-ngx's
    squashed `constraints`). A list or tuple keeps its literal items, each other item as its code."""
    if not isinstance(node, ast.Dict):
        value = py.literal(node)
        return value if isinstance(value, dict) else {}
    found: dict[str, object] = {}
    for key, value_node in zip(node.keys, node.values, strict=True):
        name = py.literal(key) if key is not None else None
        if not isinstance(name, str):
            continue
        value = py.literal(value_node)
        if isinstance(value, py.Code) and isinstance(value_node, ast.List | ast.Tuple):
            value = tuple(py.literal(item) for item in value_node.elts)
        found[name] = value
    return found


def option_items(node: ast.expr | None, name: str) -> list[ast.expr]:
    """The items of one list option of a `CreateModel`'s `options` (`indexes`, `constraints`), as code."""
    if not isinstance(node, ast.Dict):
        return []
    for key, value in zip(node.keys, node.values, strict=True):
        if key is not None and py.literal(key) == name and isinstance(value, ast.List | ast.Tuple):
            return list(value.elts)
    return []


def ordering(options: dict[str, object]) -> tuple[str, ...]:
    """The fields of `options={"ordering": [...]}`."""
    value = options.get("ordering")
    return tuple(str(each) for each in value) if isinstance(value, list | tuple) else ()


def together(value: object) -> list[tuple[str, ...]]:
    if not isinstance(value, list | tuple | set) or not value:
        return []
    items = list(value)
    if all(isinstance(v, str) for v in items):
        return [tuple(str(v) for v in items)]
    return [tuple(str(f) for f in v) for v in items if isinstance(v, list | tuple)]
