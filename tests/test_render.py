"""Rendered outputs: the comment (snapshot), its size budget, the check run, SARIF and the terminal."""

from __future__ import annotations

import dataclasses
import json
import re

from bot.local.examples import demo_changeset
from bot.model.findings import Dimension, Finding, Review, Severity
from bot.render.formats import (
    COMMENT_LIMIT,
    MARKER,
    fence,
    render_check_run,
    render_comment,
    to_json,
    to_sarif,
)
from bot.render.terminal import render_text
from bot.review import review
from tests.conftest import assert_snapshot, review_sql


def test_demo_comment_snapshot() -> None:
    result = review(demo_changeset("shop"))
    body = render_comment(result)
    body = re.sub(r"at `[0-9a-f]{7}`", "at `HEAD`", body)
    assert_snapshot("demo_shop.md", body)


def test_comment_starts_with_the_marker_and_has_no_control_characters() -> None:
    body = render_comment(review_sql("UPDATE t SET a = 'x\x07y';\nALTER TABLE t DROP COLUMN \"b\x01\";"))
    assert body.splitlines()[0] == MARKER
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)


def test_too_long_a_review_falls_back_to_the_summary() -> None:
    sql = "\n".join(f"CREATE INDEX idx_{i}_{'x' * 40} ON orders_{i} (col_{i});" for i in range(700))
    result = review_sql(sql)
    body = render_comment(result)
    assert len(body) <= COMMENT_LIMIT
    assert "too long for a comment" in body and body.startswith(MARKER)


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence("a ``` b", "sql").startswith("````sql\n")
    assert fence("plain").startswith("```\n")


def test_check_run_conclusion_and_annotations() -> None:
    blocked = render_check_run(review_sql("CREATE INDEX i ON orders (a);"))
    assert blocked["conclusion"] == "failure"
    annotation = next(a for a in blocked["annotations"] if "non-concurrent-index" in a["title"])
    assert annotation["annotation_level"] == "failure" and annotation["start_line"] == 1
    assert "Blast radius" in annotation["message"] and "Fix" in annotation["message"]
    approved = render_check_run(
        review_sql("SET lock_timeout = '5s';\nCREATE TABLE t (id bigint PRIMARY KEY);")
    )
    assert approved["conclusion"] == "success" and approved["annotations"] == []


def test_sarif_has_rules_results_and_suppressions() -> None:
    sql = "-- migration-review: ignore non-concurrent-index small\nCREATE INDEX i ON orders (a);\nALTER TABLE t ADD COLUMN b int NOT NULL;"
    sarif = json.loads(to_sarif(review_sql(sql)))
    run = sarif["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"][0]["justification"] == "small"


def test_json_is_documented_shape() -> None:
    data = json.loads(to_json(review_sql("ALTER TABLE t DROP COLUMN b;")))
    finding = data["findings"][0]
    assert set(finding) >= {
        "rule",
        "dimension",
        "severity",
        "path",
        "line",
        "message",
        "blast_radius",
        "fix",
        "references",
    }
    assert finding["dimension"] in {d.value for d in Dimension}


def test_terminal_output_has_colour_only_on_request() -> None:
    result = review_sql("CREATE INDEX i ON orders (a);")
    assert "\x1b[" not in render_text(result, color=False)
    assert "\x1b[" in render_text(result, color=True)


def test_finding_view_survives_odd_text() -> None:
    odd = Finding(
        "unparsed-statement", Dimension.MIGRATION_SAFETY, Severity.INFO, "a.sql", 1, "`x` ```", "b", "c"
    )
    assert "a.sql" in render_text(
        review_sql("SELECT 1;").__class__(
            approval="APPROVED", reasons=(), base="", head="", migrations=(), findings=(odd,)
        )
    )


def test_sarif_fingerprints_follow_the_statement_not_the_message() -> None:
    sql = "ALTER TABLE t ADD COLUMN b int NOT NULL;\n"
    result = review_sql(sql)
    reworded = dataclasses.replace(
        result,
        findings=tuple(dataclasses.replace(f, message=f"Reworded: {f.message}") for f in result.findings),
    )
    moved = review_sql("-- a comment above\n\n" + sql.replace("ADD", "add"))
    path = "db/migrations/001_change.sql"

    def keys(r: Review, text: str) -> list[str]:
        document = json.loads(to_sarif(r, {path: text}))
        return [x["partialFingerprints"]["migrationReview/v2"] for x in document["runs"][0]["results"]]

    assert keys(result, sql) == keys(reworded, sql)
    assert keys(result, sql) == keys(moved, "-- a comment above\n\n" + sql.replace("ADD", "add"))
    other = review_sql("ALTER TABLE t ADD COLUMN c int NOT NULL;\n")
    assert keys(other, "ALTER TABLE t ADD COLUMN c int NOT NULL;\n") != keys(result, sql)


def test_the_header_says_mysql_commits_each_schema_change_inside_the_runners_transaction() -> None:
    """Alembic wraps a migration in a transaction, but MySQL and MariaDB commit each schema change at once: the
    header says so, and says plain "transaction" where the database keeps the schema change in it. Rails opens
    no transaction at all on MySQL (its adapters have no DDL transactions): "no transaction"."""
    schema = {"db/schema.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"}
    alembic = (
        'revision = "b1"\ndown_revision = "a1"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        'def upgrade():\n    op.add_column("t", sa.Column("a", sa.Integer()))\n\n\n'
        'def downgrade():\n    op.drop_column("t", "a")\n'
    )
    rails = "class AddA < ActiveRecord::Migration[7.1]\n  def change\n    add_column :t, :a, :integer\n  end\nend\n"
    for framework, path, text, dialect, expected in (
        (
            "alembic",
            "alembic/versions/b1_add_a.py",
            alembic,
            "mysql",
            "transaction, but each schema change commits",
        ),
        ("alembic", "alembic/versions/b1_add_a.py", alembic, "postgres", "transaction,"),
        ("rails", "db/migrate/20240101000000_add_a.rb", rails, "mysql", "no transaction,"),
        ("rails", "db/migrate/20240101000000_add_a.rb", rails, "mariadb", "no transaction,"),
        ("rails", "db/migrate/20240101000000_add_a.rb", rails, "postgres", "transaction,"),
    ):
        result = review_sql(text, path=path, dialect=dialect, base=schema)
        header = render_text(result).splitlines()[1]
        assert f"({framework}, {dialect}, {expected}" in header, header
