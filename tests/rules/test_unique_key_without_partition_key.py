"""unique-key-without-partition-key: PostgreSQL 15 refuses a primary key or unique index of a partitioned table
that leaves out a partition key column, or any on a table partitioned by an expression (shown below); a key that
holds the partition key, and the keys of a table that is not partitioned, are quiet."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Severity
from tests.conftest import refusal, review_sql

RULE = "unique-key-without-partition-key"
NAMES = [("events", "created_at", "event_id"), ("measurements", "taken_on", "reading_id")]


def _schema(table: str, key: str, ident: str, partition: str = "") -> str:
    return (
        f"CREATE TABLE {table} ({ident} bigint NOT NULL, {key} timestamptz NOT NULL, label text) "
        f"PARTITION BY RANGE ({partition or key});\n"
    )


def _found(sql: str) -> list[Any]:
    return [f for f in review_sql(sql, dialect="postgres").active if f.rule == RULE]


@pytest.mark.parametrize(("table", "key", "ident"), NAMES)
def test_a_key_without_the_partition_key_is_refused(table: str, key: str, ident: str, pg: Any) -> None:
    schema = _schema(table, key, ident) + "-- migration\n"
    refused = [
        f"ALTER TABLE {table} ADD PRIMARY KEY ({ident});",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{ident}_key UNIQUE ({ident});",
        f"CREATE UNIQUE INDEX {table}_{ident}_idx ON {table} ({ident});",
        f"CREATE UNIQUE INDEX {table}_{ident}_idx ON ONLY {table} ({ident});",
    ]
    for statement in refused:
        [finding] = _found(schema + statement)
        assert finding.severity is Severity.CRITICAL and f"`{key}`" in finding.message
        assert "must include all partitioning columns" in refusal(pg.execute, schema + statement)
    for statement in (
        f"ALTER TABLE {table} ADD PRIMARY KEY ({ident}, {key});",
        f"CREATE UNIQUE INDEX {table}_{ident}_idx ON ONLY {table} ({key}, {ident});",
        f"CREATE UNIQUE INDEX {table}_label_idx ON {table}_plain (label);",
    ):
        plain = f"CREATE TABLE {table}_plain (label text);\n"
        assert not _found(plain + schema + statement)
        pg.execute(plain + schema.replace("-- migration\n", "") + statement)
        pg.execute(f"DROP TABLE {table}, {table}_plain")


@pytest.mark.parametrize(("table", "key", "ident"), NAMES)
def test_a_partitioned_table_created_with_such_a_key_or_by_an_expression(
    table: str, key: str, ident: str
) -> None:
    created = _schema(table, key, ident).replace(f"{ident} bigint NOT NULL", f"{ident} bigint PRIMARY KEY")
    [finding] = _found(created)
    assert "PRIMARY KEY" in finding.message and f"`{key}`" in finding.message
    assert not _found(
        _schema(table, key, ident).replace(" label text)", f" label text, PRIMARY KEY ({ident}, {key}))")
    )
    by_expression = _schema(table, key, ident, partition="(lower(label))") + "-- migration\n"
    [finding] = _found(by_expression + f"ALTER TABLE {table} ADD PRIMARY KEY ({ident}, label);")
    assert "partitioned by an expression" in finding.message
