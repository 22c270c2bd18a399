"""Laravel Blueprint columns: `$table->string('email', 100)->nullable()->default('x')` as a ColumnSpec.

A column is a type method (`string`, `foreignId`, `timestamps`, …) followed by modifiers (`nullable`,
`default`, `useCurrent`, `storedAs`, `change`, …). Types are spelled as `bot.sql.names.column_type` spells
the SQL Laravel's schema grammar writes, so a later type change compares with the column as created.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tree_sitter import Node

from bot.frameworks import php
from bot.frameworks.naming import key_table, snake
from bot.model.migration import ColumnSpec
from bot.sql.names import calls_volatile, scalar_sql

# type method → (PostgreSQL type, MySQL type); "{n}" is the length argument, "{p}" the precision
_TYPES: dict[str, tuple[str, str]] = {
    "string": ("varchar({n})", "varchar({n})"),
    "char": ("char({n})", "char({n})"),
    "text": ("text", "text"),
    "tinyText": ("varchar(255)", "tinytext"),
    "mediumText": ("text", "mediumtext"),
    "longText": ("text", "longtext"),
    "integer": ("int", "int"),
    "tinyInteger": ("smallint", "tinyint"),
    "smallInteger": ("smallint", "smallint"),
    "mediumInteger": ("int", "mediumint"),
    "bigInteger": ("bigint", "bigint"),
    "unsignedInteger": ("int", "int unsigned"),
    "unsignedTinyInteger": ("smallint", "tinyint unsigned"),
    "unsignedSmallInteger": ("smallint", "smallint unsigned"),
    "unsignedMediumInteger": ("int", "mediumint unsigned"),
    "unsignedBigInteger": ("bigint", "bigint unsigned"),
    "float": ("double precision", "float"),
    "double": ("double precision", "double"),
    "decimal": ("decimal({p})", "decimal({p})"),
    "unsignedDecimal": ("decimal({p})", "decimal({p}) unsigned"),
    "boolean": ("boolean", "tinyint(1)"),
    "date": ("date", "date"),
    "dateTime": ("timestamp(0)", "datetime"),
    "dateTimeTz": ("timestamptz(0)", "datetime"),
    "timestamp": ("timestamp(0)", "timestamp"),
    "timestampTz": ("timestamptz(0)", "timestamp"),
    "time": ("time(0)", "time"),
    "timeTz": ("timetz(0)", "time"),
    "year": ("int", "year"),
    "json": ("json", "json"),
    "jsonb": ("jsonb", "json"),
    "uuid": ("uuid", "char(36)"),
    "ulid": ("char(26)", "char(26)"),
    "binary": ("bytea", "blob"),
    "enum": ("varchar(255)", "enum"),
    "set": ("varchar(255)", "set"),
    "ipAddress": ("inet", "varchar(45)"),
    "macAddress": ("macaddr", "varchar(17)"),
    "geometry": ("geometry", "geometry"),
    "geography": ("geography", "geometry"),
    "point": ("geometry(point)", "point"),
    "vector": ("vector", "vector"),
    "foreignId": ("bigint", "bigint unsigned"),
    "foreignUuid": ("uuid", "char(36)"),
    "foreignUlid": ("char(26)", "char(26)"),
    "id": ("bigint", "bigint unsigned"),
    "bigIncrements": ("bigint", "bigint unsigned"),
    "increments": ("int", "int unsigned"),
    "integerIncrements": ("int", "int unsigned"),
    "mediumIncrements": ("int", "mediumint unsigned"),
    "smallIncrements": ("smallint", "smallint unsigned"),
    "tinyIncrements": ("smallint", "tinyint unsigned"),
}
_INCREMENTS = frozenset(
    {
        "id",
        "bigIncrements",
        "increments",
        "integerIncrements",
        "mediumIncrements",
        "smallIncrements",
        "tinyIncrements",
    }
)
_NULLABLE_BY_DEFAULT = {
    "softDeletes": "deleted_at",
    "softDeletesTz": "deleted_at",
    "rememberToken": "remember_token",
}
# Methods that add several columns: the columns and their type method.
_PAIRS = {
    "timestamps": (("created_at", "timestamp"), ("updated_at", "timestamp")),
    "timestampsTz": (("created_at", "timestampTz"), ("updated_at", "timestampTz")),
    "nullableTimestamps": (("created_at", "timestamp"), ("updated_at", "timestamp")),
    "datetimes": (("created_at", "dateTime"), ("updated_at", "dateTime")),
}
_MORPHS = {
    "morphs": "foreignId",
    "nullableMorphs": "foreignId",
    "uuidMorphs": "foreignUuid",
    "nullableUuidMorphs": "foreignUuid",
    "ulidMorphs": "foreignUlid",
    "nullableUlidMorphs": "foreignUlid",
    "numericMorphs": "foreignId",
    "nullableNumericMorphs": "foreignId",
}
COLUMN_METHODS = frozenset(
    {*_TYPES, *_NULLABLE_BY_DEFAULT, *_PAIRS, *_MORPHS, "softDeletesDatetime", "foreignIdFor"}
)
MODIFIERS = frozenset(
    {"nullable", "default", "useCurrent", "useCurrentOnUpdate", "storedAs", "virtualAs", "generatedAs"}
    | {"autoIncrement", "after", "first", "index", "unique", "primary", "online", "constrained", "references"}
    | {"on", "change", "unsigned", "comment", "charset", "collation", "cascadeOnDelete", "nullOnDelete"}
    | {"restrictOnDelete", "cascadeOnUpdate", "onDelete", "onUpdate", "always", "invisible", "fulltext"}
)


@dataclass(frozen=True)
class Declared:
    """One column a type method declares, with what its modifiers ask for besides the column itself."""

    spec: ColumnSpec
    change: bool = False  # `->change()`: the column exists and is redefined
    nullable_given: bool = False
    default_given: bool = False
    # ("index" | "unique" | "primary", the name given or "") of each index modifier; Laravel adds only the first
    # of them in the order primary, unique, index (`->unique()->index()` makes the unique index alone)
    indexes: tuple[tuple[str, str], ...] = ()
    online: bool = False  # `->online()`: PostgreSQL builds the index concurrently
    foreign: str | None = None  # the referenced table of `->constrained()` / `->references()->on()`
    on_delete: str = ""  # the key's actions: `->cascadeOnDelete()`, `->nullOnDelete()`, `->onDelete('…')`
    on_update: str = ""
    together: tuple[str, ...] = ()  # the columns of an index the method adds with this column (morphs)


def sql_type(method: str, args: tuple[php.Value, ...], dialect: str) -> str:
    postgres, mysql = _TYPES.get(method, (method.lower(), method.lower()))
    spelled = mysql if dialect in ("mysql", "mariadb") else postgres
    length = args[0] if args and isinstance(args[0], int) and not isinstance(args[0], bool) else 255
    numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    precision = f"{numbers[0]}, {numbers[1] if len(numbers) > 1 else 0}" if numbers else "8, 2"
    spelled = spelled.format(n=length, p=precision)
    # `integer('n', false, true)`: the third argument of the integer methods is `$unsigned`
    unsigned = method in _SIGNED_INTEGERS and len(args) > 1 and args[1] is True
    return f"{spelled} unsigned" if unsigned and dialect in ("mysql", "mariadb") else spelled


_SIGNED_INTEGERS = frozenset({"integer", "bigInteger", "mediumInteger", "smallInteger", "tinyInteger"})


def declared(calls: list[php.Call], dialect: str) -> list[Declared]:
    """The columns of a chain that starts with a column method (`$table->string('x')->nullable()`)."""
    head, modifiers = calls[0], calls[1:]
    values = tuple(php.value(a) for a in head.args)
    if head.name in _PAIRS:
        return [  # Laravel makes both timestamps nullable
            Declared(ColumnSpec(name=n, type=sql_type(t, values, dialect), nullable=True))
            for n, t in _PAIRS[head.name]
        ]
    if head.name in _MORPHS:
        name = str(values[0]) if values and isinstance(values[0], str) else "morphable"
        nullable = head.name.startswith("nullable")
        return [
            Declared(
                ColumnSpec(name=f"{name}_type", type=sql_type("string", (), dialect), nullable=nullable)
            ),
            Declared(  # morphs index the pair: `{table}_{name}_type_{name}_id_index`
                ColumnSpec(
                    name=f"{name}_id", type=sql_type(_MORPHS[head.name], (), dialect), nullable=nullable
                ),
                together=(f"{name}_type", f"{name}_id"),
            ),
        ]
    name = _column_name(head, values)
    if not name:
        return []
    if head.name == "foreignIdFor":  # foreignIdFor(User::class) is `user_id`, referencing `users`
        values = (name, *values[2:])
    type_method = "foreignId" if head.name == "foreignIdFor" else head.name
    type_method = "timestamp" if head.name.startswith("softDeletes") else type_method
    type_method = "string" if head.name == "rememberToken" else type_method
    type_args = (
        values[1:]
        if head.name not in _NULLABLE_BY_DEFAULT
        else ((100,) if head.name == "rememberToken" else ())
    )
    spec = ColumnSpec(
        name=name,
        type=sql_type(type_method, type_args, dialect),
        nullable=head.name in _NULLABLE_BY_DEFAULT,
        primary_key=head.name in _INCREMENTS,
        identity=head.name in _INCREMENTS,
    )
    return [_modified(Declared(spec), modifiers, name, dialect)]


def _column_name(head: php.Call, values: tuple[php.Value, ...]) -> str:
    if head.name == "foreignIdFor":
        given = values[1] if len(values) > 1 and isinstance(values[1], str) else ""
        model = php.text_of(head.args[0]).split("::")[0].strip("'\"") if head.args else ""
        return given or (f"{snake(model)}_id" if model else "")
    if head.name in _INCREMENTS and not values:
        return "id"
    if head.name in _NULLABLE_BY_DEFAULT:
        return str(values[0]) if values and isinstance(values[0], str) else _NULLABLE_BY_DEFAULT[head.name]
    return str(values[0]) if values and isinstance(values[0], str) else ""


def _modified(column: Declared, modifiers: list[php.Call], name: str, dialect: str) -> Declared:
    spec = column.spec
    for m in modifiers:
        first = php.value(m.arg(0)) if m.args or m.named else None
        if m.name == "unsigned" and dialect in ("mysql", "mariadb") and not spec.type.endswith(" unsigned"):
            spec = replace(spec, type=f"{spec.type} unsigned")  # `->unsigned()`: MySQL's UNSIGNED
        elif m.name == "nullable":
            spec = replace(spec, nullable=first is not False)
            column = replace(column, nullable_given=True)
        elif m.name == "default":
            default = default_sql(m.arg(0, "value"))
            spec = replace(spec, default=default, volatile_default=calls_volatile(default))
            column = replace(column, default_given=True)
        elif m.name == "useCurrent":
            spec = replace(spec, default="CURRENT_TIMESTAMP")
            column = replace(column, default_given=True)
        elif m.name == "useCurrentOnUpdate":  # MySQL's ON UPDATE CURRENT_TIMESTAMP
            spec = replace(spec, on_update="CURRENT_TIMESTAMP")
        elif m.name == "charset" and isinstance(first, str):
            spec = replace(spec, charset=first.lower())
        elif m.name == "storedAs":
            spec = replace(spec, generated=True)
        elif m.name in ("generatedAs", "autoIncrement"):
            spec = replace(spec, identity=True)
        elif m.name in ("after", "first"):
            spec = replace(spec, position="first" if m.name == "first" else f"after {first}")
        elif m.name in ("index", "unique", "primary"):
            given = (m.name, first if isinstance(first, str) else "")
            column = replace(column, indexes=(*column.indexes, given))
        elif m.name == "online":
            column = replace(column, online=True)
        elif m.name == "constrained":
            table = php.value(m.arg(0, "table"))
            target = table if isinstance(table, str) else key_table(name)
            spec = replace(spec, references=target)
            column = replace(column, foreign=target)
        elif m.name == "on" and isinstance(first, str):
            column = replace(column, foreign=first)
        elif (action := key_action(m.name, first)) is not None:
            event, what = action
            column = (
                replace(column, on_delete=what) if event == "on_delete" else replace(column, on_update=what)
            )
        elif m.name == "change":
            column = replace(column, change=True)
    return replace(column, spec=spec)


# Laravel's shorthands for a foreign key's actions, and the SQL they send
_ACTION_METHODS = {
    "cascadeOnDelete": ("on_delete", "cascade"),
    "restrictOnDelete": ("on_delete", "restrict"),
    "nullOnDelete": ("on_delete", "set null"),
    "noActionOnDelete": ("on_delete", "no action"),
    "cascadeOnUpdate": ("on_update", "cascade"),
    "restrictOnUpdate": ("on_update", "restrict"),
    "nullOnUpdate": ("on_update", "set null"),
    "noActionOnUpdate": ("on_update", "no action"),
}


def key_action(method: str, argument: object) -> tuple[str, str] | None:
    """("on_delete", "set null") for `->nullOnDelete()` or `->onDelete('set null')`; None for another method."""
    if method in _ACTION_METHODS:
        return _ACTION_METHODS[method]
    if method in ("onDelete", "onUpdate") and isinstance(argument, str):
        return ("on_delete" if method == "onDelete" else "on_update", " ".join(argument.lower().split()))
    return None


def default_sql(node: Node | None) -> str | None:
    """`->default('open')` → `'open'`; `->default(DB::raw('now()'))` or `new Expression('now()')` → `now()`."""
    if node is None:
        return None
    found = php.value(node)
    if isinstance(found, php.Code):
        raw = _raw_expression(node)
        return raw if raw is not None else found.text
    return literal(found)


def _raw_expression(node: Node) -> str | None:
    c = php.call(node)
    if c is not None and c.name == "raw" and c.args:
        text = php.value(c.args[0])
        return text if isinstance(text, str) else None
    if node.type == "object_creation_expression":
        arguments = next((n for n in node.named_children if n.type == "arguments"), None)
        argument = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        inner = (
            php.value(argument.named_children[-1])
            if argument is not None and argument.named_children
            else None
        )
        return inner if isinstance(inner, str) else None
    return None


def literal(found: php.Value) -> str | None:
    scalar = scalar_sql(found)
    if scalar is not None:
        return scalar
    if isinstance(found, php.Code):
        return found.text
    return "'" + str(found).replace("'", "''") + "'"
