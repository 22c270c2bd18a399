"""Formbricks dropped `Project.brandColor` (kept in the JSON column `styling` since) and the table `Document`;
trigger.dev dropped its table `Task`. The reviews blocked on keys of the JSON column
(`project.styling.brandColor`, `form.watch("styling.brandColor.light")`) and on words shown to a user,
written as strings of script code (`deleteWhat: "Document"`, `chalkTask("Task")`): Prisma names a table like
its model's class, and a string of that word is a table only where a query builder receives it."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20260101000000_cleanup/migration.sql"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(result: Review, rule: str) -> set[str]:
    return {f"{r.path}:{r.line}" for r in _finding(result, rule).references if "low confidence" not in r.kind}


@pytest.mark.parametrize(
    ("model", "column", "json"),
    [("Project", "brandColor", "styling"), ("Workspace", "accentColor", "theme")],
)
def test_a_key_of_another_json_column_of_the_row_is_no_use_of_the_dropped_column(
    model: str, column: str, json: str
) -> None:
    row = model.lower()
    delegate = model[0].lower() + model[1:]
    schema = f"model {model} {{\n  id String @id\n  {json} Json\n}}\n"
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "{column}" TEXT, "{json}" JSONB);\n-- migration\n'
        f'ALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    page = (
        f"export async function colors(id: string) {{\n"
        f"  const {row} = await prisma.{delegate}.findUnique({{ where: {{ id }} }});\n"
        f"  const light = {row}.{json}.{column}?.light;\n"
        f'  const watched = form.watch("{json}.{column}.light");\n'
        f"  return {{ light, watched }};\n}}\n"
    )
    files = {"prisma/schema.prisma": schema, "src/colors.ts": page}
    assert _places(review_sql(sql, path=MIGRATION, base=files), "column-dropped") == set()
    direct = page.replace(f"{row}.{json}.{column}?.light", f"{row}.{column}")
    found = _places(
        review_sql(sql, path=MIGRATION, base={**files, "src/colors.ts": direct}), "column-dropped"
    )
    assert found == {"src/colors.ts:3"}


@pytest.mark.parametrize("model", ["Document", "Task"])
def test_a_table_named_like_a_class_in_a_string_shown_to_a_user_is_no_use(model: str) -> None:
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "name" TEXT);\n-- migration\nDROP TABLE "{model}";\n'
    )
    labels = (
        "export const stories = {\n"
        f'  deleteWhat: "{model}",\n'
        "};\n"
        "export function banner() {\n"
        f"  logger.log(`${{chalkGrey('Key:')}} ${{chalkTask(\n    \"{model}\"\n  )}}`);\n"
        "}\n"
    )
    files = {
        "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n',
        "src/labels.ts": labels,
    }
    assert _places(review_sql(sql, path=MIGRATION, base=files), "table-dropped") == set()
    builder = (
        'import { db } from "./kysely";\n\n'
        f'export const rows = () => db.selectFrom("{model}").selectAll().execute();\n'
        f'export const spec = {{ table: "{model}" }};\n'
    )
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "src/rows.ts": builder}), "table-dropped")
    assert found == {"src/rows.ts:3", "src/rows.ts:4"}
