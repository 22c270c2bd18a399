"""What the author documents: in the description and in the migration, echoed as the author's, by topic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.plan import evidence
from bot.review import review
from tests.conftest import git, review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

UPDATE = (
    "UPDATE orders SET state = CASE status WHEN 'open' THEN 'o' ELSE state END\n"
    "WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000);\n"
)


def test_checked_boxes_count_and_unchecked_ones_do_not() -> None:
    said = evidence.gather(
        "- [x] Checked the distribution of orders.status in production\n"
        "- [ ] Verified the ID mappings on the replica\n",
        {},
    )
    assert [s.text for s in said] == ["Checked the distribution of orders.status in production"]
    assert evidence.DISTRIBUTION in said[0].topics


def test_statements_and_rollback_sections_are_read_by_topic() -> None:
    description = (
        "Verified on the replica: no NULL and no empty status.\n\n"
        "## Rollback\nRestore `orders.state` from the snapshot orders_state_backup.\n"
    )
    said = evidence.gather(description, {})
    assert evidence.about(said, evidence.EDGE_CASES)[0].text.startswith("Verified on the replica")
    assert evidence.about(said, evidence.ROLLBACK)[0].text.startswith("rollback: Restore")


def test_a_comment_in_the_migration_keeps_its_query_and_result() -> None:
    text = (
        "-- verified in production 2026-11-20: SELECT status, count(*) FROM orders GROUP BY 1\n"
        "--   open 30112, paid 61208\n" + UPDATE
    )
    (said,) = evidence.gather("", {"db/m.sql": text})
    assert said.where == "`db/m.sql:1`"
    assert said.text.endswith("GROUP BY 1 open 30112, paid 61208")
    assert said.echo.startswith("documented by the author (`db/m.sql:1`)")


def test_documented_rollback_turns_a_missing_down_into_a_warning() -> None:
    sql = "ALTER TABLE orders DROP COLUMN legacy_status;\n"
    blocked = review_sql(sql)
    assert blocked.approval == "BLOCKED"
    documented = review_sql(
        sql,
        description="## Rollback\nRestore legacy_status from the nightly snapshot "
        "orders_legacy_status_backup (15 min).\n",
    )
    finding = next(f for f in documented.findings if f.rule == "missing-down-migration")
    assert finding.severity.value == "warning" and "documented by the author" in finding.message
    assert documented.approval == "APPROVED"


def test_author_evidence_is_not_the_probes() -> None:
    result = review_sql(UPDATE, description="- [x] Checked the values of orders.status in production")
    item = next(i for i in result.checklist if i.text.startswith("Query production"))
    assert item.source == "author" and "documented by the author" in item.detail
    assert "probe" not in item.detail


def test_the_command_line_reads_the_description_from_a_file(tmp_path: Path) -> None:
    migrations = tmp_path / "db/migrations"
    migrations.mkdir(parents=True)
    (migrations / "000001_orders.up.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n"
    )
    (migrations / "000001_orders.down.sql").write_text("DROP TABLE IF EXISTS orders;\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (migrations / "000002_lower.up.sql").write_text(
        "UPDATE orders SET status = lower(status) WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 1000);\n"
    )
    (migrations / "000002_lower.down.sql").write_text("SELECT 1;\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "lower")
    description = tmp_path / "description.md"
    description.write_text("- [x] Checked the values of orders.status in production: 3 distinct, no NULL\n")
    cli = str(Path(sys.executable).parent / "migration-review")
    args = [cli, "review", "--repo", str(tmp_path), "--base", "main", "--format", "json"]
    without = json.loads(subprocess.run(args, capture_output=True, text=True, check=False).stdout)
    assert without["approval"] == "BLOCKED"
    done = subprocess.run(
        [*args, "--description", str(description)], capture_output=True, text=True, check=False
    )
    report = json.loads(done.stdout)
    assert report["approval"] == "APPROVED", report["reasons"]
    item = next(i for i in report["checklist"] if i["text"].startswith("Query production"))
    assert item["source"] == "author" and "3 distinct, no NULL" in item["detail"]


QUERY_AND_RESULT = """Backfill of the order states.

