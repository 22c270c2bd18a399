"""Liquibase changelogs: XML, YAML and formatted SQL; lines, rollback, runInTransaction, unsafe XML."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, liquibase
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Review
from bot.model.migration import (
    AddColumn,
    AddIndex,
    AlterColumnType,
    DataUpdate,
    DropColumn,
    Transaction,
    Unparsed,
    transaction_flags,
)
from bot.review import review
from tests.conftest import review_sql

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


def _edited(path: str, before: str, after: str) -> list[tuple[str, str]]:
    from bot.model.changeset import ChangedFile, ChangeSet
    from bot.review import review

    base = {path: before}
    changeset = ChangeSet(
        "b", "h", (ChangedFile(path, "modified", before, after),), MemoryTree({path: after}), MemoryTree(base)
    )
    return [
        (f.severity.value, f.message)
        for f in review(changeset).active
        if f.rule == "applied-migration-edited"
    ]


def _xml(*change_sets: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        + "".join(change_sets)
        + "</databaseChangeLog>\n"
    )


def _set(key: str, table: str, column: str, extra: str = "") -> str:
    author, ident = key.split(":")
    return (
        f'  <changeSet id="{ident}" author="{author}"{extra}>\n    <addColumn tableName="{table}">\n'
        f'      <column name="{column}" type="varchar(50)"/>\n    </addColumn>\n  </changeSet>\n'
    )


def test_a_change_set_appended_to_a_changelog_is_the_normal_way_and_no_finding() -> None:
    path = "api/src/main/resources/liquibase-update-to-latest.xml"
    first = _set("jane:20260101-1", "patient", "nickname")
    assert _edited(path, _xml(first), _xml(first, _set("joe:20260301-1", "encounter", "source"))) == []


def test_a_change_set_that_ran_and_is_edited_fails_its_checksum() -> None:
    path = "db/changelog.xml"
    [(severity, message)] = _edited(
        path, _xml(_set("jane:7", "visit", "note")), _xml(_set("jane:7", "visit", "remark"))
    )
    assert severity == "critical" and "`jane:7`" in message
    # a runOnChange changeSet is meant to be edited
    rerun = ' runOnChange="true"'
    assert (
        _edited(
            path, _xml(_set("jane:7", "visit", "note", rerun)), _xml(_set("jane:7", "visit", "remark", rerun))
        )
        == []
    )


def test_removed_change_sets_are_one_warning() -> None:
    sets = [_set(f"gen:{n}", "obs", f"c{n}") for n in range(8)]
    [(severity, message)] = _edited("db/changelog.xml", _xml(*sets), _xml(sets[0]))
    assert (
        severity == "warning"
        and message.startswith("7 changeSets that already ran are removed")
        and "2 more" in message
    )


def test_formatted_sql_change_sets_by_author_and_id() -> None:
    path = "db/changelog/changes.sql"
    one = "--liquibase formatted sql\n\n--changeset ana:1\nALTER TABLE person ADD COLUMN alias text;\n--rollback ALTER TABLE person DROP COLUMN alias;\n"
    two = (
        one
        + "\n--changeset ana:2\nALTER TABLE person ADD COLUMN title text;\n--rollback ALTER TABLE person DROP COLUMN title;\n"
    )
    assert _edited(path, one, two) == []
    [(severity, _)] = _edited(path, one, one.replace("alias text", "alias varchar(20)"))
    assert severity == "critical"


def _valid(checksum: str) -> str:
    return f"\n    <validCheckSum>{checksum}</validCheckSum>"


def test_an_edit_a_valid_checksum_accepts_leaves_databases_that_ran_it_behind() -> None:
    """`validCheckSum` keeps Liquibase from stopping, but databases that ran the changeSet never get the edit."""
    path = "db/changelog.xml"
    for key, table, (old, new), checksum in [
        ("jane:7", "visit", ("note", "remark"), "ANY"),
        ("omar:2024-11", "invoice", ("memo", "comment"), "8:0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ]:
        edited = _set(key, table, new).replace(">\n    <addColumn", f">{_valid(checksum)}\n    <addColumn", 1)
        [(severity, message)] = _edited(path, _xml(_set(key, table, old)), _xml(edited))
        assert severity == "warning" and f"`{key}`" in message and f"validCheckSum {checksum}" in message


def test_a_valid_checksum_added_alone_is_no_edit() -> None:
    path = "db/changelog.xml"
    for key, table, column in [("jane:7", "visit", "note"), ("omar:3", "invoice", "memo")]:
        before = _set(key, table, column)
        after = before.replace(">\n    <addColumn", f">{_valid('ANY')}\n    <addColumn", 1)
        assert _edited(path, _xml(before), _xml(after)) == []


def test_a_valid_checksum_with_its_comment_added_alone_is_no_edit() -> None:
    """`<validCheckSum><comment>why</comment>8:…</validCheckSum>`: the comment is part of the element."""
    path = "db/changelog.xml"
    for key, table, column, why in [
        ("jane:7", "visit", "note", "Account for int(11) read as int"),
        ("omar:3", "invoice", "memo", "checksum of the 4.x upgrade"),
    ]:
        before = _set(key, table, column)
        valid = _valid(f"<comment>{why}</comment>8:b962b54a962ca69892c933c7fb863a91")
        after = before.replace(">\n    <addColumn", f">{valid}\n    <addColumn", 1)
        assert _edited(path, _xml(before), _xml(after)) == []
        [(severity, _)] = _edited(path, _xml(before), _xml(after.replace(column, column + "_2")))
        assert severity == "warning"


def _empty(key: str, comment: str) -> str:
    author, ident = key.split(":")
    return f'  <changeSet id="{ident}" author="{author}">\n    <comment>{comment}</comment>\n  </changeSet>\n'


def test_removing_a_change_set_that_changes_nothing_is_no_finding() -> None:
    """An empty changeSet (a placeholder a changelog needs until it has others) ran and did nothing: removing it
    leaves every database as it was."""
    for key, table, column in [
        ("wes:42ddb873", "location_tag", "name"),
        ("kim:placeholder-1", "ward", "code"),
    ]:
        empty = _empty(key, "Empty change set for integration tests.")
        assert _edited("db/changelog.xml", _xml(empty), _xml(_set("dev:1", table, column))) == []
        [(severity, message)] = _edited(
            "db/changelog.xml", _xml(_set(key, table, column)), _xml(_set("dev:1", table, column + "_2"))
        )
        assert severity == "warning" and f"`{key}`" in message


def test_a_valid_checksum_in_formatted_sql_and_yaml() -> None:
    sql = "--liquibase formatted sql\n\n--changeset ana:1\nALTER TABLE person ADD COLUMN alias text;\n"
    accepted = sql.replace("--changeset ana:1\n", "--changeset ana:1\n--validCheckSum: ANY\n")
    [(severity, _)] = _edited("db/changes.sql", sql, accepted.replace("alias text", "alias varchar(40)"))
    assert severity == "warning"
    assert _edited("db/changes.sql", sql, accepted) == []
    yml = (
        "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: ana\n      changes:\n"
        "        - addColumn:\n            tableName: person\n            columns:\n"
        "              - column:\n                  name: alias\n                  type: text\n"
    )
    accepted_yml = yml.replace("      author: ana\n", "      author: ana\n      validCheckSum: ANY\n")
    [(severity, _)] = _edited(
        "db/changelog.yaml", yml, accepted_yml.replace("type: text", "type: varchar(40)")
    )
    assert severity == "warning"


def _review_changelog(image: str, changelog: str) -> Review:
    path = "src/main/resources/db/changelog/update-2.6.xml"
    files = {"docker-compose.yml": f"services:\n  db:\n    image: {image}\n"}
    return review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "added", None, changelog),),
            head_tree=MemoryTree({**files, path: changelog}),
            base_tree=MemoryTree(files),
        )
    )


@pytest.mark.parametrize(
    ("image", "dialect", "other", "table", "column"),
    [
        ("mariadb:10.11", "mariadb", "postgresql", "patient", "voided"),
        ("postgres:16", "postgres", "mysql, mariadb", "orders", "state"),
    ],
)
@pytest.mark.parametrize("restricted", [True, False])
def test_a_change_set_for_another_database_is_not_reviewed_and_does_not_decide_the_file(
    image: str, dialect: str, other: str, table: str, column: str, restricted: bool
) -> None:
    """OpenMRS's changelogs hold a few `dbms="postgresql"` changeSets among ones for every database: the file
    was read as PostgreSQL, and the MySQL project's every changeSet reviewed for it."""
    dbms = f' dbms="{other}"' if restricted else ""
    changelog = _xml(
        f'<changeSet id="1" author="a"><addColumn tableName="{table}">'
        f'<column name="{column}_note" type="VARCHAR(20)"/></addColumn></changeSet>',
        f'<changeSet id="2" author="a"{dbms}><sql>UPDATE {table} SET {column} = 1</sql>'
        "<rollback/></changeSet>",
    )
    result = _review_changelog(image, changelog)
    assert result.migrations[0].dialect == dialect
    assert ("unbatched-data-change" in {f.rule for f in result.findings}) == (not restricted)


