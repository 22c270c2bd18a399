"""Which model classes stand for a table, so that `Order.where(...)` counts as a use of `orders`.

By convention: Rails `orders` ↔ `Order`, Django `shop_orderitem` ↔ `shop/models.py: OrderItem`.
By declaration: Rails `self.table_name = "orders"`, Django `db_table = "orders"`, SQLAlchemy
`__tablename__ = "orders"`, Prisma `@@map("orders")`, GORM `TableName() string { return "orders" }`,
JPA `@Table(name = "orders")`, Hibernate's XML mapping `<class name="shop.Order" table="orders">`, TypeORM `@Entity("orders")`, MikroORM `@Entity({ tableName: "orders" })`,
Sequelize `Order.init({…}, { tableName: "orders" })` and `define('Order', {…}, { tableName: "orders" })`,
Diesel `#[diesel(table_name = orders)] struct Order`, Eloquent `protected $table = 'orders'`, Ecto `schema "orders" do`
(`private.orders` under `@schema_prefix "private"`);
GORM's convention for a struct without `TableName()` (`type OrderItem struct` ↔ `order_items`) and
Sequelize's for a model without `tableName` (`define('user', …)` ↔ `users`, unless `freezeTableName`),
with the naming settings the project opens its ORM with (`naming_settings`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.frameworks import migration_graph
from bot.model.changeset import DirectoryTree, Tree, read_ahead
from bot.references import ecto_prefix, gorm_naming, rails_prefixes, sequelize_naming
from bot.references.inflection import camelize, go_name, model_name, pluralize, singularize, underscore
from bot.references.naming_settings import DEFAULT as DEFAULT_NAMING
from bot.references.naming_settings import NamingSettings

Mapped = tuple[str, str, str, int]  # (table, model class, path, line) of a declaration
MAPPING_WORDS = frozenset(
    (
        "__tablename__",
        "db_table",
        "table_name",
        "@@map",
        "TableName",
        "@Table",
        "@Entity",
        "$table",
        'schema "',
        "tableName",
        "gorm",
        "sequelize",
        "sqlalchemy",
        "<hibernate-mapping",
        "<doctrine-mapping",
        "ORM\\Table",
    )
)
_MAPPING = re.compile(
    r"(?:__tablename__\s*=\s*|db_table\s*=\s*|table_name\s*=\s*|@@map\(\s*(?:name:\s*)?|@Table\(\s*(?:name\s*=\s*)?"
    r"|@Entity\(\s*(?:\{\s*(?:name|tableName):\s*)?|TableName\(\)\s*string\s*\{\s*return\s*|\$table\s*=\s*"
    r"|ORM\\Table\(\s*(?:name\s*[:=]\s*)?"  # Doctrine: `#[ORM\Table(name: 'orders')]`, `@ORM\Table(name="orders")`
    r"|(?<![\w.])schema\s+|\btableName\s*:\s*)[\"'`]`?(\w+)`?[\"'`]"
    r"|#\[diesel\(\s*(?:[^()\]=]*=[^()\],]*,\s*)*table_name\s*=\s*(?:\w+::)*(\w+)"
)
# Where a match of `_MAPPING` can start: its words, each led by a letter, which `re` finds far faster than
# trying the whole pattern (its first branches are assertions) at every offset of a file.
_MAPPING_START = re.compile(
    r"__tablename__|db_table|table_name|@@map|@Table|@Entity|TableName|\$table|schema|tableName|#\[diesel|ORM\\Table"
)
# Hibernate's XML mapping (`*.hbm.xml`): the element that binds a class to a table, its attributes in any order
# and Doctrine's (`*.orm.xml`): `<entity name="App\Entity\Order" table="orders">`
_HBM_CLASS = re.compile(r"<(?:class|joined-subclass|union-subclass|entity)\b([^>]*)>")
_HBM_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*[\"']([^\"']*)[\"']")
_DEFINITION = re.compile(
    r"^[ \t]*(?:(?:export|public|default|abstract|final)[ \t]+)*(?:class|model)[ \t]+([A-Z]\w*)"
    r"|^type[ \t]+([A-Z]\w*)[ \t]+struct"
    r"|^func[ \t]*\(\s*\w*\s*\*?([A-Z]\w*)\s*\)\s*TableName"
    r"|^[ \t]*defmodule[ \t]+(?:[A-Z]\w*\.)*([A-Z]\w*)"
    r"|^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?struct[ \t]+([A-Z]\w*)"  # Rust
    r"|\.define\(\s*['\"]([A-Za-z]\w*)['\"]",  # Sequelize: sequelize.define('Order', …)
    re.M,
)


@dataclass(frozen=True)
class TableModels:
    """The names that tie a region of code to one table."""

    table: str
    models: frozenset[str]  # class names
    names: frozenset[str]  # models, the table, and the variable names code uses for a row or rows
    # finds a mention of the table, its model, or a row variable (`order.`): compiled when first searched
    # with (`anchor`), since a review of SQL files only never does
    pattern: str
    defined: frozenset[str] = frozenset()  # model classes whose definition was found in the tree
    files: frozenset[str] = frozenset()  # the files of those definitions
    # (path, class) of the abstract models and mixins those classes inherit from: their code is the models'
    parents: frozenset[tuple[str, str]] = frozenset()

    @functools.cached_property
    def anchor(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset({self.table})


def table_models(
    table: str,
    defined: Collection[str] = (),
    naming: NamingSettings = DEFAULT_NAMING,
    elsewhere: Collection[str] = (),
    files: Collection[str] = (),
) -> TableModels:
    """The names for `table`; `defined`: model classes whose definition for it was found in the tree (in
    `files`);
    `naming`: the project's ORM settings (a GORM table prefix); `elsewhere`: model classes the tree
    declares for other tables (a Prisma model named like this table that maps another): not its names."""
    singular = singularize(table)
    models = frozenset({model_name(table), go_name(singularize(table)), *defined, *naming.model_names(table)})
    models -= frozenset(elsewhere) - frozenset(defined)
    rows = {singular, camelize(singular, upper=False)}
    if table[:1].isupper() and table.isalnum():  # a quoted PascalCase table is named after its model (Prisma)
        models |= {table}
        rows.add(table[:1].lower() + table[1:])
    rows |= {underscore(m) for m in models} | {camelize(underscore(m), upper=False) for m in models}
    plural = {table, camelize(table, upper=False), camelize(pluralize(singular), upper=False)}
    strong = sorted(models | plural, key=len, reverse=True)
    weak = sorted(rows - plural, key=len, reverse=True)
    pattern = r"\b(?:" + "|".join(map(re.escape, strong)) + r")\b"
    if weak:
        pattern += r"|(?<![\w.])@?(?:" + "|".join(map(re.escape, weak)) + r")(?=\.\w|\[)"
    return TableModels(
        table, models, frozenset(models | rows | plural), pattern, frozenset(defined), frozenset(files)
    )


def mappings_in(
    path: str, text: str, models: Mapping[str, TableModels], naming: NamingSettings = DEFAULT_NAMING
) -> Iterator[Mapped]:
    """(table, model class, path, line) for each declaration in `text` that binds a class to a table."""
    if not any(word in text for word in MAPPING_WORDS):
        return
    definitions: list[tuple[int, str]] | None = None  # listed when a mapping names a table searched for
    for match in _mappings(text):
        table = (match.group(1) or match.group(2)).lower()
        if match.group().startswith("schema"):  # Ecto: `@schema_prefix "private"` maps `private.tokens`
            table = ecto_prefix.qualified(text, match.start(), table)
        if table not in models:
            continue
        if definitions is None:
            definitions = [(m.start(), next(g for g in m.groups() if g)) for m in _DEFINITION.finditer(text)]
        owner = _owner(definitions, match.start(), text)
        if owner:
            yield table, owner, path, text.count("\n", 0, match.start()) + 1
    if "<hibernate-mapping" in text or "<doctrine-mapping" in text:
        yield from _hibernate_mappings(path, text, models)
    for table, struct, line in gorm_naming.structs(path, text, models, naming):
        yield table, struct, path, line
    for table, model, line in sequelize_naming.models(text, models, naming):
        yield table, model, path, line
    if path.endswith(".py") and "sqlalchemy" in text:
        for table, model, line in _declared_by_base(text, models):
            yield table, model, path, line


def _mappings(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_MAPPING` in `text`, as `finditer` gives them."""
    pos = 0
    while (start := _MAPPING_START.search(text, pos)) is not None:
        match = _MAPPING.match(text, start.start())
        if match is None:
            pos = start.start() + 1
            continue
        yield match
        pos = match.end()


