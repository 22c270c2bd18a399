"""`non-concurrent-refresh`: a materialized view refreshed without CONCURRENTLY blocks its reads; WITH NO DATA
empties it; CONCURRENTLY, or a view the migration creates itself, is quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

VIEWS = [("user_totals", "events", "user_id"), ("daily_revenue", "orders", "placed_on")]


def _schema(view: str, table: str, column: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint);\n"
        f"CREATE MATERIALIZED VIEW {view} AS SELECT {column}, count(*) AS n FROM {table} GROUP BY {column};\n"
        f"CREATE UNIQUE INDEX {view}_key ON {view} ({column});\n"
    )


def _found(sql: str) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql).active if f.rule == "non-concurrent-refresh"]


@pytest.mark.parametrize(("view", "table", "column"), VIEWS)
def test_a_plain_refresh_blocks_reads_of_the_view(view: str, table: str, column: str) -> None:
    [finding] = _found(_schema(view, table, column) + f"-- migration\nREFRESH MATERIALIZED VIEW {view};")
    assert finding.severity.value == "warning" and f"`{view}`" in finding.blast_radius
    assert finding.suggestion == f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"


@pytest.mark.parametrize(("view", "table", "column"), VIEWS)
def test_with_no_data_empties_the_view(view: str, table: str, column: str) -> None:
    [finding] = _found(
        _schema(view, table, column) + f"-- migration\nREFRESH MATERIALIZED VIEW public.{view} WITH NO DATA;"
    )
    assert finding.severity.value == "critical" and "has not been populated" in finding.blast_radius


@pytest.mark.parametrize(("view", "table", "column"), VIEWS)
def test_a_concurrent_refresh_or_a_new_view_is_quiet(view: str, table: str, column: str) -> None:
    assert not _found(
        _schema(view, table, column) + f"-- migration\nREFRESH MATERIALIZED VIEW CONCURRENTLY {view};"
    )
    assert not _found(f"-- migration\n{_schema(view, table, column)}REFRESH MATERIALIZED VIEW {view};")
