"""The columns a project's models declare: what the application will select and insert once it deploys.

Django and SQLAlchemy load every column their model maps (a `SELECT` names each one) and insert every
column the model has; Prisma Client does the same for every scalar field of a model. A column the model
declares that the database does not have makes each query of that model fail; a column the database still
requires (NOT NULL, no default) that the model no longer declares makes each insert fail.

Read here, for the model files a pull request changes:
- Django: the concrete models of `models.py` and `models/*.py` (not abstract, proxy or unmanaged ones),
  their table (`Meta.db_table`, else `<app>_<model>` with the app's folder as its label) and the column of
  each field (`db_column`, else the field's name, `_id` added for a foreign key or one-to-one field);
  many-to-many and generic relations have no column.
- SQLAlchemy: the declarative classes with a `__tablename__`, each `Column(…)` / `mapped_column(…)` with
  the name it gives the column (its first argument when that is a string).
- Prisma: the scalar fields of each model, with `@map` and `@@map` (`prisma_push.read`).
- TypeORM: the `@Column`-family properties of each `@Entity` class, with the `name` a decorator gives (else
  the property's name, or its snake case under a snake naming strategy: either counts), on the entity's
  table (`@Entity("orders")`, else the class name in snake case).
- sequelize-typescript: the `@Column` properties of each `@Table({ tableName: "orders" })` class, with the
  `field` a decorator gives (else the property's name, or its snake case under `underscored`); a
  `DataType.VIRTUAL` attribute has no column.
- Ecto: the `field`s of each `schema "orders" do` block (not `virtual: true`; `source:` renames the column)
  and the `_id` column of each `belongs_to` (or its `foreign_key:`).

TypeScript and Elixir are read with patterns over each class or schema block (no parser of either is a
dependency here, and only declarations are needed); Python files are read with `ast` (the whole file, so a class's `Meta` and its fields are tied to it
exactly); a file that does not parse declares nothing here.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.frameworks import prisma_push, typeorm_entities
from bot.references.brackets import closing_bracket

_NO_COLUMN = frozenset({"ManyToManyField", "GenericRelation", "GenericForeignKey", "ForeignObject"})
_RELATION = frozenset({"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"})
_SQLALCHEMY = frozenset({"Column", "mapped_column"})


@dataclass(frozen=True)
class Declared:
    framework: str  # django, sqlalchemy, prisma
    model: str
    table: str
    column: str
    field: str  # the attribute (Prisma: field) name
    path: str
    line: int
    # other names the column may have in the database, any of which serves (a naming strategy's)
    aliases: tuple[str, ...] = ()
    # Prisma: whether the field allows NULL (`String?`); None where the reader does not say
    optional: bool | None = None

    def names(self) -> tuple[str, ...]:
        return (self.column, *self.aliases)


@functools.lru_cache(maxsize=256)
def declared(path: str, text: str, label: str = "") -> tuple[Declared, ...]:
    """The columns the models of one file declare (none for a file that is not a model file). Kept per file
    text: both model rules, and each of their checks, read the change's model files. `label`: the label the
    Django app's `apps.py` declares (Wagtail's `wagtail/` is `wagtailcore`), else the app's folder names it."""
    return tuple(_declared(path, text, label))


def _declared(path: str, text: str, label: str = "") -> list[Declared]:
    if path.endswith(".prisma"):
        return list(_prisma(path, text))
    if path.endswith(".ts") and "@Entity" in text:
        return list(_typeorm(path, text))
    if path.endswith(".ts") and "@Table" in text and "sequelize-typescript" in text:
        return list(_sequelize_typescript(path, text))
    if path.endswith(".ex") and "schema " in text and "Ecto.Schema" in text:
        return list(_ecto(path, text))
    if not path.endswith(".py") or not (
        "models.Model" in text or "__tablename__" in text or (_is_django_file(path) and "models." in text)
    ):
        # (a Django models file whose classes all derive from the project's own bases, NetBox's
        # `class Contact(PrimaryModel)`, names no `models.Model` and still declares their fields)
        return []
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Declared] = []
    django = _is_django_file(path) and "django" in text
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            found.extend(_django(path, node, label) if django else ())
            found.extend(_sqlalchemy(path, node))
    return found


def is_model_file(path: str) -> bool:
    """A file that may declare models (the app reads a pull request's trees for it)."""
    inside = f"/{path}"
    if any(part in inside for part in ("/migrations/", "/tests/", "/test/", "/versions/")):
        return False
    if path.endswith(".prisma") or _is_django_file(path) or path.endswith("models.py"):
        return True
    if path.endswith(".ts"):
        return path.endswith(".entity.ts") or any(
            f"/{d}/" in inside for d in ("entities", "entity", "models")
        )
    return path.endswith(".ex") and "/priv/" not in inside and not inside.startswith("/priv/")


def _is_django_file(path: str) -> bool:
    inside = f"/{path}"
    return inside.endswith("/models.py") or ("/models/" in inside and path.endswith(".py"))