@pytest.mark.parametrize(
    ("dbms", "dialect", "runs"),
    [
        ("postgresql", "mysql", False),
        ("mysql,mariadb", "mariadb", True),
        ("!mysql", "mariadb", False),
        ("!h2", "postgres", True),
        ("all", "sqlite", True),
        ("none", "postgres", False),
        ("", "mysql", True),
    ],
)
def test_dbms_names_the_databases_a_change_set_runs_on(dbms: str, dialect: str, runs: bool) -> None:
    assert liquibase.runs_on(dbms, dialect) is runs
    sql = f"--liquibase formatted sql\n--changeset a:1 dbms:{dbms or 'all'}\nUPDATE orders SET state = 1;\n"
    migration = liquibase.parse("db/changelog/1.sql", sql, MemoryTree(), dialect)
    assert bool(migration.up) is runs


@pytest.mark.parametrize(
    ("table", "column", "new_type"), [("drug", "retire_reason", "varchar(255)"), ("orders", "note", "text")]
)
def test_modify_sql_is_no_change_and_the_modify_column_extension_is_read(
    table: str, column: str, new_type: str
) -> None:
    """OpenMRS: `<modifySql dbms="mssql">` beside an `<update>` only rewrites its SQL elsewhere (123 changes
    reported as not understood), and `<ext:modifyColumn>` is MySQL's MODIFY of a column (130)."""
    update = (
        f'<changeSet id="1" author="a"><update tableName="{table}"><column name="{column}" value="x"/>'
        f'<where>{column} IS NULL</where></update><modifySql dbms="mssql"><replace replace="||" with="+"/>'
        "</modifySql></changeSet>"
    )
    modify = (
        f'<changeSet id="2" author="a"><ext:modifyColumn tableName="{table}"><column name="{column}" '
        f'type="{new_type}"><constraints nullable="false"/></column></ext:modifyColumn></changeSet>'
    )
    changelog = _xml(update, modify).replace(
        "<databaseChangeLog ",
        '<databaseChangeLog xmlns:ext="http://www.liquibase.org/xml/ns/dbchangelog-ext" ',
    )
    result = _review_changelog("mariadb:10.11", changelog)
    rules = {f.rule for f in result.findings}
    assert "unparsed-statement" not in rules
    migration = liquibase.parse("db/changelog/2.xml", changelog, MemoryTree(), "mariadb")
    changes = [op for op in migration.up if not isinstance(op, Transaction)]
    assert [type(op).__name__ for op in changes] == ["DataUpdate", "AlterColumnType", "SetNotNull"]
    # modifyColumn restates NOT NULL: on a column the history never showed, no change is told
    assert "set-not-null" not in rules and changes[-1].restated


