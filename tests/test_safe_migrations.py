"""A deliberately safe set of migrations: no warning and no critical finding, and approval where it is due."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Severity
from bot.review import review
from tests.conftest import review_sql

BASE = {
    "db/migrations/00001_orders.sql": (
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(12, 2));\n"
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
    ),
    "app/models/order.py": (
        "class OrderStatus(models.TextChoices):\n    OPEN = 'open', 'Open'\n    PAID = 'paid', 'Paid'\n"
        "    REFUNDED = 'refunded', 'Refunded'\n"
    ),
}

SAFE = {
    "db/migrations/00002_add_order_columns.sql": (
        "-- +goose Up\nSET lock_timeout = '5s';\n"
        "ALTER TABLE orders ADD COLUMN note text;\n"
        "ALTER TABLE orders ADD COLUMN state text;\n"
        "ALTER TABLE orders ADD COLUMN priority integer DEFAULT 0;\n"
        "-- +goose Down\nSET lock_timeout = '5s';\n"
        "ALTER TABLE orders DROP COLUMN IF EXISTS priority;\n"
        "ALTER TABLE orders DROP COLUMN IF EXISTS state;\n"
        "ALTER TABLE orders DROP COLUMN IF EXISTS note;\n"
    ),
    "db/migrations/00003_index_order_state.sql": (
        "-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = '5s';\nSET statement_timeout = '30min';\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_state_idx ON orders (state);\n"
        "-- +goose Down\nSET lock_timeout = '5s';\nDROP INDEX CONCURRENTLY IF EXISTS orders_state_idx;\n"
    ),
    "db/migrations/00004_backfill_order_state.sql": (
        "-- +goose NO TRANSACTION\n-- +goose Up\n"
        "-- verified in production on 2026-11-20: SELECT status, count(*) FROM orders GROUP BY 1\n"
        "--   open 30112, paid 61208, refunded 8391; no NULL, no other spelling\n"
        "-- +goose StatementBegin\n"
        "DO $$\nDECLARE\n  changed integer;\nBEGIN\n  LOOP\n"
        "    UPDATE orders SET state = CASE status\n"
        "        WHEN 'open' THEN 'pending'\n        WHEN 'paid' THEN 'settled'\n        WHEN 'refunded' THEN 'reversed'\n"
        "        ELSE state\n    END\n"
        "    WHERE id IN (SELECT id FROM orders WHERE state IS NULL AND status IN ('open', 'paid', 'refunded')\n"
        "                 ORDER BY id LIMIT 1000);\n"
        "    GET DIAGNOSTICS changed = ROW_COUNT;\n    EXIT WHEN changed = 0;\n    COMMIT;\n  END LOOP;\nEND $$;\n"
        "-- +goose StatementEnd\n"
        "-- +goose Down\n"
        "-- +goose StatementBegin\n"
        "DO $$\nDECLARE\n  changed integer;\nBEGIN\n  LOOP\n"
        "    UPDATE orders SET state = NULL WHERE id IN (SELECT id FROM orders WHERE state IS NOT NULL ORDER BY id LIMIT 1000);\n"
        "    GET DIAGNOSTICS changed = ROW_COUNT;\n    EXIT WHEN changed = 0;\n    COMMIT;\n  END LOOP;\nEND $$;\n"
        "-- +goose StatementEnd\n"
    ),
    "db/migrations/00005_normalise_emails.sql": (
        "-- +goose NO TRANSACTION\n-- +goose Up\n"
        "-- verified in production: SELECT count(*) FROM users WHERE email <> lower(email) returned 1204 rows\n"
        "CREATE TABLE users_email_backup AS SELECT id, email FROM users WHERE email <> lower(email);\n"
        "-- +goose StatementBegin\n"
        "DO $$\nDECLARE\n  changed integer;\nBEGIN\n  LOOP\n"
        "    UPDATE users SET email = lower(email)\n"
        "    WHERE id IN (SELECT id FROM users WHERE email <> lower(email) ORDER BY id LIMIT 1000);\n"
        "    GET DIAGNOSTICS changed = ROW_COUNT;\n    EXIT WHEN changed = 0;\n    COMMIT;\n  END LOOP;\nEND $$;\n"
        "-- +goose StatementEnd\n"
        "-- +goose Down\n"
        "UPDATE users SET email = b.email FROM users_email_backup b WHERE b.id = users.id;\n"
    ),
}


def _problems(result: object) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in result.active if f.severity is not Severity.INFO]  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", sorted(SAFE))
def test_each_safe_migration_has_no_warning_or_critical_finding(path: str) -> None:
    earlier = {p: t for p, t in SAFE.items() if p < path}
    result = review_sql(SAFE[path], path=path, base={**BASE, **earlier})
    assert _problems(result) == []
    assert result.approval == "APPROVED", result.reasons


def test_the_whole_safe_set_in_one_pull_request_is_approved() -> None:
    files = tuple(ChangedFile(p, "added", None, t) for p, t in SAFE.items())
    change = ChangeSet(
        "base", "head", files, head_tree=MemoryTree({**BASE, **SAFE}), base_tree=MemoryTree(BASE)
    )
    result = review(change)
    assert _problems(result) == []
    assert result.approval == "APPROVED", result.reasons
    data = {i.text: i for i in result.checklist if i.section.startswith("Production")}
    distribution = data["Query production for actual value distribution"]
    assert distribution.state == "checked" and distribution.source == "author"
    assert (
        "documented by the author (`db/migrations/00004_backfill_order_state.sql:3`)" in distribution.detail
    )
    assert "paid 61208" in distribution.detail


def test_without_the_authors_evidence_the_backfill_is_blocked_but_not_flagged() -> None:
    path = "db/migrations/00004_backfill_order_state.sql"
    text = "\n".join(
        line for line in SAFE[path].splitlines() if "verified" not in line and "open 30112" not in line
    )
    result = review_sql(
        text,
        path=path,
        base={
            **BASE,
            "db/migrations/00002_add_order_columns.sql": SAFE["db/migrations/00002_add_order_columns.sql"],
        },
    )
    assert _problems(result) == []
    assert result.approval == "BLOCKED"
    assert result.reasons == ("production values not verified for 1 data change",)


def test_a_checked_box_in_the_description_is_evidence() -> None:
    path = "db/migrations/00004_backfill_order_state.sql"
    text = "\n".join(
        line for line in SAFE[path].splitlines() if "verified" not in line and "open 30112" not in line
    )
    described = (
        "Backfill state.\n\n- [x] Checked the values of `orders.status` in production: open, paid, refunded\n"
    )
    result = review_sql(text, path=path, base=BASE, description=described)
    assert result.approval == "APPROVED", result.reasons
    item = next(i for i in result.checklist if i.text.startswith("Query production"))
    assert item.detail.startswith("documented by the author (the pull request description)")
