"""A type whose name is quoted keeps its case in PostgreSQL (`"OrderStatus"` is not `orderstatus`): the type
rules name it as the database keeps it, find its labels, and know that nothing converts to it without USING."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.conftest import review_sql

NAMES = [("OrderStatus", "Order", "status"), ("PaymentKind", "Payment", "kind")]


def _schema(enum: str, table: str, column: str) -> str:
    return (
        f"CREATE TYPE \"{enum}\" AS ENUM ('open', 'paid');\n"
        f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, {column} text, state "{enum}");\n-- migration\n'
    )


def _messages(sql: str) -> dict[str, str]:
    return {f.rule: f.message for f in review_sql(sql).active}


@pytest.mark.parametrize(("enum", "table", "column"), NAMES)
def test_a_type_change_names_the_quoted_type_as_written(enum: str, table: str, column: str) -> None:
    found = _messages(
        _schema(enum, table, column)
        + f'ALTER TABLE "{table}" ALTER COLUMN {column} TYPE "{enum}" USING {column}::"{enum}";'
    )
    assert f"to `{enum}`" in found["type-change-rewrite"], found
    assert enum.lower() not in " ".join(found.values())
    back = _messages(_schema(enum, table, column) + f'ALTER TABLE "{table}" ALTER COLUMN state TYPE text;')
    assert f"from `{enum}` to `text`" in back["type-change-rewrite"]


@pytest.mark.parametrize(("enum", "table", "column"), NAMES)
def test_nothing_converts_to_an_enum_without_using(enum: str, table: str, column: str, pg: Any) -> None:
    """PostgreSQL has no automatic cast to an enum type, from a string or from another enum; from an enum to
    text it has one."""
    schema = _schema(enum, table, column)
    bad = f'ALTER TABLE "{table}" ALTER COLUMN {column} TYPE "{enum}";'
    [fix] = [f.fix for f in review_sql(schema + bad).active if f.rule == "type-change-without-using"]
    assert f'USING {column}::"{enum}"' in fix
    pg.execute(schema.replace("-- migration\n", ""))
    with pytest.raises(psycopg.errors.DatatypeMismatch):
        pg.execute(bad)
    for good in (
        f'ALTER TABLE "{table}" ALTER COLUMN {column} TYPE "{enum}" USING {column}::"{enum}";',
        f'ALTER TABLE "{table}" ALTER COLUMN state TYPE text;',
    ):
        assert "type-change-without-using" not in _messages(schema + good), good
        pg.execute(good)


@pytest.mark.parametrize(("enum", "table", "column"), NAMES)
def test_the_labels_of_a_quoted_enum_are_found(enum: str, table: str, column: str) -> None:
    schema = _schema(enum, table, column)
    found = _messages(schema + f"UPDATE \"{table}\" SET state = 'refunded' WHERE id = 7;")
    assert f'enum type `"{enum}"` refuses' in found["value-not-allowed"], found
    assert "value-not-allowed" not in _messages(
        schema + f"UPDATE \"{table}\" SET state = 'paid' WHERE id = 7;"
    )


@pytest.mark.parametrize(("enum", "table", "column"), NAMES)
def test_a_renamed_label_names_the_quoted_enum_as_written(enum: str, table: str, column: str) -> None:
    found = _messages(
        _schema(enum, table, column) + f"ALTER TYPE \"{enum}\" RENAME VALUE 'open' TO 'opened';"
    )
    assert f"Enum `{enum}` value `open`" in found["enum-value-renamed"], found
    plain = _messages(
        _schema(enum, table, column).replace(f'"{enum}"', enum)
        + f"ALTER TYPE {enum} RENAME VALUE 'open' TO 'opened';"
    )
    assert f"Enum `{enum.lower()}` value `open`" in plain["enum-value-renamed"], plain
