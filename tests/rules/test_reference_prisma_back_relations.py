"""rallly moved the key of a user's subscription from `users.subscription_id` to `subscriptions.user_id`
(aebea5a41), and the review counted the User model's `subscription Subscription? @relation("UserToSubscription")`
as a use of the dropped `subscription_id`: a relation field without `fields:` is the other side of the
relation, whose key the other model holds. A relation field that still holds the dropped key is a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
NAMES = [("User", "users", "Subscription", "subscriptions"), ("Account", "accounts", "Plan", "plans")]


def _schema(model: str, table: str, other: str, others: str, *, moved: bool) -> str:
    relation = other.lower()
    key = f"{relation}Id"
    owner = f"{model.lower()}Id"
    if moved:
        own = f'  {relation} {other}? @relation("{model}To{other}")\n'
        theirs = (
            f'  {owner} String @unique @map("{model.lower()}_id")\n'
            f'  {model.lower()} {model} @relation("{model}To{other}", fields: [{owner}], references: [id])\n'
        )
    else:
        own = (
            f'  {key} String? @unique @map("{relation}_id")\n'
            f'  {relation} {other}? @relation("{model}To{other}", fields: [{key}], references: [id])\n'
        )
        theirs = f'  {model.lower()} {model}? @relation("{model}To{other}")\n'
    return (
        DATASOURCE
        + f'model {model} {{\n  id String @id\n  name String\n{own}\n  @@map("{table}")\n}}\n\n'
        + f'model {other} {{\n  id String @id\n  active Boolean\n{theirs}\n  @@map("{others}")\n}}\n'
    )


def _dropped(model: str, table: str, other: str, others: str, *, moved: bool) -> Finding:
    relation = other.lower()
    init = (
        f'CREATE TABLE "{others}" ("id" TEXT PRIMARY KEY, "active" BOOLEAN NOT NULL);\n'
        f'CREATE TABLE "{table}" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, '
        f'"{relation}_id" TEXT REFERENCES "{others}" ("id"));\n'
    )
    base = {
        "prisma/schema.prisma": _schema(model, table, other, others, moved=False),
        "prisma/migrations/20240101000000_init/migration.sql": init,
    }
    head = {**base, "prisma/schema.prisma": _schema(model, table, other, others, moved=moved)}
    sql = (
        f'ALTER TABLE "{others}" ADD COLUMN "{model.lower()}_id" TEXT;\n'
        f'ALTER TABLE "{table}" DROP COLUMN "{relation}_id";\n'
    )
    result = review_sql(sql, path="prisma/migrations/20240202000000_move/migration.sql", base=base, head=head)
    return next(f for f in result.findings if f.rule == "column-dropped")


@pytest.mark.parametrize(("model", "table", "other", "others"), NAMES)
def test_the_other_side_of_a_relation_is_no_use_of_the_dropped_key(
    model: str, table: str, other: str, others: str
) -> None:
    finding = _dropped(model, table, other, others, moved=True)
    assert not [r for r in finding.references if r.path == "prisma/schema.prisma"], finding.references
    assert finding.severity != "critical"


@pytest.mark.parametrize(("model", "table", "other", "others"), NAMES)
def test_a_relation_field_that_holds_the_dropped_key_is_a_use(
    model: str, table: str, other: str, others: str
) -> None:
    finding = _dropped(model, table, other, others, moved=False)
    assert [r for r in finding.references if r.path == "prisma/schema.prisma"]
    assert finding.severity == "critical"
