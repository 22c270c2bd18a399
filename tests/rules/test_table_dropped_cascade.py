"""table-dropped with CASCADE: what PostgreSQL takes along (the referencing tables' keys and the views), and
what it does not (their rows); MySQL ignores the word."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "table-dropped"


@pytest.mark.parametrize(
    ("parent", "child", "view"), [("accounts", "orders", "order_totals"), ("teams", "members", "roster")]
)
def test_drop_cascade_names_the_keys_and_views_it_drops(parent, child, view) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, name text);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent}(id));\n"
        f"CREATE VIEW {view} AS SELECT id, name FROM {parent};\n-- migration\n"
    )
    (finding,) = [f for f in review_sql(schema + f"DROP TABLE {parent} CASCADE;").active if f.rule == RULE]
    assert f"foreign keys of `{child}`" in finding.message and "rows stay" in finding.message
    assert f"`{view}`" in finding.message and "empties" not in finding.message
    assert finding.severity.name == "CRITICAL"
    (truncated,) = [f for f in review_sql(schema + f"TRUNCATE {parent} CASCADE;").active if f.rule == RULE]
    assert "empties every table" in truncated.message


def test_mysql_ignores_cascade_on_drop_table() -> None:
    schema = "CREATE TABLE sessions (id bigint PRIMARY KEY, token varchar(64));\n-- migration\n"
    (finding,) = [
        f
        for f in review_sql(schema + "DROP TABLE sessions CASCADE;", dialect="mysql").active
        if f.rule == RULE
    ]
    assert "CASCADE" not in finding.message and finding.severity.name != "CRITICAL"


def test_what_postgresql_does_on_drop_cascade(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE accounts (id bigint PRIMARY KEY)")
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts(id))")
    pg.execute("INSERT INTO accounts VALUES (1)")
    pg.execute("INSERT INTO orders VALUES (1, 1)")
    pg.execute("DROP TABLE accounts CASCADE")
    assert pg.execute("SELECT count(*) FROM orders").fetchone() == (1,)  # the rows stay
    pg.execute("INSERT INTO orders VALUES (2, 99)")  # and nothing checks them any more