@pytest.mark.parametrize(
    ("table", "column"), [("concept_reference_range", "concept_id"), ("orders", "state")]
)
@pytest.mark.parametrize("appended", [True, False])
@pytest.mark.parametrize("created", [False, True])
def test_a_change_set_appended_to_an_applied_changelog_runs_on_every_database(
    table: str, column: str, appended: bool, created: bool
) -> None:
    """OpenMRS appends changeSets to `liquibase-update-to-latest-2.7.x.xml`: every database runs the new ones,
    so their findings keep their weight; they were told to reach new installs only, and made notes. A table an
    earlier changeSet of the file created has rows by then: it is no new table."""
    first = (
        f'<changeSet id="1" author="a"><createTable tableName="{table}"><column name="id" type="bigint"/>'
        f'<column name="{column}" type="int"/></createTable></changeSet>\n'
        if created
        else f'<changeSet id="1" author="a"><addColumn tableName="{table}">'
        f'<column name="{column}" type="int"/></addColumn></changeSet>\n'
    )
    index = f'<createIndex indexName="{table}_{column}_idx" tableName="{table}"><column name="{column}"/></createIndex>'
    base = _xml(first)
    head = (
        _xml(first, f'<changeSet id="2" author="a">{index}</changeSet>\n')
        if appended
        else _xml(first.replace("</changeSet>", f"{index}</changeSet>"))
    )
    path = "api/src/main/resources/liquibase-update-to-latest-2.7.x.xml"
    files = {"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n"}
    result = review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "modified", base, head),),
            head_tree=MemoryTree({**files, path: head}),
            base_tree=MemoryTree({**files, path: base}),
        )
    )
    [finding] = [f for f in result.findings if f.rule == "non-concurrent-index"]
    assert (finding.severity == "critical") is appended
    assert ("reaches only new installs" in finding.blast_radius) is not appended
    assert ("applied-migration-edited" in {f.rule for f in result.findings}) is not appended