_PY_CLASS = re.compile(r"^class[ \t]+([A-Z]\w*)[ \t]*\(([^)]*)\)[ \t]*:", re.M)
_PY_NEXT = re.compile(r"^\S", re.M)
_COLUMN_CALL = re.compile(
    r"^[ \t]+\w+\s*(?::[^=\n]*)?=\s*(?:sa\.|db\.|orm\.)?(?:Column|mapped_column)\(", re.M
)


def _declared_by_base(text: str, models: Mapping[str, TableModels]) -> Iterator[tuple[str, str, int]]:
    """SQLAlchemy classes that declare columns but no `__tablename__` of their own: their base names the
    table from the class (`@declared_attr def __tablename__(cls)`, in snake case or lower case), so
    `class PluginInstance(Base)` maps `plugin_instance` (or `plugininstance`)."""
    for match in _PY_CLASS.finditer(text):
        name = match.group(1)
        if not match.group(2).strip():
            continue
        following = _PY_NEXT.search(text, match.end())
        body = text[match.end() : following.start() if following else len(text)]
        if "__tablename__" in body or "__abstract__" in body or not _COLUMN_CALL.search(body):
            continue
        for table in dict.fromkeys((underscore(name), name.lower())):
            if table in models:
                yield table, name, text.count("\n", 0, match.start()) + 1
                break


