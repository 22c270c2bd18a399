from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql, rule_ids

BASE = {"db/migrations/000_base.sql": "CREATE TABLE events (id bigint, kind text NOT NULL);"}
BUILD = "CREATE UNIQUE INDEX CONCURRENTLY events_id_key ON events (id);\n"
ATTACH = "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "primary-key-not-null-scan"]


def test_nullable_column_from_the_catalog_is_critical() -> None:
    [finding] = _found(BUILD + ATTACH, base=BASE)
    assert finding.severity is Severity.CRITICAL and "`id`" in finding.message


def test_index_from_an_earlier_migration_is_known() -> None:
    base = {**BASE, "db/migrations/001_index.sql": BUILD}
    assert _found(ATTACH, base=base)


def test_unknown_columns_are_a_conditional_warning() -> None:
    [finding] = _found(BUILD + ATTACH)
    assert finding.severity is Severity.WARNING and finding.message.startswith("Unless `id` is NOT NULL")


def test_not_null_columns_and_the_check_recipe_are_quiet() -> None:
    assert not _found(
        "CREATE UNIQUE INDEX CONCURRENTLY events_kind_key ON events (kind);\n"
        + ATTACH.replace("events_id_key", "events_kind_key"),
        base=BASE,
    )
    recipe = (
        "ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE events VALIDATE CONSTRAINT events_id_nn;\nALTER TABLE events ALTER COLUMN id SET NOT NULL;\n"
    )
    assert not _found(BUILD + recipe + ATTACH, base=BASE)


def test_small_and_new_tables() -> None:
    [finding] = _found(BUILD + ATTACH, base=BASE, config=Config(small_tables=["events"]))
    assert finding.severity is Severity.WARNING
    assert "primary-key-not-null-scan" not in rule_ids(
        review_sql("CREATE TABLE events (id bigint);\n" + BUILD + ATTACH)
    )


def test_postgres_really_sets_the_column_not_null(pg: Any) -> None:
    pg.execute("CREATE TABLE events (id bigint)")
    pg.execute("INSERT INTO events VALUES (1)")
    pg.execute(BUILD.strip().rstrip(";"))
    pg.execute(ATTACH.rstrip(";"))
    row = pg.execute(
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'id'"
    )
    assert row.fetchone()[0] is True
