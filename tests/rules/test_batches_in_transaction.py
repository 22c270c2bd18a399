"""unbatched-data-change: a Rails backfill in batches inside the transaction Rails wraps the migration in
commits no batch before the migration ends."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.conftest import PG_DSN, review_sql

RULE = "unbatched-data-change"
NAMES = [
    {"table": "members", "model": "Member", "target": "signup_address", "source": "signup_ip"},
    {"table": "shipments", "model": "Shipment", "target": "carrier_code", "source": "carrier"},
]
PATH = "db/migrate/20260101000000_backfill.rb"


def _migration(names: dict[str, str], body: str, head: str = "") -> str:
    return (
        f"class Backfill < ActiveRecord::Migration[7.1]\n{head}"
        f"  class {names['model']} < ApplicationRecord; end\n\n"
        f"  def up\n{body.format(**names)}  end\n\n  def down; end\nend\n"
    )


def _findings(names: dict[str, str], text: str, dialect: str | None = None) -> list[Any]:
    schema = f"CREATE TABLE {names['table']} (id bigint PRIMARY KEY, {names['target']} text, {names['source']} text);\n"
    result = review_sql(text, path=PATH, base={"db/structure.sql": schema}, dialect=dialect)
    return [f for f in result.active if f.rule == RULE]


BATCHES = [
    "    {model}.where({target}: nil).in_batches(of: 1000).update_all('{target} = {source}')\n",
    "    {model}.where({target}: nil).in_batches do |batch|\n      batch.update_all('{target} = {source}')\n    end\n",
    "    {model}.where({target}: nil).find_each do |row|\n      row.update_columns({target}: row.{source})\n    end\n",
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", BATCHES)
def test_batches_inside_the_migrations_transaction(names: dict[str, str], body: str) -> None:
    (finding,) = _findings(names, _migration(names, body))
    assert finding.severity.value == "warning"
    assert f"`UPDATE {names['table']}` runs batch after batch" in finding.message
    assert "disable_ddl_transaction!" in finding.fix
    # outside the transaction each batch commits on its own: nothing to say
    assert not _findings(names, _migration(names, body, head="  disable_ddl_transaction!\n\n"))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", BATCHES)
def test_on_mysql_rails_opens_no_transaction_and_each_batch_commits(names: dict[str, str], body: str) -> None:
    """Rails wraps a migration in a transaction only where the adapter has DDL transactions: its MySQL adapters
    do not, so each batch (each saved record) commits on its own there, as with `disable_ddl_transaction!`."""
    for dialect in ("mysql", "mariadb"):
        assert not _findings(names, _migration(names, body), dialect)
    assert _findings(names, _migration(names, body), "postgres")


@pytest.mark.parametrize("names", NAMES)
def test_a_table_the_migration_creates_is_quiet(names: dict[str, str]) -> None:
    body = (
        "    create_table :{table}_copies do |t|\n      t.string :{target}\n    end\n"
        "    Copy.in_batches.update_all({target}: 'x')\n"
    )
    text = _migration(names, body).replace(
        "  def up",
        "  class Copy < ApplicationRecord\n    self.table_name = '{table}_copies'\n  end\n\n  def up".format(
            **names
        ),
    )
    assert not _findings(names, text)


def test_postgresql_keeps_the_first_batchs_rows_locked_until_the_transaction_ends(pg: Any) -> None:
    pg.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, tier text)")
    pg.execute("INSERT INTO accounts SELECT g, NULL FROM generate_series(1, 20) g")
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    with (
        psycopg.connect(PG_DSN, autocommit=False) as migration,
        psycopg.connect(PG_DSN, autocommit=True) as app,
    ):
        for conn in (migration, app):
            conn.execute(f"SET search_path TO {schema}")
        migration.execute("UPDATE accounts SET tier = 'basic' WHERE id BETWEEN 1 AND 10")  # batch 1
        migration.execute("UPDATE accounts SET tier = 'basic' WHERE id BETWEEN 11 AND 20")  # batch 2
        with pytest.raises(psycopg.errors.LockNotAvailable):  # batch 1's rows: still locked
            app.execute("SELECT id FROM accounts WHERE id = 1 FOR UPDATE NOWAIT")
        migration.commit()
        assert app.execute("SELECT id FROM accounts WHERE id = 1 FOR UPDATE NOWAIT").fetchone() == (1,)
