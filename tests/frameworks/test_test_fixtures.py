"""Migrations of a project's tests are fixtures: they never reach a production database."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

_CHANGELOG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
    '<changeSet id="{id}" author="a"><addColumn tableName="{table}"><column name="{column}" type="int"/>'
    "</addColumn></changeSet>\n</databaseChangeLog>\n"
)


@pytest.mark.parametrize(
    ("path", "table", "column"),
    [
        ("api/src/{side}/resources/org/openmrs/util/testLiquibase.xml", "person", "note"),
        ("src/{side}/resources/db/changelog/changes.xml", "orders", "state"),
    ],
)
@pytest.mark.parametrize("side", ["test", "main"])
def test_a_changelog_of_the_tests_is_no_migration(path: str, table: str, column: str, side: str) -> None:
    """OpenMRS's upgrade to Liquibase 4.27 edited `src/test/resources/…/testLiquibase.xml`, a fixture of its
    unit tests: it was reviewed as an applied changelog edited (critical)."""
    path = path.format(side=side)
    before = _CHANGELOG.format(id="1", table=table, column=column)
    after = before.replace('type="int"', 'type="bigint"')
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "modified", before, after),),
            head_tree=MemoryTree({path: after}),
            base_tree=MemoryTree({path: before}),
        )
    )
    assert bool(result.migrations) is (side == "main")
    assert ("applied-migration-edited" in {f.rule for f in result.findings}) is (side == "main")
