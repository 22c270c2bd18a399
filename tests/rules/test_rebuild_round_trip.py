"""A table rebuilt through a backup table, with no rename: copy `t` into `_bkp_t`, drop `t`, create `t` again,
copy the rows back, drop `_bkp_t`.

authelia's SQLite migrations widen a column this way (`V0011.JWTProfileAccessToken.sqlite.up.sql`). The review
said every row of the table was lost (table-dropped), that the migration needed a way back for its DROP TABLE
(critical), and asked for production values for the copy. It is one rebuild, judged as the rename pattern is.
"""

from __future__ import annotations

import pytest

from tests.conftest import review_sql, rule_ids

NAMES = [
    ("oauth2_access_token_session", "signature", "client_id"),
    ("webauthn_devices", "public_key", "rp_id"),
]
PATH = "internal/storage/migrations/V0011.Widen.sqlite.up.sql"


def _schema(table: str, widened: str, other: str) -> str:
    return (
        f"CREATE TABLE {table} (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, {widened} VARCHAR(255) NOT NULL, "
        f"{other} VARCHAR(255) NOT NULL);\nCREATE INDEX {table}_{other}_idx ON {table} ({other});\n-- migration\n"
    )


def _round_trip(
    table: str, widened: str, other: str, *, back: bool = True, other_null: str = "NOT NULL"
) -> str:
    columns = f"id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, {widened} VARCHAR(768) NOT NULL, {other} VARCHAR(255)"
    sql = (
        f"PRAGMA foreign_keys=off;\nDROP INDEX IF EXISTS {table}_{other}_idx;\n"
        f"CREATE TABLE IF NOT EXISTS _bkp_{table} ({columns} {other_null});\n"
        f"INSERT INTO _bkp_{table} ({widened}, {other}) SELECT {widened}, {other} FROM {table} ORDER BY id;\n"
        f"DROP TABLE IF EXISTS {table};\n"
        f"CREATE TABLE IF NOT EXISTS {table} ({columns} {other_null});\n"
        f"CREATE INDEX {table}_{other}_idx ON {table} ({other});\n"
    )
    if back:
        sql += f"INSERT INTO {table} ({widened}, {other}) SELECT {widened}, {other} FROM _bkp_{table} ORDER BY id;\n"
    return sql + f"DROP TABLE IF EXISTS _bkp_{table};\nPRAGMA foreign_keys=on;\n"


@pytest.mark.parametrize(("table", "widened", "other"), NAMES)
def test_a_round_trip_through_a_backup_is_one_rebuild(table: str, widened: str, other: str) -> None:
    result = review_sql(
        _schema(table, widened, other) + _round_trip(table, widened, other), path=PATH, dialect="sqlite"
    )
    assert not {"table-dropped", "missing-down-migration", "rebuild-drops-constraints"} & rule_ids(result)
    assert result.approval == "APPROVED"


@pytest.mark.parametrize(("table", "widened", "other"), NAMES)
def test_rows_not_copied_back_are_lost(table: str, widened: str, other: str) -> None:
    result = review_sql(
        _schema(table, widened, other) + _round_trip(table, widened, other, back=False),
        path=PATH,
        dialect="sqlite",
    )
    assert "table-dropped" in rule_ids(result)


@pytest.mark.parametrize(("table", "widened", "other"), NAMES)
def test_a_round_trip_that_loses_a_not_null_says_so(table: str, widened: str, other: str) -> None:
    result = review_sql(
        _schema(table, widened, other) + _round_trip(table, widened, other, other_null="NULL"),
        path=PATH,
        dialect="sqlite",
    )
    [found] = [f for f in result.active if f.rule == "rebuild-drops-constraints"]
    assert f"makes `{other}` nullable" in found.message
