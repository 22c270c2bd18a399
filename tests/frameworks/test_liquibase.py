"""Liquibase changelogs: XML, YAML and formatted SQL; lines, rollback, runInTransaction, unsafe XML."""

from __future__ import annotations

from bot.frameworks import detect, liquibase
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddIndex,
    AlterColumnType,
    DataUpdate,
    DropColumn,
    Unparsed,
    transaction_flags,
)

XML = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <changeSet id="1" author="ann">
    <addColumn tableName="orders">
      <column name="state" type="VARCHAR(20)" defaultValue="open">
        <constraints nullable="false"/>
      </column>
    </addColumn>
    <createIndex indexName="ix_orders_state" tableName="orders">
      <column name="state"/>
    </createIndex>
  </changeSet>
  <changeSet id="2" author="ann" runInTransaction="false">
    <sql>
      CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);
    </sql>
    <rollback>DROP INDEX ix_orders_total;</rollback>
  </changeSet>
</databaseChangeLog>
"""


def test_detects_changelogs() -> None:
    assert detect("db/changelog/001.xml", XML, Config()) is liquibase
    assert detect("db/changelog/001.yaml", "databaseChangeLog:\n  - changeSet: {}\n", Config()) is liquibase
    assert (
        detect("db/001.sql", "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n", Config()) is liquibase
    )
    assert detect("pom.xml", "<project/>", Config()) is None


def test_xml_changes_at_their_lines_with_transactions_per_change_set() -> None:
    migration = liquibase.parse("db/changelog/001.xml", XML, MemoryTree(), "postgres")
    ops = [op for op in migration.up if op.kind != "Transaction"]
    assert [(op.location.line, type(op)) for op in ops] == [(5, AddColumn), (9, AddIndex), (15, AddIndex)]
    add = ops[0]
    assert isinstance(add, AddColumn) and add.column.type == "varchar(20)" and add.column.default == "'open'"
    flags = {
        op.location.line: flag for op, flag in zip(migration.up, transaction_flags(migration), strict=True)
    }
    assert flags[9] and not flags[15]
    assert migration.down is not None  # addColumn and createIndex roll back by themselves; 2 has a rollback


def test_change_sets_without_rollback_are_irreversible() -> None:
    text = XML.replace(
        '<changeSet id="1" author="ann">',
        '<changeSet id="1" author="ann">\n    <dropColumn tableName="orders" columnName="legacy"/>',
    )
    migration = liquibase.parse("db/changelog/001.xml", text, MemoryTree(), "postgres")
    assert any(isinstance(op, DropColumn) and op.location.line == 4 for op in migration.up)
    assert migration.down is None and "dropColumn" in migration.irreversible_reason


def test_yaml_lines_and_types() -> None:
    text = (
        "databaseChangeLog:\n"
        "  - changeSet:\n"
        "      id: 1\n"
        "      author: ann\n"
        "      changes:\n"
        "        - modifyDataType:\n"
        "            tableName: orders\n"
        "            columnName: total\n"
        "            newDataType: NUMERIC(14,4)\n"
        "        - update:\n"
        "            tableName: orders\n"
        "            columns:\n"
        "              - column: {name: state, value: open}\n"
        "            where: state IS NULL\n"
    )
    migration = liquibase.parse("db/changelog/002.yaml", text, MemoryTree(), "postgres")
    alter, update = migration.up
    assert (
        isinstance(alter, AlterColumnType) and alter.location.line == 7 and alter.new_type == "decimal(14, 4)"
    )
    assert (
        isinstance(update, DataUpdate)
        and update.where == "state IS NULL"
        and update.assignments == (("state", "'open'"),)
    )
    assert migration.down is None


def test_formatted_sql() -> None:
    text = (
        "--liquibase formatted sql\n\n--changeset ann:1 runInTransaction:false\n"
        "CREATE INDEX CONCURRENTLY ix ON orders (state);\n--rollback DROP INDEX ix;\n"
    )
    migration = liquibase.parse("db/changelog/003.sql", text, MemoryTree(), "postgres")
    assert not migration.in_transaction and migration.down is not None
    assert isinstance(migration.up[0], AddIndex) and migration.up[0].location.line == 4


def test_entities_and_broken_xml_are_findings_not_reads() -> None:
    evil = (
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        "<databaseChangeLog>&e;</databaseChangeLog>\n"
    )
    migration = liquibase.parse("db/changelog/evil.xml", evil, MemoryTree(), "postgres")
    assert isinstance(migration.up[0], Unparsed)
    broken = liquibase.parse(
        "db/changelog/b.xml", "<databaseChangeLog>\n<changeSet>\n", MemoryTree(), "postgres"
    )
    assert isinstance(broken.up[0], Unparsed) and broken.up[0].location.line == 3
