"""`prisma db push`: a project with no migration files, whose schema changes when `schema.prisma` does.

Many Prisma projects never run Prisma Migrate: their deploy (or a person) runs `prisma db push`, which
compares the Prisma schema with the database and applies the difference directly, outside a transaction.
For them the pull request's migration is the difference between the base branch's Prisma schema and the
head's, and this module reads it as the operations db push makes: a model added or removed is a table
created or dropped, a field added, removed or changed is a column added, dropped or altered, an `@unique`,
`@@unique` or `@@index` added or removed is an index created or dropped, and a relation
(`@relation(fields: […], references: […])`) added or removed is a foreign key added or dropped (named as
Prisma names it, `<table>_<columns>_fkey`, or by its `map:`; `onDelete` as written, else Prisma's default:
SET NULL when every field of the relation is optional, RESTRICT otherwise), unless the datasource sets
`relationMode = "prisma"` (no foreign keys in the database). db push has no rename: a field or a
model renamed without `@map`/`@@map` keeping its database name is a column (or table) dropped and another
added, with the data of the old one lost, which the rules then report as such.

A project is read this way when a `.prisma` file the change edits has no Prisma Migrate history beside it
(no `<timestamp>_<name>/migration.sql` folders under its `prisma` folder or a folder above it within its
package, whatever the history's name: rallly's `prisma/models/*.prisma` go with `prisma/migrations`)
and is no fixture of the project's tests or a library's example (`test/…/_fixture/contract.prisma`: each a
schema of its own, which no database of the project is pushed from), and unless its datasource names a
placeholder instead of a provider (`provider = "{{PRISMA_PROVIDER}}"`): a
template the build renders into the schemas that have their own Prisma Migrate histories, applied by no one as it is. Every such `.prisma` file of the tree is read
on both sides (Prisma's multi-file schemas: `prisma/schema/*.prisma`), so a model moved from one file to
another, or to another package, is no change. The schema is read with the same patterns as
`prisma.schema_operations` (models, fields, `@map`, `@@map`), plus defaults, native types
(`@db.VarChar(191)`) and indexes; a hand-written reader, as for the rest of Prisma's schema language here: no
maintained Python parser of it exists.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from dataclasses import dataclass, field

from bot.frameworks import suppressions
from bot.frameworks.not_run import not_run
from bot.frameworks.sqlfile import parse_sql
from bot.model.changeset import ChangedFile, Tree, read_ahead
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Migration,
    Operation,
    SetDefault,
    SetNotNull,
)

NAME = "prisma-push"  # Prisma, without migration files: advice in terms of the schema, not of migration.sql
NOTE = "`prisma db push` applies the schema's differences statement by statement, outside a transaction"
BLOCK = re.compile(r"^[ \t]*(model|enum)[ \t]+(\w+)[ \t]*\{(.*?)^[ \t]*\}", re.M | re.S)
FIELD = re.compile(r"^\s*(\w+)\s+(\w+)(\[\])?(\?)?(.*)$")
MAP = re.compile(r'@map\(\s*(?:name:\s*)?"([^"]+)"')
TABLE_MAP = re.compile(r'@@map\(\s*(?:name:\s*)?"([^"]+)"')
_NATIVE = re.compile(r"@db\.(\w+)(?:\(([^)]*)\))?")
_DEFAULT = re.compile(r"@default\(")
_INDEX = re.compile(r"@@(unique|index|id)\(\s*(?:fields:\s*)?(?:\[([^\]]*)\]|(\w+))([^)]*)\)")
# the database's name of a key: `map:`; `name:` names a unique key or primary key in the client only
# (`where: { voterOnce: { … } }`), and was an index's database name before Prisma 3
_MAPPED = re.compile(r'\bmap:\s*"([^"]+)"')
_NAMED = re.compile(r'\bname:\s*"([^"]+)"')
_LISTED = re.compile(r"\[([^\]]*)\]")
_ACTION = re.compile(r"(?:onDelete|onUpdate):\s*(\w+)")
_ACTIONS = {
    "Cascade": "cascade",
    "Restrict": "restrict",
    "NoAction": "no action",
    "SetNull": "set null",
    "SetDefault": "set default",
}
_DATASOURCE = re.compile(r"^[ \t]*datasource[ \t]+\w+[ \t]*\{(.*?)^[ \t]*\}", re.M | re.S)
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"([^"]*)"', re.M)
_RELATION_NAME = re.compile(r'@relation\([^)]*\bmap:\s*"([^"]+)"')
# Prisma emulates relations in the client and makes no foreign keys (PlanetScale, Vitess)
_PRISMA_RELATIONS = re.compile(r'^\s*(?:relationMode|referentialIntegrity)\s*=\s*"prisma"', re.M)
# Prisma's scalar types as each database stores them when no `@db.` native type is given
_TYPES = {
    "postgres": {
        "String": "text",
        "Int": "integer",
        "BigInt": "bigint",
        "Boolean": "boolean",
        "DateTime": "timestamp(3)",
        "Float": "double precision",
        "Decimal": "decimal(65,30)",
        "Json": "jsonb",
        "Bytes": "bytea",
    },
    "mysql": {
        "String": "varchar(191)",
        "Int": "int",
        "BigInt": "bigint",
        "Boolean": "tinyint(1)",
        "DateTime": "datetime(3)",
        "Float": "double",
        "Decimal": "decimal(65,30)",
        "Json": "json",
        "Bytes": "longblob",
    },
    "sqlite": {
        "String": "text",
        "Int": "integer",
        "BigInt": "bigint",
        "Boolean": "boolean",
        "DateTime": "datetime",
        "Float": "real",
        "Decimal": "decimal",
        "Json": "jsonb",
        "Bytes": "blob",
    },
}
_NATIVE_NAMES = {"Integer": "integer", "Timestamptz": "timestamptz", "Timestamp": "timestamp", "Char": "char"}


@dataclass(frozen=True)
class Field:
    column: str
    type: str
    nullable: bool
    default: str | None
    unique: bool
    primary: bool
    location: Location
    text: str


@dataclass(frozen=True)
class Relation:
    columns: tuple[str, ...]
    references: str  # the referenced table
    referenced_columns: tuple[str, ...]
    on_delete: str
    on_update: str
    location: Location
    text: str


@dataclass
class Model:
    table: str
    location: Location
    fields: dict[str, Field] = field(default_factory=dict)  # by column
    indexes: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)  # name → (columns, unique)
    relations: dict[str, Relation] = field(default_factory=dict)  # foreign key name → what it holds
    names: dict[str, str] = field(default_factory=dict)  # field name → column


@dataclass
class Schema:
    models: dict[str, Model] = field(default_factory=dict)  # by table
    enums: dict[str, tuple[tuple[str, ...], Location]] = field(default_factory=dict)


def applies(changed: list[ChangedFile], tree: Tree) -> list[ChangedFile]:
    """The changed `.prisma` files of schemas no Prisma Migrate history goes with (db push projects)."""
    found = []
    for file in changed:
        text = file.head_text or file.base_text or ""
        if not file.path.endswith(".prisma") or "model " not in text or template(text) or not_run(file.path):
            continue
        if covering_history(file.path, tree) is None:
            found.append(file)
    return found


# Prisma Migrate names a migration's folder by the UTC time it was made (`20230329205933_init`)
_FOLDER = re.compile(r"\d{14}_\w+")


def history_root(path: str) -> str | None:
    """The Prisma folder whose schema a Prisma Migrate migration was made from (`prisma` for
    `prisma/migrations/20230329205933_init/migration.sql`), or None for a path that is no such migration.
    The history is the folder of timestamped folders, whatever its name: `prisma.config.ts` can move it
    (`migrations.path`), and a runner of its own may keep it as `migration/` and copy it to `migrations/`
    before it runs `prisma migrate deploy` (formbricks)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[-1] != "migration.sql":
        return None
    if parts[-3] != "migrations" and not _FOLDER.fullmatch(parts[-2]):
        return None
    return "/".join(parts[:-3])


