"""unparsed-statement: SQL written for another database, which every parser reads and the server refuses.

A project that keeps one migration folder per database copies lines between them. vaultwarden's PostgreSQL
`add_2fa_incomplete` declared `login_time DATETIME NOT NULL` (fixed later by "Fix PostgreSQL migration"), and its
MySQL `add_cipher_key` said `ADD COLUMN "key" TEXT` (fixed by "Fix issue with MariaDB/MySQL migrations"); both
were approved. Each case is checked on the real server: it refuses the statement the review calls refused and
takes the one it leaves alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "unparsed-statement"
NAMES = [("twofactor_incomplete", "login_time"), ("shipments", "packed_at")]


def _critical(result: Any) -> list[str]:
    return [f.message for f in result.active if f.rule == RULE and f.severity == "critical"]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("DATETIME", 'type "datetime" does not exist'),
        ("LONGTEXT", 'type "longtext" does not exist'),
        ("tinyint(1)", 'type "tinyint" does not exist'),
        ("text(100)", 'type modifier is not allowed for type "text"'),
    ],
)
def test_a_type_postgresql_does_not_have_fails_the_migration(
    table: str, column: str, written: str, said: str
) -> None:
    created = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY, {column} {written} NOT NULL);\n"
    [message] = _critical(review_sql(created, path=f"migrations/postgresql/2021-10-24_{table}/up.sql"))
    assert f"PostgreSQL refuses this statement ({said}" in message
    added = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY);\n-- migration\nALTER TABLE {table} ADD COLUMN {column} {written};\n"
    [message] = _critical(review_sql(added, path="db/migrations/002_add.sql"))
    assert said in message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_postgresql_types_and_a_domain_of_that_name_are_left_alone(table: str, column: str) -> None:
    written = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY, {column} timestamp NOT NULL, body text, n smallint, d double precision, t timestamptz(3));\n"
    assert _critical(review_sql(written, path="db/migrations/001_create.sql")) == []
    domain = f"CREATE DOMAIN datetime AS timestamp;\nCREATE TABLE {table} (id varchar(40) PRIMARY KEY, {column} datetime);\n"
    assert _critical(review_sql(domain, path="db/migrations/001_create.sql")) == []


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("written", "said"),
    [("jsonb", "no type `jsonb`"), ("timestamptz", "no type `timestamptz`"), ("citext", "no type `citext`")],
)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_type_mysql_does_not_have_fails_the_migration(
    table: str, column: str, written: str, said: str, dialect: str
) -> None:
    server = "MariaDB" if dialect == "mariadb" else "MySQL"
    created = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY, {column} {written} NOT NULL);\n"
    [message] = _critical(review_sql(created, path=f"migrations/mysql/2021_{table}/up.sql", dialect=dialect))
    assert f"{server} refuses this statement (MySQL and MariaDB have {said}" in message
    added = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY);\n-- migration\nALTER TABLE {table} ADD COLUMN {column} {written};\n"
    [message] = _critical(review_sql(added, path="db/migrations/002_add.sql", dialect=dialect))
    assert said in message


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_name_in_double_quotes_fails_on_mysql(table: str, column: str, dialect: str) -> None:
    sql = f'CREATE TABLE {table} (id varchar(40) PRIMARY KEY);\n-- migration\nALTER TABLE {table}\nADD COLUMN "{column}" TEXT;\n'
    [message] = _critical(review_sql(sql, path="migrations/mysql/2023_add/up.sql", dialect=dialect))
    assert f'read "{column}" as a string, not a name' in message and f"write `{column}`" in message


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_backquoted_names_strings_in_quotes_and_ansi_quotes_are_left_alone(
    table: str, column: str, dialect: str
) -> None:
    schema = f"CREATE TABLE {table} (id varchar(40) PRIMARY KEY);\n-- migration\n"
    fine = (
        f'ALTER TABLE `{table}` ADD COLUMN `{column}` TEXT, ADD COLUMN state varchar(10) NOT NULL DEFAULT "new", '
        f'ADD COLUMN body json, ADD COLUMN at datetime, ADD COLUMN kind ENUM("a", "b");\n'
    )
    assert _critical(review_sql(schema + fine, path="db/migrations/002_add.sql", dialect=dialect)) == []
    ansi = f"SET SESSION sql_mode = 'ANSI_QUOTES';\nALTER TABLE {table} ADD COLUMN \"{column}\" TEXT;\n"
    assert _critical(review_sql(schema + ansi, path="db/migrations/002_add.sql", dialect=dialect)) == []


def test_sqlite_takes_any_type_name() -> None:
    sql = (
        "CREATE TABLE sessions (id text PRIMARY KEY, login_time DATETIME NOT NULL, data jsonb, n tinyint);\n"
    )
    assert _critical(review_sql(sql, path="db/migrations/001_create.sql", dialect="sqlite")) == []


def test_the_servers_refuse_what_the_review_calls_refused(pg: Any, mariadb: Any) -> None:
    for written in ("DATETIME", "LONGTEXT", "tinyint(1)", "text(100)"):
        assert refusal(pg.execute, f"CREATE TABLE refused_t (a {written})") != "", written
    for written in ("timestamp", "text", "smallint", "double precision", "timestamptz(3)"):
        assert refusal(pg.execute, f"CREATE TABLE refused_t (a {written})") == "", written
        pg.execute("DROP TABLE refused_t")
    with mariadb.cursor() as cursor:
        for written in ("jsonb", "timestamptz", "citext", "timestamp with time zone"):
            assert refusal(cursor.execute, f"CREATE TABLE refused_t (a {written})") != "", written
        cursor.execute("CREATE TABLE refused_q (id int)")
        assert "syntax" in refusal(cursor.execute, 'ALTER TABLE refused_q ADD COLUMN "key" TEXT')
        assert (
            refusal(
                cursor.execute,
                'ALTER TABLE refused_q ADD COLUMN `key` TEXT, ADD COLUMN s varchar(3) DEFAULT "new"',
            )
            == ""
        )


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("clause", ["ADD COLUMN {c} frobtype", "ADD {c} frobtype NOT NULL"])
def test_an_added_column_mysql_cannot_be_read_is_no_constraint(table: str, column: str, clause: str) -> None:
    """An `ADD COLUMN` sqlglot could not read was taken for a constraint of no kind, and nothing was said."""
    sql = f"CREATE TABLE {table} (id int PRIMARY KEY);\n-- migration\nALTER TABLE {table} {clause.format(c=column)};\n"
    result = review_sql(sql, path="db/migrations/002_add.sql", dialect="mysql")
    assert [f.severity for f in result.active if f.rule == RULE] == ["warning"]
    constraint = f"ALTER TABLE {table} ADD CONSTRAINT {column}_positive CHECK ({column} > 0);\n"
    result = review_sql(
        f"CREATE TABLE {table} (id int PRIMARY KEY, {column} int);\n-- migration\n" + constraint,
        path="db/migrations/002_add.sql",
        dialect="mysql",
    )
    assert [f for f in result.active if f.rule == RULE] == []
