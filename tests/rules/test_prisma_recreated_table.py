"""A table dropped and created again under its Prisma model's name (cal.com #14263 moved
`platform_authorization_token` to `"PlatformAuthorizationToken"` by removing the model's `@@map`): the
client's delegate `prisma.platformAuthorizationToken` of the head reads the new table. It was counted as
three places still using the dropped one, a blocking finding. A delegate of a model that still maps the
dropped table is a use, and blocks."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20240101000000_change/migration.sql"


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "table-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


@pytest.mark.parametrize(
    ("model", "table"),
    [("PlatformAuthorizationToken", "platform_authorization_token"), ("AccessGrant", "access_grants")],
)
def test_the_delegate_of_the_model_that_maps_the_new_table_is_not_the_dropped_one(
    model: str, table: str
) -> None:
    delegate = model[0].lower() + model[1:]
    code = (
        "export class TokensRepository {\n"
        f"  create(userId: number) {{\n    return this.prisma.{delegate}.create({{ data: {{ userId }} }});\n  }}\n"
        "}\n"
    )
    before = f"CREATE TABLE {table} (id text PRIMARY KEY, user_id int);\n-- migration\n"
    change = (
        f'CREATE TABLE "{model}" (id text PRIMARY KEY, "userId" int);\n'
        f'INSERT INTO "{model}" SELECT id, user_id FROM {table};\nDROP TABLE {table};'
    )
    moved = f"model {model} {{\n  id     String @id\n  userId Int\n}}\n"
    result = review_sql(
        before + change,
        path=MIGRATION,
        base={"src/tokens.repository.ts": code},
        head={"prisma/schema.prisma": moved},
    )
    assert "src/tokens.repository.ts:3" not in _places(_dropped(result))
    assert _dropped(result).severity is not Severity.CRITICAL
    kept = (
        f'model {model} {{\n  id     String @id\n  userId Int    @map("user_id")\n\n  @@map("{table}")\n}}\n'
    )
    still = review_sql(
        before + f"DROP TABLE {table};",
        path=MIGRATION,
        base={"src/tokens.repository.ts": code},
        head={"prisma/schema.prisma": kept},
    )
    assert "src/tokens.repository.ts:3" in _places(_dropped(still))
    assert _dropped(still).severity is Severity.CRITICAL
