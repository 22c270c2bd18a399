"""The values a column accepts in production, and which of the values a change writes it rejects.

A change that writes a literal (`SET status = 'archived'`, `CASE … THEN 'closed'`) assumes the column
accepts it. Production's own definition decides: the labels of an enum type (PostgreSQL) or an `ENUM(…)`
column (MySQL, MariaDB), and the CHECK constraints on that one column. Each written value is judged inside
the database with the constraint's own expression (`SELECT NOT (<check>) FROM (SELECT %s AS col)`), with
the value passed as a parameter: only the verdict comes back, and nothing of production's rows is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.probe.session import ProbeError, Session

_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class Rejection:
    values: tuple[str, ...]  # the written values production would refuse
    by: str  # what refuses them: "enum `order_state` (new, paid)" or "CHECK `orders_state_check` (…)"


def rejected(
    session: Session, schema: str, table: str, column: str, values: tuple[str, ...]
) -> Rejection | None:
    """The first definition of production's that refuses some of `values`, with the values it refuses."""
    if session.dialect == "postgres":
        return _postgres(session, schema, table, column, values)
    return _mysql(session, schema, table, column, values)


def _postgres(
    session: Session, schema: str, table: str, column: str, values: tuple[str, ...]
) -> Rejection | None:
    rows = session.fetch(
        "SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
        " JOIN pg_enum e ON e.enumtypid = t.oid"
        " WHERE n.nspname = %s AND c.relname = %s AND a.attname = %s GROUP BY t.typname",
        f"the enum labels of {table}.{column}",
        (schema, table, column),
    )
    if rows:
        name, labels = rows[0][0], [str(v) for v in rows[0][1]]
        refused = tuple(v for v in values if v not in labels)
        if refused:
            return Rejection(refused, f"enum `{name}` ({', '.join(labels)})")
    checks = session.fetch(
        "SELECT con.conname, pg_get_constraintdef(con.oid), format_type(a.atttypid, a.atttypmod)"
        " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = %s"
        " WHERE con.contype = 'c' AND n.nspname = %s AND c.relname = %s AND con.conkey = ARRAY[a.attnum]"
        " ORDER BY con.conname",
        f"the CHECK constraints of {table}.{column}",
        (column, schema, table),
    )
    quoted = '"' + column.replace('"', '""') + '"'
    for name, definition, type_sql in checks:
        condition = re.sub(r"\s+NOT VALID$", "", str(definition)).removeprefix("CHECK ")
        sql = f"SELECT NOT ({condition}) FROM (SELECT CAST(%s AS {type_sql}) AS {quoted}) AS written"
        refused = tuple(v for v in values if _refuses(session, sql, v, f"{table}.{column} against {name}"))
        if refused:
            return Rejection(refused, f"CHECK `{name}` {condition}")
    return None


def _mysql(
    session: Session, schema: str, table: str, column: str, values: tuple[str, ...]
) -> Rejection | None:
    rows = session.fetch(
        "SELECT COLUMN_TYPE FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND COLUMN_NAME = %s",
        f"the enum labels (the declared type) of {table}.{column}",
        (schema, table, column),
    )
    declared = str(rows[0][0]) if rows else ""
    if declared.lower().startswith(("enum(", "set(")):
        labels = [v.replace("''", "'") for v in _QUOTED.findall(declared)]
        # MySQL compares ENUM labels without case under the usual collations
        refused = tuple(v for v in values if v.lower() not in {label.lower() for label in labels})
        if refused:
            return Rejection(refused, f"`{declared}`")
    try:
        checks = session.fetch(
            "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
            " WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s ORDER BY CONSTRAINT_NAME",
            f"the CHECK constraints of {table}",
            (schema, table),
        )
    except ProbeError:
        return None  # a server without CHECK constraints in its catalog (MySQL before 8.0.16)
    mentions = re.compile(rf"(?<![\w`]){re.escape(column)}(?![\w`])|`{re.escape(column)}`", re.I)
    quoted = "`" + column.replace("`", "``") + "`"
    for name, clause in checks:
        if not mentions.search(str(clause)):
            continue
        sql = f"SELECT NOT ({clause}) FROM (SELECT %s AS {quoted}) AS written"
        refused = tuple(v for v in values if _refuses(session, sql, v, f"{table}.{column} against {name}"))
        if refused:
            return Rejection(refused, f"CHECK `{name}` ({clause})")
    return None


def _refuses(session: Session, sql: str, value: str, purpose: str) -> bool:
    """Does the condition come out false for the value? A condition that reads other columns, or a value
    the column's type cannot hold, gives no verdict here (another rule judges types)."""
    try:
        rows = session.fetch(sql, f"a written value of {purpose}", (value,))
    except ProbeError:
        return False
    return bool(rows) and rows[0][0] is not None and bool(rows[0][0])
