"""Diesel projects install their `updated_at` triggers with `SELECT diesel_manage_updated_at('posts');`: a
`BEFORE UPDATE` trigger `set_updated_at` running Diesel's `diesel_set_updated_at()`, which sets `updated_at`
to the current time on every UPDATE that changes a row and leaves `updated_at` as it was. The rules about
triggers that set columns see it, whether or not the repository holds Diesel's setup migration."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("posts", "state"), ("invoices", "memo")]
SETUP = (
    "CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$\nBEGIN\n"
    "    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s\n"
    "                    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()', _tbl);\nEND;\n$$ LANGUAGE plpgsql;\n\n"
    "CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$\nBEGIN\n    IF (\n"
    "        NEW IS DISTINCT FROM OLD AND\n        NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at\n    ) THEN\n"
    "        NEW.updated_at := current_timestamp;\n    END IF;\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
)


def _review(table: str, column: str, sql: str, *, setup: bool) -> Review:
    base = {
        f"migrations/2024-01-01-000001_create_{table}/up.sql": (
            f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} text, "
            "updated_at timestamp NOT NULL DEFAULT now());\n"
            f"SELECT diesel_manage_updated_at('{table}');\n"
        ),
        f"migrations/2024-01-01-000001_create_{table}/down.sql": f"DROP TABLE {table};\n",
    }
    if setup:
        base["migrations/00000000000000_diesel_initial_setup/up.sql"] = SETUP
        base["migrations/00000000000000_diesel_initial_setup/down.sql"] = (
            "DROP FUNCTION diesel_set_updated_at();\n"
        )
    return review_sql(
        sql,
        path=f"migrations/2024-02-01-000001_fill_{table}/up.sql",
        base=base,
        head={f"migrations/2024-02-01-000001_fill_{table}/down.sql": "SELECT 1;\n"},
    )


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("setup", [True, False], ids=["setup-migration", "no-setup-migration"])
def test_a_backfill_overwrites_the_last_modified_time(table: str, column: str, setup: bool) -> None:
    fill = f"UPDATE {table} SET {column} = 'none' WHERE {column} IS NULL;\n"
    (found,) = [
        f for f in _review(table, column, fill, setup=setup).active if f.rule == "last-modified-overwritten"
    ]
    assert "set_updated_at" in found.message and "updated_at" in found.message
    # writing `updated_at` back to itself leaves it as it was: Diesel's function then sets it all the same
    kept = f"UPDATE {table} SET {column} = 'none', updated_at = updated_at WHERE {column} IS NULL;\n"
    assert "last-modified-overwritten" in _rules(_review(table, column, kept, setup=setup))
    disabled = (
        f"ALTER TABLE {table} DISABLE TRIGGER set_updated_at;\n{fill}"
        f"ALTER TABLE {table} ENABLE TRIGGER set_updated_at;\n"
    )
    assert "last-modified-overwritten" not in _rules(_review(table, column, disabled, setup=setup))


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("setup", [True, False], ids=["setup-migration", "no-setup-migration"])
def test_dropping_the_trigger_stops_the_updates(table: str, column: str, setup: bool) -> None:
    dropped = _review(table, column, f"DROP TRIGGER set_updated_at ON {table};\n", setup=setup)
    (found,) = [f for f in dropped.active if f.rule == "trigger-dropped"]
    assert f"{table}.updated_at" in found.message
    other = _review(table, column, f"ALTER TABLE {table} ADD COLUMN note text;\n", setup=setup)
    assert "trigger-dropped" not in _rules(other)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_column_written_back_to_itself_loses_nothing_on_rollback(table: str, column: str) -> None:
    kept = f"UPDATE {table} SET {column} = {column}, updated_at = updated_at WHERE id < 10;\n"
    assert "data-lost-on-rollback" not in _rules(_review(table, column, kept, setup=True))
    overwritten = f"UPDATE {table} SET {column} = 'x', updated_at = updated_at WHERE id < 10;\n"
    (lost,) = [
        f for f in _review(table, column, overwritten, setup=True).active if f.rule == "data-lost-on-rollback"
    ]
    assert f"{table}.{column}" in lost.message and f"{table}.updated_at" not in lost.message