@pytest.mark.parametrize(
    ("sequence", "view", "table"),
    [("seq_person_bio", "active_people", "person_bio"), ("invoice_numbers", "open_invoices", "invoice")],
)
def test_sequences_and_views_are_read_as_their_statements(sequence: str, view: str, table: str) -> None:
    """`createSequence`, `createView` and their drops are the statements Liquibase sends, not unknown changes."""
    changelog = _xml(
        f'  <changeSet id="1" author="dev">\n    <createSequence sequenceName="{sequence}" startValue="1000"'
        ' incrementBy="1"/>\n'
        f'    <createView viewName="{view}" replaceIfExists="true">SELECT id FROM {table}</createView>\n'
        f'    <dropView viewName="{view}"/>\n    <dropSequence sequenceName="{sequence}"/>\n  </changeSet>\n'
    )
    migration = liquibase.parse("db/changelog/002-more.xml", changelog, MemoryTree({}), "postgres")
    assert [type(op).__name__ for op in migration.up] == ["RawSQL"] * 4
    assert [op.location.line for op in migration.up] == [4, 5, 6, 7]
    path = "db/changelog/002-more.xml"
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, changelog),),
        MemoryTree({path: changelog}),
        MemoryTree({}),
    )
    assert "unparsed-statement" not in {f.rule for f in review(changeset).active}


@pytest.mark.parametrize(
    ("table", "first", "second"),
    [("r_enum_value", "enum_name", "enum_id"), ("translation", "locale", "message_key")],
)
def test_columns_that_each_say_primary_key_make_one_key_together(table: str, first: str, second: str) -> None:
    """Liquibase builds one primary key of every column marked `primaryKey="true"`: a row that repeats the first
    column's value with another second column's value is a new row, one that repeats both collides."""
    schema = _xml(
        f'  <changeSet id="1" author="dev">\n    <createTable tableName="{table}">\n'
        f'      <column name="{first}" type="VARCHAR(100)"><constraints nullable="false" primaryKey="true"/></column>\n'
        f'      <column name="{second}" type="VARCHAR(100)"><constraints nullable="false" primaryKey="true"/></column>\n'
        '      <column name="label" type="VARCHAR(100)"/>\n    </createTable>\n'
        f'    <insert tableName="{table}"><column name="{first}" value="kind"/><column name="{second}" value="a"/>'
        "</insert>\n  </changeSet>\n"
    )

    def collisions(value: str) -> list[str]:
        change = _xml(
            f'  <changeSet id="2" author="dev">\n    <insert tableName="{table}"><column name="{first}" value="kind"/>'
            f'<column name="{second}" value="{value}"/></insert>\n  </changeSet>\n'
        )
        base, path = {"db/changelog/001.xml": schema}, "db/changelog/002.xml"
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "added", None, change),),
            MemoryTree({**base, path: change}),
            MemoryTree(base),
        )
        return [
            f.message for f in review(changeset, dialect="postgres").active if f.rule == "insert-collision"
        ]

    assert collisions("b") == []
    [message] = collisions("a")
    assert f"`{table}({first}, {second})`" in message