def _hibernate_mappings(path: str, text: str, models: Mapping[str, TableModels]) -> Iterator[Mapped]:
    """`<class name="org.shop.Order" table="orders">`: the class is the last part of its qualified name."""
    for match in _HBM_CLASS.finditer(text):
        attributes = dict(_HBM_ATTRIBUTE.findall(match.group(1)))
        table = attributes.get("table", "").strip('`"').lower()
        cls = attributes.get("name", "").replace("\\", ".").rpartition(".")[2]
        if table in models and cls:
            yield table, cls, path, text.count("\n", 0, match.start()) + 1


def _owner(definitions: list[tuple[int, str]], pos: int, text: str) -> str:
    """The class a declaration belongs to: the next one for an annotation, else the enclosing one."""
    # Doctrine's `#[ORM\Table(…)]` and `@ORM\Table(…)`: the match starts after the attribute's opening
    doctrine = text.startswith("ORM\\", pos) and text[max(0, pos - 2) : pos] in (
        "#[",
        " @",
        "*@",
        "\t@",
        "\n@",
    )
    if (
        (text.startswith("@", pos) and not text.startswith("@@", pos))
        or text.startswith("#[", pos)
        or doctrine
    ):
        return next((name for start, name in definitions if start > pos), "")
    owner = ""
    for start, name in definitions:
        if start > pos:
            break
        if name not in ("Meta", "Config"):
            owner = name
    return owner


# The table a Rails or Laravel model declares in place of its conventional one
_DECLARED_TABLE = re.compile(
    r"""^\s*(?:self\.table_name\s*=|protected\s+\$table\s*=)\s*["':]?([\w.]+)""", re.M
)


def mapped_elsewhere(tree: Tree, table: str) -> bool:
    """Does the class where Rails or Laravel conventions put `table`'s model declare another table
    (`app/models/user.rb` with `self.table_name = 'rusers'` for `users`)?"""
    model = model_name(table)
    for path in (f"app/models/{singularize(table)}.rb", f"app/Models/{model}.php", f"app/{model}.php"):
        declared = _DECLARED_TABLE.search(tree.read(path) or "")
        if declared is not None and declared.group(1).lower() != table.lower():
            return True
    return False


