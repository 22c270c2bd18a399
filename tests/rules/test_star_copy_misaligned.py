"""`star-copy-misaligned`: `INSERT … SELECT *` pairs columns by position; where the two tables list them in
another order (one re-created by hand, a column added later to one), values land in the wrong columns. Quiet
when the columns are named, or when both tables list the same columns in the same order (a renamed column
keeps its place)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.test_data_expressions import _alembic, _flyway, _knex, _rails

NAMES = [
    ("people", "first_name", "last_name"),
    ("shipments", "sent_at", "received_at"),
    ("ledger", "debit", "credit"),
]


def _found(framework, schema: str, sql: str) -> list:  # type: ignore[no-untyped-def]
    path, text = framework(sql)
    result = review_sql(text, path=path, base={"db/structure.sql": schema})
    return [f for f in result.active if f.rule == "star-copy-misaligned"]


def _schema(t: str, a: str, b: str, archive_order: tuple[str, str]) -> str:
    first, second = archive_order
    return (
        f"CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text, {b} text);\n"
        f"CREATE TABLE {t}_archive (id bigint PRIMARY KEY, {first} text, {second} text);\n"
    )


@pytest.mark.parametrize(("t", "a", "b"), NAMES)
@pytest.mark.parametrize("framework", [_flyway, _alembic, _rails, _knex])
def test_a_star_copy_between_tables_in_another_order(framework, t, a, b) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(t, a, b, (b, a))
    for sql in (
        f"INSERT INTO {t}_archive SELECT * FROM {t} WHERE id < 1000;",
        f"INSERT INTO {t}_archive SELECT p.* FROM {t} p;",
    ):
        [finding] = _found(framework, schema, sql)
        assert f"`{t}.{a}` into `{t}_archive.{b}`" in finding.message and finding.severity.value == "critical"
    named = f"INSERT INTO {t}_archive (id, {a}, {b}) SELECT id, {a}, {b} FROM {t} WHERE id < 1000;"
    assert not _found(framework, schema, named)
    assert not _found(framework, _schema(t, a, b, (a, b)), f"INSERT INTO {t}_archive SELECT * FROM {t};")


@pytest.mark.parametrize(("t", "a", "b"), NAMES)
def test_a_column_added_later_goes_last(t, a, b) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text);\nALTER TABLE {t} ADD COLUMN {b} text;\n"
        f"CREATE TABLE {t}_archive (id bigint PRIMARY KEY, {b} text, {a} text);\n"
    )
    assert _found(_flyway, schema, f"INSERT INTO {t}_archive SELECT * FROM {t};")


@pytest.mark.parametrize(("t", "a", "b"), NAMES)
def test_a_renamed_column_keeps_its_place(t, a, b) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {t} (id bigint PRIMARY KEY, old_{a} text, {b} text);\n"
        f"ALTER TABLE {t} RENAME COLUMN old_{a} TO {a};\n"
        f"CREATE TABLE {t}_archive (id bigint PRIMARY KEY, {a} text, {b} text);\n"
    )
    assert not _found(_flyway, schema, f"INSERT INTO {t}_archive SELECT * FROM {t};")


@pytest.mark.parametrize(("t", "a", "b"), NAMES)
@pytest.mark.parametrize("framework", [_flyway, _rails])
def test_a_select_that_names_its_columns_in_another_order(framework, t, a, b) -> None:  # type: ignore[no-untyped-def]
    """Without a column list the target's own order counts: `SELECT id, a, b` into a table of (id, b, a) crosses
    them. With a list on both sides, the list counts: a SELECT in another order is a warning."""
    schema = _schema(t, a, b, (b, a))
    (found,) = _found(
        framework, schema, f"INSERT INTO {t}_archive SELECT id, {a}, {b} FROM {t} WHERE id < 1000;"
    )
    assert found.severity == "critical" and f"`{a}` into `{t}_archive.{b}`" in found.message
    (found,) = _found(
        framework,
        schema,
        f"INSERT INTO {t}_archive (id, {a}, {b}) SELECT id, {b}, {a} FROM {t} WHERE id < 1000;",
    )
    assert found.severity == "warning"
    for quiet in (
        f"INSERT INTO {t}_archive SELECT id, {b}, {a} FROM {t} WHERE id < 1000;",  # the archive's order
        f"INSERT INTO {t}_archive (id, {a}, {b}) SELECT id, {a}, {b} FROM {t} WHERE id < 1000;",
        f"INSERT INTO {t}_archive SELECT id, upper({a}), 'x' FROM {t} WHERE id < 1000;",  # unnamed values
        f"INSERT INTO {t}_archive SELECT s.id, s.{a} AS {b}, s.{b} AS {a} FROM {t} s WHERE s.id < 1000;",
    ):
        assert not _found(framework, schema, quiet), quiet
