"""Framework column types (Rails `:string`, Django `CharField`, SQLAlchemy `sa.String(50)`) as SQL types.

The SQL is spelled the way `bot.sql.names.column_type` spells a type read from a SQL migration (sqlglot's
lower-case rendering), so the type-change rule compares a Rails `change_column` with the column a
`CREATE TABLE` made, and a Django `AlterField` with the field an earlier migration added.
"""

from __future__ import annotations

from collections.abc import Mapping

_RAILS_POSTGRES = {
    "string": "varchar",
    "text": "text",
    "integer": "int",
    "bigint": "bigint",
    "smallint": "smallint",
    "float": "double precision",
    "decimal": "decimal",
    "numeric": "decimal",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp(6)",
    "timestamp": "timestamp(6)",
    "timestamptz": "timestamptz",
    "time": "time",
    "binary": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "citext": "citext",
    "inet": "inet",
    "cidr": "cidr",
    "hstore": "hstore",
    "interval": "interval",
    "money": "money",
    "references": "bigint",
    "belongs_to": "bigint",
    "primary_key": "bigint",
    "virtual": "",
}
_RAILS_MYSQL = {
    **_RAILS_POSTGRES,
    "string": "varchar(255)",
    "float": "float",
    "boolean": "tinyint(1)",
    "datetime": "datetime(6)",
    "timestamp": "timestamp",
    "binary": "blob",
    "jsonb": "json",
    "uuid": "varchar(36)",
}

_DJANGO_POSTGRES = {
    "AutoField": "int",
    "BigAutoField": "bigint",
    "SmallAutoField": "smallint",
    "IntegerField": "int",
    "BigIntegerField": "bigint",
    "SmallIntegerField": "smallint",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "bigint",
    "PositiveSmallIntegerField": "smallint",
    "FloatField": "double precision",
    "DecimalField": "decimal",
    "BooleanField": "boolean",
    "NullBooleanField": "boolean",
    "CharField": "varchar",
    "SlugField": "varchar(50)",
    "EmailField": "varchar(254)",
    "URLField": "varchar(200)",
    "FileField": "varchar(100)",
    "ImageField": "varchar(100)",
    "FilePathField": "varchar(100)",
    "TextField": "text",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "TimeField": "time",
    "DurationField": "interval",
    "UUIDField": "uuid",
    "BinaryField": "bytea",
    "JSONField": "jsonb",
    "GenericIPAddressField": "inet",
    "IPAddressField": "inet",
    "ForeignKey": "bigint",
    "OneToOneField": "bigint",
    "ArrayField": "",
    "CICharField": "citext",
    "CIEmailField": "citext",
    "CITextField": "citext",
    "HStoreField": "hstore",
}
_DJANGO_MYSQL = {
    **_DJANGO_POSTGRES,
    "FloatField": "double",
    "BooleanField": "boolean",
    "DateTimeField": "datetime(6)",
    "DurationField": "bigint",
    "UUIDField": "uuid",
    "BinaryField": "longblob",
    "JSONField": "json",
    "GenericIPAddressField": "varchar(39)",
}

_SQLALCHEMY = {
    "String": "varchar",
    "Unicode": "varchar",
    "Text": "text",
    "UnicodeText": "text",
    "Integer": "int",
    "INTEGER": "int",
    "BigInteger": "bigint",
    "BIGINT": "bigint",
    "SmallInteger": "smallint",
    "Float": "double precision",
    "Numeric": "decimal",
    "DECIMAL": "decimal",
    "NUMERIC": "decimal",
    "Boolean": "boolean",
    "Date": "date",
    "DateTime": "timestamp",
    "TIMESTAMP": "timestamp",
    "Time": "time",
    "Interval": "interval",
    "LargeBinary": "bytea",
    "JSON": "json",
    "JSONB": "jsonb",
    "UUID": "uuid",
    "Uuid": "uuid",
    "VARCHAR": "varchar",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "Enum": "varchar",
    "ARRAY": "",
    "INET": "inet",
    "CITEXT": "citext",
}


_FRACTIONAL = ("datetime", "timestamp", "timestamptz", "time", "interval")


def rails_type(name: str, options: Mapping[str, object], dialect: str) -> str:
    """`add_column :t, :c, :string, limit: 20` → `varchar(20)`."""
    table = _RAILS_MYSQL if dialect in ("mysql", "mariadb") else _RAILS_POSTGRES
    base = table.get(name, name)
    limit, precision, scale = options.get("limit"), options.get("precision"), options.get("scale")
    if name == "string" and isinstance(limit, int):
        base = f"varchar({limit})"
    elif name == "integer" and isinstance(limit, int):
        base = {8: "bigint", 2: "smallint"}.get(limit, "int")
    elif name in ("decimal", "numeric") and isinstance(precision, int):
        base = f"decimal({precision}, {scale if isinstance(scale, int) else 0})"
    elif name in ("text", "binary") and dialect in ("mysql", "mariadb"):
        base = _mysql_lob(base, options.get("size"), limit)
    elif name in _FRACTIONAL and isinstance(fraction := precision if precision is not None else limit, int):
        base = (
            f"{base.split('(')[0]}({fraction})"  # the PostgreSQL adapter reads a `limit:` here as precision
        )
    return f"{base}[]" if options.get("array") is True and base else base


def _mysql_lob(base: str, size: object, limit: object) -> str:
    """Rails' MySQL adapter: `text`/`binary` with `size: :tiny | :medium | :long` are `tinytext`,
    `mediumtext`, `longtext` (`tinyblob`…); with a `limit:` in bytes, the smallest type that holds it."""
    kind = "blob" if base == "blob" else "text"
    if isinstance(size, str) and size in ("tiny", "medium", "long"):
        return f"{size}{kind}"
    if isinstance(limit, int) and not isinstance(limit, bool):
        for bound, prefix in ((0xFF, "tiny"), (0xFFFF, ""), (0xFFFFFF, "medium")):
            if limit <= bound:
                return f"{prefix}{kind}"
        return f"long{kind}"
    return base


def django_type(field: str, options: Mapping[str, object], dialect: str) -> str:
    """`models.CharField(max_length=20)` → `varchar(20)`."""
    table = _DJANGO_MYSQL if dialect in ("mysql", "mariadb") else _DJANGO_POSTGRES
    base = table.get(field, "")
    length, digits, places = (
        options.get("max_length"),
        options.get("max_digits"),
        options.get("decimal_places"),
    )
    if isinstance(length, int) and base.startswith("varchar"):
        base = f"varchar({length})"
    elif field == "DecimalField" and isinstance(digits, int):
        base = f"decimal({digits}, {places if isinstance(places, int) else 0})"
    return base


def sqlalchemy_type(name: str, args: tuple[object, ...], options: Mapping[str, object]) -> str:
    """`sa.String(50)` → `varchar(50)`; `sa.Numeric(10, 2)` → `decimal(10, 2)`."""
    base = _SQLALCHEMY.get(name, name.lower())
    numbers = [a for a in args if isinstance(a, int)]
    length = options.get("length", numbers[0] if numbers else None)
    if base == "varchar" and isinstance(length, int):
        return f"varchar({length})"
    if base == "decimal" and len(numbers) >= 1:
        scale = numbers[1] if len(numbers) > 1 else options.get("scale", 0)
        return f"decimal({numbers[0]}, {scale})"
    if base == "timestamp" and options.get("timezone") is True:
        return "timestamptz"
    return base
