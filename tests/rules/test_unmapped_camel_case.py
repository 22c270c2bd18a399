"""A snake case column's camelCase spelling in script code is not the column when nothing maps one to the other.

chatbot-ui (Supabase: plain SQL migrations, supabase-js returns rows as the database names them) dropped
`tools.request_in_body`; its OpenAPI conversion's own field `requestInBody` was counted as two places of
production code still using the column (critical). With a setting that maps every camelCase field to a snake
case column (Drizzle's `casing: "snake_case"`, Kysely's CamelCasePlugin), the camelCase field is the column."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [("tools", "request_in_body", "requestInBody"), ("orders", "legacy_status", "legacyStatus")]
SETTINGS = [
    'export const db = drizzle(pool, { casing: "snake_case" });\n',
    "export const db = new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()] });\n",
]


def _dropped(table: str, column: str, code: dict[str, str]) -> Finding:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} boolean);\n-- migration\n"
    sql += f"ALTER TABLE {table} DROP COLUMN {column};"
    result = review_sql(sql, path="supabase/migrations/20240213040255_drop.sql", head=code)
    return next(f for f in result.findings if f.rule == "column-dropped")


@pytest.mark.parametrize(("table", "column", "camel"), NAMES)
def test_a_camel_case_field_of_the_code_is_not_an_unmapped_column(
    table: str, column: str, camel: str
) -> None:
    code = {
        "lib/openapi-conversion.ts": f"export interface Route {{\n  path: string\n  {camel}?: boolean\n}}\n",
        "app/api/route.ts": f"const body = route.{camel} ? payload : undefined\n",
    }
    finding = _dropped(table, column, code)
    assert finding.severity != "critical"
    assert not finding.references


@pytest.mark.parametrize(("table", "column", "camel"), NAMES)
def test_the_snake_case_name_in_script_code_still_uses_it(table: str, column: str, camel: str) -> None:
    code = {"app/api/route.ts": f"const {{ data }} = await supabase.from('{table}').select('id, {column}')\n"}
    finding = _dropped(table, column, code)
    assert finding.severity == "critical"
    assert [r.path for r in finding.references] == ["app/api/route.ts"]


@pytest.mark.parametrize(("table", "column", "camel"), NAMES)
@pytest.mark.parametrize("setting", SETTINGS)
def test_under_a_setting_that_maps_every_field_the_camel_case_name_is_the_column(
    table: str, column: str, camel: str, setting: str
) -> None:
    code = {"src/db.ts": setting, "app/api/route.ts": f"const flag = row.{camel}\n"}
    finding = _dropped(table, column, code)
    assert "app/api/route.ts" in [r.path for r in finding.references]