def app_package(path: str) -> str:
    """The folder of the Django app a model module belongs to (`shop` of `shop/models/order.py`)."""
    parts = path.split("/")
    if parts[-1] != "models.py" and "models" not in parts[:-1]:
        return ""
    index = len(parts) - 2 if parts[-1] == "models.py" else parts.index("models") - 1
    return "/".join(parts[: index + 1]) if index >= 0 else ""


def _app_label(path: str) -> str:
    parts = path.split("/")
    index = len(parts) - 2 if parts[-1] == "models.py" else parts.index("models") - 1
    return parts[index] if index >= 0 else ""


def _django(path: str, node: ast.ClassDef, app: str = "") -> Iterator[Declared]:
    if not any(
        _name(base) in ("Model", "models.Model") or _name(base).endswith("Model") for base in node.bases
    ):
        return
    meta = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
    options = _assigned(meta) if meta else {}
    if options.get("abstract") is True or options.get("proxy") is True or options.get("managed") is False:
        return
    table = options.get("db_table")
    if not isinstance(table, str):
        label = options.get("app_label")
        label = label if isinstance(label, str) else app or _app_label(path)
        if not label:
            return
        table = f"{label}_{node.name.lower()}"
    calls = list(_calls(node))
    attributes = {attribute for attribute, _, _ in calls}
    for attribute, call, line in calls:
        kind = _name(call.func).rpartition(".")[2]
        if kind in _NO_COLUMN or not (kind.endswith("Field") or kind in _RELATION):
            continue
        if kind not in _RELATION and _composite(call, attributes):
            continue
        column = _keyword(call, "db_column")
        if not isinstance(column, str):
            column = f"{attribute}_id" if kind in _RELATION else attribute
        yield Declared("django", node.name, table, column, attribute, path, line)


def _composite(call: ast.Call, attributes: set[str]) -> bool:
    """A field made of other fields of the model, with no column of its own: django-prices'
    `price = MoneyField(amount_field="price_amount", currency_field="currency")` (Saleor's prices)."""
    return any(
        (key.arg or "").endswith("amount_field")
        and isinstance(key.value, ast.Constant)
        and key.value.value in attributes
        for key in call.keywords
    )


def _sqlalchemy(path: str, node: ast.ClassDef) -> Iterator[Declared]:
    options = _assigned(node)
    table = options.get("__tablename__")
    if not isinstance(table, str) or options.get("__abstract__") is True:
        return
    for attribute, call, line in _calls(node):
        if _name(call.func).rpartition(".")[2] not in _SQLALCHEMY:
            continue
        first = call.args[0] if call.args else None
        named = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else attribute
        yield Declared("sqlalchemy", node.name, table, named, attribute, path, line)


def _prisma(path: str, text: str) -> Iterator[Declared]:
    if "model " not in text:
        return
    schema = prisma_push.read({path: text})
    for table, model in schema.models.items():
        name = model.location
        for column, field in model.fields.items():
            if "@ignore" in field.text:
                continue  # Prisma Client neither reads nor writes it
            attribute = field.text.split()[0] if field.text else column
            model_name, line = _model_name(text, name.line), field.location.line
            yield Declared(
                "prisma", model_name, table, column, attribute, path, line, optional=field.nullable
            )


def _model_name(text: str, line: int) -> str:
    words = text.splitlines()[line - 1].split() if 0 < line <= text.count("\n") + 1 else []
    return words[1] if len(words) > 1 else ""


def _calls(node: ast.ClassDef) -> Iterator[tuple[str, ast.Call, int]]:
    """(attribute, the call that defines it, line) of each `name = call(…)` or `name: T = call(…)` of a class."""
    for item in node.body:
        if isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
            target, value = item.targets[0].id, item.value
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
            target, value = item.target.id, item.value
        else:
            continue
        if isinstance(value, ast.Call):
            yield target, value, item.lineno


def _assigned(node: ast.ClassDef) -> dict[str, object]:
    """The constants a class body assigns (`abstract = True`, `db_table = "orders"`)."""
    found: dict[str, object] = {}
    for item in node.body:
        if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
            for target in item.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = item.value.value
    return found


