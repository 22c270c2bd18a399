"""Liquibase `<insert>` (XML or YAML) is read as a seed: its row is recorded with its values, a computed one
(`valueComputed="NOW()"`, `valueDate="${now}"`, a changelog property) kept as written, so literal ids a later
change writes are checked against the rows the changelogs seed, as for `INSERT … VALUES`."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [
    {"lookup": "plans", "table": "accounts", "column": "plan_id"},
    {"lookup": "tiers", "table": "customers", "column": "service_tier_id"},
]
STAMPS = ['valueComputed="NOW()"', 'valueDate="${now}"', 'valueDate="CURRENT_TIMESTAMP"']
XML = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <property name="now" value="now()" dbms="postgresql"/>
  <changeSet id="1" author="shop">
    <createTable tableName="{lookup}">
      <column name="id" type="INT"><constraints primaryKey="true"/></column>
      <column name="code" type="VARCHAR(20)"/>
      <column name="created_at" type="TIMESTAMP"/>
    </createTable>
    <createTable tableName="{table}">
      <column name="id" type="BIGINT"><constraints primaryKey="true"/></column>
      <column name="{column}" type="INT"><constraints references="{lookup}(id)" foreignKeyName="fk_{table}_{lookup}"/></column>
      <column name="note" type="TEXT"/>
    </createTable>
  </changeSet>
  <changeSet id="2" author="shop">
    <insert tableName="{lookup}">
      <column name="id" valueNumeric="1"/>
      <column name="code" value="free"/>
      <column name="created_at" {stamp}/>
    </insert>
    <insert tableName="{lookup}">
      <column name="id" valueNumeric="2"/>
      <column name="code" value="pro"/>
      <column name="created_at" {stamp}/>
    </insert>
  </changeSet>
</databaseChangeLog>
"""
YAML_SEEDS = """databaseChangeLog:
  - changeSet:
      id: 2
      author: shop
      changes:
        - insert:
            tableName: {lookup}
            columns:
              - column: {{name: id, valueNumeric: 1}}
              - column: {{name: code, value: free}}
              - column: {{name: created_at, valueComputed: "NOW()"}}
        - insert:
            tableName: {lookup}
            columns:
              - column: {{name: id, valueNumeric: 2}}
              - column: {{name: code, value: pro}}
              - column: {{name: created_at, valueDate: "${{now}}"}}
"""
CHANGE = """databaseChangeLog:
  - changeSet:
      id: 3
      author: shop
      changes:
        - update:
            tableName: {table}
            columns:
              - column: {{name: {column}, valueNumeric: {value}}}
            where: note = 'x'
      rollback:
        - sql:
            sql: UPDATE {table} SET {column} = NULL WHERE note = 'x'
"""


def _found(base: dict[str, str], names: dict[str, str], value: int) -> list[Finding]:
    text = CHANGE.format(**names, value=value)
    result = review_sql(text, path="db/changelog/003-change.yaml", base=base)
    return [f for f in result.active if f.rule == "hard-coded-id"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("stamp", STAMPS)
def test_xml_inserts_with_computed_values_are_seeds(names: dict[str, str], stamp: str) -> None:
    base = {"db/changelog/001-schema.xml": XML.format(**names, stamp=stamp)}
    [unknown] = _found(base, names, 7)
    assert unknown.severity is Severity.CRITICAL
    assert f"`{names['lookup']}` only with id 1 `free`, 2 `pro`" in unknown.message
    [known] = _found(base, names, 2)
    assert known.severity is Severity.INFO and "`pro`" in known.message


@pytest.mark.parametrize("names", NAMES)
def test_yaml_inserts_with_computed_values_are_seeds(names: dict[str, str]) -> None:
    schema = XML.format(**names, stamp='valueComputed="NOW()"')
    schema = schema[: schema.index('  <changeSet id="2"')] + "</databaseChangeLog>\n"
    base = {
        "db/changelog/001-schema.xml": schema,
        "db/changelog/002-seeds.yaml": YAML_SEEDS.format(**names),
    }
    [unknown] = _found(base, names, 7)
    assert unknown.severity is Severity.CRITICAL and "2 `pro`" in unknown.message
    [known] = _found(base, names, 1)
    assert known.severity is Severity.INFO and "`free`" in known.message
