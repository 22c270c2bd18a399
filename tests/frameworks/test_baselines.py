"""Snapshots and baselines (bot.frameworks.baselines): a project that keeps a copy of its whole schema per
release for new installs (Liquibase snapshot changelogs: the tables, and the rows every install starts with),
or Flyway's `B<version>__` baseline migrations, beside the update history. A snapshot is not a step that
existing databases ran: it is not replayed on top of the updates, a new version of it inserts no row "again",
and editing it is not editing an applied migration. What it holds still counts for the schema, and the
updates beside it are reviewed as before."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review, Severity
from bot.review import review

NAMES = [
    {
        "snapshots": "db/snapshots",
        "updates": "db/updates",
        "schema": "schema-only",
        "data": "core-data",
        "tables": ("users", "roles", "permissions", "sessions"),
        "lookup": "roles",
        "author": "ana (generated)",
    },
    {
        "snapshots": "src/main/resources/changelog/full",
        "updates": "src/main/resources/changelog/steps",
        "schema": "tables",
        "data": "rows",
        "tables": ("patient", "visit", "ward", "bed"),
        "lookup": "ward",
        "author": "ops",
    },
]
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
"""


def _schema(names: dict[str, object], version: str, extra: str = "") -> str:
    tables = names["tables"]
    assert isinstance(tables, tuple)
    sets = "".join(
        f"""  <changeSet author="{names["author"]}" id="{version}-{index}">
    <createTable tableName="{table}">
      <column name="id" type="INT" autoIncrement="true"><constraints primaryKey="true" nullable="false"/></column>
      <column name="name" type="VARCHAR(50)"><constraints nullable="false" unique="true"/></column>
      <column name="note" type="VARCHAR(255)"/>{extra}
    </createTable>
  </changeSet>
"""
        for index, table in enumerate(tables)
    )
    return HEAD + sets + "</databaseChangeLog>\n"


def _data(names: dict[str, object], version: str, rows: int = 4) -> str:
    inserts = "".join(
        f"""    <insert tableName="{names["lookup"]}">
      <column name="id" valueNumeric="{n}"/>
      <column name="name" value="{names["lookup"]}-{n}"/>
    </insert>
"""
        for n in range(1, rows + 1)
    )
    return (
        HEAD
        + f'  <changeSet author="{names["author"]}" id="{version}-data">\n{inserts}  </changeSet>\n</databaseChangeLog>\n'
    )


def _update(body: str, id_: str = "step-1") -> str:
    return HEAD + f'  <changeSet author="dev" id="{id_}">\n{body}  </changeSet>\n</databaseChangeLog>\n'


def _base(names: dict[str, object]) -> dict[str, str]:
    snapshots, updates = names["snapshots"], names["updates"]
    return {
        f"{snapshots}/{names['schema']}-1.0.xml": _schema(names, "1.0"),
        f"{snapshots}/{names['data']}-1.0.xml": _data(names, "1.0"),
        f"{snapshots}/{names['schema']}-1.1.xml": _schema(names, "1.1"),
        f"{snapshots}/{names['data']}-1.1.xml": _data(names, "1.1"),
        f"{updates}/update-1.1.xml": _update(
            f'    <addColumn tableName="{names["lookup"]}"><column name="code" type="VARCHAR(20)"/></addColumn>\n'
        ),
    }


def _review(base: dict[str, str], changed: dict[str, str]) -> Review:
    files = tuple(
        ChangedFile(path, "modified" if path in base else "added", base.get(path), text)
        for path, text in changed.items()
    )
    changeset = ChangeSet(
        base="base",
        head="head",
        files=files,
        head_tree=MemoryTree({**base, **changed}),
        base_tree=MemoryTree(base),
    )
    return review(changeset, dialect="mysql")


@pytest.mark.parametrize("names", NAMES)
def test_a_new_version_of_a_snapshot_is_not_a_step_of_the_history(names: dict[str, object]) -> None:
    snapshots = names["snapshots"]
    result = _review(
        _base(names),
        {
            f"{snapshots}/{names['schema']}-1.2.xml": _schema(
                names, "1.2", '\n      <column name="code" type="VARCHAR(20)"/>'
            ),
            f"{snapshots}/{names['data']}-1.2.xml": _data(names, "1.2", rows=5),
        },
    )
    assert not result.active, [f.message for f in result.active]
    assert any("a snapshot for new installs" in note for note in result.notes)


@pytest.mark.parametrize("names", NAMES)
def test_an_edited_snapshot_is_not_an_edited_applied_migration(names: dict[str, object]) -> None:
    base = _base(names)
    path = f"{names['snapshots']}/{names['schema']}-1.1.xml"
    result = _review(base, {path: base[path].replace('type="VARCHAR(255)"', 'type="VARCHAR(500)"')})
    assert "applied-migration-edited" not in {f.rule for f in result.active}


@pytest.mark.parametrize("names", NAMES)
def test_a_snapshot_row_twice_still_fails_a_new_install(names: dict[str, object]) -> None:
    base = _base(names)
    path = f"{names['snapshots']}/{names['data']}-1.1.xml"
    again = f'    <insert tableName="{names["lookup"]}"><column name="id" valueNumeric="3"/></insert>\n'
    doubled = base[path].replace("  </changeSet>", again + "  </changeSet>")
    [finding] = [f for f in _review(base, {path: doubled}).active if f.rule == "insert-collision"]
    assert finding.severity is Severity.CRITICAL and "Only new installs run" in finding.blast_radius