def migration(changed: list[ChangedFile], head: Tree, base: Tree, dialect: str) -> Migration:
    """The operations db push makes to go from the base branch's schema to the head's."""
    syntax = syntax_of(dialect)
    before = read(_files(base), syntax)
    after = read(_files(head), syntax)
    path = next((f.path for f in changed if f.head_text is not None), changed[0].path)
    ops = tuple(_difference(before, after, Location(path, 1), syntax))
    text = next((f.head_text for f in changed if f.path == path), "") or ""
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=ops,
        down=None,
        in_transaction=False,
        transaction_note=NOTE,
        irreversible_reason="`prisma db push` has no down: the way back is pushing the previous schema",
        suppressions=suppressions.find(text, ops),
    )


def syntax_of(dialect: str) -> str:
    return "mysql" if dialect in ("mysql", "mariadb") else dialect if dialect in _TYPES else "postgres"


def read(files: dict[str, str], syntax: str = "postgres") -> Schema:
    """The models (as tables) and enums of a Prisma schema's files."""
    schema = Schema()
    blocks = [(path, m) for path, text in files.items() for m in BLOCK.finditer(text)]
    enums = {m.group(2) for _, m in blocks if m.group(1) == "enum"}
    tables = {}
    for _, m in blocks:
        if m.group(1) == "model":
            mapped = TABLE_MAP.search(m.group(3))
            tables[m.group(2)] = mapped.group(1) if mapped else m.group(2)
    keys = not any(_PRISMA_RELATIONS.search(text) for text in files.values())
    relations: list[tuple[Model, str, str, bool, str, Location]] = []
    for path, match in blocks:
        kind, name, body = match.groups()
        text = files[path]
        line = text.count("\n", 0, match.start()) + 1
        if kind == "enum":
            values = tuple(
                v.split()[0]
                for v in body.splitlines()
                if v.strip() and not v.strip().startswith(("//", "@@"))
            )
            schema.enums[name] = (values, Location(path, line))
            continue
        mapped_table = TABLE_MAP.search(body)
        model = Model(mapped_table.group(1) if mapped_table else name, Location(path, line))
        names = model.names
        body_start = text.index("{", match.start()) + 1
        for offset, raw in _lines(body):
            found = FIELD.match(raw)
            if not found or raw.strip().startswith(("//", "@@")):
                continue
            attribute, type_name, is_list, optional, rest = found.groups()
            rest = rest.split("//", 1)[0]
            if keys and not is_list and type_name in tables and "fields:" in rest:
                where = Location(path, text.count("\n", 0, body_start + offset) + 1)
                relations.append((model, tables[type_name], rest, bool(optional), raw.strip(), where))
            if is_list or (type_name not in _TYPES[syntax] and type_name not in enums):
                continue  # relation fields and scalar lists are no columns here
            mapped = MAP.search(rest)
            column = mapped.group(1) if mapped else attribute
            names[attribute] = column
            field_line = text.count("\n", 0, body_start + offset) + 1
            model.fields[column] = Field(
                column,
                _type(type_name, rest, syntax, enums),
                bool(optional),
                _default(rest),
                "@unique" in rest,
                "@id" in rest,
                Location(path, field_line),
                raw.strip(),
            )
            if "@unique" in rest:
                model.indexes[f"{model.table}_{column}_key"] = ((column,), True)
        for index in _INDEX.finditer(body):
            kind_of, listed, alone, options = index.groups()
            listed = listed if listed is not None else alone
            columns = tuple(
                names.get(c.split("(")[0].strip(), c.split("(")[0].strip()) for c in listed.split(",")
            )
            if kind_of == "id" or not all(columns):
                continue
            named = _MAPPED.search(options) or (_NAMED.search(options) if kind_of == "index" else None)
            suffix = "key" if kind_of == "unique" else "idx"
            model.indexes[named.group(1) if named else f"{model.table}_{'_'.join(columns)}_{suffix}"] = (
                columns,
                kind_of == "unique",
            )
        schema.models[model.table] = model
    for model, references, rest, optional, raw, where in relations:
        relation = _relation(model, schema.models.get(references), references, rest, optional, raw, where)
        if relation is not None:
            model.relations[relation[0]] = relation[1]
    return schema


