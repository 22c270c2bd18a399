"""`table-renamed` and `column-renamed` for a Prisma schema that maps the model to the new table (`@@map`) or the
field to the new column (`@map`): the client's queries (`prisma.user.findMany`, `select: { email: true }`) follow
the mapping, so they are no code that still uses the old name; the release still running during the deploy does,
which makes the rename a warning. Raw SQL that names the old table or column still breaks, and a rename the
schema does not follow is judged as before."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [
    ("User", "users", "email", "email_address", "user"),
    ("Invoice", "invoices", "total", "amount", "invoice"),
]
LOCK = {"prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n'}


def _schema(model: str, field: str, table_map: str = "", column_map: str = "") -> str:
    mapped = f' @map("{column_map}")' if column_map else ""
    table = f'\n  @@map("{table_map}")' if table_map else ""
    return (
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
        f"model {model} {{\n  id Int @id @default(autoincrement())\n  {field} String{mapped}{table}\n}}\n"
    )


def _found(rule: str, model: str, field: str, sql: str, head_schema: str, code: str) -> list:  # type: ignore[type-arg]
    init = f'CREATE TABLE "{model}" ("id" SERIAL NOT NULL, "{field}" TEXT NOT NULL, PRIMARY KEY ("id"));\n'
    base = {
        "prisma/schema.prisma": _schema(model, field),
        "prisma/migrations/20240101000000_init/migration.sql": init,
        "src/repository.ts": code,
        **LOCK,
    }
    result = review_sql(
        sql,
        path="prisma/migrations/20240601000000_rename/migration.sql",
        base=base,
        head={"prisma/schema.prisma": head_schema},
    )
    return [f for f in result.active if f.rule == rule]


def _client(delegate: str, field: str) -> str:
    return f"export const all = (p) => p.{delegate}.findMany({{ select: {{ {field}: true }} }});\n"


@pytest.mark.parametrize(("model", "table", "field", "column", "delegate"), NAMES)
def test_a_table_the_model_maps_again_is_left_only_by_the_running_release(
    model: str, table: str, field: str, column: str, delegate: str
) -> None:
    sql = f'ALTER TABLE "{model}" RENAME TO "{table}";\n'
    mapped = _schema(model, field, table_map=table)
    [finding] = _found("table-renamed", model, field, sql, mapped, _client(delegate, field))
    assert finding.severity is Severity.WARNING and not finding.references
    assert f"Prisma model `{model}` to `{table}`" in finding.message
    # raw SQL names the table, whatever the schema maps
    raw = _client(delegate, field) + f'export const n = (p) => p.$queryRaw`SELECT count(*) FROM "{model}"`;\n'
    [finding] = _found("table-renamed", model, field, sql, mapped, raw)
    assert finding.severity is Severity.CRITICAL
    # a rename the schema does not follow: the client still queries the old table
    [finding] = _found("table-renamed", model, field, sql, _schema(model, field), _client(delegate, field))
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize(("model", "table", "field", "column", "delegate"), NAMES)
def test_a_column_the_field_maps_again_is_left_only_by_the_running_release(
    model: str, table: str, field: str, column: str, delegate: str
) -> None:
    sql = f'ALTER TABLE "{model}" RENAME COLUMN "{field}" TO "{column}";\n'
    mapped = _schema(model, field, column_map=column)
    [finding] = _found("column-renamed", model, field, sql, mapped, _client(delegate, field))
    assert finding.severity is Severity.WARNING and not finding.references
    assert f"Prisma field `{model}.{field}` to `{column}`" in finding.message
    [finding] = _found("column-renamed", model, field, sql, _schema(model, field), _client(delegate, field))
    assert finding.severity is Severity.CRITICAL
