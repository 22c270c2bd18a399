"""`value-does-not-fit`: a literal the column's own type cannot hold (too long for `char(n)`/`varchar(n)`, out of an
integer's range, over a numeric's precision, not a number, boolean or UUID) fails the statement; a value that
fits, or an explicit cast the author chose, is quiet. Read from SQL in every framework's migrations."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {
        "table": "users",
        "code": "country",
        "count": "logins",
        "amount": "balance",
        "flag": "verified",
        "ref": "token",
    },
    {
        "table": "stores",
        "code": "region",
        "count": "stock",
        "amount": "price",
        "flag": "active",
        "ref": "public_id",
    },
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {code} char(2), label varchar(10), {count} smallint,\n"
    "  {amount} numeric(7, 2), {flag} boolean, {ref} uuid, note text);\n"
)


def _review(names: dict[str, str], sql: str, framework=FRAMEWORKS[0], dialect: str | None = None) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(**names)})


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "value-does-not-fit"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_string_longer_than_the_column_fails(names, framework) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(
        _review(names, "UPDATE {table} SET {code} = 'USA' WHERE id >= 1 AND id < 1000;", framework)
    )
    assert finding.severity.value == "critical" and f"`{names['table']}.{names['code']}`" in finding.message
    assert "'USA' (3 characters, over its limit of 2)" in finding.message
    assert not _found(
        _review(names, "UPDATE {table} SET {code} = 'US' WHERE id >= 1 AND id < 1000;", framework)
    )


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("UPDATE {table} SET {count} = 70000 WHERE id = 7;", "outside -32,768 to 32,767"),
        ("UPDATE {table} SET {count} = 'n/a' WHERE id = 7;", "not a whole number"),
        ("UPDATE {table} SET {amount} = 123456.78 WHERE id = 7;", "5 digits before the point at most"),
        ("UPDATE {table} SET {flag} = 'maybe' WHERE id = 7;", "not a boolean"),
        ("UPDATE {table} SET {ref} = 'pending' WHERE id = 7;", "not a UUID"),
        (
            "INSERT INTO {table} (id, label) VALUES (1, 'ok'), (2, 'pending_review');",
            "14 characters, over its limit of 10",
        ),
        (
            "UPDATE {table} SET label = CASE WHEN note = 'x' THEN 'short' ELSE 'much_too_long_label' END WHERE id < 100;",
            "over its limit of 10",
        ),
    ],
)
def test_values_each_type_refuses(names, sql, why) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, sql))
    assert why in finding.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET {count} = 32767, {amount} = 99999.99, {flag} = 'yes' WHERE id = 7;",
        "UPDATE {table} SET {count} = '12' WHERE id = 7;",
        "UPDATE {table} SET {ref} = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' WHERE id = 7;",
        "UPDATE {table} SET {code} = 'USA'::char(2) WHERE id = 7;",
        "UPDATE {table} SET {code} = 'US  ' WHERE id = 7;",
        "UPDATE {table} SET note = 'a much longer text than ten characters' WHERE id = 7;",
    ],
)
def test_values_that_fit_or_an_explicit_cast_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql))


@pytest.mark.parametrize("names", NAMES)
def test_mysql_says_it_truncates_outside_strict_mode(names) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, "UPDATE {table} SET {code} = 'USA' WHERE id = 7;", dialect="mysql"))
    assert "strict mode" in finding.blast_radius


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("sql", "largest"),
    [
        ("UPDATE {table} SET {amount} = {amount} * 100 WHERE id < 1000;", "1000"),
        (
            "UPDATE {table} SET {count} = {count} * 1000 WHERE id < 1000;",
            "33",
        ),  # whole values: 33 * 1000 > 32767
    ],
)
def test_a_column_scaled_past_its_precision_overflows(names, sql, largest) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(_review(names, sql))
    assert finding.severity.value == "warning" and f"values of {largest} or more" in finding.message
    assert "SELECT count(*)" in finding.fix


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET {amount} = {amount} * 1 WHERE id < 1000;",
        "UPDATE {table} SET {amount} = {amount} / 100 WHERE id < 1000;",
        "UPDATE {table} SET note = note || 'x' WHERE id < 1000;",
        "UPDATE {table} SET {amount} = {count} * 3 WHERE id < 1000;",
    ],
)
def test_scaling_that_cannot_overflow_is_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql))


@pytest.mark.parametrize("names", NAMES)
def test_a_limit_no_scaled_value_is_likely_to_reach_is_a_note(names) -> None:  # type: ignore[no-untyped-def]
    schema = "CREATE TABLE {table} (id bigint PRIMARY KEY, {amount} integer);\n-- migration\n".format(**names)
    sql = schema + "UPDATE {table} SET {amount} = {amount} * 10 WHERE id < 1000;".format(**names)
    [finding] = [f for f in review_sql(sql).active if f.rule == "value-does-not-fit"]
    assert finding.severity.value == "info"


RAILS_DEFAULT = (
    "class AddKey < ActiveRecord::Migration[7.1]\n  def change\n"
    "    add_column :{table}, :{column}, :uuid, null: false, default: {default}\n  end\nend\n"
)
ALEMBIC_DEFAULT = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n'
    "from sqlalchemy.dialects import postgresql\n\n\ndef upgrade():\n"
    '    op.add_column("{table}", sa.Column("{column}", postgresql.UUID(), nullable=False, server_default={default}))\n'
    '\n\ndef downgrade():\n    op.drop_column("{table}", "{column}")\n'
)


@pytest.mark.parametrize(("table", "column"), [("orders", "public_id"), ("devices", "token")])
@pytest.mark.parametrize(
    ("path", "template", "quoted", "called"),
    [
        (
            "alembic/versions/b2_add_key.py",
            ALEMBIC_DEFAULT,
            '"gen_random_uuid()"',
            'sa.text("gen_random_uuid()")',
        ),
    ],
)
def test_a_function_default_written_as_a_string_is_text_the_column_refuses(
    table: str, column: str, path: str, template: str, quoted: str, called: str
) -> None:
    """Alembic's `server_default="gen_random_uuid()"` sends the text `'gen_random_uuid()'`, which a uuid column
    refuses when the column is added; written as an expression it is the function, computed for each row (a
    volatile default, not a value that does not fit)."""
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"}

    def rules(default: str) -> dict[str, str]:
        text = template.format(table=table, column=column, default=default)
        return {f.rule: f.message for f in review_sql(text, path=path, base=base).active}

    text = rules(quoted)
    assert "never called" in text["value-does-not-fit"] and "volatile-default" not in text
    expression = rules(called)
    assert "value-does-not-fit" not in expression and "volatile-default" in expression


@pytest.mark.parametrize(("table", "column"), [("items", "stock"), ("seats", "row_number")])
def test_a_sql_default_the_type_cannot_hold(table: str, column: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, code varchar(3));\n"}

    def found(sql: str) -> list[str]:
        result = review_sql(sql, path="db/migrations/0002_add.sql", base=base)
        return [f.message for f in result.active if f.rule == "value-does-not-fit"]

    assert found(f"ALTER TABLE {table} ADD COLUMN {column} smallint NOT NULL DEFAULT 70000;")
    assert found(f"ALTER TABLE {table} ALTER COLUMN code SET DEFAULT 'active';")
    assert not found(f"ALTER TABLE {table} ADD COLUMN {column} smallint NOT NULL DEFAULT 7;")
    assert not found(f"ALTER TABLE {table} ALTER COLUMN code SET DEFAULT 'new';")


@pytest.mark.parametrize(("table", "column"), [("orders", "public_id"), ("devices", "token")])
@pytest.mark.parametrize(
    "default", ['"gen_random_uuid()"', '"uuid_generate_v4()"', '-> { "gen_random_uuid()" }']
)
def test_rails_leaves_a_function_default_of_a_uuid_column_unquoted(
    table: str, column: str, default: str
) -> None:
    """Rails' PostgreSQL adapter does not quote a string with `()` given as the default of a uuid column: it is
    the function, computed for each row."""
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"}
    text = RAILS_DEFAULT.format(table=table, column=column, default=default)
    found = {f.rule for f in review_sql(text, path="db/migrate/20260101000000_add_key.rb", base=base).active}
    assert "value-does-not-fit" not in found and "volatile-default" in found


@pytest.mark.parametrize(
    ("table", "column", "column_type", "value"),
    [
        ("login_requests", "state", "varchar(5)", "'pending_review'"),
        ("countries", "code", "char(2)", "'USA'"),
    ],
)
def test_sqlite_stores_a_value_its_column_type_would_refuse_elsewhere(
    table: str, column: str, column_type: str, value: str
) -> None:
    """SQLite's column types are affinities: the default and the written value are stored as they are
    (shown on SQLite), so nothing fails there; PostgreSQL refuses the same values."""
    import sqlite3

    sql = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY);\n-- migration\n"
        f"ALTER TABLE {table} ADD COLUMN {column} {column_type} NOT NULL DEFAULT {value};\n"
        f"UPDATE {table} SET {column} = {value} WHERE id BETWEEN 1 AND 100;"
    )
    assert not [f for f in review_sql(sql, dialect="sqlite").active if f.rule == "value-does-not-fit"]
    assert [f for f in review_sql(sql, dialect="postgres").active if f.rule == "value-does-not-fit"]
    database = sqlite3.connect(":memory:")
    for statement in sql.replace("-- migration\n", "").split(";\n"):
        database.execute(statement)
    database.execute(f"INSERT INTO {table} (id) VALUES (1)")
    assert database.execute(f"SELECT {column} FROM {table}").fetchone() == (value.strip("'"),)
