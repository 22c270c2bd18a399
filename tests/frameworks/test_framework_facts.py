"""Each framework's own facts, read as its users know them: no false alarm for how the tool works."""

from __future__ import annotations

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import review_sql, rule_ids

SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n-- migration\n"


def plan_text(result: Review) -> str:
    return "\n".join(step.text for step in result.rollback_plan)


def test_prisma_has_no_down_by_design_and_the_plan_says_how_to_go_back() -> None:
    result = review_sql(
        SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n",
        path="prisma/migrations/20260101000000_drop_note/migration.sql",
    )
    assert "missing-down-migration" not in rule_ids(result)
    assert "prisma migrate diff" in plan_text(result)


def test_flyway_without_undo_gets_a_corrective_version_not_a_blocker() -> None:
    result = review_sql(
        SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n", path="db/migration/V2__drop_note.sql"
    )
    assert "missing-down-migration" not in rule_ids(result)
    assert "corrective version" in plan_text(result)


def test_sqitch_has_revert_so_a_missing_revert_is_still_a_finding() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n", path="deploy/drop_note.sql")
    assert "missing-down-migration" in rule_ids(result)


def _edit(path: str, before: str, after: str, status: str = "modified", old: str | None = None) -> Review:
    base = {
        "db/migrations/000001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, state text);\n"
    }
    base[old or path] = before
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, status, before, after, previous_path=old),),
        head_tree=MemoryTree({**{k: v for k, v in base.items() if k != old}, path: after}),
        base_tree=MemoryTree(base),
    )
    return review(changeset)


def test_editing_an_applied_migration_is_its_own_finding_and_the_rest_concerns_new_installs() -> None:
    path = "db/migrations/000002_index.up.sql"
    result = _edit(
        path,
        "CREATE INDEX CONCURRENTLY orders_state ON orders (state);\n",
        "CREATE INDEX orders_state ON orders (state);\n",
    )
    edited = [f for f in result.active if f.rule == "applied-migration-edited"]
    assert len(edited) == 1 and edited[0].severity.value == "critical" and edited[0].line == 1
    assert "new migration" in edited[0].fix
    index = next(f for f in result.active if f.rule == "non-concurrent-index")
    assert "reaches only new installs" in index.blast_radius


def test_a_comment_only_edit_is_no_finding_and_a_rename_is_a_warning() -> None:
    path = "db/migrations/000002_index.up.sql"
    sql = "CREATE INDEX CONCURRENTLY orders_state ON orders (state);\n"
    assert "applied-migration-edited" not in rule_ids(_edit(path, sql, "-- the state filter\n" + sql))
    renamed = _edit("db/migrations/000005_index.up.sql", sql, sql, "renamed", old=path)
    finding = next(f for f in renamed.active if f.rule == "applied-migration-edited")
    assert finding.severity.value == "warning" and path in finding.message