def _keyword(call: ast.Call, name: str) -> object:
    value = next((k.value for k in call.keywords if k.arg == name), None)
    return value.value if isinstance(value, ast.Constant) else None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _name(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


_TYPEORM_COLUMN = re.compile(
    r"@(Column|PrimaryColumn|PrimaryGeneratedColumn|CreateDateColumn|UpdateDateColumn|DeleteDateColumn"
    r"|VersionColumn|ObjectIdColumn)\("
)
_PROPERTY = re.compile(
    r"\s*(?:@\w+(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?\s*)*"
    r"(?:(?:public|private|protected|readonly|declare|override)\s+)*(\w+)[!?]?\s*[:;=]"
)
_NAME_OPTION = re.compile(r"\bname\s*:\s*['\"`](\w+)['\"`]")


def _typeorm(path: str, text: str) -> Iterator[Declared]:
    entities = list(typeorm_entities.ENTITY.finditer(text))
    for index, entity in enumerate(entities):
        if entity.group("bare") is not None and entity.group("bare").strip():
            continue  # `@Entity(someOptions)`: the table is not spelled here
        cls = entity.group("cls")
        table = entity.group("named") or entity.group("option") or typeorm_entities.snake(cls)
        end = entities[index + 1].start() if index + 1 < len(entities) else len(text)
        columns = _TYPEORM_COLUMN.finditer(text, entity.end(), end)
        yield from _decorated(path, text, ("typeorm", cls, table), columns, _NAME_OPTION)


def _decorated(
    path: str,
    text: str,
    owner: tuple[str, str, str],
    decorators: Iterator[re.Match[str]],
    option: re.Pattern[str],
    virtual: bool = False,
) -> Iterator[Declared]:
    """The properties a class's column decorators mark (`@Column(…) total: number`), for `owner`
    (framework, class, table): each named by the decorator's `option` (TypeORM's `name`, Sequelize's
    `field`), else by the property, whose snake case serves too. A decorator may go without parentheses;
    with `virtual`, one whose arguments say `VIRTUAL` marks no column."""
    framework, cls, table = owner
    for column in decorators:
        after = column.end() if text[column.end() - 1 : column.end()] != "(" else column.end() - 1
        close = closing_bracket(text, after) if text[after : after + 1] == "(" else after - 1
        if close < 0:
            break
        prop = _PROPERTY.match(text, close + 1)
        if prop is None:
            continue
        attribute = prop.group(1)
        if virtual and close > after and "VIRTUAL" in text[after:close]:
            continue  # `DataType.VIRTUAL`: an attribute of the model only, with no column
        named = option.search(text, after, close) if close > after else None
        line = text.count("\n", 0, column.start()) + 1
        if named:
            yield Declared(framework, cls, table, named.group(1), attribute, path, line)
        else:
            snake = typeorm_entities.snake(attribute)
            aliases = (snake,) if snake != attribute else ()
            yield Declared(framework, cls, table, attribute, attribute, path, line, aliases)


_SEQUELIZE_TABLE = re.compile(r"@Table\(\s*\{[^{}]*?\btableName\s*:\s*['\"`](\w+)['\"`][^{}]*\}\s*\)")
_CLASS_NAME = re.compile(r"\bclass\s+(\w+)")
_SEQUELIZE_COLUMN = re.compile(r"@Column\b")
_FIELD_OPTION = re.compile(r"\bfield\s*:\s*['\"`](\w+)['\"`]")


def _sequelize_typescript(path: str, text: str) -> Iterator[Declared]:
    tables = list(_SEQUELIZE_TABLE.finditer(text))
    for index, table in enumerate(tables):
        named = _CLASS_NAME.search(text, table.end())
        if named is None:
            continue
        end = tables[index + 1].start() if index + 1 < len(tables) else len(text)
        columns = _SEQUELIZE_COLUMN.finditer(text, named.end(), end)
        owner = ("sequelize", named.group(1), table.group(1))
        yield from _decorated(path, text, owner, columns, _FIELD_OPTION, virtual=True)


_ECTO_SCHEMA = re.compile(r"^([ \t]*)schema[ \t(]+\"(\w+)\"[ \t)]*do[ \t]*$", re.M)
_ECTO_FIELD = re.compile(r"^[ \t]*(field|belongs_to)[ \t(]+:(\w+)(.*)$", re.M)
_ECTO_MODULE = re.compile(r"^[ \t]*defmodule[ \t]+([\w.]+)", re.M)


def _ecto(path: str, text: str) -> Iterator[Declared]:
    for schema in _ECTO_SCHEMA.finditer(text):
        indent, table = schema.group(1), schema.group(2)
        closing = re.compile(rf"^{re.escape(indent)}end\b", re.M).search(text, schema.end())
        end = closing.start() if closing else len(text)
        modules = [m.group(1) for m in _ECTO_MODULE.finditer(text, 0, schema.start())]
        model = modules[-1].rpartition(".")[2] if modules else table
        for item in _ECTO_FIELD.finditer(text, schema.end(), end):
            kind, name, rest = item.groups()
            if re.search(r"\bvirtual:\s*true", rest):
                continue
            line = text.count("\n", 0, item.start()) + 1
            if kind == "belongs_to":
                if re.search(r"\bdefine_field:\s*false", rest):
                    continue
                key = re.search(r"\bforeign_key:\s*:(\w+)", rest)
                yield Declared("ecto", model, table, key.group(1) if key else f"{name}_id", name, path, line)
                continue
            source = re.search(r"\bsource:\s*:(\w+)", rest)
            yield Declared("ecto", model, table, source.group(1) if source else name, name, path, line)
