import pytest

from bot.model.changeset import Acceptance, ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import review_sql, rule_ids

INDEX = "CREATE INDEX orders_user_idx ON orders (user_id);"


def test_suppression_with_reason_becomes_an_accepted_risk() -> None:
    result = review_sql("-- migration-review: ignore non-concurrent-index orders has 40 rows\n" + INDEX)
    assert "non-concurrent-index" not in rule_ids(result)
    accepted = [f for f in result.accepted if f.rule == "non-concurrent-index"]
    assert accepted and accepted[0].suppressed == "orders has 40 rows"


def test_trailing_suppression_covers_its_own_statement_only() -> None:
    sql = INDEX + "  -- migration-review: ignore non-concurrent-index tiny\nCREATE INDEX b_idx ON orders (b);"
    result = review_sql(sql)
    assert [f.line for f in result.active if f.rule == "non-concurrent-index"] == [2]


def test_suppression_without_reason_still_suppresses_but_warns() -> None:
    result = review_sql("-- migration-review: ignore non-concurrent-index\n" + INDEX)
    assert "non-concurrent-index" not in rule_ids(result)
    assert "suppression-without-reason" in rule_ids(result)


def test_unknown_rule_in_a_suppression_is_reported() -> None:
    result = review_sql("-- migration-review: ignore no-such-rule because\n" + INDEX)
    assert "suppression-without-reason" in rule_ids(result)
    assert "non-concurrent-index" in rule_ids(result)


def test_file_wide_suppression() -> None:
    sql = "-- migration-review: ignore-file missing-lock-timeout the runner sets lock_timeout\nALTER TABLE t ADD COLUMN a int;"
    assert "missing-lock-timeout" not in rule_ids(review_sql(sql))


def _in_pull_request(sql: str, config: str = "", *accepted: Acceptance) -> Review:
    path = "db/migrations/001_change.sql"
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "added", None, sql),),
        MemoryTree({path: sql}),
        MemoryTree(),
        config_text=config,
        author="author",
        acceptances=accepted,
    )
    return review(changeset)


NOT_NULL = "-- migration-review: ignore not-null-without-default empty everywhere\nALTER TABLE orders ADD COLUMN b int NOT NULL;"


def test_in_a_pull_request_a_critical_suppression_waits_for_acceptance() -> None:
    assert "not-null-without-default" in rule_ids(_in_pull_request(NOT_NULL))
    maintainer = Acceptance("maintainer", "not-null-without-default", "checked", "comment")
    [accepted] = [f for f in _in_pull_request(NOT_NULL, "", maintainer).accepted]
    assert accepted.suppressed == "empty everywhere (accepted by @maintainer: checked)"
    other = Acceptance("maintainer", "non-concurrent-index", "checked", "comment")
    assert "not-null-without-default" in rule_ids(_in_pull_request(NOT_NULL, "", other))


def test_in_a_pull_request_a_warning_suppression_counts_unless_the_base_config_names_it() -> None:
    sql = (
        "-- migration-review: ignore missing-lock-timeout the runner sets it\nALTER TABLE t ADD COLUMN a int;"
    )
    assert "missing-lock-timeout" not in rule_ids(_in_pull_request(sql))
    named = "suppressions:\n  need_acceptance: [missing-lock-timeout]\n"
    assert "missing-lock-timeout" in rule_ids(_in_pull_request(sql, named))
    everything = "suppressions:\n  need_acceptance: all\n"
    assert "missing-lock-timeout" in rule_ids(_in_pull_request(sql, everything))
    approved = Acceptance("maintainer", "*", "approved the pull request", "review")
    assert "missing-lock-timeout" not in rule_ids(_in_pull_request(sql, everything, approved))


def _diesel(base: dict[str, str], added: dict[str, str]) -> Review:
    head = {**base, **added}
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    return review(ChangeSet("base", "head", files, MemoryTree(head), MemoryTree(base)))


@pytest.mark.parametrize(
    ("table", "column", "index"),
    [("users", "username", "users_username_idx"), ("versions", "checksum", "versions_checksum_idx")],
)
def test_a_diesel_guard_safety_assured_block_accepts_the_migration_safety_findings_inside_it(
    table: str, column: str, index: str
) -> None:
    base = {
        "diesel.toml": "[print_schema]\nfile = 'src/schema.rs'\n",
        "migrations/2020-01-01-000000_init/up.sql": f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, x text);\n",
        "migrations/2020-01-01-000000_init/down.sql": f"DROP TABLE {table};\n",
    }
    up = (
        "-- safety-assured:start\n"
        f"-- Every row of `{table}` has a {column} since the backfill; the scan is fast.\n"
        f"ALTER TABLE {table}\n    ALTER COLUMN {column} SET NOT NULL;\n"
        "-- safety-assured:end\n"
        f"CREATE INDEX {index} ON {table} ({column});\n"
        "-- safety-assured:start\n"
        f"ALTER TABLE {table} DROP COLUMN x;\n"
        "-- safety-assured:end\n"
    )
    folder = "migrations/2024-05-01-120000_change"
    result = _diesel(
        base,
        {
            f"{folder}/up.sql": up,
            f"{folder}/down.sql": f"DROP INDEX {index};\nALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;\n",
        },
    )
    by_rule = {f.rule: f for f in result.findings}
    not_null = by_rule["set-not-null"]
    assert (
        not_null.suppressed
        == f"safety-assured: Every row of `{table}` has a {column} since the backfill; the scan is fast."
    )
    assert by_rule["non-concurrent-index"].suppressed is None  # outside the blocks
    assert (
        by_rule["column-dropped"].suppressed is None
    )  # data and code references are not the author's to waive
    assert "suppression-without-reason" not in by_rule
    assert "set-not-null" not in rule_ids(result) and "non-concurrent-index" in rule_ids(result)


def test_a_safety_assured_block_left_open_runs_to_the_end_of_the_file() -> None:
    sql = "-- safety-assured:start\nCREATE INDEX orders_user_idx ON orders (user_id);\nCREATE INDEX carts_idx ON carts (owner_id);\n"
    result = review_sql(sql)
    assert "non-concurrent-index" not in rule_ids(result)
    assert {f.suppressed for f in result.accepted if f.rule == "non-concurrent-index"} == {"safety-assured"}
