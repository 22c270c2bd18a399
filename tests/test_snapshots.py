"""The rendered comment for four representative reviews, compared with tests/snapshots/<name>.md.

Run with UPDATE_SNAPSHOTS=1 to rewrite the files after an intended change, and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.render.formats import render_comment
from tests.conftest import review_sql

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

ORDER_MODEL = """from enum import Enum


class OrderStatus(str, Enum):
    OPEN = "open"
    PAID = "paid"
    REFUNDED = "refunded"
"""
ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, legacy_status text);\n"
TICKETS = "CREATE TABLE tickets (id bigint PRIMARY KEY, priority text, priority_id integer);\n"
PRIORITY = """class Priority(IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3
"""

CASES = {
    "case_backfill_unmapped": dict(
        sql="-- +goose Up\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN state text;\n"
        "UPDATE orders SET state = CASE status\n    WHEN 'open' THEN 'pending'\n    WHEN 'paid' THEN 'settled'\nEND\n"
        "WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000);\n"
        "-- +goose Down\nALTER TABLE orders DROP COLUMN IF EXISTS state;\n",
        path="db/migrations/00002_backfill_order_state.sql",
        base={"db/migrations/00001_orders.sql": ORDERS, "app/models/order.py": ORDER_MODEL},
    ),
    "id_swap": dict(
        sql="-- +goose Up\nUPDATE tickets SET priority_id = CASE priority\n    WHEN 'high' THEN 1\n    WHEN 'normal' THEN 2\n"
        "    WHEN 'low' THEN 3\n    ELSE priority_id\nEND\nWHERE id >= 1 AND id < 5000;\n"
        "-- +goose Down\nUPDATE tickets SET priority_id = NULL WHERE id >= 1 AND id < 5000;\n",
        path="db/migrations/00002_ticket_priority_ids.sql",
        base={"db/migrations/00001_tickets.sql": TICKETS, "app/priority.py": PRIORITY},
    ),
    "irreversible_drop": dict(
        sql="SET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN legacy_status;\n",
        path="db/migrations/00002_remove_legacy_status.sql",
        base={"db/migrations/00001_orders.sql": ORDERS},
    ),
    "safe_additive": dict(
        sql="-- +goose Up\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;\n"
        "-- +goose Down\nSET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN IF EXISTS note;\n",
        path="db/migrations/00002_add_order_note.sql",
        base={"db/migrations/00001_orders.sql": ORDERS},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_comment_matches_snapshot(name: str) -> None:
    case = CASES[name]
    body = render_comment(review_sql(case["sql"], path=case["path"], base=case["base"]))  # type: ignore[arg-type]
    snapshot = SNAPSHOTS / f"{name}.md"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not snapshot.exists():
        snapshot.write_text(body, encoding="utf-8")
    assert body == snapshot.read_text(encoding="utf-8"), (
        f"{snapshot.name} changed: rerun with UPDATE_SNAPSHOTS=1"
    )


def test_snapshots_show_the_expected_decisions() -> None:
    assert "**Approval Status**: BLOCKED" in (SNAPSHOTS / "case_backfill_unmapped.md").read_text(
        encoding="utf-8"
    )
    assert "`refunded`" in (SNAPSHOTS / "case_backfill_unmapped.md").read_text(encoding="utf-8")
    assert "ID swap" in (SNAPSHOTS / "id_swap.md").read_text(encoding="utf-8")
    assert "missing-down-migration" in (SNAPSHOTS / "irreversible_drop.md").read_text(encoding="utf-8")
    assert "**Approval Status**: APPROVED" in (SNAPSHOTS / "safe_additive.md").read_text(encoding="utf-8")
