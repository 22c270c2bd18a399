"""Liquibase's checksum of a changeSet covers its changes (and `modifySql`), nothing else: its preconditions,
its `comment`, its `rollback`, its attributes (`context`, `labels`, `dbms`, `runInTransaction`, `failOnError`),
and in a formatted SQL changelog the `--changeset` line's attributes, `--precondition-…`, `--comment` and
`--rollback` lines can change without Liquibase refusing to go on. An edit of only those is no edit of an
applied changeSet; an edit of a change still is, whatever comes with it."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

# (author, id, table, column, index)
NAMES = [
    ("author", "changelog-6.13.0-fk", "tc_device_device", "linkeddeviceid", "idx_device_linked"),
    ("jane", "20260301-1", "encounter", "visit_id", "ix_encounter_visit"),
]


def _edited(path: str, before: str, after: str) -> list[tuple[str, str]]:
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "modified", before, after),),
        MemoryTree({path: after}),
        MemoryTree({path: before}),
    )
    return [
        (f.severity.value, f.message)
        for f in review(changeset).active
        if f.rule == "applied-migration-edited"
    ]


def _xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        + body
        + "</databaseChangeLog>\n"
    )


def _change_set(
    author: str, ident: str, table: str, column: str, index: str, *, attrs: str = "", inner: str = ""
) -> str:
    return (
        f'  <changeSet author="{author}" id="{ident}"{attrs}>\n{inner}'
        f'    <createIndex indexName="{index}" tableName="{table}">\n'
        f'      <column name="{column}"/>\n'
        "    </createIndex>\n"
        "  </changeSet>\n"
    )


def _guard(index: str) -> str:
    return (
        '    <preConditions onFail="MARK_RAN">\n'
        f'      <not><indexExists indexName="{index}"/></not>\n'
        "    </preConditions>\n"
    )


@pytest.mark.parametrize(("author", "ident", "table", "column", "index"), NAMES)
def test_what_the_checksum_leaves_out_can_change(
    author: str, ident: str, table: str, column: str, index: str
) -> None:
    before = _xml(_change_set(author, ident, table, column, index))
    for attrs, inner in [
        ("", _guard(index)),  # a precondition added
        ("", "    <comment>Index the column the lookups filter on</comment>\n"),
        (' context="!test" labels="indexes"', ""),
        (' dbms="!mssql" runInTransaction="false" failOnError="true"', ""),
        (
            "",
            f'    <rollback>\n      <dropIndex indexName="{index}" tableName="{table}"/>\n    </rollback>\n',
        ),
    ]:
        after = _xml(_change_set(author, ident, table, column, index, attrs=attrs, inner=inner))
        assert _edited("schema/changelog-6.13.0.xml", before, after) == [], (attrs, inner)


@pytest.mark.parametrize(("author", "ident", "table", "column", "index"), NAMES)
def test_an_edited_change_still_fails_the_checksum_when_a_precondition_comes_with_it(
    author: str, ident: str, table: str, column: str, index: str
) -> None:
    before = _xml(_change_set(author, ident, table, column, index))
    after = _xml(_change_set(author, ident, table, column + "_2", index, inner=_guard(index)))
    [(severity, message)] = _edited("schema/changelog-6.13.0.xml", before, after)
    assert severity == "critical" and f"`{author}:{ident}`" in message


def _yaml(author: str, ident: str, table: str, column: str, extra: str = "") -> str:
    return (
        "databaseChangeLog:\n  - changeSet:\n"
        f"      id: {ident}\n      author: {author}\n{extra}"
        "      changes:\n        - addColumn:\n"
        f"            tableName: {table}\n            columns:\n"
        f"              - column:\n                  name: {column}\n                  type: text\n"
    )


@pytest.mark.parametrize(("author", "ident", "table", "column", "index"), NAMES)
def test_yaml_preconditions_and_comment(author: str, ident: str, table: str, column: str, index: str) -> None:
    extra = (
        "      comment: guarded for databases that added it by hand\n"
        "      context: '!test'\n"
        "      preConditions:\n        - onFail: MARK_RAN\n        - not:\n"
        f"            - columnExists:\n                tableName: {table}\n                columnName: {column}\n"
    )
    before = _yaml(author, ident, table, column)
    assert _edited("db/changelog.yaml", before, _yaml(author, ident, table, column, extra)) == []
    [(severity, _)] = _edited("db/changelog.yaml", before, _yaml(author, ident, table, column + "_2", extra))
    assert severity == "critical"


@pytest.mark.parametrize(("author", "ident", "table", "column", "index"), NAMES)
def test_formatted_sql_directives(author: str, ident: str, table: str, column: str, index: str) -> None:
    before = f"--liquibase formatted sql\n\n--changeset {author}:{ident}\nALTER TABLE {table} ADD COLUMN {column} text;\n"
    after = (
        f"--liquibase formatted sql\n\n--changeset {author}:{ident} context:!test labels:columns\n"
        f"--comment: the column the lookups read\n"
        f"--preconditions onFail:MARK_RAN\n"
        f"--precondition-sql-check expectedResult:0 SELECT count(*) FROM information_schema.columns "
        f"WHERE table_name = '{table}' AND column_name = '{column}'\n"
        f"ALTER TABLE {table} ADD COLUMN {column} text;\n"
        f"--rollback ALTER TABLE {table} DROP COLUMN {column};\n"
    )
    assert _edited("db/changes.sql", before, after) == []
    [(severity, _)] = _edited(
        "db/changes.sql", before, after.replace(f"{column} text;", f"{column} varchar(40);")
    )
    assert severity == "critical"
