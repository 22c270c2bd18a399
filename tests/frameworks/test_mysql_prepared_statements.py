"""MySQL migrations run a DDL statement only where it applies through a user variable, PREPARE and EXECUTE
(MySQL has no `DROP FOREIGN KEY IF EXISTS`). The statement the EXECUTE runs is read at its line when the
variable holds it as a string, or as one branch of an IF(…) whose other branch does nothing (then guarded);
built any other way it stays a statement the review could not read. Run on MariaDB 10.11 as written."""

from __future__ import annotations

from typing import Any

import pytest

from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import AddColumn, DropColumn, DropConstraint, Unparsed
from tests.conftest import review_sql

# (table, parent, key column, foreign key name)
NAMES = [
    ("sso_users", "users", "user_uuid", "sso_users_ibfk_1"),
    ("order_lines", "orders", "order_id", "fk_lines_order"),
]


def _guarded_drop(table: str, key: str) -> str:
    return (
        f"SET @drop_fk = IF((SELECT true FROM information_schema.TABLE_CONSTRAINTS WHERE\n"
        f"    CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND\n"
        f"    CONSTRAINT_NAME = '{key}' AND CONSTRAINT_TYPE = 'FOREIGN KEY') = true,\n"
        f"    'ALTER TABLE {table} DROP FOREIGN KEY {key}',\n"
        "    'SELECT 1');\n"
        "PREPARE stmt FROM @drop_fk;\nEXECUTE stmt;\nDEALLOCATE PREPARE stmt;\n"
    )


def _schema(table: str, parent: str, column: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id varchar(40) PRIMARY KEY);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(40), note text,\n"
        f"  CONSTRAINT {key} FOREIGN KEY ({column}) REFERENCES {parent} (id));\n"
    )


@pytest.mark.parametrize(("table", "parent", "column", "key"), NAMES)
def test_a_statement_run_where_it_applies_is_read_guarded(
    mariadb: Any, table: str, parent: str, column: str, key: str
) -> None:
    change = _guarded_drop(table, key) + (
        f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {parent} (id) ON DELETE CASCADE;\n"
    )
    ops = parse_sql("up.sql", change, "mariadb")
    assert not [op for op in ops if isinstance(op, Unparsed)]
    [drop] = [op for op in ops if isinstance(op, DropConstraint)]
    assert drop.if_exists and drop.name == key and drop.location.line == 7
    result = review_sql(_schema(table, parent, column, key) + "-- migration\n" + change, dialect="mariadb")
    assert not [f for f in result.active if f.rule in ("unparsed-statement", "unreadable-migration")]
    # and it runs as written, twice: the second time there is no key to drop
    with mariadb.cursor() as cursor:
        for statement in _schema(table, parent, column, key).split(";\n")[:-1]:
            cursor.execute(statement)
        for _ in range(2):
            for statement in _guarded_drop(table, key).split(";\n")[:-1]:
                cursor.execute(statement)


@pytest.mark.parametrize(("table", "parent", "column", "key"), NAMES)
def test_what_the_variable_holds_is_reviewed_and_what_code_builds_is_not_read(
    table: str, parent: str, column: str, key: str
) -> None:
    # a plain string: the statement is read, and what it does is found (a column dropped)
    plain = f"SET @s = 'ALTER TABLE {table} DROP COLUMN note';\nPREPARE s FROM @s;\nEXECUTE s;\nDEALLOCATE PREPARE s;\n"
    ops = parse_sql("up.sql", plain, "mysql")
    assert [type(op) for op in ops if type(op).__name__ != "RawSQL"] == [DropColumn]
    result = review_sql(_schema(table, parent, column, key) + "-- migration\n" + plain, dialect="mysql")
    assert "column-dropped" in {f.rule for f in result.active}
    # built from the schema: not read, and said so
    built = (
        f"SET @s = CONCAT('ALTER TABLE {table} ADD COLUMN ', @name, ' text');\n"
        "PREPARE s FROM @s;\nEXECUTE s;\nDEALLOCATE PREPARE s;\n"
    )
    ops = parse_sql("up.sql", built, "mysql")
    assert any(isinstance(op, Unparsed) and "EXECUTE" in op.sql for op in ops)
    assert not [op for op in ops if isinstance(op, AddColumn)]