def _relation(
    model: Model, target: Model | None, references: str, rest: str, optional: bool, raw: str, where: Location
) -> tuple[str, Relation] | None:
    """The foreign key a relation field makes: (its name, what it holds)."""
    fields = _LISTED.search(rest, rest.find("fields:"))
    referenced = _LISTED.search(rest, rest.find("references:")) if "references:" in rest else None
    if fields is None or referenced is None:
        return None
    columns = tuple(model.names.get(f.strip(), f.strip()) for f in fields.group(1).split(",") if f.strip())
    target_names = target.names if target is not None else {}
    to = tuple(target_names.get(f.strip(), f.strip()) for f in referenced.group(1).split(",") if f.strip())
    every_optional = optional or all(
        model.fields.get(c) is not None and model.fields[c].nullable for c in columns
    )
    action = _ACTION.search(rest, rest.find("onDelete:")) if "onDelete:" in rest else None
    on_update = _ACTION.search(rest, rest.find("onUpdate:")) if "onUpdate:" in rest else None
    named = _RELATION_NAME.search(rest)
    name = named.group(1) if named else f"{model.table}_{'_'.join(columns)}_fkey"
    return name, Relation(
        columns,
        references,
        to,
        _ACTIONS.get(action.group(1), "") if action else ("set null" if every_optional else "restrict"),
        _ACTIONS.get(on_update.group(1), "") if on_update else "cascade",
        where,
        raw,
    )


