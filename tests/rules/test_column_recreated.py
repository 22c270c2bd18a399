"""column-dropped: a column dropped and added back under the same name by one migration (a retype by drop
and add) starts empty on every row, unless the migration writes the saved values back; and a per-row update
in a loop over those saved rows (`where({ id: row.id })`) reaches one row, not a bulk change."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("status_page", "analytics_type"), ("invoices", "currency_code")]
KNEX = "db/migrations/20260101000000_retype.js"


def _schema(table: str, column: str) -> dict[str, str]:
    return {
        "db/migrations/001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), title text);"
    }


def _knex(table: str, column: str, restore: bool) -> str:
    saved = f'    const rows = await knex("{table}").select("id", "{column}");\n' if restore else ""
    loop = (
        f"    for (const row of rows) {{\n"
        f'        await knex("{table}").where({{ id: row.id }}).update({{ {column}: row.{column} }});\n'
        f"    }}\n"
        if restore
        else ""
    )
    return (
        "exports.up = async function (knex) {\n"
        + saved
        + f'    await knex.schema.alterTable("{table}", (t) => {{ t.dropColumn("{column}"); }});\n'
        + f'    await knex.schema.alterTable("{table}", (t) => {{ t.string("{column}").nullable(); }});\n'
        + loop
        + "};\nexports.down = async function (knex) {};\n"
    )


def _rules(result, rule: str) -> list:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_column_dropped_and_added_again_without_its_values_is_critical(table: str, column: str) -> None:
    for path, text in (
        (KNEX, _knex(table, column, restore=False)),
        (
            "db/migrations/002_retype.sql",
            f"ALTER TABLE {table} DROP COLUMN {column};\nALTER TABLE {table} ADD COLUMN {column} varchar(40);",
        ),
    ):
        result = review_sql(text, path=path, base=_schema(table, column))
        (finding,) = _rules(result, "column-dropped")
        assert finding.severity == "critical", finding.message
        assert f"`{table}.{column}` is dropped and added again" in finding.message
        assert "Every value" in finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_values_written_back_into_the_new_column_keep_the_data(table: str, column: str) -> None:
    result = review_sql(_knex(table, column, restore=True), path=KNEX, base=_schema(table, column))
    assert not _rules(result, "column-dropped"), [f.message for f in result.active]
    # each write of the loop reaches the one row its primary key names
    assert not _rules(result, "unbatched-data-change"), [
        f.message for f in _rules(result, "unbatched-data-change")
    ]
    copied = (
        f"CREATE TABLE {table}_saved AS SELECT id, {column} FROM {table};\n"
        f"ALTER TABLE {table} DROP COLUMN {column};\nALTER TABLE {table} ADD COLUMN {column} varchar(40);\n"
        f"UPDATE {table} SET {column} = s.{column} FROM {table}_saved s WHERE s.id = {table}.id;"
    )
    result = review_sql(copied, path="db/migrations/002_retype.sql", base=_schema(table, column))
    assert not _rules(result, "column-dropped"), [f.message for f in result.active]
    # a constant written into it is no restore
    reset = (
        f"ALTER TABLE {table} DROP COLUMN {column};\nALTER TABLE {table} ADD COLUMN {column} varchar(40);\n"
        f"UPDATE {table} SET {column} = 'none';"
    )
    assert _rules(
        review_sql(reset, path="db/migrations/002_retype.sql", base=_schema(table, column)), "column-dropped"
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_bulk_knex_update_by_a_value_that_is_not_a_key_is_still_reported(table: str, column: str) -> None:
    text = (
        "exports.up = async function (knex) {\n"
        f'    const legacy = await knex("settings").first("value");\n'
        f'    await knex("{table}").where({{ {column}: legacy.value }}).update({{ title: "x" }});\n'
        "};\nexports.down = async function (knex) {};\n"
    )
    result = review_sql(text, path=KNEX, base=_schema(table, column))
    assert _rules(result, "unbatched-data-change")
