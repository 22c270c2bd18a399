"""Synthetic rows for the tables a change touches: NULLs, duplicates and edge values by default, the
production distribution when the probe ran.

Values are written as text and cast by the server to the column's type, so one generator serves every
type the server knows the text form of. A batch the server refuses (a CHECK, a unique index on several
columns) is retried row by row and the rows it refuses are left out: what is written is always valid.
Foreign keys take values from the rows of the referenced table, which is filled first.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.model.facts import Facts
from bot.shadow.server import Session, ShadowError
from bot.shadow.statements import quote

DEFAULT_ROWS = 40
BATCH = 500


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    default: str  # "" | "auto" (serial, identity, auto_increment, generated: never written) | "value"
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    references: str
    referenced: tuple[str, ...]


def columns(session: Session) -> dict[str, list[ColumnInfo]]:
    found: dict[str, list[ColumnInfo]] = {}
    if session.dialect == "postgres":
        sql = """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
               CASE WHEN a.attidentity <> '' OR a.attgenerated <> ''
                         OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%' THEN 'auto'
                    WHEN d.adbin IS NOT NULL THEN 'value' ELSE '' END,
               (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = a.atttypid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname = current_schema()
        ORDER BY c.relname, a.attnum
        """
        for table, name, type_, nullable, default, enum in session.rows(sql, ()):
            found.setdefault(str(table), []).append(
                ColumnInfo(str(name), str(type_), bool(nullable), str(default), tuple(enum or ()))
            )
        return found
    sql = """
    SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES',
           CASE WHEN c.EXTRA LIKE '%%auto_increment%%' OR c.EXTRA LIKE '%%GENERATED%%'
                     OR c.EXTRA LIKE '%%VIRTUAL%%' OR c.EXTRA LIKE '%%STORED%%' THEN 'auto'
                WHEN c.COLUMN_DEFAULT IS NOT NULL THEN 'value' ELSE '' END
    FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
      ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
    WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
    ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
    """
    for table, name, type_, nullable, default in session.rows(sql, ()):
        type_text = str(type_.decode() if isinstance(type_, bytes) else type_)
        enum = (
            tuple(re.findall(r"'((?:[^']|'')*)'", type_text))
            if type_text.lower().startswith(("enum(", "set("))
            else ()
        )
        found.setdefault(str(table), []).append(
            ColumnInfo(str(name), type_text, bool(nullable), str(default), enum)
        )
    return found


def foreign_keys(session: Session) -> list[ForeignKey]:
    if session.dialect == "postgres":
        sql = """
        SELECT c.relname, r.relname,
               ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
               ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                     JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND n.nspname = current_schema()
        """
        return [ForeignKey(str(t), tuple(cs), str(r), tuple(rs)) for t, r, cs, rs in session.rows(sql, ())]
    sql = """
    SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME,
           GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION),
           GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION)
    FROM information_schema.KEY_COLUMN_USAGE
    WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
    GROUP BY TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME
    """
    return [
        ForeignKey(str(t), tuple(str(cs).split(",")), str(r), tuple(str(rs).split(",")))
        for t, _, r, cs, rs in session.rows(sql, ())
    ]


def unique_columns(session: Session) -> dict[str, set[str]]:
    """Columns that alone carry a unique index or the primary key: their values are never repeated."""
    found: dict[str, set[str]] = {}
    if session.dialect == "postgres":
        sql = """
        SELECT c.relname, a.attname FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
        WHERE x.indisunique AND x.indnatts = 1 AND n.nspname = current_schema()
        """
    else:
        sql = """
        SELECT TABLE_NAME, MIN(COLUMN_NAME) FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0
        GROUP BY TABLE_NAME, INDEX_NAME HAVING COUNT(*) = 1
        """
    for table, column in session.rows(sql, ()):
        found.setdefault(str(table), set()).add(str(column))
    return found


def fill(
    session: Session,
    tables: list[str],
    *,
    facts: Facts | None = None,
    rows_per_table: int = DEFAULT_ROWS,
    max_rows: int = 10_000,
) -> tuple[dict[str, int], list[str]]:
    """Write synthetic rows into `tables` (and the tables they reference, first). Returns the rows written
    per table and notes on what could not be written."""
    info = columns(session)
    keys = foreign_keys(session)
    unique = unique_columns(session)
    wanted = [t for t in tables if t in info]
    order = _parents_first(wanted, keys, info)
    written: dict[str, int] = {}
    notes: list[str] = []
    for table in order:
        count = _row_count(table, facts, rows_per_table, max_rows)
        if table not in wanted:
            count = min(count, rows_per_table)  # a referenced table only needs keys to point at
        references = {
            fk.columns[0]: (fk.references, fk.referenced[0])
            for fk in keys
            if fk.table == table and len(fk.columns) == 1
        }
        parent_values = {
            column: [
                str(r[0])
                for r in session.rows(
                    f"SELECT {quote(col, session.dialect)} FROM {quote(ref, session.dialect)} LIMIT 1000", ()
                )
            ]
            for column, (ref, col) in references.items()
        }
        cols = [c for c in info[table] if c.default != "auto"]
        if not cols:
            notes.append(f"`{table}`: every column is generated; no rows written")
            continue
        missing = [
            c.name
            for c in cols
            if not c.nullable and c.default != "value" and not _supported(c) and c.name not in parent_values
        ]
        if missing:
            notes.append(f"`{table}`: no synthetic value for the type of `{missing[0]}`; no rows written")
            continue
        rows = [
            tuple(
                _value(c, i, unique.get(table, set()), parent_values.get(c.name), facts, table) for c in cols
            )
            for i in range(count)
        ]
        written[table] = _insert(session, table, [c.name for c in cols], rows)
        if written[table] < count:
            notes.append(
                f"`{table}`: {count - written[table]} of {count} synthetic rows refused by its constraints"
            )
    return written, notes


def _row_count(table: str, facts: Facts | None, default: int, max_rows: int) -> int:
    found = facts.table(table) if facts is not None else None
    if found is None or found.rows <= 0:
        return default
    return max(default, min(max_rows, found.rows // 1000))  # production's rows, scaled down a thousandfold


def _parents_first(tables: list[str], keys: list[ForeignKey], info: dict[str, Any]) -> list[str]:
    order: list[str] = []

    def visit(table: str, path: tuple[str, ...]) -> None:
        if table in order or table in path or table not in info:
            return
        for fk in keys:
            if fk.table == table and fk.references != table:
                visit(fk.references, (*path, table))
        order.append(table)

    for table in tables:
        visit(table, ())
    return order


def _insert(session: Session, table: str, names: list[str], rows: list[tuple[str | None, ...]]) -> int:
    if session.dialect == "postgres":
        try:
            session.copy(table, names, rows)  # one COPY: all or nothing
            return len(rows)
        except ShadowError:
            pass  # a row the schema refuses: row by row below keeps the others
    q = session.dialect
    marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    head = f"INSERT INTO {quote(table, q)} ({', '.join(quote(n, q) for n in names)}) VALUES "
    written = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        params = tuple(v for row in batch for v in row)
        try:
            session.rows(head + ", ".join([marks] * len(batch)), params)
            written += len(batch)
            continue
        except ShadowError:
            pass
        for row in batch:  # the batch was refused: keep the rows the server accepts
            try:
                session.rows(head + marks, row)
                written += 1
            except ShadowError:
                continue
    return written


_INT = {
    "smallint": 32767,
    "int2": 32767,
    "integer": 2147483647,
    "int": 2147483647,
    "int4": 2147483647,
    "bigint": 9223372036854775807,
    "int8": 9223372036854775807,
    "mediumint": 8388607,
    "tinyint": 127,
}
_TEXT = ("", "a", "dup", "dup", "Ünïcödé ✓", "O'Brien", " padded ", "NULL", "x" * 300)


def _supported(column: ColumnInfo) -> bool:
    return column.enum != () or _kind(column.type) != ""


@functools.cache
def _kind(type_: str) -> str:
    t = type_.lower()
    if t.endswith("[]"):
        return "array"
    if t.startswith("tinyint(1)") or t.startswith("bool"):
        return "bool"
    base = re.split(r"[\s(]", t, maxsplit=1)[0]
    if base in _INT or base in ("serial", "bigserial", "smallserial"):
        return "int"
    if base in ("numeric", "decimal"):
        return "decimal"
    if base in ("real", "double", "float", "float4", "float8"):
        return "float"
    if base in (
        "character",
        "char",
        "varchar",
        "text",
        "citext",
        "tinytext",
        "mediumtext",
        "longtext",
        "bpchar",
    ) or t.startswith("character varying"):
        return "text"
    if base == "date":
        return "date"
    if base in ("timestamp", "datetime"):
        return "timestamp"
    if base in ("time",):
        return "time"
    if base in ("json", "jsonb"):
        return "json"
    if base == "uuid":
        return "uuid"
    if base in ("bytea", "blob", "binary", "varbinary", "longblob", "mediumblob", "tinyblob"):
        return "bytes"
    if base == "interval":
        return "interval"
    if base in ("inet", "cidr"):
        return "inet"
    return ""


@functools.cache
def _length(type_: str) -> int | None:
    match = re.search(r"\((\d+)\)", type_)
    return int(match.group(1)) if match and _kind(type_) == "text" else None


def _value(
    column: ColumnInfo,
    i: int,
    unique: set[str],
    parents: list[str] | None,
    facts: Facts | None,
    table: str,
) -> str | None:
    is_unique = column.name in unique
    if parents is not None:
        if column.nullable and (i % 7 == 3 or not parents):
            return None
        return parents[i % len(parents)] if parents else None
    known = facts.column(table, column.name) if facts is not None else None
    if known is not None and not is_unique:
        choice = _from_facts(known.values, known.null_share, i)
        if choice is not _NO_FACT:
            return (
                None
                if choice is None and column.nullable
                else (str(choice) if choice is not None else _edge(column, i, is_unique))
            )
    if column.nullable and not is_unique and i % 5 == 4:
        return None
    return _edge(column, i, is_unique)


_NO_FACT = object()


def _from_facts(values: Any, null_share: float, i: int) -> Any:
    """The i-th value of a sequence following the production shares (NULLs included)."""
    listed = [(v.value, v.share) for v in values if not v.hidden]
    total = sum(s for _, s in listed) + null_share
    if total <= 0:
        return _NO_FACT
    point = ((i * 0.6180339887) % 1.0) * max(total, 1.0)
    if point < null_share:
        return None
    point -= null_share
    for value, share in listed:
        if point < share:
            return value
        point -= share
    return _NO_FACT


def _edge(column: ColumnInfo, i: int, unique: bool) -> str | None:
    if column.enum:
        return column.enum[i % len(column.enum)]
    kind = _kind(column.type)
    t = column.type.lower()
    if kind == "int":
        if unique:
            return str(i + 1)
        top = _INT.get(re.split(r"[\s(]", t, maxsplit=1)[0], 2147483647)
        unsigned = "unsigned" in t
        edges = [0, 1, 1, 42, top, -1 if not unsigned else 2, -top if not unsigned else 3]
        return str(edges[i % len(edges)])
    if kind == "bool":
        truth = i % 2 == 0
        return ("1" if truth else "0") if t.startswith("tinyint") else ("true" if truth else "false")
    if kind == "decimal":
        match = re.search(r"\((\d+)\s*,\s*(\d+)\)", t)
        precision, scale = (int(match.group(1)), int(match.group(2))) if match else (12, 2)
        highest = Decimal(10) ** (precision - scale) - 1
        numbers: list[Decimal] = [Decimal(0), Decimal("1.5"), Decimal("1.5"), highest, -highest, Decimal(i)]
        value = numbers[i % len(numbers)] if not unique else Decimal(i + 1)
        return str(value.quantize(Decimal(1).scaleb(-scale)) if scale else int(value))
    if kind == "float":
        return str([0.0, -1.5, 1.5, 1e10, 3.25][i % 5] if not unique else float(i + 1))
    if kind == "text":
        limit = _length(t)
        text = f"v{i}" if unique else _TEXT[i % len(_TEXT)]
        return text[:limit] if limit is not None else text
    if kind == "date":
        return (
            f"{2000 + i % 30:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            if unique
            else ["1970-01-02", "2000-02-29", "2000-02-29", "2037-12-31"][i % 4]
        )
    if kind == "timestamp":
        if unique:
            return (
                "2001-01-01 00:00:00"
                if i == 0
                else f"2001-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}"
            )
        return ["1970-01-02 00:00:00", "2000-02-29 12:34:56", "2000-02-29 12:34:56", "2037-12-31 23:59:59"][
            i % 4
        ]
    if kind == "time":
        return ["00:00:00", "23:59:59", "12:00:00"][i % 3]
    if kind == "json":
        return (
            ["{}", "[]", '{"a": 1}', '{"a": 1}', "null", '"text"'][i % 6] if not unique else f'{{"i": {i}}}'
        )
    if kind == "uuid":
        return str(uuid.UUID(int=i + 1))
    if kind == "bytes":
        return ["", "\\x00ff"][i % 2] if not unique else f"\\x{i:08x}"
    if kind == "interval":
        return ["0", "1 day", "-1 hour"][i % 3]
    if kind == "inet":
        return ["127.0.0.1", "10.0.0.1", "::1"][i % 3]
    if kind == "array":
        return "{}"
    return None
