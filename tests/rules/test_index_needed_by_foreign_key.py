"""index-needed-by-foreign-key: MySQL and MariaDB refuse to drop the index a foreign key still needs (shown on
the real MariaDB below); on PostgreSQL the drop succeeds and leaves the key's checks without an index, which
foreign-key-without-index reports as a warning."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "index-needed-by-foreign-key"
NAMES = [("users", "orders", "user_id"), ("accounts", "invoices", "account_id")]


def _schema(parent: str, child: str, key: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL, KEY {child}_{key}_idx ({key}),\n"
        f"  CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id));\n-- migration\n"
    )


def _found(sql: str, dialect: str = "mysql") -> list[str]:
    return [f.message for f in review_sql(sql, dialect=dialect).active if f.rule == RULE]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_dropping_the_index_a_key_needs_fails(parent: str, child: str, key: str, dialect: str) -> None:
    schema = _schema(parent, child, key)
    for sql in (
        f"DROP INDEX {child}_{key}_idx ON {child};",
        f"ALTER TABLE {child} DROP INDEX {child}_{key}_idx;",
        # the key dropped only after its index: the drop of the index has already failed
        f"DROP INDEX {child}_{key}_idx ON {child};\nALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk;",
        # an index added after the drop comes too late
        f"DROP INDEX {child}_{key}_idx ON {child};\nCREATE INDEX {child}_{key}_2 ON {child} ({key}, id);",
    ):
        (message,) = _found(schema + sql, dialect)
        assert f"`{child}_{key}_idx`" in message and f"`{child}_{key}_fk`" in message, message


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_the_index_innodb_made_for_a_key_is_needed_too(parent: str, child: str, key: str) -> None:
    schema = (
        f"CREATE TABLE {parent} (id int PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id int PRIMARY KEY, {key} int NOT NULL,\n"
        f"  CONSTRAINT {child}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id));\n-- migration\n"
    )
    assert _found(schema + f"ALTER TABLE {child} DROP INDEX {child}_fk;", "mariadb")


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_key_dropped_first_or_another_index_serving_it_is_fine(parent: str, child: str, key: str) -> None:
    schema = _schema(parent, child, key)
    for sql in (
        f"ALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk;\nDROP INDEX {child}_{key}_idx ON {child};",
        f"ALTER TABLE {child} DROP FOREIGN KEY {child}_{key}_fk, DROP INDEX {child}_{key}_idx;",
        f"CREATE INDEX {child}_{key}_2 ON {child} ({key}, id);\nDROP INDEX {child}_{key}_idx ON {child};",
    ):
        assert not _found(schema + sql), sql
    unrelated = (
        f"CREATE TABLE {parent} (id int PRIMARY KEY, email varchar(100), KEY {parent}_email (email));\n"
    )
    assert not _found(unrelated + f"-- migration\nDROP INDEX {parent}_email ON {parent};")


@pytest.mark.parametrize(
    ("parent", "child", "key"), [("teams", "members", "team_id"), ("shops", "items", "shop_id")]
)
def test_rails_remove_index_before_remove_foreign_key(parent: str, child: str, key: str) -> None:
    base = {
        "db/migrate/20240101000000_create.rb": (
            "class Create < ActiveRecord::Migration[7.1]\n  def change\n"
            f"    create_table :{parent} do |t|\n      t.string :name\n    end\n"
            f"    create_table :{child} do |t|\n      t.references :{key[:-3]}, foreign_key: true\n    end\n"
            "  end\nend\n"
        )
    }
    path = "db/migrate/20240201000000_drop_index.rb"

    def found(body: str) -> list[str]:
        text = f"class DropIndex < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"
        result = review_sql(text, path=path, base=base, dialect="mysql")
        return [f.message for f in result.active if f.rule == RULE]

    assert found(f"    remove_index :{child}, :{key}\n")
    assert not found(f"    remove_foreign_key :{child}, :{parent}\n    remove_index :{child}, :{key}\n")
    assert not found(f"    remove_foreign_key :{child}, column: :{key}\n    remove_index :{child}, :{key}\n")


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_on_postgres_the_drop_is_a_warning_of_the_foreign_key_without_index(
    parent: str, child: str, key: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL REFERENCES {parent} (id));\n"
        f"CREATE INDEX {child}_{key}_idx ON {child} ({key});\n-- migration\n"
    )
    result = review_sql(schema + f"DROP INDEX CONCURRENTLY {child}_{key}_idx;", dialect="postgres")
    (finding,) = [f for f in result.active if f.rule == "foreign-key-without-index"]
    assert finding.severity == "warning" and f"`{child}_{key}_idx`" in finding.message
    assert not [f for f in result.active if f.rule == RULE]
    added = review_sql(
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n-- migration\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id));",
        dialect="postgres",
    )
    assert [f.severity for f in added.active if f.rule == "foreign-key-without-index"] == ["info"]


def test_mariadb_refuses_what_the_rule_reports(mariadb) -> None:  # type: ignore[no-untyped-def]
    import pymysql

    cursor = mariadb.cursor()
    for statement in _schema("ix_users", "ix_orders", "user_id").split(";\n")[:2]:
        cursor.execute(statement)
    with pytest.raises(pymysql.err.OperationalError, match="1553"):
        cursor.execute("DROP INDEX ix_orders_user_id_idx ON ix_orders")
    cursor.execute(
        "ALTER TABLE ix_orders DROP FOREIGN KEY ix_orders_user_id_fk, DROP INDEX ix_orders_user_id_idx"
    )
    cursor.execute("DROP TABLE ix_orders")
    cursor.execute("DROP TABLE ix_users")


@pytest.mark.parametrize(
    ("table", "first", "second"), [("devices", "sessions", "networks"), ("seats", "rooms", "venues")]
)
def test_mysqls_own_names_for_unnamed_foreign_keys_are_understood(
    mariadb, table: str, first: str, second: str
) -> None:  # type: ignore[no-untyped-def]
    """MySQL and MariaDB name a table's foreign keys declared without a name `<table>_ibfk_1`, `_2`, … in the
    order declared (shown on MariaDB): dropping `<table>_ibfk_2` drops the second, so the index it needed can
    go; dropping `_ibfk_1` leaves the second key needing it."""
    from tests.conftest import review_sql

    schema = (
        f"CREATE TABLE {first} (id char(36) PRIMARY KEY);\nCREATE TABLE {second} (id char(36) PRIMARY KEY);\n"
        f"CREATE TABLE {table} (id char(36) PRIMARY KEY, {first}_id char(36) NOT NULL, {second}_id char(36) NOT NULL,"
        f" FOREIGN KEY ({first}_id) REFERENCES {first} (id), FOREIGN KEY ({second}_id) REFERENCES {second} (id),"
        f" CONSTRAINT {table}_uq UNIQUE ({second}_id, {first}_id)) ENGINE=InnoDB;\n"
    )

    def rules(dropped: str) -> set[str]:
        sql = f"{schema}-- migration\nALTER TABLE {table} DROP FOREIGN KEY {dropped};\nALTER TABLE {table} DROP INDEX {table}_uq;\n"
        return {f.rule for f in review_sql(sql, dialect="mysql").active}

    assert "index-needed-by-foreign-key" not in rules(f"{table}_ibfk_2")
    assert "index-needed-by-foreign-key" in rules(f"{table}_ibfk_1")
    cursor = mariadb.cursor()
    for statement in schema.strip().split(";\n"):
        cursor.execute(statement)
    cursor.execute(f"ALTER TABLE {table} DROP FOREIGN KEY {table}_ibfk_2")
    cursor.execute(f"ALTER TABLE {table} DROP INDEX {table}_uq")
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"DROP TABLE {first}")
    cursor.execute(f"DROP TABLE {second}")
