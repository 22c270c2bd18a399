"""Liquibase records a changeSet by `author:id` (and its changelog's path). A changeSet that ran, given another
id with its changes as they were, is a new changeSet to Liquibase: every database that ran the old one runs it
again (`createIndex` fails there: the index exists), while new installs still get its changes. Guarded by a
precondition that marks it ran where its work is done (`onFail="MARK_RAN"`, `<not><indexExists …/></not>`),
that second run changes nothing: the usual way to move a changeSet."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

# (author, old id, new id, table, column, index)
NAMES = [
    (
        "author",
        "changelog-6.11.0-other",
        "changelog-6.11.0-other-new",
        "tc_actions",
        "actiontime",
        "tc_actions_actiontime_idx",
    ),
    ("jane", "20260301-1", "20260301-1-fixed", "encounter", "visit_id", "ix_encounter_visit"),
]


def _findings(before: str, after: str) -> list[tuple[str, str]]:
    path = "schema/changelog-6.11.0.xml"
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


def _xml(author: str, ident: str, table: str, column: str, index: str, guard: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        f'  <changeSet author="{author}" id="{ident}">\n{guard}'
        f'    <createIndex indexName="{index}" tableName="{table}">\n      <column name="{column}"/>\n    </createIndex>\n'
        "  </changeSet>\n</databaseChangeLog>\n"
    )


def _guard(index: str, on_fail: str = "MARK_RAN") -> str:
    return (
        f'    <preConditions onFail="{on_fail}">\n      <not><indexExists indexName="{index}"/></not>\n'
        "    </preConditions>\n"
    )


@pytest.mark.parametrize(("author", "old", "new", "table", "column", "index"), NAMES)
def test_a_change_set_given_a_new_id_runs_again_where_the_old_one_ran(
    author: str, old: str, new: str, table: str, column: str, index: str
) -> None:
    [(severity, message)] = _findings(
        _xml(author, old, table, column, index), _xml(author, new, table, column, index)
    )
    assert severity == "critical"
    assert f"`{author}:{old}`" in message and f"`{author}:{new}`" in message and "again" in message
    assert "new installs do not get" not in message


@pytest.mark.parametrize(("author", "old", "new", "table", "column", "index"), NAMES)
def test_a_change_set_given_a_new_id_under_a_mark_ran_precondition_is_no_finding(
    author: str, old: str, new: str, table: str, column: str, index: str
) -> None:
    before = _xml(author, old, table, column, index, _guard(index, "HALT"))
    assert _findings(before, _xml(author, new, table, column, index, _guard(index))) == []
    assert (
        _findings(
            _xml(author, old, table, column, index), _xml(author, new, table, column, index, _guard(index))
        )
        == []
    )
    # a precondition that stops the update where it fails (HALT, the default) is no such guard
    [(severity, _)] = _findings(before, _xml(author, new, table, column, index, _guard(index, "HALT")))
    assert severity == "critical"


@pytest.mark.parametrize(("author", "old", "new", "table", "column", "index"), NAMES)
def test_formatted_sql_and_yaml_change_sets_given_a_new_id(
    author: str, old: str, new: str, table: str, column: str, index: str
) -> None:
    def sql(ident: str, guard: str = "") -> str:
        return f"--liquibase formatted sql\n\n--changeset {author}:{ident}\n{guard}CREATE INDEX {index} ON {table} ({column});\n"

    def yml(ident: str, guard: str = "") -> str:
        return (
            f"databaseChangeLog:\n  - changeSet:\n      id: {ident}\n      author: {author}\n{guard}"
            f"      changes:\n        - createIndex:\n            indexName: {index}\n            tableName: {table}\n"
            f"            columns:\n              - column:\n                  name: {column}\n"
        )

    sql_guard = (
        "--preconditions onFail:MARK_RAN\n"
        f"--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_indexes WHERE indexname = '{index}'\n"
    )
    yml_guard = f"      preConditions:\n        - onFail: MARK_RAN\n        - not:\n            - indexExists:\n                indexName: {index}\n"
    for path, write, guard in [("db/changes.sql", sql, sql_guard), ("db/changelog.yaml", yml, yml_guard)]:
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "modified", write(old), write(new)),),
            MemoryTree({path: write(new)}),
            MemoryTree({path: write(old)}),
        )
        [finding] = [f for f in review(changeset).active if f.rule == "applied-migration-edited"]
        assert finding.severity.value == "critical" and f"`{author}:{new}`" in finding.message, path
        guarded = ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "modified", write(old), write(new, guard)),),
            MemoryTree({path: write(new, guard)}),
            MemoryTree({path: write(old)}),
        )
        assert not [f for f in review(guarded).active if f.rule == "applied-migration-edited"], path
