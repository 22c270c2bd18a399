"""concurrently-refused: CONCURRENTLY where PostgreSQL refuses it (a partitioned table's index, a concurrent
refresh of a materialized view without a unique index); and a materialized view's index blocks no writes."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "concurrently-refused"


def _rules(sql: str) -> set[str]:
    return {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "column"), [("events", "kind"), ("measurements", "sensor_id")])
def test_a_concurrent_index_on_a_partitioned_table_fails(table, column) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint, at timestamptz NOT NULL, {column} text) PARTITION BY RANGE (at);\n"
        f"CREATE TABLE {table}_2024 PARTITION OF {table} FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
        "-- migration\n"
    )
    assert RULE in _rules(schema + f"CREATE INDEX CONCURRENTLY {table}_{column}_idx ON {table} ({column});")
    assert RULE not in _rules(
        schema + f"CREATE INDEX CONCURRENTLY {table}_2024_{column}_idx ON {table}_2024 ({column});"
    )
    assert RULE not in _rules(schema + f"CREATE INDEX {table}_{column}_idx ON ONLY {table} ({column});")


@pytest.mark.parametrize(("view", "key"), [("user_counts", "name"), ("daily_sales", "day")])
def test_a_concurrent_refresh_needs_a_unique_index(view, key) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE facts (id bigint PRIMARY KEY, {key} text);\n"
        f"CREATE MATERIALIZED VIEW {view} AS SELECT {key}, count(*) AS n FROM facts GROUP BY {key};\n-- migration\n"
    )
    refresh = f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view};"
    assert RULE in _rules(schema + refresh)
    partial = f"CREATE UNIQUE INDEX {view}_key ON {view} ({key}) WHERE n > 1;\n"
    assert RULE in _rules(schema + partial + refresh)
    unique = f"CREATE UNIQUE INDEX {view}_key ON {view} ({key});\n"
    found = _rules(schema + unique + refresh)
    assert RULE not in found and "non-concurrent-index" not in found  # nothing writes a materialized view


def test_what_postgresql_refuses(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at)")
    pg.execute("CREATE TABLE facts (id bigint PRIMARY KEY, name text)")
    pg.execute("CREATE MATERIALIZED VIEW name_counts AS SELECT name, count(*) FROM facts GROUP BY name")
    # the connection is in autocommit: each statement runs alone, as CONCURRENTLY requires
    with pytest.raises(Exception, match="partitioned table"):
        pg.execute("CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind)")
    with pytest.raises(Exception, match="concurrently"):
        pg.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY name_counts")
    pg.execute("CREATE UNIQUE INDEX name_counts_name ON name_counts (name)")
    pg.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY name_counts")
