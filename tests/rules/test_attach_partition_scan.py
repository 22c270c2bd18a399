"""`attach-partition-scan`: attaching a partition with rows scans it under ACCESS EXCLUSIVE unless a validated
CHECK proves its bounds; a partition the change creates is quiet; before PostgreSQL 12 the parent is locked too."""

from __future__ import annotations

import pytest

from bot.model.config import Config
from tests.conftest import review_sql

NAMES = [("readings", "readings_2026", "taken_at"), ("orders", "orders_eu", "placed_at")]


def _schema(parent: str, part: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint, {key} timestamptz NOT NULL) PARTITION BY RANGE ({key});\n"
        f"CREATE TABLE {part} (id bigint, {key} timestamptz NOT NULL);\n"
    )


def _attach(parent: str, part: str) -> str:
    return f"ALTER TABLE {parent} ATTACH PARTITION {part} FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"


def _found(sql: str, config: Config | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, config=config).active if f.rule == "attach-partition-scan"]


@pytest.mark.parametrize(("parent", "part", "key"), NAMES)
def test_attaching_a_partition_with_rows_scans_it_under_lock(parent: str, part: str, key: str) -> None:
    [finding] = _found(_schema(parent, part, key) + "-- migration\n" + _attach(parent, part))
    assert finding.severity.value == "warning" and f"`{part}`" in finding.message


@pytest.mark.parametrize(("parent", "part", "key"), NAMES)
def test_before_postgresql_12_the_parent_is_locked_too(parent: str, part: str, key: str) -> None:
    sql = _schema(parent, part, key) + "-- migration\n" + _attach(parent, part)
    [finding] = _found(sql, Config(database_version=11))
    assert finding.severity.value == "critical" and f"all of `{parent}`" in finding.message


@pytest.mark.parametrize(("parent", "part", "key"), NAMES)
def test_a_validated_check_or_a_new_partition_is_quiet(parent: str, part: str, key: str) -> None:
    checked = (
        _schema(parent, part, key)
        + f"ALTER TABLE {part} ADD CONSTRAINT {part}_bounds CHECK ({key} >= '2026-01-01' AND {key} < '2027-01-01') NOT VALID;\n"
        + f"ALTER TABLE {part} VALIDATE CONSTRAINT {part}_bounds;\n-- migration\n"
        + _attach(parent, part)
    )
    assert not _found(checked)
    assert not _found(
        f"CREATE TABLE {parent} (id bigint, {key} timestamptz NOT NULL) PARTITION BY RANGE ({key});\n-- migration\n"
        f"CREATE TABLE {part} (id bigint, {key} timestamptz NOT NULL);\n" + _attach(parent, part)
    )


@pytest.mark.parametrize(("parent", "part", "key"), NAMES)
def test_a_check_still_not_valid_proves_nothing(parent: str, part: str, key: str) -> None:
    sql = (
        _schema(parent, part, key)
        + f"ALTER TABLE {part} ADD CONSTRAINT {part}_bounds CHECK ({key} >= '2026-01-01') NOT VALID;\n-- migration\n"
        + _attach(parent, part)
    )
    assert len(_found(sql)) == 1
