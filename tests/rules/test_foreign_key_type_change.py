"""foreign-key-type-change: MySQL and MariaDB refuse to change the type of a column a foreign key joins, on
either side (shown on the real MariaDB below); dropping the key first, restating the same type or Django's
AlterField (whose schema editor drops and re-adds the keys) pass."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "foreign-key-type-change"
NAMES = [("users", "orders", "user_id"), ("accounts", "invoices", "account_id")]


def _schema(parent: str, child: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, code varchar(20) NOT NULL,\n"
        f"  UNIQUE KEY {parent}_code (code)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} int NOT NULL, {parent}_code varchar(20),\n"
        f"  CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id),\n"
        f"  CONSTRAINT {child}_code_fk FOREIGN KEY ({parent}_code) REFERENCES {parent} (code)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n-- migration\n"
    )


def _found(sql: str, dialect: str) -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_changing_the_type_of_either_side_of_a_key_fails(
    parent: str, child: str, key: str, dialect: str
) -> None:
    schema = _schema(parent, child, key)
    for sql, name in (
        (f"ALTER TABLE {parent} MODIFY id bigint NOT NULL AUTO_INCREMENT;", f"{child}_{key}_fk"),
        (f"ALTER TABLE {child} MODIFY {key} bigint NOT NULL;", f"{child}_{key}_fk"),
        (f"ALTER TABLE {child} MODIFY {key} int unsigned NOT NULL;", f"{child}_{key}_fk"),
        (f"ALTER TABLE {parent} MODIFY code char(20) NOT NULL;", f"{child}_code_fk"),
        # the key dropped only after the change: the change has already failed
        (
            f"ALTER TABLE {child} CHANGE {key} {key} bigint NOT NULL;\n"
            f"ALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk;",
            f"{child}_{key}_fk",
        ),
    ):
        (message,) = _found(schema + sql, dialect)
        assert f"`{name}`" in message and "fails" in message, message


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_longer_varchar_is_refused_by_mariadb_only(parent: str, child: str, key: str) -> None:
    schema = _schema(parent, child, key)
    sql = f"ALTER TABLE {child} MODIFY {parent}_code varchar(40);"
    assert _found(schema + sql, "mariadb")
    assert not _found(schema + sql, "mysql")


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_key_dropped_first_or_type_restated_is_fine(parent: str, child: str, key: str, dialect: str) -> None:
    schema = _schema(parent, child, key)
    for sql in (
        f"ALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk;\n"
        f"ALTER TABLE {parent} MODIFY id bigint NOT NULL AUTO_INCREMENT;\n"
        f"ALTER TABLE {child} MODIFY {key} bigint NOT NULL;\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id);",
        f"ALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk, MODIFY {key} bigint NOT NULL;",
        f"ALTER TABLE {child} MODIFY {key} int(11) NULL;",  # the same type, only NULL allowed
        f"ALTER TABLE {child} MODIFY id int NOT NULL;",  # no key uses the column
    ):
        assert not _found(schema + sql, dialect), sql
    assert not _found(
        schema.replace(" ENGINE=InnoDB", "") + f"ALTER TABLE {child} ALTER COLUMN {key} TYPE bigint;",
        "postgres",
    )


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_mysql_with_the_checks_off_changes_both_sides(parent: str, child: str, key: str) -> None:
    sql = (
        _schema(parent, child, key) + "SET FOREIGN_KEY_CHECKS = 0;\n"
        f"ALTER TABLE {parent} MODIFY id bigint NOT NULL AUTO_INCREMENT;\n"
        f"ALTER TABLE {child} MODIFY {key} bigint NOT NULL;\nSET FOREIGN_KEY_CHECKS = 1;"
    )
    assert not _found(sql, "mysql")
    assert len(_found(sql, "mariadb")) == 2  # MariaDB refuses with the checks off too


@pytest.mark.parametrize(("parent", "child"), [("teams", "members"), ("shops", "items")])
def test_rails_change_column_on_a_referenced_key(parent: str, child: str) -> None:
    base = {
        "db/migrate/20240101000000_create.rb": (
            "class Create < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    create_table :{parent}, id: :integer do |t|\n      t.string :name\n    end\n"
            f"    create_table :{child} do |t|\n      t.references :{parent[:-1]}, type: :integer, foreign_key: true\n"
            "    end\n  end\nend\n"
        )
    }
    path = "db/migrate/20240201000000_widen.rb"

    def found(body: str) -> list[str]:
        text = f"class Widen < ActiveRecord::Migration[7.1]\n  def up\n{body}  end\nend\n"
        result = review_sql(text, path=path, base=base, dialect="mysql")
        return [f.message for f in result.active if f.rule == RULE]

    assert found(f"    change_column :{parent}, :id, :bigint\n")
    assert not found(
        f"    remove_foreign_key :{child}, :{parent}\n    change_column :{parent}, :id, :bigint\n"
        f"    change_column :{child}, :{parent[:-1]}_id, :bigint\n    add_foreign_key :{child}, :{parent}\n"
    )


def test_mariadb_refuses_what_the_rule_reports(mariadb) -> None:  # type: ignore[no-untyped-def]
    import pymysql

    cursor = mariadb.cursor()
    for statement in _schema("fkt_users", "fkt_orders", "user_id").split(";\n")[:2]:
        cursor.execute(statement)
    try:
        with pytest.raises(pymysql.err.OperationalError, match="1833"):
            cursor.execute("ALTER TABLE fkt_users MODIFY id bigint NOT NULL AUTO_INCREMENT")
        with pytest.raises(pymysql.err.OperationalError, match="1832"):
            cursor.execute("ALTER TABLE fkt_orders MODIFY fkt_users_code varchar(40)")
        cursor.execute("ALTER TABLE fkt_orders MODIFY user_id int(11) NULL")  # the same type passes
        cursor.execute("ALTER TABLE fkt_orders DROP FOREIGN KEY fkt_orders_user_id_fk, MODIFY user_id bigint")
    finally:
        cursor.execute("DROP TABLE IF EXISTS fkt_orders")
        cursor.execute("DROP TABLE IF EXISTS fkt_users")