def _difference(
    before: Schema, after: Schema, fallback: Location, syntax: str = "postgres"
) -> list[Operation]:
    ops: list[Operation] = []
    for name, (values, where) in after.enums.items():
        known = before.enums.get(name)
        if known is None:
            ops.append(CreateEnum(location=where, end_line=where.line, name=name, values=values))
            continue
        if syntax == "postgres" and any(v not in values for v in known[0]):
            ops.extend(_enum_recreated(name, values, where, after))
            continue
        for value in values:
            if value not in known[0]:
                ops.append(AddEnumValue(location=where, end_line=where.line, name=name, value=value))
    for table, model in after.models.items():
        old = before.models.get(table)
        if old is None:
            ops.append(create(model))
            ops.extend(
                _index(model, name, spec) for name, spec in model.indexes.items() if not _inline(model, name)
            )
            continue
        ops.extend(_altered(old, model))
    ops = _keys_dropped(before, after) + ops + _keys_added(before, after)
    for table, model in before.models.items():
        if table not in after.models:
            where = Location(fallback.path, 1) if model.location.path != fallback.path else fallback
            ops.append(
                DropTable(
                    location=where,
                    end_line=where.line,
                    table=table,
                    if_exists=True,
                    sql=f"model for `{table}` removed",
                )
            )
    return ops


def _keys_added(before: Schema, after: Schema) -> list[Operation]:
    """The foreign keys of relations the head's schema has and the base's has not, once every table and
    column exists (db push adds them last)."""
    ops: list[Operation] = []
    for table, model in after.models.items():
        old = before.models.get(table)
        for name, relation in model.relations.items():
            if old is not None and _same_key(old.relations.get(name), relation):
                continue
            ops.append(
                AddConstraint(
                    table=table,
                    name=name,
                    constraint="foreign_key",
                    columns=relation.columns,
                    references=relation.references,
                    referenced_columns=relation.referenced_columns,
                    on_delete=relation.on_delete,
                    on_update=relation.on_update,
                    location=relation.location,
                    end_line=relation.location.line,
                    sql=relation.text,
                )
            )
    return ops


def _keys_dropped(before: Schema, after: Schema) -> list[Operation]:
    """The foreign keys of relations the base's schema has and the head's has not (or has changed), dropped
    first (db push drops them before it changes or drops their columns and tables)."""
    ops: list[Operation] = []
    for table, model in before.models.items():
        new = after.models.get(table)
        for name, relation in model.relations.items():
            if new is not None and _same_key(new.relations.get(name), relation):
                continue
            where = new.location if new is not None else relation.location
            ops.append(
                DropConstraint(
                    table=table,
                    name=name,
                    if_exists=True,
                    location=where,
                    end_line=where.line,
                    sql=f"relation `{relation.text}` removed",
                )
            )
    return ops


def _same_key(a: Relation | None, b: Relation) -> bool:
    return a is not None and (a.columns, a.references, a.referenced_columns, a.on_delete, a.on_update) == (
        b.columns,
        b.references,
        b.referenced_columns,
        b.on_delete,
        b.on_update,
    )


