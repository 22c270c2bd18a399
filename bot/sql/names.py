"""Names and column definitions read from sqlglot trees, normalised the way the database folds them."""

from __future__ import annotations

import hashlib
import re

from sqlglot import exp

from bot.model.migration import Call, ColumnSpec
from bot.sql.statements import DIALECTS, render

DEFAULT_SCHEMAS = frozenset({"public", "dbo", "main"})

# Functions whose value differs per row: a default built on them is computed for every existing row.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "rand",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuid",
        "uuid_short",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "newid",
        "sys_guid",
        "txid_current",
    }
)
# MySQL's and MariaDB's built-ins whose result is not fixed by their arguments: a generated column (MySQL: any;
# MariaDB: a stored or indexed one) may not call them. `unix_timestamp` only without an argument.
NONDETERMINISTIC_FUNCTIONS = frozenset(
    {
        "curdate", "current_date", "curtime", "current_time", "now", "current_timestamp", "localtime",
        "localtimestamp", "sysdate", "utc_date", "utc_time", "utc_timestamp", "unix_timestamp", "rand", "uuid",
        "uuid_short", "connection_id", "user", "current_user", "session_user", "system_user", "database",
        "schema", "last_insert_id", "found_rows", "row_count", "version", "get_lock", "sleep", "benchmark",
    }
)  # fmt: skip
# The column types PostgreSQL backs with a sequence of their own
SERIAL_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})


def identifier(node: exp.Expression | str | None) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node.lower()
    if isinstance(node, exp.Identifier):
        return str(node.this) if node.quoted else str(node.this).lower()
    if isinstance(node, exp.Column | exp.Table) and isinstance(node.this, exp.Identifier):
        return identifier(node.this)
    return node.name.lower() if node.name else render(node).lower()


def table_name(node: exp.Expression | None) -> str:
    """`schema.table` with the default schema dropped, folded as an unquoted name is folded."""
    if node is None:
        return ""
    if isinstance(node, exp.Schema):
        node = node.this
    if not isinstance(node, exp.Table):
        return identifier(node)
    name = identifier(node.this)
    schema = identifier(node.args.get("db")) if node.args.get("db") is not None else ""
    return f"{schema}.{name}" if schema and schema not in DEFAULT_SCHEMAS else name


def column_type(node: exp.Expression | None, dialect: str) -> str:
    """The type in lower case, but for its strings: the members of a MySQL `ENUM('Draft', 'Sent')` or `SET`,
    which rows hold as written."""
    if node is None:
        return ""
    written = render(node, dialect, copy=False)
    return "".join(part if _STRING.fullmatch(part) else part.lower() for part in _STRING.split(written))


_STRING = re.compile(r"('(?:[^']|'')*')")


