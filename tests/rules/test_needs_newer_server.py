"""needs-newer-server: SQL the production version lacks, judged only when that version is known (the
configuration's `database_version` here); the same statements on a newer version, or with what they need created
first, are quiet."""

from __future__ import annotations

import pytest

from bot.model.config import Config
from tests.conftest import review_sql

RULE = "needs-newer-server"


def _found(sql: str, dialect: str, version: str | None) -> list:  # type: ignore[type-arg]
    config = Config(dialect=dialect, database_version=version) if version else Config(dialect=dialect)
    return [f for f in review_sql(sql, config=config).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("dialect", "old", "new", "schema", "sql", "said"),
    [
        ("mysql", "5.7", "8.0", "CREATE TABLE {t} (id int PRIMARY KEY, {c} varchar(50));",
         "ALTER TABLE {t} RENAME COLUMN {c} TO {c}_new;", "`RENAME COLUMN` needs MySQL 8.0"),
        ("mariadb", "10.4", "10.5", "CREATE TABLE {t} (id int PRIMARY KEY, {c} varchar(50));",
         "ALTER TABLE {t} RENAME COLUMN {c} TO {c}_new;", "needs MariaDB 10.5"),
        ("mysql", "8.0.12", "8.0.13", "CREATE TABLE {t} (id int PRIMARY KEY, {c} varchar(50));",
         "CREATE INDEX {t}_{c}_lower ON {t} ((lower({c})));", "functional index key"),
        ("postgres", "12", "13", "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} text);",
         "CREATE TABLE {t}_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), {c} text);", "gen_random_uuid"),
        ("postgres", "14", "15", "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} text);",
         "CREATE UNIQUE INDEX CONCURRENTLY {t}_{c}_key ON {t} ({c}) NULLS NOT DISTINCT;", "`NULLS NOT DISTINCT`"),
        ("sqlite", "3.34", "3.35", "CREATE TABLE {t} (id integer PRIMARY KEY, {c} text);",
         "UPDATE {t} SET {c} = 'x' WHERE id = 1 RETURNING id;", "`RETURNING` needs SQLite 3.35"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(("t", "c"), [("users", "name"), ("products", "title")])
def test_sql_the_production_version_lacks(dialect, old, new, schema, sql, said, t, c) -> None:  # type: ignore[no-untyped-def]
    text = schema.format(t=t, c=c) + "\n-- migration\n" + sql.format(t=t, c=c)
    (finding,) = _found(text, dialect, old)
    assert said in finding.message and finding.severity == "critical", finding.message
    assert not _found(text, dialect, new)
    assert not _found(text, dialect, None)  # production's version unknown: nothing is claimed


@pytest.mark.parametrize(("t", "c"), [("users", "name"), ("products", "title")])
def test_a_check_before_mysql_8_0_16_is_ignored_and_pgcrypto_brings_the_uuid_function(t: str, c: str) -> None:
    check = f"CREATE TABLE {t} (id int PRIMARY KEY, {c} int);\n-- migration\nALTER TABLE {t} ADD CONSTRAINT {t}_pos CHECK ({c} > 0);"
    (finding,) = _found(check, "mysql", "8.0.15")
    assert finding.severity == "warning" and "enforces nothing" in finding.message
    uuid = f"CREATE TABLE {t}_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), {c} text);"
    assert not _found("-- migration\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n" + uuid, "postgres", "12")
    earlier = review_sql(
        "-- migration\n" + uuid,
        config=Config(dialect="postgres", database_version="12"),
        base={"db/migrations/000_extensions.sql": "CREATE EXTENSION pgcrypto;"},
    )
    assert RULE not in {f.rule for f in earlier.active}