@pytest.mark.parametrize("names", NAMES)
def test_the_updates_beside_snapshots_are_still_reviewed(names: dict[str, object]) -> None:
    base = _base(names)
    path = f"{names['updates']}/update-1.1.xml"
    lookup = names["lookup"]
    added = base[path].replace(
        "</databaseChangeLog>",
        f"""  <changeSet author="dev" id="step-2">
    <insert tableName="{lookup}"><column name="id" valueNumeric="2"/><column name="name" value="again"/></insert>
  </changeSet>
  <changeSet author="dev" id="step-3">
    <modifyDataType tableName="{lookup}" columnName="note" newDataType="TEXT"/>
  </changeSet>
  <changeSet author="dev" id="step-4">
    <dropColumn tableName="{lookup}" columnName="name"/>
  </changeSet>
  <changeSet author="dev" id="step-5">
    <addNotNullConstraint tableName="{lookup}" columnName="note" columnDataType="VARCHAR(255)"/>
  </changeSet>
</databaseChangeLog>""",
    )
    rules = {f.rule: f for f in _review(base, {path: added}).active}
    assert rules["insert-collision"].severity is Severity.CRITICAL  # the snapshot's row 2 is there
    assert rules["type-change-rewrite"].severity is Severity.CRITICAL
    assert rules["column-dropped"].severity is Severity.WARNING
    assert rules["set-not-null"].severity is Severity.WARNING
    edited = base[path].replace('type="VARCHAR(20)"', 'type="VARCHAR(40)"')
    [finding] = [f for f in _review(base, {path: edited}).active if f.rule == "applied-migration-edited"]
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize("names", NAMES)
def test_one_full_schema_with_its_updates_is_history(names: dict[str, object]) -> None:
    """A single changelog that creates the tables is the first step of the history, not a snapshot."""
    snapshots = names["snapshots"]
    base = {f"{snapshots}/{names['schema']}-1.0.xml": _schema(names, "1.0")}
    path = f"{snapshots}/{names['schema']}-1.0.xml"
    edited = base[path].replace('type="VARCHAR(255)"', 'type="VARCHAR(500)"')
    rules = {f.rule for f in _review(base, {path: edited}).active}
    assert "applied-migration-edited" in rules


FLYWAY = [
    {"folder": "src/main/resources/db/migration", "table": "accounts", "column": "plan", "lookup": "plans"},
    {"folder": "db/migrations", "table": "orders", "column": "channel", "lookup": "channels"},
]


def _flyway(names: dict[str, str]) -> dict[str, str]:
    folder, table, column, lookup = names["folder"], names["table"], names["column"], names["lookup"]
    first = f"CREATE TABLE {lookup} (id int PRIMARY KEY, name varchar(20) NOT NULL);\n"
    first += f"INSERT INTO {lookup} (id, name) VALUES (1, 'basic'), (2, 'extra');\n"
    first += f"CREATE TABLE {table} (id bigint PRIMARY KEY, note text);\n"
    second = f"ALTER TABLE {table} ADD COLUMN {column} int;\n"
    baseline = first.replace("note text", f"note text, {column} int")
    return {
        f"{folder}/V1__create.sql": first,
        f"{folder}/V2__add_{column}.sql": second,
        f"{folder}/B2__baseline.sql": baseline,
    }


@pytest.mark.parametrize("names", FLYWAY)
def test_a_flyway_baseline_beside_its_versioned_migrations(names: dict[str, str]) -> None:
    """`B2__…` stands for V1 and V2 on new databases: editing it is no edit of an applied migration, a new one
    inserts no row again, and the versioned migrations after it are reviewed on the schema V1 and V2 built."""
    base = _flyway(names)
    folder, table, column, lookup = names["folder"], names["table"], names["column"], names["lookup"]
    path = f"{folder}/B2__baseline.sql"
    edited = base[path].replace("name varchar(20)", "name varchar(40)")
    assert not _review(base, {path: edited}).active
    newer = base[path] + f"ALTER TABLE {table} ADD COLUMN extra int;\n"
    result = _review(base, {f"{folder}/B3__baseline.sql": newer})
    assert not result.active and any("Flyway baseline migration" in note for note in result.notes)
    step = (
        f"ALTER TABLE {table} DROP COLUMN {column};\nINSERT INTO {lookup} (id, name) VALUES (2, 'again');\n"
    )
    rules = {f.rule for f in _review(base, {f"{folder}/V3__step.sql": step}).active}
    assert {"column-dropped", "insert-collision"} <= rules


@pytest.mark.parametrize("names", NAMES)
def test_a_changelog_moved_is_no_snapshot_of_itself(names: dict[str, object]) -> None:
    """The base branch's copy of a changelog the change moves is gone once the change merges: it is no other
    version beside the moved one."""
    old = f"{names['updates']}/{names['schema']}-all.xml"
    new = f"{names['snapshots']}/moved/{names['schema']}-all.xml"
    text = _schema(names, "1.0")
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(new, "renamed", text, text, previous_path=old),),
        head_tree=MemoryTree({new: text}),
        base_tree=MemoryTree({old: text}),
    )
    result = review(changeset, dialect="mysql")
    assert not any("snapshot" in note for note in result.notes), result.notes