def column_spec(node: exp.ColumnDef, dialect: str) -> ColumnSpec:
    kind = node.args.get("kind")
    type_sql = column_type(kind, dialect)
    nullable, default, volatile, pk, unique, identity, generated, references = (
        True,
        None,
        False,
        False,
        False,
        False,
        False,
        None,
    )
    on_update, charset, on_delete, key_on_update, referenced_column = "", "", "", "", ""
    collation = ""
    generated_calls: tuple[Call, ...] = ()
    for constraint in node.args.get("constraints") or []:
        c = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
        if isinstance(c, exp.NotNullColumnConstraint):
            nullable = bool(c.args.get("allow_null"))
        elif isinstance(c, exp.DefaultColumnConstraint):
            default = render(c.this, dialect) if c.this is not None else None
            volatile = is_volatile(c.this)
        elif isinstance(c, exp.PrimaryKeyColumnConstraint):
            pk, nullable = True, False
        elif isinstance(c, exp.UniqueColumnConstraint):
            unique = True
        elif isinstance(c, exp.GeneratedAsIdentityColumnConstraint):
            identity = c.args.get("this") is not None or c.args.get("expression") is None
            generated = not identity
        elif isinstance(c, exp.ComputedColumnConstraint):
            generated = bool(c.args.get("persisted")) or dialect == "postgres"
            generated_calls = calls(c.this, dialect)
        elif isinstance(c, exp.AutoIncrementColumnConstraint):
            identity = True
        elif isinstance(c, exp.Reference):
            target = c.find(exp.Table)
            references = table_name(target) if target is not None else None
            on_delete, key_on_update = on_delete_action(c), _action(c, "on update ")
            schema = c.this if isinstance(c.this, exp.Schema) else None
            referenced_column = (
                identifier(schema.expressions[0]) if schema is not None and schema.expressions else ""
            )
        elif isinstance(c, exp.OnUpdateColumnConstraint) and c.this is not None:
            on_update = render(c.this, dialect)
        elif isinstance(c, exp.CharacterSetColumnConstraint) and c.this is not None:
            charset = c.this.name.lower()
        elif isinstance(c, exp.CollateColumnConstraint) and c.this is not None:
            collation = c.this.name
            if not charset and dialect in ("mysql", "mariadb"):
                # MySQL: a collation names its character set (`utf8mb4_0900_ai_ci`, `latin1_swedish_ci`)
                charset = c.this.name.lower().split("_", 1)[0]
    place = node.args.get("position")
    position = ""
    if isinstance(place, exp.ColumnPosition):
        after = f" {identifier(place.this)}" if place.this is not None else ""
        position = str(place.args.get("position") or "").lower() + after
    if type_sql.split("(")[0] in SERIAL_TYPES:
        volatile, identity = True, True
    return ColumnSpec(
        name=identifier(node.this),
        type=type_sql,
        nullable=nullable,
        default=default,
        volatile_default=volatile,
        primary_key=pk,
        unique=unique,
        identity=identity,
        generated=generated,
        references=references,
        referenced_column=referenced_column,
        on_delete=on_delete,
        references_on_update=key_on_update,
        position=position,
        on_update=on_update,
        charset=charset,
        collation=collation,
        generated_calls=generated_calls,
    )


def calls(node: exp.Expression | None, dialect: str) -> tuple[Call, ...]:
    """The functions an expression calls, by the name the dialect spells them (`now`, `uuid`), each with one
    (unknown) entry per argument."""
    if node is None:
        return ()
    return tuple(
        Call(
            render(f, dialect).split("(", 1)[0].strip().lower(),
            columns=("",) * len(list(f.iter_expressions())),
        )
        for f in node.find_all(exp.Func)
        if isinstance(f, exp.Expression)
    )


def nondeterministic(call: Call) -> bool:
    """Does MySQL (MariaDB) count the call as one a generated column may not make?"""
    name = call.function
    return name in NONDETERMINISTIC_FUNCTIONS and (name != "unix_timestamp" or not call.columns)


_VOLATILE_CALL = re.compile(r"\b(" + "|".join(sorted(VOLATILE_FUNCTIONS)) + r")\s*\(", re.I)
_QUOTED = re.compile(r"'(?:[^']|'')*'")


def calls_volatile(sql: str | None) -> bool:
    """Does SQL text (a column default as a framework writes it) call a function whose value changes per row
    (`gen_random_uuid()`)? A name inside a string literal (`'gen_random_uuid()'`, which Rails sends for
    `default: "gen_random_uuid()"`) calls nothing: it is the text of the default."""
    return bool(sql) and _VOLATILE_CALL.search(_QUOTED.sub("''", sql or "")) is not None


def is_volatile(node: exp.Expression | None) -> bool:
    if node is None:
        return False
    for func in node.find_all(exp.Func):
        name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
        if name in VOLATILE_FUNCTIONS or isinstance(func, exp.Rand):
            return True
    return False


def _reserved(dialect: str) -> frozenset[str]:
    """The words a dialect does not take as a bare table or column name (`user` is `current_user` in
    PostgreSQL, `order` and `key` are MySQL's). MySQL's list is sqlglot's MySQL generator's: loaded only
    for MySQL and MariaDB."""
    if dialect not in _RESERVED:
        if dialect in ("mysql", "mariadb"):
            from sqlglot.dialects.mysql import MySQL

            _RESERVED[dialect] = frozenset(word.lower() for word in MySQL.Generator.RESERVED_KEYWORDS)
        elif dialect in ("postgres", "sqlite"):
            from pglast import keywords

            _RESERVED[dialect] = frozenset(keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS)
        else:
            _RESERVED[dialect] = frozenset()
    return _RESERVED[dialect]


_RESERVED: dict[str, frozenset[str]] = {}


