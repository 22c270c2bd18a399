"""null-default-on-not-null: a NOT NULL column given the default NULL (`ALTER COLUMN … SET DEFAULT NULL`, a
`MODIFY`/`CHANGE` or `ADD COLUMN` that says `NOT NULL DEFAULT NULL`, a primary key column declared `DEFAULT NULL`)
is refused by MySQL and MariaDB (ERROR 1067), whatever the table holds: each statement below is run on the real
MariaDB. A nullable column, a definition that says NULL, a key declared at the table's level (which makes the
column NOT NULL and drops the default) and `DROP DEFAULT` are accepted, and no finding. On PostgreSQL `SET DEFAULT
NULL` is a dropped default (default-dropped) and `ADD COLUMN … NOT NULL DEFAULT NULL` a column added without
one (not-null-without-default)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "null-default-on-not-null"
NAMES = [("accounts", "plan", "note"), ("shipments", "carrier", "tracking_url")]


def _schema(table: str, required: str, optional: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {required} varchar(20) NOT NULL DEFAULT 'none', "
        f"{optional} varchar(200))"
    )


def _refused(table: str, required: str, optional: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ALTER COLUMN {required} SET DEFAULT NULL",
        f"ALTER TABLE {table} ALTER {required} SET DEFAULT NULL",
        f"ALTER TABLE {table} MODIFY {required} varchar(40) NOT NULL DEFAULT NULL",
        f"ALTER TABLE {table} CHANGE {required} {required} varchar(40) DEFAULT NULL NOT NULL",
        f"ALTER TABLE {table} MODIFY COLUMN {optional} varchar(200) NOT NULL DEFAULT NULL",
        f"ALTER TABLE {table} ADD COLUMN {required}_rank int NOT NULL DEFAULT NULL",
        f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT NULL",
        f"CREATE TABLE {table}_log (id bigint DEFAULT NULL PRIMARY KEY, {required} int)",
        f"CREATE TABLE {table}_log (id bigint PRIMARY KEY, {required} int NOT NULL DEFAULT NULL)",
    ]


def _accepted(table: str, required: str, optional: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ALTER COLUMN {required} DROP DEFAULT",
        f"ALTER TABLE {table} ALTER COLUMN {optional} SET DEFAULT NULL",
        f"ALTER TABLE {table} MODIFY {required} varchar(40) NULL DEFAULT NULL",
        f"ALTER TABLE {table} MODIFY {required} varchar(40) DEFAULT NULL",
        f"ALTER TABLE {table} ADD COLUMN {required}_rank int DEFAULT NULL",
        f"CREATE TABLE {table}_log (id bigint DEFAULT NULL, {required} int DEFAULT NULL, PRIMARY KEY (id))",
    ]


def _found(table: str, required: str, optional: str, statement: str, dialect: str) -> list[Any]:
    sql = f"{_schema(table, required, optional)};\n-- migration\n{statement};\n"
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "required", "optional"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_null_default_on_a_not_null_column_is_refused(
    table: str, required: str, optional: str, dialect: str
) -> None:
    for statement in _refused(table, required, optional):
        (finding,) = _found(table, required, optional, statement, dialect)
        assert finding.severity == "critical" and "ERROR 1067: Invalid default value" in finding.message
        assert "DROP DEFAULT" in finding.fix
    for statement in _accepted(table, required, optional):
        assert not _found(table, required, optional, statement, dialect), statement


@pytest.mark.parametrize(("table", "required", "optional"), NAMES)
def test_postgresql_takes_a_null_default_as_none(table: str, required: str, optional: str) -> None:
    for statement in _refused(table, required, optional):
        assert not _found(table, required, optional, statement, "postgres"), statement
    added = f"ALTER TABLE {table} ADD COLUMN {required}_rank int NOT NULL DEFAULT NULL"
    sql = f"{_schema(table, required, optional)};\n-- migration\n{added};\n"
    rules = {f.rule: f for f in review_sql(sql, dialect="postgres").active}
    assert rules["not-null-without-default"].severity == "critical"
    nullable = sql.replace("NOT NULL DEFAULT NULL;", "DEFAULT NULL;")
    assert "not-null-without-default" not in {f.rule for f in review_sql(nullable, dialect="postgres").active}


@pytest.mark.parametrize(("table", "required", "optional"), NAMES)
def test_the_servers_do_what_the_findings_say(
    mariadb: Any, pg: Any, table: str, required: str, optional: str
) -> None:
    cursor = mariadb.cursor()
    for statement in _refused(table, required, optional):
        cursor.execute(_schema(table, required, optional))
        assert "Invalid default value" in refusal(cursor.execute, statement), statement
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {table}_log")
    for statement in _accepted(table, required, optional):
        cursor.execute(_schema(table, required, optional))
        assert refusal(cursor.execute, statement) == "", statement
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {table}_log")
    pg.execute(_schema(table, required, optional))
    pg.execute(f"INSERT INTO {table} (id, {required}) VALUES (1, 'x')")
    pg.execute(f"ALTER TABLE {table} ALTER COLUMN {required} SET DEFAULT NULL")  # accepted: the default goes
    added = f"ALTER TABLE {table} ADD COLUMN {required}_rank int NOT NULL DEFAULT NULL"
    assert "contains null values" in refusal(pg.execute, added)


@pytest.mark.parametrize(("table", "required", "optional"), NAMES)
def test_alembics_server_default_null_on_a_not_null_column(table: str, required: str, optional: str) -> None:
    """Alembic sends `server_default=sa.text("NULL")` as `SET DEFAULT NULL` (or in the MODIFY it writes with
    `nullable=`): refused on a column that stays NOT NULL."""
    base = {
        "alembic/versions/0001_a.py": 'revision = "0001"\ndown_revision = None\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\ndef upgrade():\n"
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True), '
        f'sa.Column("{required}", sa.String(20), server_default="none", nullable=False), '
        f'sa.Column("{optional}", sa.String(200), nullable=True))\n\n\ndef downgrade():\n    op.drop_table("{table}")\n'
    }

    def found(call: str) -> list[Any]:
        text = (
            'revision = "0002"\ndown_revision = "0001"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
            f"def upgrade():\n    {call}\n\n\ndef downgrade():\n    pass\n"
        )
        result = review_sql(text, path="alembic/versions/0002_b.py", base=base, dialect="mysql")
        return [f for f in result.active if f.rule == RULE]

    assert found(f'op.alter_column("{table}", "{required}", server_default=sa.text("NULL"))')
    assert found(f'op.alter_column("{table}", "{optional}", nullable=False, server_default=sa.text("NULL"))')
    assert not found(f'op.alter_column("{table}", "{required}", server_default=None)')
    assert not found(
        f'op.alter_column("{table}", "{required}", nullable=True, server_default=sa.text("NULL"))'
    )
    assert not found(f'op.alter_column("{table}", "{optional}", server_default=sa.text("NULL"))')
