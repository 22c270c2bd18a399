"""Langfuse dropped its legacy PostgreSQL `traces` table after moving traces to ClickHouse, whose own
migrations create a `traces` table: the review blocked on 389 places, the ClickHouse queries and the table
names of the ClickHouse code (`clickhouseTable: "traces"`), which name the other database's table. A table
another database of the repository also has is a use of the dropped one only through its model (Prisma's
delegate, `prisma.trace.findMany(…)`), and `this.trace.update(…)`, a member of an object (an SDK's trace),
is no Prisma delegate."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20260101000000_drop_legacy/migration.sql"

_NAMES = pytest.mark.parametrize(
    ("table", "model", "engine_folder"),
    [("traces", "Trace", "clickhouse"), ("sessions", "Session", "clickhouse")],
)


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "table-dropped")


def _places(result: Review) -> set[str]:
    return {f"{r.path}:{r.line}" for r in _dropped(result).references if "low confidence" not in r.kind}


def _files(table: str, model: str, engine_folder: str, *, other_database: bool) -> dict[str, str]:
    delegate = model[0].lower() + model[1:]
    files = {
        "prisma/schema.prisma": f'model {model} {{\n  id String @id\n  name String\n  @@map("{table}")\n}}\n',
        "src/analytics/queries.ts": "export async function rows(client: Client, projectId: string) {\n"
        "  return client.query({\n"
        f'    query: "SELECT id, name FROM {table} WHERE project_id = {{projectId: String}}",\n'
        "  });\n}\n"
        f'export const source = {{ clickhouseTable: "{table}" }};\n',
        "src/agent/run.ts": "export class AgentRun {\n  finish(output: string) {\n"
        f"    this.{delegate}.update({{ output }});\n  }}\n}}\n",
    }
    if other_database:
        files[f"packages/shared/{engine_folder}/migrations/0001_{table}.up.sql"] = (
            f"CREATE TABLE IF NOT EXISTS {table} (id String, name String, project_id String)\n"
            "ENGINE = MergeTree ORDER BY (project_id, id);\n"
        )
    return files


# the change removes the model from the schema with its table
_HEAD = {
    "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
}


def _sql(table: str) -> str:
    return (
        f'CREATE TABLE "{table}" ("id" TEXT PRIMARY KEY, "name" TEXT);\n-- migration\nDROP TABLE "{table}";\n'
    )


@_NAMES
def test_a_table_another_database_also_has_is_named_in_strings_and_sql_for_that_database(
    table: str, model: str, engine_folder: str
) -> None:
    files = _files(table, model, engine_folder, other_database=True)
    result = review_sql(_sql(table), path=MIGRATION, base=files, head=_HEAD)
    assert _places(result) == set()
    assert _dropped(result).severity.value != "critical"


@_NAMES
def test_the_same_strings_and_sql_are_uses_when_no_other_database_has_the_table(
    table: str, model: str, engine_folder: str
) -> None:
    files = _files(table, model, engine_folder, other_database=False)
    assert _places(review_sql(_sql(table), path=MIGRATION, base=files, head=_HEAD)) >= {
        "src/analytics/queries.ts:3",
        "src/analytics/queries.ts:6",
    }


@_NAMES
def test_the_models_delegate_is_a_use_even_when_another_database_has_the_table(
    table: str, model: str, engine_folder: str
) -> None:
    delegate = model[0].lower() + model[1:]
    files = {
        **_files(table, model, engine_folder, other_database=True),
        "src/legacy/list.ts": 'import { prisma } from "@/db";\n\n'
        f"export const list = () => prisma.{delegate}.findMany({{ take: 10 }});\n",
    }
    assert _places(review_sql(_sql(table), path=MIGRATION, base=files, head=_HEAD)) == {
        "src/legacy/list.ts:3"
    }


@_NAMES
def test_a_member_named_like_the_delegate_on_this_is_no_prisma_call(
    table: str, model: str, engine_folder: str
) -> None:
    files = _files(table, model, engine_folder, other_database=False)
    assert "src/agent/run.ts:3" not in _places(
        review_sql(_sql(table), path=MIGRATION, base=files, head=_HEAD)
    )
