"""The backup statements that fixes suggest run as written: names the database would fold (camelCase, a
mixed-case table) or refuse bare (a reserved word) are quoted, on PostgreSQL and MariaDB alike."""

from __future__ import annotations

import re

import pytest

from tests.conftest import review_sql

# inline code: `…`, or `` … `` around SQL that holds backticks itself (MySQL's quoted names)
_SAVED = re.compile(r"`` (CREATE TABLE .+?);? ``|`(CREATE TABLE [^`]+?);?`")

# (schema, change, rule): each change destroys or overwrites values of a column whose name needs quoting
POSTGRES = (
    (
        'CREATE TABLE teams (id bigint PRIMARY KEY, "collaborativeEditing" boolean);',
        '-- +goose Up\nALTER TABLE teams DROP COLUMN "collaborativeEditing";\n'
        '-- +goose Down\nALTER TABLE teams ADD COLUMN "collaborativeEditing" boolean;',
        "down-recreates-empty",
    ),
    (
        'CREATE TABLE "Orders" (id bigint PRIMARY KEY, "legacyStatus" text);',
        '-- +goose Up\nALTER TABLE "Orders" DROP COLUMN "legacyStatus";\n'
        '-- +goose Down\nALTER TABLE "Orders" ADD COLUMN "legacyStatus" text;',
        "down-recreates-empty",
    ),
    (
        'CREATE TABLE accounts (id bigint PRIMARY KEY, "planName" text);',
        "UPDATE accounts SET \"planName\" = 'free';",
        "every-row-overwritten",
    ),
    (
        'CREATE TABLE tickets (id bigint PRIMARY KEY, "user" text);',
        "UPDATE tickets SET \"user\" = 'nobody';",
        "every-row-overwritten",
    ),
)


def _statement(schema: str, change: str, rule: str, dialect: str | None = None) -> str:
    result = review_sql(f"{schema}\n-- migration\n{change}\n", dialect=dialect)
    fixes = [f.fix for f in result.active if f.rule == rule]
    assert fixes, f"{rule} did not report: {change}"
    found = _SAVED.search(fixes[0])
    assert found, fixes[0]
    return found.group(1) or found.group(2)


@pytest.mark.parametrize(("schema", "change", "rule"), POSTGRES)
def test_the_backup_a_fix_suggests_runs_on_postgres(pg, schema: str, change: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    statement = _statement(schema, change, rule)
    pg.execute(schema)
    pg.execute(statement)  # raises when a folded or reserved name was left bare


def test_plain_names_stay_bare() -> None:
    statement = _statement(
        "CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text);",
        "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;",
        "down-recreates-empty",
    )
    assert statement == "CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders"


def test_the_backup_a_fix_suggests_runs_on_mariadb(mariadb) -> None:  # type: ignore[no-untyped-def]
    schema = "CREATE TABLE bookings (id bigint PRIMARY KEY, `order` int);"
    statement = _statement(schema, "UPDATE bookings SET `order` = 0;", "every-row-overwritten", "mariadb")
    assert "`order`" in statement
    with mariadb.cursor() as cursor:
        cursor.execute(schema.rstrip(";"))
        cursor.execute(statement)


def test_sql_with_backticks_stays_one_code_span_in_the_comment() -> None:
    """MySQL's quoted names inside inline code would end the span early on GitHub: the comment delimits such
    SQL with two backticks, in the findings and in the rollback plan's commands."""
    from bot.render.formats import render_comment

    for table, column in (("bookings", "order"), ("settings", "key")):
        schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, `{column}` int);"
        comment = render_comment(
            review_sql(f"{schema}\n-- migration\nUPDATE {table} SET `{column}` = 0;\n", dialect="mysql")
        )
        saved = f"CREATE TABLE {table}_{column}_backup AS SELECT id, `{column}` FROM {table}"
        assert f"`` {saved} ``" in comment  # the fix
        assert f"`` {saved}; ``" in comment  # the rollback plan's command
        assert f"`{saved}" not in comment