def conventional_models(tree: Tree, tables: Collection[str]) -> list[Mapped]:
    """Model classes found where conventions put them: Rails `app/models/order.rb` (and
    `app/models/billing/invoice.rb` for `billing_invoices` under a namespace's table name prefix) and Laravel
    `app/Models/Order.php` for `orders`, and classes whose default Django table (`<app_label>_<modelname>`)
    is one of `tables`."""
    found: list[Mapped] = []
    # one read of every candidate file rather than one per file
    apps = {app for table in tables for app, _ in _django_splits(table)}
    conventional = {p for table in tables for p in _conventional_paths(table)}
    read_ahead(tree, sorted(conventional | {p for app in apps for p in _django_model_files(tree, app)}))
    for table in tables:
        model = model_name(table)
        for path in _conventional_paths(table):
            text = tree.read(path)
            declared = _DECLARED_TABLE.search(text or "")
            if text is not None and (declared is None or declared.group(1).lower() == table.lower()):
                found.append((table, model, path, 1))  # not `self.table_name = 'rusers'` in `user.rb`
        for prefixed in rails_prefixes.models_for(tree, table):
            found.append(
                (table, prefixed.model, prefixed.path, 1)
            )  # `Billing::Invoice` of `billing_invoices`
        for app, model in _django_splits(table):
            for path in _django_model_files(tree, app):
                text = tree.read(path) or ""
                for match in re.finditer(r"^class\s+(\w+)\s*\(", text, re.M):
                    if match.group(1).lower() == model:
                        found.append((table, match.group(1), path, text.count("\n", 0, match.start()) + 1))
    return found


def _django_splits(table: str) -> list[tuple[str, str]]:
    """The (app label, model name) pairs whose default Django table is `table` (`<app_label>_<modelname>`):
    either part may hold underscores (DefectDojo's `System_Settings` of `dojo` is `dojo_system_settings`)."""
    return [(table[:i], table[i + 1 :]) for i, c in enumerate(table) if c == "_" and 0 < i < len(table) - 1]


def _conventional_paths(table: str) -> tuple[str, str, str]:
    """Where Rails and Laravel put the model of `table`."""
    model = model_name(table)
    return (f"app/models/{singularize(table)}.rb", f"app/Models/{model}.php", f"app/{model}.php")


def _django_model_files(tree: Tree, app: str) -> list[str]:
    """The model modules of the Django app whose label is `app`: its `models.py` or `models/` package, and
    those of its sub-packages that are no app of their own (DefectDojo's `dojo/engagement/models.py` holds
    `Engagement`, whose table is `dojo_engagement`: Django labels a model by the app that contains it)."""
    if isinstance(tree, DirectoryTree):
        root = Path(tree.root)
        found: list[Path] = []
        for prefix in ("", "*/", "*/*/"):
            for inner in ("", "*/"):
                found += [
                    *root.glob(f"{prefix}{app}/{inner}models.py"),
                    *root.glob(f"{prefix}{app}/{inner}models/*.py"),
                ]
        files = sorted(str(p.relative_to(root)).replace("\\", "/") for p in found)
    else:
        shape = re.compile(rf"(?:^|/){re.escape(app)}/(?:[^/]+/)?models(?:\.py|/.+\.py)$")
        files = [p for p in tree.paths() if shape.search(p)]
    own = [p for p in files if _of_app(tree, p, app)]
    # a package whose `apps.py` declares the label (Wagtail's `wagtail/` is `wagtailcore`)
    for folder in migration_graph.django_folders(tree).get(app, []):
        package = folder.rpartition("/")[0]
        if package.rpartition("/")[2] == app:
            continue  # found by its name above
        shape = re.compile(rf"^{re.escape(package)}/models(?:\.py|/[^/]+\.py)$")
        own += [p for p in tree.paths() if shape.match(p) and p not in own]
    return own


def _of_app(tree: Tree, path: str, app: str) -> bool:
    """A model module of `app` itself, not of a sub-package that is an app of its own (with its `apps.py`
    or `migrations/`)."""
    folder = path[: path.rindex("/models")]
    if folder == app or folder.endswith(f"/{app}"):
        return True
    return tree.read(f"{folder}/apps.py") is None and tree.read(f"{folder}/migrations/__init__.py") is None
