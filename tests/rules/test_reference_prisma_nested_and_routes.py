"""inbox-zero moved `BookingLink.timezone` to a new `AvailabilitySchedule` and dropped `MessagingChannel
.channelId`; both reviews blocked on places that were no column: the key of a nested create under the
relation `availabilitySchedule`, written as a branch of a conditional (`cond ? { connect: … } : { create:
{ … } }`), a name taken out of next-safe-action's `parsedInput` in nested parameters, a dynamic segment of
a route's path in an import (`…/[channelId]/targets/route`), and a member of an object type written inline
(`thread: { id: string; channelId?: string | null }`)."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20260101000000_change/migration.sql"


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(result: Review) -> set[str]:
    return {f"{r.path}:{r.line}" for r in _dropped(result).references if "low confidence" not in r.kind}


@pytest.mark.parametrize(
    ("model", "column", "related", "relation"),
    [
        ("BookingLink", "timezone", "AvailabilitySchedule", "availabilitySchedule"),
        ("Invoice", "currency", "Ledger", "ledger"),
    ],
)
def test_a_key_of_a_nested_write_in_a_conditional_branch_is_the_related_models(
    model: str, column: str, related: str, relation: str
) -> None:
    delegate = model[0].lower() + model[1:]
    schema = (
        f"model {model} {{\n  id String @id\n  title String\n  {relation}Id String?\n"
        f"  {relation} {related}? @relation(fields: [{relation}Id], references: [id])\n}}\n\n"
        f"model {related} {{\n  id String @id\n  {column} String\n  items {model}[]\n}}\n"
    )
    action = (
        'import prisma from "@/utils/prisma";\n\n'
        "export async function createOne(input: { title: string; value: string }, existing?: { id: string }) {\n"
        f"  await prisma.{delegate}.create({{\n    data: {{\n      title: input.title,\n"
        f"      {relation}: existing\n        ? {{ connect: {{ id: existing.id }} }}\n"
        f"        : {{\n            create: {{\n              {column}: input.value,\n            }},\n          }},\n"
        "    },\n  });\n}\n"
    )
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "title" TEXT, "{column}" TEXT);\n-- migration\n'
        f'CREATE TABLE "{related}" ("id" TEXT PRIMARY KEY, "{column}" TEXT);\n'
        f'ALTER TABLE "{model}" ADD COLUMN "{relation}Id" TEXT;\nALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    files = {"prisma/schema.prisma": schema, "utils/actions/create.ts": action}
    assert "utils/actions/create.ts:11" not in _places(review_sql(sql, path=MIGRATION, base=files))
    direct = action.replace(
        "      title: input.title,\n", f"      title: input.title,\n      {column}: input.value,\n"
    )
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "utils/actions/create.ts": direct}))
    assert "utils/actions/create.ts:7" in found


@pytest.mark.parametrize(
    ("model", "column", "segment"),
    [("MessagingChannel", "channelId", "messaging-channels"), ("Subscription", "planId", "subscriptions")],
)
def test_names_of_parameters_routes_and_inline_types_are_no_places(
    model: str, column: str, segment: str
) -> None:
    delegate = model[0].lower() + model[1:]
    schema = f"model {model} {{\n  id String @id\n  {column} String?\n  name String\n}}\n"
    action = (
        'import prisma from "@/utils/prisma";\n'
        f'import type {{ TargetsResponse }} from "@/app/api/user/{segment}/[{column}]/targets/route";\n\n'
        "export const pick = actionClient.action(\n"
        f"  async ({{ ctx: {{ accountId }}, parsedInput: {{ {column} }} }}) => {{\n"
        f"    const thread: {{ id: string; {column}?: string | null }} = await load(accountId);\n"
        f"    return prisma.{delegate}.findMany({{ where: {{ name: thread.id }} }});\n"
        "  },\n);\n"
    )
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "name" TEXT, "{column}" TEXT);\n-- migration\n'
        f'ALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    files = {"prisma/schema.prisma": schema, "utils/actions/pick.ts": action}
    assert not {f"utils/actions/pick.ts:{n}" for n in (2, 5, 6)} & _places(
        review_sql(sql, path=MIGRATION, base=files)
    )
    written = action.replace("where: { name: thread.id }", f"where: {{ {column} }}")
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "utils/actions/pick.ts": written}))
    assert "utils/actions/pick.ts:7" in found
