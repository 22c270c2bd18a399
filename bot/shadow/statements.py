"""The SQL a migration runs: the migration's own statements where it is written in SQL, else ours.

Frameworks that migrate with SQL files (plain SQL, golang-migrate, goose, dbmate, Diesel, Flyway, Sqitch,
Prisma, Drizzle) and operations that carry their SQL (Django's, read as `sqlmigrate` prints it) run as
written. Operations of frameworks written in code (Rails, Alembic, Laravel, Knex, …) are translated from
the typed operation the review read: the statement the framework's adapter issues for it, in the
dialect of the scratch server. What cannot be translated (application code, a raw statement we could not
read) is listed as not run, never guessed.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from bot.frameworks.statements import describe
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    RunCode,
    SetDefault,
    SetNotNull,
    Transaction,
    Truncate,
    Unparsed,
)
from bot.sql.locks import Lock, locks

SQL_FRAMEWORKS = frozenset(
    {"sql", "golang-migrate", "goose", "dbmate", "diesel", "flyway", "sqitch", "prisma", "drizzle"}
)
_SQL_START = re.compile(
    r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|SET|TRUNCATE|COMMENT|GRANT|"
    r"REVOKE|WITH|SELECT|DO|LOCK|VACUUM|ANALYZE|REINDEX|CLUSTER|RENAME|REFRESH|CALL|DECLARE|PERFORM)\b",
    re.I | re.S,
)
_NO_TRANSACTION = re.compile(
    r"\bCONCURRENTLY\b|^\s*(?:VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM)\b", re.I
)


@dataclass(frozen=True)
class Statement:
    path: str
    line: int
    sql: str
    tables: tuple[str, ...]
    translated: bool = False  # ours, from the operation, not the migration's own text
    no_transaction: bool = False  # PostgreSQL refuses it inside a transaction block
    alter_table: bool = False  # an ALTER TABLE (MariaDB/MySQL: the algorithm is observed)
    data_change: bool = False  # an INSERT, UPDATE or DELETE: the rows it changed are counted
    reasoned: tuple[tuple[str, str], ...] = ()  # (table, mode) the review reasons it locks (PostgreSQL)


@dataclass(frozen=True)
class Plan:
    statements: tuple[Statement, ...]
    skipped: tuple[str, ...]  # "`path` line N: why it was not run"


def plan(ops: tuple[Operation, ...], framework: str, dialect: str) -> Plan:
    """The statements of `ops` in order, one per statement of the source (a statement read as several
    operations runs once)."""
    found: list[Statement] = []
    skipped: list[str] = []
    seen: set[tuple[str, int, str]] = set()
    code: list[tuple[str, int, int]] = []  # (path, first, last line) of application code
    for op in ops:
        if isinstance(op, Transaction):
            continue  # the run opens and commits transactions itself, as the runner does
        if isinstance(op, RunCode):
            code.append((op.location.path, op.location.line, op.end_line or op.location.line))
        inside = next((c for c in code if c[0] == op.location.path and c[1] < op.location.line <= c[2]), None)
        if inside is not None and isinstance(op, DataUpdate | DataDelete | DataInsert):
            # a query the code runs in its loop or block, with values only the code knows
            why = f"`{op.location.path}` line {op.location.line}: runs inside the application code of line {inside[1]}"
            skipped.append(why)
            continue
        sql, translated, why = _sql(op, framework, dialect)
        where = f"`{op.location.path}` line {op.location.line}"
        if not sql:
            if why and f"{where}: {why}" not in skipped:
                skipped.append(f"{where}: {why}")
            continue
        key = (op.location.path, op.location.line, sql)
        reasoned = _reasoned(op) if dialect == "postgres" else ()
        if key in seen:
            if found and found[-1].sql == sql:
                tables = tuple(dict.fromkeys(found[-1].tables + op.tables))
                merged = tuple(dict.fromkeys(found[-1].reasoned + reasoned))
                found[-1] = Statement(**{**found[-1].__dict__, "tables": tables, "reasoned": merged})
            continue
        seen.add(key)
        found.append(
            Statement(
                op.location.path,
                op.location.line,
                sql,
                op.tables,
                translated,
                bool(_NO_TRANSACTION.search(sql)) or bool(getattr(op, "concurrently", False)),
                bool(re.match(r"\s*ALTER\s+TABLE\b", sql, re.I)),
                isinstance(op, DataUpdate | DataDelete | DataInsert),
                reasoned,
            )
        )
    return Plan(tuple(found), tuple(skipped))


def _reasoned(op: Operation) -> tuple[tuple[str, str], ...]:
    """The table locks the review reasons the operation takes, strongest per table."""
    strongest: dict[str, Lock] = {}
    for lock in locks(op):
        table = lock.table.rsplit(".", 1)[-1].strip('"')
        if table and (table not in strongest or lock.level > strongest[table].level):
            strongest[table] = lock
    return tuple((table, lock.level.words) for table, lock in strongest.items())


def is_sql(text: str) -> bool:
    return bool(_SQL_START.match(text))


def _sql(op: Operation, framework: str, dialect: str) -> tuple[str, bool, str]:
    """(statement, translated, why not) for one operation."""
    text = op.sql.strip().rstrip(";").strip()
    # one statement read as several operations is described per operation (`… (DropColumn)`): run it
    text = text.removesuffix(f" ({op.kind})").rstrip(";").strip() if text.endswith(f" ({op.kind})") else text
    if isinstance(op, Unparsed):
        if framework in SQL_FRAMEWORKS and text:
            return text, False, ""  # the server is the judge of a statement we could not read
        return "", False, f"not read ({op.error})"
    if framework in SQL_FRAMEWORKS or (text and is_sql(text) and text != describe(op).strip().rstrip(";")):
        return text, False, ""  # the migration's own SQL (not our description of an operation of code)
    if isinstance(op, RunCode):
        return "", False, f"application code ({op.language}) is not run on the scratch database"
    translated = translate(op, dialect, python=framework == "django")
    if translated:
        return translated, True, ""
    return "", False, f"no SQL of ours for this {op.kind} ({text.splitlines()[0][:60] if text else ''})"


def quote(name: str, dialect: str) -> str:
    mark = '"' if dialect == "postgres" else "`"
    return ".".join(f"{mark}{part.strip(chr(34) + '`')}{mark}" for part in name.split("."))


def column_type(spec_type: str, dialect: str) -> str:
    """A type as the frameworks' readers name it, in the scratch server's words."""
    text = spec_type.strip() or "text"
    lowered = text.lower()
    if dialect != "postgres":
        if lowered in ("varchar", "character varying", "string"):
            return "varchar(255)"
        if lowered == "jsonb":
            return "json"
        if lowered.startswith("timestamptz") or lowered.startswith("timestamp with time zone"):
            return "timestamp(6)" if "(" in lowered else "timestamp"
        if lowered == "uuid":
            return "char(36)"
        if lowered in ("bytea",):
            return "blob"
    elif lowered in ("datetime", "datetime(6)"):
        return "timestamp(6)"
    elif lowered in ("tinyint(1)",):
        return "boolean"
    return text


# SQL functions a default may call bare; any other `name()` or `module.name()` is application code
_SQL_CALLS = frozenset(
    {
        "now",
        "gen_random_uuid",
        "uuid_generate_v4",
        "uuid",
        "random",
        "clock_timestamp",
        "current_timestamp",
        "statement_timestamp",
        "transaction_timestamp",
        "localtimestamp",
        "current_date",
        "curdate",
        "utc_timestamp",
    }
)
_PYTHON_CALL = re.compile(r"([A-Za-z_][\w.]*)\(\)")
_RUBY_NOW = re.compile(r"(?:Time(?:\.zone)?|DateTime)\.(?:now|current)(?:\(\))?")
_RUBY_TODAY = re.compile(r"Date\.(?:today|current)(?:\(\))?")
_RUBY_CODE = re.compile(r"[A-Z]\w*(?:(?:::|\.)\w+)+")
_LITERAL = re.compile(r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null", re.I)


def sql_default(text: str, dialect: str, python: bool = False) -> str | None:
    """A default as the database would hold it. An ORM's Python default (`timezone.now()`, `uuid.uuid4()`,
    `dict()`, `{}`) is computed by the application, which writes the value for the rows that exist when
    the column is added: its SQL counterpart when there is one, else None (no default). `python`: the
    default is Python source (Django), so anything but a literal or a known call is application code."""
    value = text.strip()
    if value[:1] in ("{", "[") and value[-1:] in ("}", "]"):
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return None
        return "'" + json.dumps(literal).replace("'", "''") + "'"
    if _RUBY_NOW.fullmatch(value):
        return "now()" if dialect == "postgres" else "CURRENT_TIMESTAMP"
    if _RUBY_TODAY.fullmatch(value):
        return "CURRENT_DATE" if dialect == "postgres" else "(CURRENT_DATE)"
    if _RUBY_CODE.fullmatch(value):
        return None  # a constant or method of the application (`Status::ACTIVE`, `Rails.env`)
    match = _PYTHON_CALL.fullmatch(value)
    if match is None:
        return value if not python or _LITERAL.fullmatch(value) else None
    name = match.group(1)
    last = name.rsplit(".", 1)[-1].lower()
    if "." not in name and last in _SQL_CALLS:
        return value
    pg = dialect == "postgres"
    mapped = {
        "now": "now()" if pg else "CURRENT_TIMESTAMP",
        "today": "CURRENT_DATE" if pg else "(CURRENT_DATE)",
        "uuid4": "gen_random_uuid()" if pg else "(uuid())",
        "uuid1": "gen_random_uuid()" if pg else "(uuid())",
        "dict": "'{}'",
        "list": "'[]'",
        "str": "''",
        "int": "0",
        "float": "0",
        "decimal": "0",
        "bool": "false",
    }
    return mapped.get(last)


def column_definition(spec: ColumnSpec, dialect: str, python: bool = False) -> str:
    parts = [quote(spec.name, dialect), column_type(spec.type, dialect)]
    serial = spec.type.strip().lower() in ("serial", "bigserial", "smallserial", "serial4", "serial8")
    if serial and dialect == "postgres":
        pass  # a serial column has its sequence's default already
    elif spec.identity and dialect == "postgres":
        parts.append("GENERATED BY DEFAULT AS IDENTITY")
    elif spec.identity:
        parts.append("AUTO_INCREMENT")
    if not spec.nullable or spec.primary_key:
        parts.append("NOT NULL")
    default = sql_default(spec.default, dialect, python) if spec.default is not None else None
    if default is not None and not spec.identity:
        parts.append(f"DEFAULT {default}")
    if spec.primary_key:
        parts.append("PRIMARY KEY")
    elif spec.unique:
        parts.append("UNIQUE")
    return " ".join(parts)


def translate(op: Operation, dialect: str, *, python: bool = False) -> str:
    """The statement an adapter issues for a typed operation; "" when there is none of ours. `python`: the
    defaults and values the operation carries are Python source (Django)."""

    def q(name: str) -> str:
        return quote(name, dialect)

    pg = dialect == "postgres"
    if isinstance(op, CreateTable):
        parts = [column_definition(c, dialect, python) for c in op.columns]
        parts += [c for c in (_constraint(k, dialect) for k in op.constraints) if c]
        exists = "IF NOT EXISTS " if op.if_not_exists else ""
        return f"CREATE TABLE {exists}{q(op.table)} ({', '.join(parts)})"
    if isinstance(op, DropTable):
        return f"DROP TABLE {'IF EXISTS ' if op.if_exists else ''}{q(op.table)}{' CASCADE' if op.cascade and pg else ''}"
    if isinstance(op, RenameTable):
        return f"ALTER TABLE {q(op.table)} RENAME TO {q(op.new_name)}"
    if isinstance(op, Truncate):
        return f"TRUNCATE TABLE {q(op.table)}"
    if isinstance(op, AddColumn):
        return f"ALTER TABLE {q(op.table)} ADD COLUMN {column_definition(op.column, dialect, python)}"
    if isinstance(op, DropColumn):
        return f"ALTER TABLE {q(op.table)} DROP COLUMN {q(op.column)}"
    if isinstance(op, RenameColumn):
        return f"ALTER TABLE {q(op.table)} RENAME COLUMN {q(op.column)} TO {q(op.new_name)}"
    if isinstance(op, AlterColumnType):
        new = column_type(op.new_type, dialect)
        if pg:
            using = f" USING {op.using}" if op.using else ""
            return f"ALTER TABLE {q(op.table)} ALTER COLUMN {q(op.column)} TYPE {new}{using}"
        return f"ALTER TABLE {q(op.table)} MODIFY COLUMN {q(op.column)} {new}"
    if isinstance(op, SetNotNull | DropNotNull) and pg:
        verb = "SET" if isinstance(op, SetNotNull) else "DROP"
        return f"ALTER TABLE {q(op.table)} ALTER COLUMN {q(op.column)} {verb} NOT NULL"
    if isinstance(op, SetDefault):
        default = sql_default(op.default, dialect, python) if op.default is not None else None
        change = f"SET DEFAULT {default}" if default is not None else "DROP DEFAULT"
        return f"ALTER TABLE {q(op.table)} ALTER COLUMN {q(op.column)} {change}"
    if isinstance(op, AddIndex):
        if not op.columns:
            return ""  # its columns were not read
        columns = ", ".join(c if re.search(r"[()\s]", c) else q(c) for c in op.columns)
        unique = "UNIQUE " if op.unique else ""
        concurrently = "CONCURRENTLY " if op.concurrently and pg else ""
        method = f" USING {op.method}" if op.method and pg else ""
        where = f" WHERE {op.where}" if op.where and pg else ""
        if not op.name and not pg:
            return ""
        # PostgreSQL names an index created without a name itself (IF NOT EXISTS needs the name)
        named = f"{'IF NOT EXISTS ' if op.if_not_exists and pg else ''}{q(op.name)} " if op.name else ""
        return f"CREATE {unique}INDEX {concurrently}{named}ON {q(op.table)}{method} ({columns}){where}"
    if isinstance(op, DropIndex):
        if not op.name:
            return ""
        if pg:
            exists = "IF EXISTS " if op.if_exists else ""
            return f"DROP INDEX {'CONCURRENTLY ' if op.concurrently else ''}{exists}{q(op.name)}"
        return f"DROP INDEX {q(op.name)} ON {q(op.table)}" if op.table else ""
    if isinstance(op, AddConstraint):
        definition = _constraint(op, dialect)
        return f"ALTER TABLE {q(op.table)} ADD {definition}" if definition else ""
    if isinstance(op, DropConstraint):
        return f"ALTER TABLE {q(op.table)} DROP CONSTRAINT {q(op.name)}"
    if isinstance(op, CreateEnum) and pg:
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in op.values)
        return f"CREATE TYPE {q(op.name)} AS ENUM ({values})"
    if isinstance(op, DataUpdate) and op.assignments:
        assigned = [sql_default(e, dialect, python) for _, e in op.assignments]
        if any(v is None for v in assigned):
            return ""  # a value the application computes
        sets = ", ".join(f"{q(c)} = {v}" for (c, _), v in zip(op.assignments, assigned, strict=True))
        return f"UPDATE {q(op.table)} SET {sets}" + (f" WHERE {op.where}" if op.where else "")
    if isinstance(op, DataDelete):
        return f"DELETE FROM {q(op.table)}" + (f" WHERE {op.where}" if op.where else "")
    if isinstance(op, DataInsert):
        return ""  # the rows an INSERT writes are in code we do not run
    return ""


def _constraint(op: AddConstraint, dialect: str) -> str:
    def q(name: str) -> str:
        return quote(name, dialect)

    named = f"CONSTRAINT {q(op.name)} " if op.name else ""
    columns = ", ".join(q(c) for c in op.columns)
    if op.constraint == "foreign_key" and op.references:
        referenced = ", ".join(q(c) for c in op.referenced_columns) or q("id")
        text = f"{named}FOREIGN KEY ({columns}) REFERENCES {q(op.references)} ({referenced})"
        if op.on_delete:
            text += f" ON DELETE {op.on_delete.upper()}"
        if op.on_update:
            text += f" ON UPDATE {op.on_update.upper()}"
        return text + (" NOT VALID" if op.not_valid and dialect == "postgres" else "")
    if op.constraint == "check" and op.expression_sql:
        condition = check_sql(op.expression_sql, dialect)
        if not condition:
            return ""
        return f"{named}CHECK ({condition})" + (
            " NOT VALID" if op.not_valid and dialect == "postgres" else ""
        )
    if op.constraint == "unique" and columns:
        return f"{named}UNIQUE ({columns})"
    if op.constraint == "primary_key" and columns:
        return f"{named}PRIMARY KEY ({columns})"
    return ""


_LOOKUPS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def check_sql(expression: str, dialect: str) -> str:
    """A CHECK condition in SQL: as written, or a Django `Q(…)` expression translated (`~Q(code="")` →
    `NOT ("code" = '')`); "" for what we cannot translate."""
    if not re.search(r"\bQ\(", expression):
        return expression
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return ""
    return _q(tree, dialect) or ""


def _q(node: object, dialect: str) -> str | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        inner = _q(node.operand, dialect)
        return f"NOT ({inner})" if inner else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        left, right = _q(node.left, dialect), _q(node.right, dialect)
        word = "AND" if isinstance(node.op, ast.BitAnd) else "OR"
        return f"({left}) {word} ({right})" if left and right else None
    if not (isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "Q"):
        return None
    parts = [_q(arg, dialect) for arg in node.args]
    for keyword in node.keywords:
        if keyword.arg is None:
            return None
        parts.append(_lookup(keyword.arg, keyword.value, dialect))
    if not parts or any(p is None for p in parts):
        return None
    return " AND ".join(f"({p})" if len(parts) > 1 else str(p) for p in parts)


def _lookup(key: str, value: object, dialect: str) -> str | None:
    field, _, lookup = key.partition("__")
    column = quote(field, dialect)
    if lookup == "isnull":
        flag = value.value if isinstance(value, ast.Constant) else None
        return None if not isinstance(flag, bool) else f"{column} IS {'NULL' if flag else 'NOT NULL'}"
    if lookup == "in" and isinstance(value, ast.List | ast.Tuple):
        items = [_value(v, dialect) for v in value.elts]
        return None if not items or None in items else f"{column} IN ({', '.join(str(i) for i in items)})"
    operator = _LOOKUPS.get(lookup or "exact")
    literal = _value(value, dialect)
    if operator is None or literal is None:
        return None
    return f"{column} IS NULL" if literal == "NULL" and operator == "=" else f"{column} {operator} {literal}"


def _value(node: object, dialect: str) -> str | None:
    if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "F" and node.args:
        name = node.args[0]
        return (
            quote(name.value, dialect)
            if isinstance(name, ast.Constant) and isinstance(name.value, str)
            else None
        )
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        return f"-{node.operand.value}" if isinstance(node.operand.value, int | float) else None
    if not isinstance(node, ast.Constant):
        return None
    value = node.value
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None
