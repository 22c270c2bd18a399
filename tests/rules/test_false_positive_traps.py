"""The false alarms users of other linters report most, each pinned quiet.

Runner transaction semantics (Squawk #338, #331, #385, #705), tables created in the same file or pull
request (Squawk #364), timeouts set by the runner rather than the file (Squawk #673, #678), DROP NOT NULL
taken for NOT NULL (django-migration-linter #67), and the 4-row table (strong_migrations #130, #161).
"""

from __future__ import annotations

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Severity
from bot.review import review
from tests.conftest import review_sql, rule_ids

LOCK_RULES = {
    "non-concurrent-index",
    "non-concurrent-index-drop",
    "non-concurrent-reindex",
    "set-not-null",
    "constraint-not-valid",
    "unique-constraint-under-lock",
    "type-change-rewrite",
    "volatile-default",
    "statements-after-exclusive-lock",
    "missing-lock-timeout",
    "missing-statement-timeout",
    "mysql-table-copy",
    "exclusion-constraint",
    "invalid-index-retry",
    "blocking-maintenance",
    "not-null-without-default",
}


# --- runner transaction semantics ---------------------------------------------------------------------


def test_concurrent_index_in_a_goose_file_without_transaction_is_quiet() -> None:
    sql = (
        "-- +goose NO TRANSACTION\n-- +goose Up\n"
        "DROP INDEX CONCURRENTLY IF EXISTS orders_user_idx;\n"
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n"
    )
    found = rule_ids(review_sql(sql, path="db/migrations/00002_idx.sql"))
    assert not found & {
        "concurrent-in-transaction",
        "non-concurrent-index",
        "invalid-index-retry",
        "non-robust-statement",
    }


def test_concurrent_index_in_a_plain_file_without_begin_is_quiet() -> None:
    found = rule_ids(
        review_sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);")
    )
    assert "concurrent-in-transaction" not in found and "non-concurrent-index" not in found


def test_robustness_is_not_asked_inside_an_explicit_transaction() -> None:
    sql = "BEGIN;\nCREATE TABLE a (id bigint);\nALTER TABLE orders ADD COLUMN a_id bigint;\nCOMMIT;"
    assert "non-robust-statement" not in rule_ids(review_sql(sql, config=Config(assume_in_transaction=False)))


def test_robustness_is_not_asked_when_the_runner_wraps_the_file() -> None:
    sql = "-- +goose Up\nCREATE TABLE a (id bigint);\nALTER TABLE orders ADD COLUMN a_id bigint;\n"
    assert "non-robust-statement" not in rule_ids(review_sql(sql, path="db/migrations/00002_a.sql"))


def test_statements_after_a_lock_only_matter_inside_one_transaction() -> None:
    sql = "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);"
    assert "statements-after-exclusive-lock" not in rule_ids(review_sql(sql))


# --- tables created in the same file or pull request --------------------------------------------------


def test_table_created_in_the_same_file_is_quiet_for_every_lock_rule() -> None:
    sql = (
        "BEGIN;\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, note text);\n"
        "CREATE INDEX orders_user_idx ON orders (user_id);\n"
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note);\n"
        "ALTER TABLE orders ALTER COLUMN user_id TYPE integer;\n"
        "ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid();\nCOMMIT;"
    )
    assert not rule_ids(review_sql(sql)) & LOCK_RULES


def test_table_created_by_an_earlier_migration_of_the_same_pull_request_is_quiet() -> None:
    first = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);"
    second = "CREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;"
    files = (
        ChangedFile("db/migrations/001_orders.sql", "added", None, first),
        ChangedFile("db/migrations/002_orders_idx.sql", "added", None, second),
    )
    tree = MemoryTree({f.path: f.head_text or "" for f in files})
    result = review(ChangeSet("base", "head", files, head_tree=tree, base_tree=MemoryTree()))
    assert not {f.rule for f in result.active} & LOCK_RULES


# --- timeouts set by the runner -----------------------------------------------------------------------


def test_timeouts_set_by_the_runner_silence_both_timeout_rules() -> None:
    sql = "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;"
    assert {"missing-lock-timeout", "missing-statement-timeout"} <= rule_ids(review_sql(sql))
    quiet = rule_ids(review_sql(sql, config=Config(timeouts_set_by_runner=True)))
    assert not quiet & {"missing-lock-timeout", "missing-statement-timeout"}


def test_creating_tables_needs_no_timeout() -> None:
    found = rule_ids(review_sql("CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);"))
    assert not found & {"missing-lock-timeout", "missing-statement-timeout"}


# --- DROP NOT NULL ------------------------------------------------------------------------------------


def test_drop_not_null_is_not_a_not_null_finding_on_any_dialect() -> None:
    for dialect, sql in (
        ("postgres", "ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;"),
        ("mysql", "ALTER TABLE users MODIFY phone varchar(20) NULL;"),
    ):
        base = {"db/migrations/000_users.sql": "CREATE TABLE users (id bigint, phone varchar(20) NOT NULL);"}
        result = review_sql(sql, dialect=dialect, base=base)
        assert not rule_ids(result) & {"set-not-null", "not-null-without-default"}
        assert result.count(Severity.CRITICAL) == 0


# --- the 4-row table ----------------------------------------------------------------------------------


def test_a_small_table_never_blocks_the_merge_on_locking_rules() -> None:
    sql = (
        "CREATE INDEX tags_name_idx ON tags (name);\nALTER TABLE tags ALTER COLUMN name SET NOT NULL;\n"
        "ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE (name);\nREINDEX TABLE tags;\nVACUUM FULL tags;"
    )
    result = review_sql(sql, config=Config(small_tables=["tags"]))
    locking = [f for f in result.active if f.rule in LOCK_RULES]
    assert locking and all(f.severity is not Severity.CRITICAL for f in locking)


def test_materialized_view_created_in_the_same_migration_is_new() -> None:
    sql = (
        "BEGIN;\nALTER TABLE orders DROP COLUMN IF EXISTS legacy;\n"
        "CREATE MATERIALIZED VIEW daily AS SELECT date_trunc('day', created_at) AS day FROM orders;\n"
        "CREATE UNIQUE INDEX daily_day_idx ON daily (day);\nCOMMIT;"
    )
    assert not rule_ids(review_sql(sql)) & {"non-concurrent-index", "statements-after-exclusive-lock"}


def test_a_table_rebuilt_under_its_own_name_is_not_dropped() -> None:
    sql = (
        "CREATE TABLE sessions (id integer PRIMARY KEY, token text);\n-- migration\n"
        "CREATE TABLE temporary_sessions (id integer PRIMARY KEY, token text, version integer);\n"
        "INSERT INTO temporary_sessions (id, token) SELECT id, token FROM sessions;\n"
        "DROP TABLE sessions;\n"
        "ALTER TABLE temporary_sessions RENAME TO sessions;\n"
    )
    assert "table-dropped" not in rule_ids(review_sql(sql, dialect="sqlite"))
    assert "table-dropped" in rule_ids(review_sql(sql.rsplit("ALTER", 1)[0], dialect="sqlite"))
