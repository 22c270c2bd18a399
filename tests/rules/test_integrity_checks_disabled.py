"""integrity-checks-disabled: data changes made while foreign-key checks are off, and checks left off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "integrity-checks-disabled"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


PG = [("plans", "accounts", "plan_id"), ("teams", "memberships", "team_id")]


def _schema(parent: str, child: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, code text NOT NULL, sort_order int);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL REFERENCES {parent} (id), note text);\n"
        "-- migration\n"
    )


@pytest.mark.parametrize(("parent", "child", "key"), PG)
@pytest.mark.parametrize(
    ("off", "on"),
    [
        ("SET session_replication_role = replica;", "SET session_replication_role = DEFAULT;"),
        ("ALTER TABLE {parent} DISABLE TRIGGER ALL;", "ALTER TABLE {parent} ENABLE TRIGGER ALL;"),
    ],
)
def test_a_delete_while_checks_are_off_leaves_orphans(parent, child, key, off, on) -> None:  # type: ignore[no-untyped-def]
    change = f"{off}\nDELETE FROM {parent} WHERE code = 'legacy';\n{on}".format(parent=parent)
    result = review_sql(_schema(parent, child, key) + change)
    (finding,) = [f for f in result.active if f.rule == RULE]
    assert finding.severity.value == "critical" and f"`{child}`" in finding.message
    # the DELETE does not fail with the checks off: referenced-rows-deleted would say it does
    assert "referenced-rows-deleted" not in {f.rule for f in result.active}


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    for statement in _schema("plans", "accounts", "plan_id").replace("-- migration\n", "").split(";\n"):
        if statement.strip():
            pg.execute(statement)
    pg.execute("INSERT INTO plans VALUES (1, 'legacy', 1)")
    pg.execute("INSERT INTO accounts VALUES (10, 1, 'x')")
    pg.execute("ALTER TABLE plans DISABLE TRIGGER ALL")
    pg.execute("DELETE FROM plans WHERE code = 'legacy'")  # no error
    pg.execute("ALTER TABLE plans ENABLE TRIGGER ALL")
    orphans = pg.execute(
        "SELECT count(*) FROM accounts LEFT JOIN plans ON plans.id = accounts.plan_id WHERE plans.id IS NULL"
    ).fetchone()
    assert orphans == (1,)


@pytest.mark.parametrize(("parent", "child", "key"), PG)
def test_writes_that_touch_no_key_and_checks_left_on_are_quiet(parent, child, key) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(parent, child, key)
    # an UPDATE of a column no key involves cannot break one
    assert not _found(
        schema + f"ALTER TABLE {child} DISABLE TRIGGER ALL;\nUPDATE {child} SET note = 'n';\n"
        f"ALTER TABLE {child} ENABLE TRIGGER ALL;"
    )
    assert not _found(schema + f"DELETE FROM {child} WHERE note = 'x';")


def test_checks_left_off_are_reported() -> None:
    (finding,) = _found(_schema("plans", "accounts", "plan_id") + "ALTER TABLE accounts DISABLE TRIGGER ALL;")
    assert "every session" in finding.message and "ENABLE TRIGGER ALL" in finding.fix
    (session,) = _found(
        "CREATE TABLE t (id bigint PRIMARY KEY);\n-- migration\nSET FOREIGN_KEY_CHECKS = 0;\n"
        "CREATE TABLE u (id bigint PRIMARY KEY);",
        dialect="mysql",
    )
    assert session.severity.value == "warning"
    assert not _found(
        "CREATE TABLE t (id bigint PRIMARY KEY);\n-- migration\nSET FOREIGN_KEY_CHECKS = 0;\n"
        "CREATE TABLE u (id bigint PRIMARY KEY);\nSET FOREIGN_KEY_CHECKS = 1;",
        dialect="mysql",
    )


@pytest.mark.parametrize(("parent", "child"), [("users", "orders"), ("authors", "books")])
def test_mysql_delete_with_foreign_key_checks_off(mariadb, parent, child) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, owner_id bigint NOT NULL, "
        f"FOREIGN KEY (owner_id) REFERENCES {parent} (id));\n"
    )
    change = f"SET FOREIGN_KEY_CHECKS = 0;\nDELETE FROM {parent} WHERE id = 1;\nSET FOREIGN_KEY_CHECKS = 1;"
    (finding,) = _found(schema + "-- migration\n" + change, dialect="mysql")
    assert f"`{child}`" in finding.message
    with mariadb.cursor() as cursor:
        for statement in (schema + change).strip().split(";\n"):
            cursor.execute(statement.rstrip(";"))
        cursor.execute(f"SELECT count(*) FROM {child}")
        assert cursor.fetchone() == (0,)  # nothing pointed at it here; now with a child row:
        cursor.execute(f"INSERT INTO {parent} VALUES (2)")
        cursor.execute(f"INSERT INTO {child} VALUES (20, 2)")
        for statement in change.replace("id = 1", "id = 2").split(";\n"):
            cursor.execute(statement.rstrip(";"))
        cursor.execute(f"SELECT count(*) FROM {child} WHERE owner_id NOT IN (SELECT id FROM {parent})")
        assert cursor.fetchone() == (1,)
