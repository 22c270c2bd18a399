"""uptime-kuma renamed `status_page.google_analytics_tag_id` to `analytics_id` (d74963e9f), and the review
blocked it on `db/knex_init_db.js`, which builds a new database's tables with Knex's schema builder
(`knex.schema.createTable("status_page", (table) => { … table.string("google_analytics_tag_id"); })`) before
the migrations run: the column's definition, which the history renames later, not a query of the running
release. A query of the column in the same kind of file is still a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    ("status_page", "google_analytics_tag_id", "analytics_id", "db/knex_init_db.js"),
    ("accounts", "legacy_email", "email_address", "src/database/bootstrap.ts"),
]


def _renamed(table: str, old: str, new: str, head: dict[str, str]) -> list[Finding]:
    sql = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY, title text, {old} text);\n-- migration\n"
        f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
    )
    return [f for f in review_sql(sql, head=head).findings if f.rule == "column-renamed"]


def _knex_init(table: str, old: str) -> str:
    return (
        "async function createTables(knex) {\n"
        f'    await knex.schema.createTable("{table}", (table) => {{\n'
        '        table.increments("id");\n'
        '        table.string("title", 255).notNullable();\n'
        f'        table.string("{old}");\n'
        "    });\n"
        "}\n"
        "module.exports = { createTables };\n"
    )


def _sequelize_init(table: str, old: str) -> str:
    return (
        "export async function up(queryInterface, Sequelize) {\n"
        f"  await queryInterface.createTable('{table}', {{\n"
        "    id: { type: Sequelize.INTEGER, primaryKey: true },\n"
        f"    {old}: {{ type: Sequelize.STRING }},\n"
        "  });\n"
        "}\n"
    )


@pytest.mark.parametrize(("table", "old", "new", "path"), NAMES)
def test_a_table_built_by_a_schema_builder_outside_the_migrations_is_no_use(
    table: str, old: str, new: str, path: str
) -> None:
    init = _knex_init(table, old) if path.endswith(".js") else _sequelize_init(table, old)
    (finding,) = _renamed(table, old, new, {path: init})
    assert finding.severity == "warning" and path not in {r.path for r in finding.references}


@pytest.mark.parametrize(("table", "old", "new", "path"), NAMES)
def test_a_query_of_the_column_beside_the_schema_builder_is_still_a_use(
    table: str, old: str, new: str, path: str
) -> None:
    init = _knex_init(table, old) if path.endswith(".js") else _sequelize_init(table, old)
    query = (
        f'\nasync function titles(knex) {{\n    return knex("{table}").select("title", "{old}");\n}}\n'
        "module.exports.titles = titles;\n"
    )
    (finding,) = _renamed(table, old, new, {path: init + query})
    assert finding.severity == "critical"
    lines = {r.line for r in finding.references if r.path == path}
    assert lines == {init.count("\n") + 3}, finding.references
