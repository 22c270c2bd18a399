"""A file of types generated from the database's schema (Supabase's `supabase gen types`) names
every column: after a drop it is regenerated, and no query fails there. midday's `packages/supabase/src/types/
db.ts` made a dropped column "3 places in production code" (critical)."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [("transaction_match_suggestions", "embedding_score"), ("invoices", "legacy_total")]


OTHERS = ("amount_score", "confidence_score", "created_at", "match_type", "status")


def _fields(column: str, optional: str = "") -> str:
    return "".join(f"          {name}{optional}: string | null;\n" for name in (*OTHERS, column))


def _table_types(table: str, column: str) -> str:
    return (
        f"      {table}: {{\n        Row: {{\n{_fields(column)}        }};\n"
        f"        Insert: {{\n{_fields(column, '?')}        }};\n"
        f"        Update: {{\n{_fields(column, '?')}        }};\n      }};\n"
    )


def _supabase_types(table: str, column: str) -> str:
    """As `supabase gen types` writes them: every table of the schema, the one of the change among many."""
    others = "".join(_table_types(f"other_{n}", f"field_{n}") for n in range(40))
    return (
        "export type Database = {\n  public: {\n    Tables: {\n"
        + others
        + _table_types(table, column)
        + "    };\n  };\n};\n"
    )


def _dropped(table: str, column: str, code: dict[str, str]) -> Finding:
    others = ", ".join(f"{name} text" for name in OTHERS)
    sql = f"CREATE TABLE {table} (id uuid PRIMARY KEY, {others}, {column} numeric);\n-- migration\n"
    sql += f"ALTER TABLE {table} DROP COLUMN {column};"
    return next(f for f in review_sql(sql, head=code).findings if f.rule == "column-dropped")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_generated_schema_types_do_not_block(table: str, column: str) -> None:
    code = {
        "packages/supabase/src/types/db.ts": _supabase_types(table, column),
        "packages/db/src/schema.ts": "import { pgTable, uuid } from 'drizzle-orm/pg-core';\n"
        f"export const matches = pgTable('{table}', {{\n  id: uuid('id').primaryKey(),\n}});\n",
    }
    finding = _dropped(table, column, code)
    assert finding.severity != "critical"
    assert "types generated from the schema" in finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_hand_written_type_and_its_query_still_block(table: str, column: str) -> None:
    code = {
        "src/queries.ts": f"type Row = {{ id: string; {column}: number }}\n"
        f"const rows = await db.query<Row>('SELECT id, {column} FROM {table}')\n"
    }
    assert _dropped(table, column, code).severity == "critical"
