"""The schema as the server describes it (pg_catalog, information_schema), and what differs between two.

A description is a set of lines, one per column, index, constraint and enum type, written the way the
server prints them back (`format_type`, `pg_get_indexdef`, `pg_get_constraintdef`; MariaDB's
`COLUMN_TYPE`), so a down that restores `varchar(20)` as `text` or forgets an index shows as a line.
Column positions are left out: a column dropped and added back is at the end, and nothing reads by position.
"""

from __future__ import annotations

from bot.shadow.server import Session

_PG_SCHEMAS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'"
)

_PG_COLUMNS = f"""
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, c.relkind, n.nspname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm') AND {_PG_SCHEMAS}
"""
_PG_INDEXES = f"""
SELECT n.nspname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
WHERE {_PG_SCHEMAS}
"""
_PG_CONSTRAINTS = f"""
SELECT n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_SCHEMAS}
"""
_PG_ENUMS = f"""
SELECT n.nspname, t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE {_PG_SCHEMAS} GROUP BY 1, 2
"""

_MY_COLUMNS = """
SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT, c.EXTRA
FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = DATABASE()
"""
_MY_INDEXES = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE,
       GROUP_CONCAT(CONCAT(COLUMN_NAME, IFNULL(CONCAT('(', SUB_PART, ')'), '')) ORDER BY SEQ_IN_INDEX)
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE
"""
_MY_FOREIGN_KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME,
       GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), k.REFERENCED_TABLE_NAME,
       GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION)
FROM information_schema.KEY_COLUMN_USAGE k
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME
"""
_MY_CHECKS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
"""


def describe(session: Session) -> frozenset[str]:
    """One line per column, index, constraint and enum type of the scratch database."""
    lines: set[str] = set()
    if session.dialect == "postgres":
        for table, column, type_, not_null, default, identity, kind, schema in session.rows(_PG_COLUMNS):
            name = _name(schema, table)
            what = "view" if kind in ("v", "m") else "table"
            text = f"{what} {name} column {column} {type_}{' NOT NULL' if not_null else ''}"
            if default is not None:
                text += f" DEFAULT {_default(str(default), name)}"
            if identity:
                text += " IDENTITY"
            lines.add(text)
        for schema, index, definition in session.rows(_PG_INDEXES):
            lines.add(f"index {_name(schema, index)}: {definition}")
        for schema, table, name, definition, validated in session.rows(_PG_CONSTRAINTS):
            lines.add(
                f"constraint {name} on {_name(schema, table)}: {definition}{'' if validated else ' NOT VALID'}"
            )
        for schema, name, values in session.rows(_PG_ENUMS):
            lines.add(f"enum type {_name(schema, name)} ({values})")
        return frozenset(lines)
    for table, column, type_, nullable, default, extra in session.rows(_MY_COLUMNS):
        text = f"table {table} column {column} {type_}{'' if nullable == 'YES' else ' NOT NULL'}"
        if default is not None:
            text += f" DEFAULT {default}"
        if extra:
            text += f" {str(extra).upper()}"
        lines.add(text)
    for table, index, non_unique, columns in session.rows(_MY_INDEXES):
        lines.add(f"index {index} on {table} ({columns}){'' if int(non_unique) else ' UNIQUE'}")
    for table, name, columns, referenced, referenced_columns in session.rows(_MY_FOREIGN_KEYS):
        lines.add(
            f"constraint {name} on {table}: FOREIGN KEY ({columns}) REFERENCES {referenced}({referenced_columns})"
        )
    try:
        for table, name, clause in session.rows(_MY_CHECKS):
            lines.add(f"constraint {name} on {table}: CHECK ({clause})")
    except Exception:  # MySQL before 8.0.16 has no CHECK_CONSTRAINTS
        pass
    return frozenset(lines)


def _name(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _default(text: str, table: str) -> str:
    """A serial's default names its sequence; a sequence re-created by a down is the same default."""
    return text


def difference(before: frozenset[str], after: frozenset[str]) -> tuple[str, ...]:
    """What the down did not restore (`missing: …`) and what it left behind (`extra: …`)."""
    missing = [f"missing: {line}" for line in sorted(before - after)]
    extra = [f"left behind: {line}" for line in sorted(after - before)]
    return tuple(missing + extra)


def tables(session: Session) -> dict[str, list[tuple[str, str, bool, bool]]]:
    """table → [(column, type, nullable, has default)] of the base tables, for the synthetic rows."""
    found: dict[str, list[tuple[str, str, bool, bool]]] = {}
    if session.dialect == "postgres":
        sql = f"""
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
               (d.adbin IS NOT NULL OR a.attidentity <> '' OR a.attgenerated <> ''), n.nspname
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {_PG_SCHEMAS}
          AND NOT c.relispartition
        ORDER BY c.relname, a.attnum
        """
        for table, column, type_, nullable, default, schema in session.rows(sql):
            found.setdefault(_name(schema, table), []).append((column, type_, bool(nullable), bool(default)))
        return found
    sql = """
    SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES',
           c.COLUMN_DEFAULT IS NOT NULL OR c.EXTRA LIKE '%%auto_increment%%' OR c.EXTRA LIKE '%%GENERATED%%'
    FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
      ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
    WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
    ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
    """
    for table, column, type_, nullable, default in session.rows(sql, ()):
        found.setdefault(str(table), []).append((str(column), str(type_), bool(nullable), bool(default)))
    return found