@pytest.mark.parametrize(
    ("table", "column", "attribute"),
    [("m_loan_history", "created_on_utc", "context"), ("audit_entry", "stamped_at", "contextFilter")],
)
def test_a_context_that_names_a_database_chooses_the_change_set_for_it(
    table: str, column: str, attribute: str
) -> None:
    """A project that passes the database as Liquibase's context writes one changeSet per database; only the
    one for the database reviewed runs. A context of other labels says nothing about the database."""

    def changelog(first: str, second: str) -> str:
        return _xml(
            f'  <changeSet id="1" author="dev">\n    <createTable tableName="{table}">\n'
            '      <column name="id" type="BIGINT"><constraints primaryKey="true"/></column>\n'
            "    </createTable>\n  </changeSet>\n"
            + "".join(
                f'  <changeSet id="2" author="dev" {attribute}="{context}">\n    <addColumn tableName="{table}">\n'
                f'      <column name="{column}" type="{kind}"/>\n    </addColumn>\n  </changeSet>\n'
                for context, kind in ((first, "DATETIME(6)"), (second, "TIMESTAMP WITH TIME ZONE"))
            )
        )

    for dialect, kind in (("mysql", "datetime(6)"), ("postgres", "timestamptz")):
        migration = liquibase.parse(
            "db/changelog/001.xml", changelog("mysql", "postgresql"), MemoryTree({}), dialect
        )
        [added] = [op for op in migration.up if isinstance(op, AddColumn)]
        assert added.column.type.lower() == kind
    labels = liquibase.parse("db/changelog/001.xml", changelog("test", "prod"), MemoryTree({}), "postgres")
    assert len([op for op in labels.up if isinstance(op, AddColumn)]) == 2


@pytest.mark.parametrize(
    ("old", "new", "logical", "table"),
    [
        (
            "db/liquibase-update-to-2.0.xml",
            "db/updates/update-2.0.x.xml",
            "liquibase-update-to-latest.xml",
            "obs",
        ),
        ("changelog/v1.xml", "changelog/releases/1.0/v1.xml", "changelog/v1.xml", "visit"),
    ],
)
def test_a_changelog_moved_with_its_logical_file_path_keeps_its_change_sets(
    old: str, new: str, logical: str, table: str
) -> None:
    """Liquibase records a changeSet under the changelog's `logicalFilePath` when it declares one, not under
    its path: a move that keeps it is no new changelog, and its changeSets that ran are not reviewed again."""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"'
        f' logicalFilePath="{logical}">\n'
        f'  <changeSet id="1" author="dev">\n    <dropColumn tableName="{table}" columnName="legacy"/>\n'
        f"  </changeSet>\n</databaseChangeLog>\n"
    )
    schema = {"db/schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, legacy text);\n"}

    def found(after: str) -> set[str]:
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(new, "renamed", text, after, previous_path=old),),
            MemoryTree({**schema, new: after}),
            MemoryTree({**schema, old: text}),
        )
        return {f.rule for f in review(changeset, dialect="postgres").active}

    assert found(text) == set()
    unnamed = text.replace(f' logicalFilePath="{logical}"', "")
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(new, "renamed", unnamed, unnamed, previous_path=old),),
        MemoryTree({**schema, new: unnamed}),
        MemoryTree({**schema, old: unnamed}),
    )
    assert "applied-migration-edited" in {f.rule for f in review(changeset, dialect="postgres").active}


