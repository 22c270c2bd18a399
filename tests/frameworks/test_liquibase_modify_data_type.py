"""Liquibase's `modifyDataType` is `ALTER TABLE t MODIFY c <newDataType>` on MySQL and MariaDB: the column is
redefined whole, with only the type, so a NOT NULL column becomes nullable and loses its default (Liquibase
itself warns that it "will lose primary key/autoincrement/not null settings for mysql"; checked on MariaDB
10.11: `int NOT NULL DEFAULT 0` becomes `bigint DEFAULT NULL`). On PostgreSQL it is `ALTER COLUMN c TYPE …`,
which keeps both."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

# (table, column, old type, new type)
NAMES = [("tc_devices", "positionid", "INT", "BIGINT"), ("invoice", "memo", "VARCHAR(100)", "VARCHAR(400)")]
IMAGES = {"mysql": "mysql:8.0", "mariadb": "mariadb:10.11", "postgres": "postgres:16"}


def _review(
    dialect: str, table: str, column: str, old: str, new: str, constraints: str, yaml: bool
) -> Review:
    created = (
        '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        f'  <changeSet author="a" id="1">\n    <createTable tableName="{table}">\n'
        '      <column name="id" type="BIGINT" autoIncrement="true"><constraints primaryKey="true"/></column>\n'
        f'      <column name="{column}" type="{old}"{constraints}</column>\n'
        "    </createTable>\n  </changeSet>\n</databaseChangeLog>\n"
    )
    base = {
        "docker-compose.yml": f"services:\n  db:\n    image: {IMAGES[dialect]}\n",
        "db/changelog/001.xml": created,
    }
    if yaml:
        path = "db/changelog/002.yaml"
        text = (
            "databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: a\n      changes:\n"
            f"        - modifyDataType:\n            tableName: {table}\n            columnName: {column}\n"
            f"            newDataType: {new}\n"
        )
    else:
        path = "db/changelog/002.xml"
        text = (
            '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
            f'  <changeSet author="a" id="2">\n    <modifyDataType tableName="{table}" columnName="{column}" '
            f'newDataType="{new}"/>\n  </changeSet>\n</databaseChangeLog>\n'
        )
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return review(changeset)


def _reset(result: Review) -> list[str]:
    return [f.message for f in result.active if f.rule == "modify-resets-column"]


NOT_NULL = ' defaultValueNumeric="0"><constraints nullable="false"/>'
NULLABLE = ">"


@pytest.mark.parametrize(("table", "column", "old", "new"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("yaml", [False, True], ids=["xml", "yaml"])
def test_modify_data_type_on_mysql_loses_not_null_and_the_default(
    table: str, column: str, old: str, new: str, dialect: str, yaml: bool
) -> None:
    [message] = _reset(_review(dialect, table, column, old, new, NOT_NULL, yaml))
    assert f"`{table}.{column}`" in message and "NOT NULL" in message and "DEFAULT 0" in message
    assert "modifyDataType" in message


@pytest.mark.parametrize(("table", "column", "old", "new"), NAMES)
@pytest.mark.parametrize("yaml", [False, True], ids=["xml", "yaml"])
def test_modify_data_type_keeps_what_there_is_to_keep(
    table: str, column: str, old: str, new: str, yaml: bool
) -> None:
    # a nullable column without a default has nothing to lose; PostgreSQL's ALTER COLUMN TYPE keeps both
    assert _reset(_review("mariadb", table, column, old, new, NULLABLE, yaml)) == []
    assert _reset(_review("postgres", table, column, old, new, NOT_NULL, yaml)) == []
