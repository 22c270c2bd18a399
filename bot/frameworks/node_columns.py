"""Column types of the JavaScript/TypeScript frameworks, as the SQL type they create.

Knex names a type by its builder method (`t.string('code', 40)`), Sequelize by a `DataTypes` member
(`Sequelize.STRING(40)`), TypeORM by the database's own type name with its length (`type: 'varchar'`).
"""

from __future__ import annotations

from tree_sitter import Node

from bot.frameworks import javascript as js

_KNEX = {
    "increments": "serial",
    "bigIncrements": "bigserial",
    "integer": "integer",
    "bigInteger": "bigint",
    "bigint": "bigint",
    "tinyint": "smallint",
    "smallint": "smallint",
    "mediumint": "integer",
    "text": "text",
    "float": "real",
    "double": "double precision",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamptz",
    "timestamp": "timestamptz",
    "time": "time",
    "binary": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "geometry": "geometry",
    "enum": "text",
    "enu": "text",
    # the builder's other spellings of the same types
    "dateTime": "timestamptz",
    "int": "integer",
    "bool": "boolean",
    "bigincrements": "bigserial",
    "biginteger": "bigint",
    "real": "real",
    "tinytext": "text",
    "tinyText": "text",
    "mediumtext": "text",
    "mediumText": "text",
    "longtext": "text",
    "longText": "text",
}
_MYSQL_TEXTS = frozenset({"tinytext", "mediumtext", "longtext"})  # their own types on MySQL, text elsewhere
_MYSQL = {
    "serial": "int unsigned",
    "bigserial": "bigint unsigned",
    "timestamptz": "datetime",
    "bytea": "blob",
}
KNEX_TYPES = frozenset({*_KNEX, "string", "decimal", "specificType"})

_SEQUELIZE = {
    "STRING": "varchar(255)",
    "CHAR": "char(255)",
    "TEXT": "text",
    "CITEXT": "citext",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "TINYINT": "smallint",
    "MEDIUMINT": "integer",
    "FLOAT": "real",
    "REAL": "real",
    "DOUBLE": "double precision",
    "DECIMAL": "numeric",
    "NUMERIC": "numeric",
    "BOOLEAN": "boolean",
    "DATE": "timestamptz",
    "DATEONLY": "date",
    "TIME": "time",
    "UUID": "uuid",
    "JSON": "json",
    "JSONB": "jsonb",
    "BLOB": "bytea",
    "ENUM": "text",
    "ARRAY": "array",
    "INET": "inet",
}


def knex_type(method: str, args: tuple[js.Value, ...], dialect: str) -> str:
    """The SQL type of `t.<method>(name, …args)`."""
    numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if method == "string":
        found = f"varchar({numbers[0] if numbers else 255})"
    elif method == "decimal":
        found = f"numeric({numbers[0] if numbers else 8},{numbers[1] if len(numbers) > 1 else 2})"
    elif method == "specificType":
        found = str(args[0]).lower() if args and isinstance(args[0], str) else ""
    elif method.lower() in _MYSQL_TEXTS and _mysql(dialect):
        found = method.lower()
    elif method in ("enum", "enu") and _mysql(dialect) and _labels(args):
        found = mysql_enum(_labels(args))
    elif method in _TIMESTAMPS and args and isinstance(args[0], dict) and not _mysql(dialect):
        # `{ useTz: false }`: PostgreSQL's `timestamp` instead of `timestamptz`; `{ precision: 3 }` its digits
        base = "timestamp" if args[0].get("useTz") is False else "timestamptz"
        digits = args[0].get("precision")
        found = f"{base}({digits})" if isinstance(digits, int) and not isinstance(digits, bool) else base
    else:
        found = _KNEX.get(method, method.lower())
    return _MYSQL.get(found, found) if _mysql(dialect) else found


_TIMESTAMPS = ("timestamp", "datetime", "dateTime")


def _mysql(dialect: str) -> bool:
    return dialect in ("mysql", "mariadb")


def _labels(args: tuple[js.Value, ...]) -> list[str]:
    """`t.enu('state', ['open', 'closed'])`: the labels, which MySQL keeps as the column's own ENUM type."""
    values = args[0] if args else None
    if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
        return [v for v in values if isinstance(v, str)]
    return []


def sequelize_type(node: Node | None, dialect: str) -> str:
    """`Sequelize.STRING(40)`, `DataTypes.DECIMAL(10, 2)`, `Sequelize.DataTypes.TEXT` as SQL."""
    if node is None:
        return ""
    found = js.call(node)
    member = js.unwrap(found.node.child_by_field_name("function") or found.node) if found else js.unwrap(node)
    kind = js.text_of(member).rsplit(".", 1)[-1].upper()
    base = _SEQUELIZE.get(kind, kind.lower())
    numbers = [v for a in (found.args if found else ()) if isinstance(v := js.value(a), int)]
    if numbers and base.startswith(("varchar", "char")):
        base = f"{base.split('(')[0]}({numbers[0]})"
    elif numbers and base == "numeric":
        base = f"numeric({','.join(map(str, numbers[:2]))})"
    if _mysql(dialect):
        labels = [v for a in (found.args if found else ()) if isinstance(v := js.value(a), str)]
        if kind == "ENUM" and labels:  # `Sequelize.ENUM('open', 'closed')`: MySQL's column type of its own
            return mysql_enum(labels)
        return {"timestamptz": "datetime", "bytea": "blob"}.get(base, base)
    return base


def mysql_enum(labels: list[str]) -> str:
    """MySQL's `enum('open','closed')` of the labels."""
    return "enum(" + ",".join("'" + label.replace("'", "''") + "'" for label in labels) + ")"


def typeorm_type(options: dict[str, js.Value]) -> str:
    """A `TableColumn`'s `type`, with its `length` or `precision`/`scale`."""
    kind = options.get("type")
    base = kind.lower() if isinstance(kind, str) else ""
    length, precision, scale = options.get("length"), options.get("precision"), options.get("scale")
    if base and isinstance(length, int | str) and str(length):
        return f"{base}({length})"
    if base and isinstance(precision, int):
        return f"{base}({precision},{scale})" if isinstance(scale, int) else f"{base}({precision})"
    if base and options.get("isArray") is True:
        return f"{base}[]"
    return base


def key_action(value: js.Value) -> str:
    """`'CASCADE'`, `'set null'`, `'NO ACTION'` as a foreign key's `onDelete`/`onUpdate` gives it → `cascade`,
    `set null`, `no action`; "" when it is not a string."""
    return " ".join(value.lower().split()) if isinstance(value, str) else ""
