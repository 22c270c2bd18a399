"""Hibernate's XML mappings (`*.hbm.xml`) tie a Java class to its table the way `@Table` does: a dropped
column the mapping no longer lists is no risk, one it still lists fails every load of the entity."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

HBM = """<?xml version="1.0"?>
<!DOCTYPE hibernate-mapping PUBLIC "-//Hibernate/Hibernate Mapping DTD 3.0//EN"
  "http://www.hibernate.org/dtd/hibernate-mapping-3.0.dtd">
<hibernate-mapping>
  <class
    table="{table}" name="org.example.{package}.{cls}">
    <id name="id" column="{table}id"><generator class="native"/></id>
    <property name="created" column="created" type="timestamp" />
    {extra}
  </class>
</hibernate-mapping>
"""
OTHER = """<?xml version="1.0"?>
<hibernate-mapping>
  <class name="org.example.audit.AuditEntry" table="auditentry">
    <property name="{field}" column="{column}" />
  </class>
</hibernate-mapping>
"""
NAMES = [
    {
        "table": "trackerevent",
        "cls": "TrackerEvent",
        "package": "program",
        "column": "storedby",
        "field": "storedBy",
    },
    {
        "table": "orgunit",
        "cls": "OrganisationUnit",
        "package": "organisation",
        "column": "legacycode",
        "field": "legacyCode",
    },
]


def _review(names: dict[str, str], *, kept: bool) -> Review:
    extra = '<property name="{field}" column="{column}" />'.format(**names) if kept else ""
    base = {
        "src/main/resources/org/example/{package}/hibernate/{cls}.hbm.xml".format(**names): HBM.format(
            extra=extra, **names
        ),
        "src/main/resources/org/example/audit/hibernate/AuditEntry.hbm.xml": OTHER.format(**names),
        "src/main/java/org/example/{package}/{cls}.java".format(**names): (
            "package org.example.{package};\n\npublic class {cls} {{\n  private long id;\n}}\n".format(
                **names
            )
        ),
    }
    sql = "ALTER TABLE {table} DROP COLUMN {column};".format(**names)
    return review_sql(
        sql, path="src/main/resources/db/migration/V7__drop_{column}.sql".format(**names), base=base
    )


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


@pytest.mark.parametrize("names", NAMES)
def test_a_column_the_mapping_no_longer_lists_is_informational(names: dict[str, str]) -> None:
    finding = _dropped(_review(names, kept=False))
    assert finding.severity is Severity.INFO
    assert (
        f"the model `{names['cls']}`" in finding.message
        and ".hbm.xml:5`) no longer declares it" in finding.message
    )
    # the same column name in another table's mapping is not a use of this table's column
    assert finding.references == ()


@pytest.mark.parametrize("names", NAMES)
def test_a_column_the_mapping_still_lists_blocks(names: dict[str, str]) -> None:
    result = _review(names, kept=True)
    finding = _dropped(result)
    assert finding.severity is Severity.CRITICAL
    assert [(r.path.rpartition("/")[2], r.line, r.kind) for r in finding.references] == [
        (f"{names['cls']}.hbm.xml", 9, "model")
    ]
    assert result.approval == "BLOCKED"