def _enum_recreated(name: str, values: tuple[str, ...], where: Location, after: Schema) -> list[Operation]:
    """A value removed from an enum: PostgreSQL cannot drop one, so Prisma creates the type again and casts
    each column of it over, as its migrations do; a row still holding the removed value fails the cast."""
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    statements = [f'ALTER TYPE "{name}" RENAME TO "{name}_old";', f'CREATE TYPE "{name}" AS ENUM ({listed});']
    for model in after.models.values():
        for f in model.fields.values():
            if f.type == name:
                statements.append(
                    f'ALTER TABLE "{model.table}" ALTER COLUMN "{f.column}" TYPE "{name}" '
                    f'USING ("{f.column}"::text::"{name}");'
                )
    statements.append(f'DROP TYPE "{name}_old";')
    return [op for sql in statements for op in parse_sql(where.path, sql, "postgres", first_line=where.line)]


def _altered(old: Model, new: Model) -> list[Operation]:
    ops: list[Operation] = []
    table = new.table
    for column, now in new.fields.items():
        where, line, text = now.location, now.location.line, now.text
        was = old.fields.get(column)
        if was is None:
            ops.append(
                AddColumn(
                    table=table,
                    column=_spec(now),
                    if_not_exists=True,
                    location=where,
                    end_line=line,
                    sql=text,
                )
            )
            continue
        if was.type != now.type:
            ops.append(
                AlterColumnType(
                    table=table, column=column, new_type=now.type, location=where, end_line=line, sql=text
                )
            )
        if was.nullable and not now.nullable:
            ops.append(SetNotNull(table=table, column=column, location=where, end_line=line, sql=text))
        elif now.nullable and not was.nullable:
            ops.append(DropNotNull(table=table, column=column, location=where, end_line=line, sql=text))
        if was.default != now.default:
            ops.append(
                SetDefault(
                    table=table, column=column, default=now.default, location=where, end_line=line, sql=text
                )
            )
    for column, was in old.fields.items():
        if column not in new.fields:
            where = new.location
            ops.append(
                DropColumn(
                    table=table,
                    column=column,
                    if_exists=True,
                    location=where,
                    end_line=where.line,
                    sql=f"field `{was.text}` removed",
                )
            )
    for name, (columns, unique) in new.indexes.items():
        if name not in old.indexes:
            ops.append(_index(new, name, (columns, unique)))
    for name in old.indexes:
        if name not in new.indexes and all(c in new.fields for c in old.indexes[name][0]):
            ops.append(
                DropIndex(
                    name=name, table=table, if_exists=True, location=new.location, end_line=new.location.line
                )
            )
    return ops


def indexes(model: Model) -> list[AddIndex]:
    """The indexes of a new table besides those its CREATE TABLE makes (`@unique` of one column)."""
    return [_index(model, name, spec) for name, spec in model.indexes.items() if not _inline(model, name)]


def create(model: Model) -> CreateTable:
    return CreateTable(
        if_not_exists=True,  # db push makes only what the database lacks: running it again is no failure
        location=model.location,
        end_line=model.location.line,
        table=model.table,
        columns=tuple(_spec(f) for f in model.fields.values()),
        sql=f"model for `{model.table}`",
    )


def _index(model: Model, name: str, spec: tuple[tuple[str, ...], bool]) -> AddIndex:
    columns, unique = spec
    where = next((f.location for c, f in model.fields.items() if c == columns[0]), model.location)
    return AddIndex(
        table=model.table,
        name=name,
        columns=columns,
        unique=unique,
        if_not_exists=True,
        location=where,
        end_line=where.line,
    )


def _inline(model: Model, name: str) -> bool:
    """An `@unique` of a new table's column: part of its CREATE TABLE here."""
    columns, unique = model.indexes[name]
    field = model.fields.get(columns[0])
    return unique and len(columns) == 1 and field is not None and field.unique


def _spec(f: Field) -> ColumnSpec:
    return ColumnSpec(
        name=f.column,
        type=f.type,
        nullable=f.nullable,
        default=f.default,
        primary_key=f.primary,
        unique=f.unique,
    )


def _type(type_name: str, rest: str, syntax: str, enums: set[str]) -> str:
    native = _NATIVE.search(rest)
    if native:
        kind, size = native.groups()
        spelled = _NATIVE_NAMES.get(kind, kind.lower())
        return f"{spelled}({size.replace(' ', '')})" if size else spelled
    if type_name in enums:
        return type_name
    return _TYPES[syntax][type_name]


