"""Data migrations a Prisma project's runner keeps beside its Prisma Migrate history
(`<history>/<timestamp>_<name>/migration.ts`): the SQL they send through the Prisma client is reviewed."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

HISTORY = "packages/database/migration"
NAMES = [("User", "notificationSettings", "Account"), ("Project", "styling", "Environment")]

SCRIPT = """import type {{ MigrationScript }} from "../../src/scripts/migration-runner";

const TABLES = ["{table}", "{other}"] as const;

export const cleanup: MigrationScript = {{
  type: "data",
  id: "v0ruecekavlfu8410htz4mly",
  name: "20250722075349_cleanup",
  run: async ({{ tx }}) => {{
    const rows = await tx.$queryRaw<{{ id: string }}[]>`
      SELECT id FROM "{table}" WHERE "{column}" IS NOT NULL
    `;
    await tx.$queryRaw`
      UPDATE "{table}"
      SET "{column}" = "{column}" - 'weekly'
      WHERE "{column}"->>'weekly' IS NOT NULL
    `;
    for (const name of TABLES) {{
      await tx.$executeRawUnsafe(`DELETE FROM "${{name}}" WHERE "archived" = true`);
    }}
    await tx.{delegate}.updateMany({{ where: {{ id: {{ in: rows.map((r) => r.id) }} }}, data: {{}} }});
  }},
}};
"""


def _review(path: str, text: str, table: str, column: str, other: str) -> Review:
    schema = (
        f'CREATE TABLE "{table}" ("id" TEXT PRIMARY KEY, "{column}" JSONB, "archived" BOOLEAN);\n'
        f'CREATE TABLE "{other}" ("id" TEXT PRIMARY KEY, "archived" BOOLEAN);\n'
    )
    base = {f"{HISTORY}/20240101000000_init/migration.sql": schema, f"{HISTORY}/migration_lock.toml": ""}
    files = (ChangedFile(path, "added", None, text),)
    return review(ChangeSet("base", "head", files, MemoryTree({**base, path: text}), MemoryTree(base)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_the_sql_a_data_migration_script_sends_is_reviewed(table: str, column: str, other: str) -> None:
    path = f"{HISTORY}/20250722075349_cleanup/migration.ts"
    text = SCRIPT.format(table=table, column=column, other=other, delegate=table[0].lower() + table[1:])
    result = _review(path, text, table, column, other)
    assert [(m.path, m.framework) for m in result.migrations] == [(path, "prisma")]
    changes = {
        (f.line, f.message.split(" changes")[0]) for f in result.active if f.rule == "unbatched-data-change"
    }
    # the UPDATE of the tagged template, and the DELETE once per table of the loop's constant array
    assert (14, f"`UPDATE {table}`") in changes, changes
    assert {(19, f"`DELETE {table}`"), (19, f"`DELETE {other}`")} <= changes, changes
    assert not [f for f in result.active if f.rule in ("unparsed-statement", "unreadable-migration")]
    assert not [f for f in result.active if f.rule == "missing-down-migration" and f.severity == "critical"]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_script_that_only_reads_changes_nothing_and_scripts_elsewhere_are_no_migrations(
    table: str, column: str, other: str
) -> None:
    reads = (
        "export const check = {\n  run: async ({ tx }) => {\n"
        f'    await tx.$queryRaw<{{ n: bigint }}[]>`SELECT count(*) AS n FROM "{table}"`;\n'
        f'    await tx.$queryRawUnsafe(`SELECT "{column}" FROM "{other}"`);\n  }},\n}};\n'
    )
    path = f"{HISTORY}/20250722075349_check/migration.ts"
    result = _review(path, reads, table, column, other)
    assert [m.path for m in result.migrations] == [path]
    assert result.approval == "APPROVED", result.active
    elsewhere = "packages/database/src/scripts/migration.ts"
    text = SCRIPT.format(table=table, column=column, other=other, delegate="user")
    assert not _review(elsewhere, text, table, column, other).migrations


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_rows_joined_into_values_are_read_and_sql_built_elsewhere_is_not(
    table: str, column: str, other: str
) -> None:
    """`VALUES ${Prisma.join(rows)}` (a batch's rows in one INSERT) is read as an insert; a statement whose SET
    clause the code builds (`SET ${Prisma.raw(sets)}`) is one the review could not read."""
    script = (
        "export const fill = {\n  run: async ({ tx }) => {\n"
        "    const rows = ids.map((id) => Prisma.sql`(${id}, 'x')`);\n"
        f'    await tx.$executeRaw`INSERT INTO "{other}" ("id", "archived") VALUES ${{Prisma.join(rows)}} '
        'ON CONFLICT ("id") DO NOTHING`;\n'
        f'    await tx.$executeRawUnsafe(`UPDATE "{table}" SET ${{sets}} WHERE id = $1`, id);\n  }},\n}};\n'
    )
    path = f"{HISTORY}/20250722075349_fill/migration.ts"
    result = _review(path, script, table, column, other)
    unread = [f for f in result.active if f.rule == "unparsed-statement"]
    assert [f.line for f in unread] == [5], unread
    assert [m.path for m in result.migrations] == [path]