```sql
SELECT status, count(*) FROM orders GROUP BY 1;
```
```
 status | count
--------+-------
 paid   | 61208
 open   | 30112
(2 rows)
```
"""


def test_a_query_and_its_result_in_the_description_however_written() -> None:
    (said,) = evidence.gather(QUERY_AND_RESULT, {})
    assert said.text.startswith("production query: SELECT status, count(*) FROM orders GROUP BY 1; result:")
    assert "61208" in said.text and evidence.DISTRIBUTION in said.topics
    lines = evidence.gather(
        "In production 0 rows have a NULL status (replica, yesterday).\n"
        "Prod: SELECT count(*) FROM accounts WHERE plan_id = 7 => 0\n",
        {},
    )
    assert [evidence.EDGE_CASES in s.topics for s in lines] == [True, False]
    assert evidence.IDS in lines[1].topics
    result = review_sql(UPDATE, description=QUERY_AND_RESULT)
    item = next(i for i in result.checklist if i.text.startswith("Query production"))
    assert item.source == "author" and "61208" in item.detail


def test_plans_and_queries_without_a_result_are_no_evidence() -> None:
    description = "We deploy to production on Tuesday, in 3 steps.\n\n```sql\nSELECT status FROM orders;\n```\n\nThen we check.\n"
    assert evidence.gather(description, {}) == []


PAIRS = [
    {
        "rows": "orders",
        "parents": "customers",
        "key": "customer_id",
        "value": "region",
        "others": "players",
        "teams": "teams",
        "other_key": "team_id",
        "other_value": "colour",
    },
    {
        "rows": "invoices",
        "parents": "accounts",
        "key": "account_id",
        "value": "currency",
        "others": "shipments",
        "teams": "carriers",
        "other_key": "carrier_id",
        "other_value": "label",
    },
]
TWO_TABLES = """CREATE TABLE {parents} (id bigint PRIMARY KEY, {value} text);
CREATE TABLE {rows} (id bigint PRIMARY KEY, {key} bigint, {value} text);
CREATE TABLE {teams} (id bigint PRIMARY KEY, {other_value} text);
CREATE TABLE {others} (id bigint PRIMARY KEY, {other_key} bigint, {other_value} text);
"""
TWO_UPDATES = (
    "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{key});\n"
    "UPDATE {others} o SET {other_value} = (SELECT t.{other_value} FROM {teams} t WHERE t.id = o.{other_key});\n"
)
ONE_QUERY = (
    "Checked in production: SELECT count(*) FROM {rows} r WHERE NOT EXISTS "
    "(SELECT 1 FROM {parents} p WHERE p.id = r.{key}) returned 0 rows.\n"
)


def _two(names: dict[str, str], description: str = "", comment: str = ""):  # type: ignore[no-untyped-def]
    sql = (comment + TWO_UPDATES).format(**names)
    return review_sql(
        f"-- +goose Up\n{sql}-- +goose Down\nSELECT 1;\n",
        path="db/migrations/002_backfill.sql",
        description=description.format(**names),
        base={"db/structure.sql": TWO_TABLES.format(**names)},
    )


def _by_table(result, table: str):  # type: ignore[no-untyped-def]
    return next(f for f in result.active if f.rule == "null-from-subquery" and f"`{table}." in f.message)


@pytest.mark.parametrize("names", PAIRS)
def test_evidence_is_echoed_on_the_finding_it_names_only(names: dict[str, str]) -> None:
    result = _two(names, description=ONE_QUERY)
    named, other = _by_table(result, names["rows"]), _by_table(result, names["others"])
    assert "documented by the author (the pull request description)" in named.message
    assert "documented by the author" not in other.message
    # nothing is silenced: both findings stand with their severity
    assert named.severity is other.severity and named.suppressed is None and other.suppressed is None
    item = next(i for i in result.checklist if i.text.startswith("Query production"))
    assert item.state == "unchecked" and "002_backfill.sql:3" in item.detail
    assert result.approval == "BLOCKED"
    both = ONE_QUERY + (
        "Checked in production: SELECT count(*) FROM {others} o WHERE NOT EXISTS "
        "(SELECT 1 FROM {teams} t WHERE t.id = o.{other_key}) returned 0 rows.\n"
    )
    covered = _two(names, description=both)
    assert "documented by the author" in _by_table(covered, names["others"]).message
    item = next(i for i in covered.checklist if i.text.startswith("Query production"))
    assert item.state == "checked" and item.source == "author"


@pytest.mark.parametrize("names", PAIRS)
def test_a_comment_in_the_migration_is_echoed_on_its_finding_only(names: dict[str, str]) -> None:
    comment = (
        "-- verified in production: SELECT count(*) FROM {others} WHERE {other_key} IS NULL\n--   0 rows\n"
    )
    result = _two(names, comment=comment)
    assert (
        "documented by the author (`db/migrations/002_backfill.sql:2`)"
        in _by_table(result, names["others"]).message
    )
    assert "documented by the author" not in _by_table(result, names["rows"]).message


@pytest.mark.parametrize("names", PAIRS)
def test_a_rollback_note_for_one_table_leaves_the_other_blocked(names: dict[str, str]) -> None:
    schema = "CREATE TABLE {rows} (id bigint PRIMARY KEY, legacy_{value} text);\nCREATE TABLE {others} (id bigint PRIMARY KEY, old_{other_value} text);\n"
    base = {"db/structure.sql": schema.format(**names)}
    first = "ALTER TABLE {rows} DROP COLUMN legacy_{value};\n".format(**names)
    second = "ALTER TABLE {others} DROP COLUMN old_{other_value};\n".format(**names)
    description = "## Rollback\nRestore legacy_{value} from the nightly snapshot (15 min).\n".format(**names)
    files = {"db/migrations/002_a.sql": first, "db/migrations/002_b.sql": second}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=tuple(ChangedFile(path, "added", None, text) for path, text in files.items()),
        head_tree=MemoryTree({**base, **files}),
        base_tree=MemoryTree(base),
        description=description,
    )
    result = review(changeset)
    missing = {f.path: f for f in result.findings if f.rule == "missing-down-migration"}
    kept, other = missing["db/migrations/002_a.sql"], missing["db/migrations/002_b.sql"]
    assert kept.severity.value == "warning" and "documented by the author" in kept.message
    assert other.severity.value == "critical" and "documented by the author" not in other.message
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_evidence_is_attributed_in_every_framework(framework) -> None:  # type: ignore[no-untyped-def]
    names = PAIRS[1]
    path, text = framework(TWO_UPDATES.format(**names).replace("\n", " ").strip())
    result = review_sql(
        text,
        path=path,
        description=ONE_QUERY.format(**names),
        base={"db/structure.sql": TWO_TABLES.format(**names)},
    )
    assert "documented by the author" in _by_table(result, names["rows"]).message
    assert "documented by the author" not in _by_table(result, names["others"]).message