def quote(name: str, dialect: str) -> str:
    """A name ready to paste into generated SQL: bare when it is plain, quoted the dialect's way otherwise
    (a reserved word, like the table `user`, is not plain)."""
    if "." in name:
        return ".".join(quote(part, dialect) for part in name.split("."))
    # PostgreSQL folds a bare name to lower case; MySQL, MariaDB and SQLite keep it and match it as written
    folded = dialect not in ("mysql", "mariadb", "sqlite") and name != name.lower()
    if name.isidentifier() and not folded and name.lower() not in _reserved(dialect):
        return name
    return f"`{name}`" if dialect in ("mysql", "mariadb") else f'"{name}"'


_LONGEST = 63 - len("_backup") - len("_9")  # PostgreSQL keeps 63 bytes of a name (MySQL 64), with a `_2`


def backup_table(stem: str) -> str:
    """`<stem>_backup` as a plain name every database keeps whole: letters, digits and `_` only, and short
    enough that PostgreSQL does not cut it to the name of the table it saves (a long stem keeps its start
    and a digest of the whole, so two long names stay apart)."""
    plain = re.sub(r"\W", "_", stem, flags=re.ASCII).lower()
    if len(plain) > _LONGEST:
        digest = hashlib.sha1(stem.encode()).hexdigest()[:8]
        plain = f"{plain[: _LONGEST - 9]}_{digest}"
    return f"{plain}_backup"


def backup_statement(table: str, columns: tuple[str, ...], dialect: str, where: str = "") -> str:
    """`CREATE TABLE <table>_<columns>_backup AS SELECT id, <columns> FROM <table> [WHERE …]`, ready to paste:
    names quoted where the database would fold them (`"collaborativeEditing"`), the whole row when no column
    is named. `where` is SQL already."""
    picked = ", ".join(quote_column(c, dialect) for c in ("id", *columns)) if columns else "*"
    stem = "_".join((table.replace(".", "_"), *columns))
    condition = f" WHERE {where}" if where else ""
    return f"CREATE TABLE {backup_table(stem)} AS SELECT {picked} FROM {quote(table, dialect)}{condition}"


def quote_column(name: str, dialect: str) -> str:
    """A column's name ready to paste into generated SQL: a dot in it is part of the name (a column
    `a.b`), never a qualifier."""
    if "." in name:
        return f"`{name}`" if dialect in ("mysql", "mariadb") else f'"{name}"'
    return quote(name, dialect)


def normalize_type(type_sql: str, dialect: str) -> str:
    """A type written as text (a Liquibase `type="NUMERIC(12,2)"`) spelled as `column_type` spells it."""
    try:
        name = DIALECTS.get(dialect, dialect)
        return _folded(str(exp.DataType.build(type_sql, dialect=name).sql(name)))
    except Exception:  # sqlglot raises several error types for a type it does not know
        return _folded(type_sql)


def _folded(type_sql: str) -> str:
    """The type in lower case, but for the names written in double quotes, which the database keeps as written
    (`"OrderStatus"` is another type than `orderstatus`), and for its strings (the members of an `ENUM`)."""
    return "".join(part if _KEPT.fullmatch(part) else part.lower() for part in _KEPT.split(type_sql))


_KEPT = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")


def shown_type(type_sql: str) -> str:
    """A type as a message names it: without the default schema and the quotes (`public."type_new"` is
    `type_new`)."""
    parts = [part.strip('"') for part in type_sql.split(".")]
    if len(parts) > 1 and parts[0] in DEFAULT_SCHEMAS:
        parts = parts[1:]
    return ".".join(parts)


def on_delete_action(reference: exp.Expression | None) -> str:
    """`cascade`, `set null`, … from a REFERENCES clause's `ON DELETE …` option; "" when it has none."""
    return _action(reference, "on delete ")


def _action(reference: exp.Expression | None, clause: str) -> str:
    """The action of a REFERENCES clause's `ON DELETE …` or `ON UPDATE …` option (`clause`, lower case)."""
    for option in reference.args.get("options") or () if reference is not None else ():
        text = " ".join(str(option.sql() if isinstance(option, exp.Expression) else option).lower().split())
        if text.startswith(clause):
            return text.removeprefix(clause)
    return ""


def scalar_sql(value: object) -> str | None:
    """A constant a migration's code gives (in Ruby, Python, PHP, JavaScript or Elixir, read into Python) as SQL:
    `NULL`, `true`, `1`, `'open'` (quotes doubled); None for anything else (code, a list)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None
