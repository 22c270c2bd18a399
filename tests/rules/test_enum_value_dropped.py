"""A text column moved onto an enum type that lacks values the column holds."""

from __future__ import annotations

import pytest

TEXT_TO_ENUM = [
    ("tickets", "status", "ticket_status", "Ticket", "STATUSES"),
    ("shipments", "carrier", "carrier_kind", "Shipment", "CARRIERS"),
]


@pytest.mark.parametrize(("table", "column", "enum", "model", "constant"), TEXT_TO_ENUM)
def test_a_text_column_moved_onto_an_enum_that_lacks_values_it_holds(
    table: str, column: str, enum: str, model: str, constant: str
) -> None:
    """Rows the migrations seeded with a value the new enum lacks fail the cast (critical); a value only the
    code defines for the column is a warning; an enum with every value, or a USING that maps them, is quiet."""
    from tests.conftest import review_sql

    def found(labels: str, seeds: str, using: str = "") -> list:  # type: ignore[type-arg]
        base = {
            "db/migrations/0001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n"
            + (f"INSERT INTO {table} (id, {column}) VALUES {seeds};\n" if seeds else ""),
            f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n  {constant} = %w[a b c d].freeze\nend\n",
        }
        cast = using or f"{column}::{enum}"
        sql = f"CREATE TYPE {enum} AS ENUM ({labels});\nALTER TABLE {table} ALTER COLUMN {column} TYPE {enum} USING {cast};\n"
        result = review_sql(sql, path="db/migrations/0002_enum.sql", base=base)
        return [f for f in result.active if f.rule == "enum-value-dropped"]

    [seeded] = found("'a', 'b'", "(1, 'a'), (2, 'c')")
    assert seeded.severity.value == "critical" and "'c'" in seeded.message
    [code] = found("'a', 'b'", "")
    assert code.severity.value == "warning" and "'c', 'd'" in code.message and constant in code.message
    assert not found("'a', 'b', 'c', 'd'", "(1, 'a'), (2, 'c')")
    mapped = f"(CASE {column} WHEN 'c' THEN 'a' WHEN 'd' THEN 'b' ELSE {column} END)::{enum}"
    assert not found("'a', 'b'", "(1, 'a'), (2, 'c')", mapped)
