"""not-null-without-default: an existing column filled through a default that only lasts the migration and
made NOT NULL (Django's `null=False` with `default=`; MySQL's MODIFY restating no DEFAULT)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "not-null-without-default"


def _found(sql: str, dialect: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column"), [("profiles", "nickname"), ("orders", "channel")])
def test_a_default_dropped_after_not_null_is_found(table, column) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(10));\n-- migration\n"
    pg = (
        f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT 'none';\n"
        f"UPDATE {table} SET {column} = 'none' WHERE {column} IS NULL;\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;"
    )
    (finding,) = _found(schema + pg)
    assert f"`{table}.{column}` is made NOT NULL" in finding.message and "'none'" in finding.message
    mysql = pg.replace(f"ALTER COLUMN {column} SET NOT NULL", f"MODIFY {column} varchar(10) NOT NULL")
    assert _found(schema + mysql, "mysql")
    # the default stays: inserts that omit the column get it
    assert not _found(schema + pg.rsplit("\n", 1)[0])
    kept = mysql.rsplit("\n", 1)[0].replace("varchar(10) NOT NULL", "varchar(10) NOT NULL DEFAULT 'none'")
    assert not _found(schema + kept, "mysql")
    # already NOT NULL before: a MODIFY that restates it changes nothing for inserts
    strict = schema.replace(f"{column} varchar(10)", f"{column} varchar(10) NOT NULL")
    assert not _found(strict + mysql, "mysql")
