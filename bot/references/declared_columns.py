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

Python files are read with `ast` (the whole file, so a class's `Meta` and its fields are tied to it
exactly); a file that does not parse declares nothing here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from bot.frameworks import prisma_push

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


def declared(path: str, text: str) -> list[Declared]:
    """The columns the models of one file declare (none for a file that is not a model file)."""
    if path.endswith(".prisma"):
        return list(_prisma(path, text))
    if not path.endswith(".py") or ("models.Model" not in text and "__tablename__" not in text):
        return []
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Declared] = []
    django = _is_django_file(path) and "django" in text
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            found.extend(_django(path, node) if django else ())
            found.extend(_sqlalchemy(path, node))
    return found


def is_model_file(path: str) -> bool:
    """A file that may declare models (the app reads a pull request's trees for it)."""
    inside = f"/{path}"
    if any(part in inside for part in ("/migrations/", "/tests/", "/test/", "/versions/")):
        return False
    return path.endswith(".prisma") or _is_django_file(path) or path.endswith("models.py")


def _is_django_file(path: str) -> bool:
    inside = f"/{path}"
    return inside.endswith("/models.py") or ("/models/" in inside and path.endswith(".py"))


def _app_label(path: str) -> str:
    parts = path.split("/")
    index = len(parts) - 2 if parts[-1] == "models.py" else parts.index("models") - 1
    return parts[index] if index >= 0 else ""


def _django(path: str, node: ast.ClassDef) -> Iterator[Declared]:
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
        label = label if isinstance(label, str) else _app_label(path)
        if not label:
            return
        table = f"{label}_{node.name.lower()}"
    for attribute, call, line in _calls(node):
        kind = _name(call.func).rpartition(".")[2]
        if kind in _NO_COLUMN or not (kind.endswith("Field") or kind in _RELATION):
            continue
        column = _keyword(call, "db_column")
        if not isinstance(column, str):
            column = f"{attribute}_id" if kind in _RELATION else attribute
        yield Declared("django", node.name, table, column, attribute, path, line)


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
            yield Declared(
                "prisma", _model_name(text, name.line), table, column, attribute, path, field.location.line
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
