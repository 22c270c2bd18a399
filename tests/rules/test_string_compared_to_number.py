"""string-compared-to-number: a text column compared with a number in a data change's condition."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "string-compared-to-number"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column"), [("tokens", "token"), ("accounts", "external_id")])
def test_mysql_matches_rows_the_condition_does_not_name(mariadb, table, column) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(64) NOT NULL);\n"
    change = f"DELETE FROM {table} WHERE {column} = 0;"
    (finding,) = _found(schema + "-- migration\n" + change, dialect="mysql")
    assert finding.severity.value == "critical" and f"`{table}.{column}`" in finding.message
    assert not _found(schema + "-- migration\n" + change.replace("= 0", "= '0'"), dialect="mysql")
    assert _found(
        schema + f"-- migration\nUPDATE {table} SET id = id WHERE {column} IN (1002, 1003);", dialect="mysql"
    )
    with mariadb.cursor() as cursor:
        cursor.execute(schema.rstrip(";\n"))
        cursor.execute(f"INSERT INTO {table} VALUES (1, '0'), (2, 'abc'), (3, 'x-1'), (4, '7')")
        cursor.execute(change.rstrip(";"))
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")
        assert cursor.fetchall() == ((4,),)  # 'abc' and 'x-1' went with '0'


@pytest.mark.parametrize(
    "condition",
    ["qty = 0", "token = '0'", "other.token = 0", "token IN (SELECT code FROM legacy)"],
)
def test_numbers_against_numbers_and_other_tables_are_quiet(condition) -> None:  # type: ignore[no-untyped-def]
    schema = (
        "CREATE TABLE tokens (id bigint PRIMARY KEY, token varchar(64), qty int);\n"
        "CREATE TABLE other (id bigint PRIMARY KEY, token int);\nCREATE TABLE legacy (code varchar(9));\n"
    )
    assert not _found(schema + f"-- migration\nDELETE FROM tokens WHERE {condition};", dialect="mysql")


def test_an_orm_condition_is_cast_by_the_orm() -> None:
    base = {
        "db/migrate/20240101000000_create_tokens.rb": (
            "class CreateTokens < ActiveRecord::Migration[7.1]\n  def change\n    create_table :tokens do |t|\n"
            "      t.string :token\n    end\n  end\nend\n"
        )
    }
    rails = "class PurgeTokens < ActiveRecord::Migration[7.1]\n  def up\n    Token.where(token: 0).delete_all\n  end\nend\n"
    assert not _found(rails, path="db/migrate/20240202000000_purge_tokens.rb", base=base, dialect="mysql")
