"""The rules that judge a way back read Liquibase's `<rollback>` blocks (XML and YAML), the `--rollback`
lines of a formatted SQL changelog and Flyway's undo scripts (`U<version>__…`) as they read any other
framework's down migration: a rollback that cannot be re-run, a CONCURRENTLY inside the changeSet's
transaction, a NULL-propagating expression written on the way back."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("payouts", "refunds"), ("exports", "export_rows"), ("badges", "badge_grants")]
CHANGELOG = "src/main/resources/db/changelog/changes/"


def _guard(guarded: bool) -> str:
    return "IF EXISTS " if guarded else ""


def _xml(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    first, second = tables
    return CHANGELOG + f"002-{first}.xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        f'  <changeSet id="2" author="dev" runInTransaction="false">\n'
        f"    <sql>CREATE TABLE {first} (id bigint PRIMARY KEY);</sql>\n"
        f"    <sql>CREATE TABLE {second} (id bigint PRIMARY KEY);</sql>\n"
        "    <rollback>\n"
        f"      <sql>DROP TABLE {_guard(guarded)}{second};</sql>\n"
        f"      <sql>DROP TABLE {_guard(guarded)}{first};</sql>\n"
        "    </rollback>\n  </changeSet>\n</databaseChangeLog>\n"
    )


def _yaml(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    first, second = tables
    return CHANGELOG + f"002-{first}.yaml", (
        "databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: dev\n      runInTransaction: false\n"
        "      changes:\n"
        f"        - sql:\n            sql: CREATE TABLE {first} (id bigint PRIMARY KEY);\n"
        f"        - sql:\n            sql: CREATE TABLE {second} (id bigint PRIMARY KEY);\n"
        "      rollback:\n"
        f"        - sql:\n            sql: DROP TABLE {_guard(guarded)}{second};\n"
        f"        - sql:\n            sql: DROP TABLE {_guard(guarded)}{first};\n"
    )


def _formatted(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    first, second = tables
    return CHANGELOG + f"002-{first}.sql", (
        "--liquibase formatted sql\n\n--changeset dev:2 runInTransaction:false\n"
        f"CREATE TABLE {first} (id bigint PRIMARY KEY);\nCREATE TABLE {second} (id bigint PRIMARY KEY);\n"
        f"--rollback DROP TABLE {_guard(guarded)}{second};\n--rollback DROP TABLE {_guard(guarded)}{first};\n"
    )


def _review(framework, tables: tuple[str, str], guarded: bool, dialect: str | None = None) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(tables, guarded)
    return review_sql(text, path=path, dialect=dialect)


def _down_findings(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "down-not-idempotent"]


@pytest.mark.parametrize("tables", NAMES)
@pytest.mark.parametrize("framework", [_xml, _yaml, _formatted])
@pytest.mark.parametrize("dialect", [None, "mysql"])
def test_a_liquibase_rollback_that_cannot_be_rerun(framework, tables, dialect) -> None:  # type: ignore[no-untyped-def]
    [finding] = _down_findings(_review(framework, tables, guarded=False, dialect=dialect))
    assert f"DROP TABLE {tables[1]}" in finding.message and f"DROP TABLE {tables[0]}" in finding.message
    path, text = framework(tables, False)
    assert finding.path == path
    assert text.splitlines()[finding.line - 1].strip().count(f"DROP TABLE {tables[1]}") == 1
    assert not _down_findings(_review(framework, tables, guarded=True, dialect=dialect))


@pytest.mark.parametrize("tables", NAMES)
def test_a_formatted_changelog_rolls_back_its_changesets_in_reverse(tables) -> None:  # type: ignore[no-untyped-def]
    first, second = tables
    text = (
        "--liquibase formatted sql\n--changeset dev:1 runInTransaction:false\n"
        f"CREATE TABLE {first} (id bigint PRIMARY KEY);\n--rollback DROP TABLE {first};\n\n"
        "--changeset dev:2 runInTransaction:false\n"
        f"CREATE TABLE {second} (id bigint PRIMARY KEY);\n--rollback DROP TABLE {second};\n"
    )
    [finding] = _down_findings(review_sql(text, path=CHANGELOG + f"003-{first}.sql"))
    # the second changeset's rollback runs first
    assert finding.message.index(f"DROP TABLE {second}") < finding.message.index(f"DROP TABLE {first}")
    assert finding.line == 8
    nothing = text.replace(f"--rollback DROP TABLE {first};", "--rollback not required").replace(
        f"--rollback DROP TABLE {second};", "--rollback empty"
    )
    assert not _down_findings(review_sql(nothing, path=CHANGELOG + f"003-{first}.sql"))


@pytest.mark.parametrize("tables", NAMES)
def test_a_flyway_undo_script_that_cannot_be_rerun(tables) -> None:  # type: ignore[no-untyped-def]
    first, second = tables
    folder = "src/main/resources/db/migration/"
    up = f"CREATE TABLE {first} (id bigint PRIMARY KEY);\nCREATE TABLE {second} (id bigint PRIMARY KEY);\n"
    for guarded in (False, True):
        undo = f"DROP TABLE {_guard(guarded)}{second};\nDROP TABLE {_guard(guarded)}{first};\n"
        result = review_sql(
            up, path=folder + f"V7__{first}.sql", head={folder + f"U7__{first}.sql": undo}, dialect="mysql"
        )
        found = _down_findings(result)
        if guarded:
            assert not found
        else:
            assert [(f.path, f.line) for f in found] == [(folder + f"U7__{first}.sql", 1)]


@pytest.mark.parametrize(("table", "column"), [("orders", "paid_at"), ("invoices", "due_on")])
def test_a_concurrent_drop_in_a_liquibase_rollback_runs_in_the_changesets_transaction(table, column) -> None:  # type: ignore[no-untyped-def]
    base = {"db/schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} timestamptz);"}
    for in_transaction in (True, False):
        attribute = "" if in_transaction else ' runInTransaction="false"'
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
            f'  <changeSet id="3" author="dev"{attribute}>\n'
            f"    <sql>CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_{column}_idx ON {table} ({column});</sql>\n"
            f"    <rollback><sql>DROP INDEX CONCURRENTLY IF EXISTS {table}_{column}_idx;</sql></rollback>\n"
            "  </changeSet>\n</databaseChangeLog>\n"
        )
        found = [
            f
            for f in review_sql(text, path=CHANGELOG + f"003-{table}.xml", base=base).active
            if f.rule == "concurrent-in-transaction"
        ]
        down = [f for f in found if f.message.startswith("In the down migration")]
        assert (len(down) == 1 and down[0].line == 5) if in_transaction else not found


@pytest.mark.parametrize(
    ("table", "first", "last"), [("people", "given", "family"), ("authors", "first_name", "last_name")]
)
def test_null_propagation_in_a_formatted_rollback(table, first, last) -> None:  # type: ignore[no-untyped-def]
    base = {
        "db/schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {first} text, {last} text, full_name text);"
    }
    for written in (f"{first} || ' ' || {last}", f"concat_ws(' ', {first}, {last})"):
        text = (
            "--liquibase formatted sql\n--changeset dev:4\n"
            f"UPDATE {table} SET full_name = NULL WHERE id >= 1 AND id < 1000;\n"
            f"--rollback UPDATE {table} SET full_name = {written} WHERE id >= 1 AND id < 1000;\n"
        )
        found = [
            f
            for f in review_sql(text, path=CHANGELOG + f"004-{table}.sql", base=base).active
            if f.rule == "null-propagation"
        ]
        assert [f.line for f in found] == ([4] if "||" in written else [])


@pytest.mark.parametrize("tables", NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "postgres"])
def test_a_formatted_changelogs_own_lines_are_no_sql(tables, dialect) -> None:  # type: ignore[no-untyped-def]
    """MySQL takes `--` for a comment only when a space follows: `--changeset dev:2` would be read as SQL."""
    path, text = _formatted(tables, guarded=True)
    result = review_sql(text, path=path, dialect=dialect)
    assert not [f for f in result.active if f.rule in ("unparsed-statement", "unreadable-migration")]
    assert result.approval == "APPROVED"
