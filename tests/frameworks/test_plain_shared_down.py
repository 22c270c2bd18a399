"""A migration written once per database with one down for all of them: authelia's
`V0011.JWTProfileAccessToken.mysql.up.sql` beside `V0011.JWTProfileAccessToken.all.down.sql`. The review said each
up had no way back."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

FOLDER = "internal/storage/migrations"


@pytest.mark.parametrize(
    ("table", "database"), [("oauth2_sessions", "postgres"), ("webauthn_devices", "mysql")]
)
@pytest.mark.parametrize("down", ["all.down.sql", "down.sql"])
def test_one_down_for_every_database_is_the_way_back(table: str, database: str, down: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, note text);\n-- migration\n"
    up = f"ALTER TABLE {table} DROP COLUMN note;\n"
    path = f"{FOLDER}/V0011.Widen.{database}.up.sql"
    shared = {f"{FOLDER}/V0011.Widen.{down}": f"ALTER TABLE {table} ADD COLUMN note text;\n"}
    result = review_sql(schema + up, path=path, head=shared, dialect=database)
    assert not [f for f in result.active if f.rule == "missing-down-migration"]
    alone = review_sql(schema + up, path=path, dialect=database)
    assert [f for f in alone.active if f.rule == "missing-down-migration"]
