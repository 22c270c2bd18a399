from typing import Any

import pytest

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import refusal, review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "blocking-maintenance"]


def test_vacuum_full_is_critical_and_suggests_plain_vacuum() -> None:
    [finding] = _found("VACUUM FULL orders;")
    assert finding.severity is Severity.CRITICAL
    assert finding.suggestion == "VACUUM (ANALYZE) orders"


def test_cluster_is_flagged() -> None:
    assert _found("CLUSTER orders USING orders_created_at_idx;")


def test_plain_vacuum_and_analyze_are_quiet() -> None:
    assert not _found("VACUUM orders;\nANALYZE orders;\nVACUUM (ANALYZE) orders;")


def test_small_table_is_a_warning() -> None:
    [finding] = _found("VACUUM FULL orders;", config=Config(small_tables=["orders"]))
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("table", ["orders", "events", "audit_log"])
@pytest.mark.parametrize("form", ["SET LOGGED", "SET UNLOGGED", "SET TABLESPACE fast_disk"])
def test_alter_table_forms_that_copy_the_table_block_reads_and_writes(table: str, form: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\nALTER TABLE {table} {form};"
    [finding] = [f for f in review_sql(sql).active if f.rule == "blocking-maintenance"]
    assert f"`ALTER TABLE {table} {form.split(' fast')[0]}` rewrites the table" in finding.message
    assert ("not replicated" in finding.message) is (form == "SET UNLOGGED")


@pytest.mark.parametrize("table", ["orders", "events"])
def test_a_table_created_by_the_change_copies_nothing_anyone_reads(table: str) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\nALTER TABLE {table} SET UNLOGGED;"
    assert "blocking-maintenance" not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("parent", "child"), [("accounts", "orders"), ("tenants", "invoices")])
def test_set_unlogged_on_a_table_another_one_references_is_refused(parent: str, child: str, pg: Any) -> None:
    """PostgreSQL 15 refuses SET UNLOGGED on a table a permanent table's foreign key references (shown below);
    the referencing table itself may become unlogged, which is the rewrite the rule tells of."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent} (id));\n"
    )

    def found(statement: str) -> list[Any]:
        result = review_sql(schema + "-- migration\n" + statement, dialect="postgres")
        return [f for f in result.active if f.rule == "blocking-maintenance"]

    [refused] = found(f"ALTER TABLE {parent} SET UNLOGGED;")
    assert "PostgreSQL refuses" in refused.message and f"`{child}`" in refused.message
    [rewrite] = found(f"ALTER TABLE {child} SET UNLOGGED;")
    assert "rewrites the table" in rewrite.message and "refuses" not in rewrite.message
    pg.execute(schema)
    assert "unlogged" in refusal(pg.execute, f"ALTER TABLE {parent} SET UNLOGGED")
    pg.execute(f"ALTER TABLE {child} SET UNLOGGED")