def _default(rest: str) -> str | None:
    """The database default an `@default(…)` gives; None for none, and for values the Prisma client makes
    itself (`cuid()`, `uuid()`, `nanoid()`), which the database never sees."""
    found = _DEFAULT.search(rest)
    if found is None:
        return None
    depth, start = 1, found.end()
    end = start
    while end < len(rest) and depth:
        depth += {"(": 1, ")": -1}.get(rest[end], 0)
        end += 1
    value = rest[start : end - 1].strip()
    if re.match(r"(?:cuid|uuid|nanoid|ulid)\(", value):
        return None
    if value == "now()":
        return "CURRENT_TIMESTAMP"
    if value == "autoincrement()":
        return None
    generated = re.match(r'dbgenerated\(\s*"(.*)"\s*\)$', value)
    if generated:
        return generated.group(1)
    if value.startswith('"') and value.endswith('"'):
        return "'" + value[1:-1].replace("'", "''") + "'"
    return value


def _lines(body: str) -> list[tuple[int, str]]:
    found, offset = [], 0
    for raw in body.split("\n"):
        found.append((offset, raw))
        offset += len(raw) + 1
    return found


def covering_history(path: str, tree: Tree) -> str | None:
    """The Prisma folder whose Prisma Migrate history a `.prisma` file is part of, or None for a file no history
    goes with. A multi-file schema is every `.prisma` file under the folder that holds its datasource, however
    deep (`prisma/schema/user.prisma`, rallly's `prisma/models/event.prisma` beside `prisma/schema.prisma`):
    the nearest folder above the file that holds a history takes it, up to the folder of the file's package
    (a `package.json`): another package's history is another schema's."""
    found = _histories_of(tree)
    folder = path.rpartition("/")[0]
    while True:
        if folder in found:
            return folder
        if folder == "" or _bounds(folder, tree):
            return None
        folder = folder.rpartition("/")[0]


def schema_files(tree: Tree, folder: str) -> list[str]:
    """The `.prisma` files of the schema whose Prisma Migrate history is in `folder` (see `covering_history`)."""
    return [p for p in tree.paths() if p.endswith(".prisma") and covering_history(p, tree) == folder]


def _bounds(folder: str, tree: Tree) -> bool:
    return f"{folder}/package.json" in _paths_of(tree)


# per tree: its paths as a set and its histories, read once for every `.prisma` file asked about
_TREE_CACHE: weakref.WeakKeyDictionary[Tree, tuple[frozenset[str], frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def _known(tree: Tree) -> tuple[frozenset[str], frozenset[str]]:
    try:
        cached = _TREE_CACHE.get(tree)
    except TypeError:  # a tree that cannot be weakly referenced is read every time
        cached = None
    if cached is None:
        paths = frozenset(tree.paths())
        cached = (paths, frozenset(r for r in map(history_root, paths) if r is not None))
        with contextlib.suppress(TypeError):
            _TREE_CACHE[tree] = cached
    return cached


def _paths_of(tree: Tree) -> frozenset[str]:
    return _known(tree)[0]


def _histories_of(tree: Tree) -> frozenset[str]:
    return _known(tree)[1]


def _files(tree: Tree) -> dict[str, str]:
    """Every `.prisma` file of the tree that no Prisma Migrate history goes with: a schema moved to another
    package is the same schema, and its models are no tables dropped and created again."""
    paths = [p for p in tree.paths() if p.endswith(".prisma") and not not_run(p)]
    kept = [p for p in paths if covering_history(p, tree) is None]
    texts = {p: tree.read(p) or "" for p in read_ahead(tree, kept)}  # one git process, not one a file
    return {p: text for p, text in texts.items() if not template(text)}


def template(text: str) -> str:
    """The placeholder a `.prisma` file's datasource names instead of a provider (`"{{PRISMA_PROVIDER}}"`):
    a template the build renders into the real schemas (each with its own Prisma Migrate history), which
    neither Prisma nor db push can read; "" for a schema."""
    block = _DATASOURCE.search(text)
    provider = _PROVIDER.search(block.group(1)) if block else None
    return provider.group(1) if provider and not provider.group(1).isidentifier() else ""
