"""What the database already knows, read from its catalogs before any scan.

PostgreSQL: `pg_class.reltuples` and the relation size, `pg_stat_user_tables` for when it was analyzed,
`pg_stats` for `null_frac`, `n_distinct`, `most_common_vals` and `most_common_freqs`. MySQL and MariaDB:
`information_schema.TABLES` (row estimate and size) and, on MySQL 8, the singleton histograms of
`information_schema.COLUMN_STATISTICS`. The catalog queries are fixed text with bound parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.probe.session import ProbeError, Session


@dataclass(frozen=True)
class TableStats:
    rows: int  # -1: never analyzed
    bytes: int | None
    analyzed_at: str | None


@dataclass(frozen=True)
class ColumnStats:
    null_frac: float
    n_distinct: float
    values: tuple[tuple[str | None, float], ...]  # most common values and their frequencies


def default_schema(session: Session) -> str:
    sql = "SELECT current_schema()" if session.dialect == "postgres" else "SELECT DATABASE()"
    rows = session.fetch(sql, "the connection's default schema")
    if not rows or rows[0][0] is None:
        raise ProbeError("the connection has no default schema or database")
    return str(rows[0][0])


def columns(session: Session, schema: str, table: str) -> dict[str, str]:
    """Column name → its collation ("" when none): a collation ending in `_ci` compares without case."""
    rows = session.fetch(
        "SELECT column_name, collation_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s",
        f"the columns of {schema}.{table}",
        (schema, table),
    )
    return {str(name): str(collation or "") for name, collation in rows}


def foreign_key(session: Session, schema: str, table_name: str, name: str) -> tuple[str, str, str] | None:
    """(schema, table, column) the single-column foreign key on `table.name` references, from the catalog."""
    if session.dialect == "postgres":
        sql = (
            "SELECT rn.nspname, rc.relname, ra.attname FROM pg_constraint k"
            " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]"
            " JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
            " JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]"
            " WHERE k.contype = 'f' AND cardinality(k.conkey) = 1"
            " AND n.nspname = %s AND c.relname = %s AND a.attname = %s ORDER BY k.conname LIMIT 1"
        )
    else:
        sql = (
            "SELECT REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME"
            " FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s"
            " AND COLUMN_NAME = %s AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME LIMIT 1"
        )
    rows = session.fetch(sql, f"the foreign key of {schema}.{table_name}.{name}", (schema, table_name, name))
    return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None


def table(session: Session, schema: str, name: str) -> TableStats | None:
    if session.dialect == "postgres":
        rows = session.fetch(
            "SELECT c.reltuples::bigint, pg_total_relation_size(c.oid),"
            " to_char(greatest(s.last_analyze, s.last_autoanalyze) AT TIME ZONE 'UTC',"
            ' \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
            " WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p', 'm')",
            f"the size of {schema}.{name} (statistics)",
            (schema, name),
        )
    else:
        rows = session.fetch(
            "SELECT TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH, DATE_FORMAT(UPDATE_TIME, '%%Y-%%m-%%dT%%H:%%i:%%s')"
            " FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
            f"the size of {schema}.{name} (statistics)",
            (schema, name),
        )
    if not rows:
        return None
    count, size, analyzed = rows[0]
    return TableStats(
        int(count) if count is not None else -1, int(size) if size is not None else None, analyzed
    )


def column(session: Session, schema: str, table_name: str, name: str) -> ColumnStats | None:
    try:
        if session.dialect == "postgres":
            return _pg_column(session, schema, table_name, name)
        return _mysql_column(session, schema, table_name, name)
    except ProbeError:
        return None  # no statistics (MariaDB has no COLUMN_STATISTICS view): counts decide


def _pg_column(session: Session, schema: str, table_name: str, name: str) -> ColumnStats | None:
    rows = session.fetch(
        "SELECT null_frac, n_distinct, most_common_vals::text::text[], most_common_freqs"
        " FROM pg_stats WHERE schemaname = %s AND tablename = %s AND attname = %s",
        f"the statistics of {schema}.{table_name}.{name}",
        (schema, table_name, name),
    )
    if not rows:
        return None
    null_frac, n_distinct, values, freqs = rows[0]
    pairs = tuple(zip(values or [], [float(f) for f in freqs or []], strict=False))
    return ColumnStats(float(null_frac or 0), float(n_distinct or 0), pairs)


def _mysql_column(session: Session, schema: str, table_name: str, name: str) -> ColumnStats | None:
    if session.mariadb:
        return _mariadb_column(session, schema, table_name, name)
    rows = session.fetch(
        "SELECT HISTOGRAM FROM information_schema.COLUMN_STATISTICS"
        " WHERE SCHEMA_NAME = %s AND TABLE_NAME = %s AND COLUMN_NAME = %s",
        f"the histogram of {schema}.{table_name}.{name}",
        (schema, table_name, name),
    )
    if not rows:
        return None
    histogram: dict[str, Any] = json.loads(rows[0][0])
    if histogram.get("histogram-type") != "singleton":
        return ColumnStats(float(histogram.get("null-values", 0)), 0.0, ())
    pairs, previous = [], 0.0
    for value, cumulative in histogram.get("buckets", []):
        pairs.append((_histogram_value(value), float(cumulative) - previous))
        previous = float(cumulative)
    return ColumnStats(float(histogram.get("null-values", 0)), float(len(pairs)), tuple(pairs))


def _histogram_value(value: Any) -> str:
    text = str(value)
    if text.startswith("base64:type"):  # strings are stored as base64:type254:…
        import base64

        return base64.b64decode(text.split(":", 2)[2]).decode("utf-8", errors="replace")
    return text


def _mariadb_column(session: Session, schema: str, table_name: str, name: str) -> ColumnStats | None:
    """Engine-independent statistics (ANALYZE TABLE … PERSISTENT FOR ALL); values from JSON histograms."""
    rows = session.fetch(
        "SELECT nulls_ratio, avg_frequency, hist_type, histogram FROM mysql.column_stats"
        " WHERE db_name = %s AND table_name = %s AND column_name = %s",
        f"the statistics of {schema}.{table_name}.{name}",
        (schema, table_name, name),
    )
    if not rows:
        return None
    nulls, frequency, kind, histogram = rows[0]
    pairs: list[tuple[str | None, float]] = []
    if kind == "JSON_HB" and histogram:
        text = histogram.decode() if isinstance(histogram, bytes) else str(histogram)
        for bucket in json.loads(text).get("histogram_hb", []):
            if bucket.get("ndv") == 1:  # a bucket of one value: its share of the non-NULL rows
                pairs.append(
                    (str(bucket.get("start")), float(bucket.get("size", 0)) * (1 - float(nulls or 0)))
                )
    distinct = -(1 - float(nulls or 0)) / float(frequency) if frequency else 0.0  # a fraction, as pg_stats
    return ColumnStats(float(nulls or 0), distinct, tuple(pairs))