@pytest.mark.parametrize(
    ("table", "kind", "column"), [("customer", "tier", "plan"), ("ticket", "severity", "level")]
)
def test_each_change_set_of_a_changelog_commits_before_the_next(table: str, kind: str, column: str) -> None:
    """Liquibase commits each changeSet before it runs the next, so a file of several is several transactions:
    an enum value added and used in one changeSet fails ("unsafe use of new value", PostgreSQL 15), used in the
    next one it works, whether or not an earlier changeSet created the type; and a lock taken by one changeSet
    is released before the next."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, balance numeric);\n"

    def change_set(ident: int, *changes: str) -> str:
        return (
            f'  <changeSet id="{ident}" author="dev">\n'
            + "".join(f"    {c}\n" for c in changes)
            + "    <rollback/>\n  </changeSet>\n"
        )

    create = change_set(
        1,
        f"<sql>CREATE TYPE {kind} AS ENUM ('free', 'pro')</sql>",
        f'<addColumn tableName="{table}"><column name="{column}" type="{kind}" defaultValue="free"/></addColumn>',
    )
    add = f"<sql>ALTER TYPE {kind} ADD VALUE 'team'</sql>"
    use = f"<sql>UPDATE {table} SET {column} = 'team' WHERE balance &gt; 1000 AND id &lt; 100</sql>"

    def rules(*change_sets: str) -> list[str]:
        path = "src/main/resources/db/changelog/changes/002-tier.xml"
        result = review_sql(
            _xml(*change_sets), path=path, dialect="postgres", base={"db/migrations/000_schema.sql": schema}
        )
        return [f.rule for f in result.findings]

    assert "enum-value-in-transaction" in rules(create, change_set(2, add, use))
    assert "enum-value-in-transaction" not in rules(create, change_set(2, add), change_set(3, use))
    assert "statements-after-exclusive-lock" not in rules(create, change_set(2, add), change_set(3, use))
    # every statement still runs in a transaction: the summary and the checklist say so
    result = review_sql(
        _xml(create, change_set(2, add)),
        path="src/main/resources/db/changelog/changes/002-tier.xml",
        dialect="postgres",
        base={"db/migrations/000_schema.sql": schema},
    )
    assert result.migrations[0].in_transaction
    [wrapped] = [item for item in result.checklist if item.text == "Transaction wrapped"]
    assert wrapped.state == "checked", wrapped


@pytest.mark.parametrize(
    ("table", "kind", "column"), [("customer", "tier", "plan"), ("ticket", "severity", "level")]
)
def test_each_changeset_of_a_formatted_changelog_commits_before_the_next(
    table: str, kind: str, column: str
) -> None:
    """The same for a formatted SQL changelog: a column added by one changeset and filled by the next holds no
    lock over the UPDATE, and a rollback of changesets that each run in a transaction is never left half-way
    (Liquibase rolls back changeset by changeset, only those it still records as run)."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, balance numeric);\n"
    create = (
        f"--changeset dev:2\nCREATE TYPE {kind} AS ENUM ('free', 'pro');\n"
        f"ALTER TABLE {table} ADD COLUMN {column} {kind} NOT NULL DEFAULT 'free';\n"
        f"--rollback ALTER TABLE {table} DROP COLUMN {column}; DROP TYPE {kind};\n\n"
    )
    add = f"ALTER TYPE {kind} ADD VALUE 'team';\n"
    use = f"UPDATE {table} SET {column} = 'team' WHERE balance > 1000 AND id < 500;\n"
    back = f"--rollback UPDATE {table} SET {column} = 'pro' WHERE {column} = 'team';\n\n"

    def rules(body: str) -> list[str]:
        result = review_sql(
            "--liquibase formatted sql\n\n" + create + body,
            path="src/main/resources/db/changelog/changes/002-tier.sql",
            dialect="postgres",
            base={"db/migrations/000_schema.sql": schema},
        )
        return [f.rule for f in result.findings]

    apart = rules(f"--changeset dev:3\n{add}--rollback SELECT 1;\n\n--changeset dev:4\n{use}{back}")
    assert not {"enum-value-in-transaction", "statements-after-exclusive-lock", "down-not-idempotent"} & set(
        apart
    )
    together = rules(f"--changeset dev:3\n{add}{use}{back}")
    assert "enum-value-in-transaction" in together and "down-not-idempotent" not in together


@pytest.mark.parametrize(("table", "column"), [("customer", "nickname"), ("ticket", "summary")])
def test_a_changelog_of_transactional_change_sets_rolls_back_whole_ones(table: str, column: str) -> None:
    """Two changeSets with rollbacks without IF EXISTS: each rollback runs in its own transaction, and a retry
    rolls back only the changeSets still recorded, so none is left half-way."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"
    first = (
        f'  <changeSet id="1" author="dev">\n    <addColumn tableName="{table}"><column name="{column}" '
        f'type="varchar(50)"/></addColumn>\n    <createIndex tableName="{table}" indexName="{table}_{column}_idx">'
        f'<column name="{column}"/></createIndex>\n    <rollback><sql>DROP INDEX {table}_{column}_idx; '
        f"ALTER TABLE {table} DROP COLUMN {column}</sql></rollback>\n  </changeSet>\n"
    )
    second = (
        f'  <changeSet id="2" author="dev">\n    <sql>UPDATE {table} SET {column} = \'x\' WHERE id &lt; 10</sql>\n'
        f"    <rollback><sql>UPDATE {table} SET {column} = NULL WHERE id &lt; 10</sql></rollback>\n  </changeSet>\n"
    )
    result = review_sql(
        _xml(first, second),
        path="src/main/resources/db/changelog/changes/003-nick.xml",
        dialect="postgres",
        base={"db/migrations/000_schema.sql": schema},
    )
    assert result.migrations[0].has_down
    assert "down-not-idempotent" not in {f.rule for f in result.findings}
