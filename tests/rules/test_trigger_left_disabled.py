"""trigger-left-disabled: `DISABLE TRIGGER name|USER` with no `ENABLE` after it in the migration leaves the trigger off
for every session (shown on the real PostgreSQL below); turned back on, or the table new, it is quiet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "trigger-left-disabled"
NAMES = [("orders", "orders_audit"), ("accounts", "accounts_touch")]


def _found(sql: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect="postgres").active if f.rule == RULE]


def _schema(table: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, status text);\n-- migration\n"


@pytest.mark.parametrize(("table", "trigger"), NAMES)
def test_a_trigger_turned_off_and_left_off(table: str, trigger: str) -> None:
    for sql, said in (
        (
            f"ALTER TABLE {table} DISABLE TRIGGER {trigger};\nUPDATE {table} SET status = 'x' WHERE id < 10;",
            trigger,
        ),
        (f"ALTER TABLE {table} DISABLE TRIGGER USER;", "every trigger"),
        # turned on again for another trigger only
        (
            f"ALTER TABLE {table} DISABLE TRIGGER {trigger};\nALTER TABLE {table} ENABLE TRIGGER other_one;",
            trigger,
        ),
        # a Rails migration that runs it as SQL
        (
            "class Backfill < ActiveRecord::Migration[7.1]\n  def up\n"
            f'    execute "ALTER TABLE {table} DISABLE TRIGGER {trigger}"\n'
            f"    execute \"UPDATE {table} SET status = 'x'\"\n  end\nend\n",
            trigger,
        ),
    ):
        path = "db/migrate/20240201000000_backfill.rb" if "class " in sql else "db/migrations/001_change.sql"
        found = [
            f.message
            for f in review_sql(
                sql,
                path=path,
                base={"db/migrations/000_schema.sql": _schema(table).split("-- migration")[0]},
                dialect="postgres",
            ).active
            if f.rule == RULE
        ]
        assert len(found) == 1 and said in found[0] and "never turns" in found[0], (sql, found)


@pytest.mark.parametrize(("table", "trigger"), NAMES)
def test_a_trigger_turned_back_on_or_on_a_new_table_is_quiet(table: str, trigger: str) -> None:
    for sql in (
        f"ALTER TABLE {table} DISABLE TRIGGER {trigger};\nUPDATE {table} SET status = 'x';\n"
        f"ALTER TABLE {table} ENABLE TRIGGER {trigger};",
        f"ALTER TABLE {table} DISABLE TRIGGER USER;\nALTER TABLE {table} ENABLE TRIGGER ALL;",
        f'ALTER TABLE {table} DISABLE TRIGGER "{trigger.title()}";\nALTER TABLE {table} ENABLE TRIGGER "{trigger.title()}";',
    ):
        assert not _found(_schema(table) + sql), sql
    fresh = f"-- migration\nCREATE TABLE {table} (id bigint PRIMARY KEY);\nALTER TABLE {table} DISABLE TRIGGER {trigger};"
    assert not _found(fresh)
    # ALL stops the foreign-key checks too: integrity-checks-disabled reports it, not this rule
    assert not _found(_schema(table) + f"ALTER TABLE {table} DISABLE TRIGGER ALL;")


def test_a_disabled_trigger_stays_off_for_other_sessions(pg: Any) -> None:
    import psycopg

    from tests.conftest import PG_DSN

    pg.execute("DROP TABLE IF EXISTS tld_orders, tld_log")
    pg.execute("CREATE TABLE tld_orders (id bigint PRIMARY KEY, status text)")
    pg.execute("CREATE TABLE tld_log (id bigint)")
    pg.execute(
        "CREATE OR REPLACE FUNCTION tld_log_it() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO tld_log VALUES (NEW.id); RETURN NEW; END $$"
    )
    pg.execute(
        "CREATE TRIGGER tld_audit AFTER INSERT ON tld_orders FOR EACH ROW EXECUTE FUNCTION tld_log_it()"
    )
    try:
        pg.execute("ALTER TABLE tld_orders DISABLE TRIGGER tld_audit")  # the migration's session
        schema = pg.execute("SELECT current_schema()").fetchone()[0]
        with psycopg.connect(PG_DSN, autocommit=True) as application:  # another session, later
            application.execute(f"INSERT INTO {schema}.tld_orders VALUES (1, 'new')")
        assert pg.execute("SELECT count(*) FROM tld_log").fetchone() == (0,)
    finally:
        pg.execute("DROP TABLE IF EXISTS tld_orders, tld_log")
        pg.execute("DROP FUNCTION IF EXISTS tld_log_it()")
