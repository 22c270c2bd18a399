"""inbox-zero moved `BookingLink.timezone` to a new `AvailabilitySchedule`; the review still blocked on
`timezone: config.timezone`, where `config` is what `loadPublicBookingLink(booking.bookingLink.slug)`
returns (an object holding the link and the schedule's timezone): reading the model's relation in an
argument (`booking.bookingLink.slug`) is no query whose result is a row of the model. A variable given the
result of the model's query (`prisma.bookingLink.findUnique(…)`) still is one."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20260101000000_move/migration.sql"


def _places(result: Review) -> set[str]:
    dropped = next(f for f in result.findings if f.rule == "column-dropped")
    return {f"{r.path}:{r.line}" for r in dropped.references if "low confidence" not in r.kind}


@pytest.mark.parametrize(
    ("model", "column", "owner", "other"),
    [("BookingLink", "timezone", "Booking", "Calendar"), ("Invoice", "currency", "Payment", "Ledger")],
)
def test_a_value_loaded_with_a_relation_of_the_model_in_its_argument_is_no_row(
    model: str, column: str, owner: str, other: str
) -> None:
    delegate = model[0].lower() + model[1:]
    row = owner.lower()
    schema = (
        f"model {model} {{\n  id String @id\n  slug String\n}}\n\n"
        f"model {owner} {{\n  id String @id\n  {delegate}Id String\n"
        f"  {delegate} {model} @relation(fields: [{delegate}Id], references: [id])\n}}\n\n"
        f"model {other} {{\n  id String @id\n  {column} String\n}}\n"
    )
    code = (
        'import prisma from "@/utils/prisma";\n\n'
        f"export async function reschedule({row}: {{ {delegate}: {{ slug: string }} }}) {{\n"
        f"  const config = await loadSettings({row}.{delegate}.slug);\n"
        f"  return schedule({{ {column}: config.{column} }});\n"
        "}\n"
    )
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "slug" TEXT, "{column}" TEXT);\n'
        f'CREATE TABLE "{other}" ("id" TEXT PRIMARY KEY, "{column}" TEXT);\n-- migration\n'
        f'ALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    files = {"prisma/schema.prisma": schema, "src/reschedule.ts": code}
    assert _places(review_sql(sql, path=MIGRATION, base=files)) == set()
    queried = code.replace(
        f"await loadSettings({row}.{delegate}.slug)",
        f"await prisma.{delegate}.findUnique({{ where: {{ slug: {row}.{delegate}.slug }} }})",
    )
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "src/reschedule.ts": queried}))
    assert "src/reschedule.ts:5" in found
