"""The review comment's shadow section, compared with tests/snapshots/shadow_run.md (times, names and the
server's version made stable), and the checklist items it decides."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.shadow import Shadow
from bot.render.formats import render_comment
from bot.review import review
from bot.shadow.evidence import with_shadow
from tests.conftest import PG_DSN

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "shadow_run.md"
BASE = {
    "db/migrations/000001_orders.up.sql": "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n"
    "    status text NOT NULL,\n    total numeric(10, 2)\n);\n",
    "db/migrations/000001_orders.down.sql": "DROP TABLE orders;\n",
}
CHANGE = {
    "db/migrations/000002_order_state.up.sql": "ALTER TABLE orders ADD COLUMN state text;\n"
    "UPDATE orders SET state = 'new' WHERE state IS NULL;\n"
    "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);\n",
    "db/migrations/000002_order_state.down.sql": "ALTER TABLE orders ALTER COLUMN total TYPE numeric(10, 2);\n"
    "ALTER TABLE orders DROP COLUMN state;\n",
}


def _change() -> ChangeSet:
    files = tuple(ChangedFile(p, "added", None, t) for p, t in CHANGE.items())
    return ChangeSet("base", "head", files, MemoryTree({**BASE, **CHANGE}), MemoryTree(BASE))


def _stable(body: str) -> str:
    body = re.sub(r"\b\d+(?:\.\d+)? (?:ms|s)\b", "T", body)
    body = re.sub(r"mr_shadow_\d+_[0-9a-f]+", "mr_shadow_N", body)
    return re.sub(r"PostgreSQL \d+(?:\.\d+)*", "PostgreSQL N", body)


def test_the_comment_shows_the_shadow_run(pg: Any) -> None:
    change = _change()
    result = with_shadow(change, review(change, dialect="postgres"), PG_DSN, dialect="postgres")
    body = _stable(render_comment(result))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(body, encoding="utf-8")
    assert body == SNAPSHOT.read_text(encoding="utf-8"), (
        f"{SNAPSHOT.name} changed: rerun with UPDATE_SNAPSHOTS=1"
    )
    section = body[body.index("### Shadow Run") :]
    assert "| up | ok |" in section and "| down | ok |" in section and "| up-again | ok |" in section
    # observed beside reasoned, for each statement of the up
    assert "| ACCESS EXCLUSIVE on `orders` for T (held) | ACCESS EXCLUSIVE on `orders` |" in section
    assert "no new lock; its migration holds ACCESS EXCLUSIVE on `orders` from line 1" in section
    assert "rows changed" in section
    # the checklist's rollback items are ticked from what the run saw
    assert "- [x] Reversible without data loss" in body and "- [x] Rollback tested" in body


def test_a_shadow_run_that_did_not_run_says_why() -> None:
    change = _change()
    result = review(change, dialect="postgres")
    from bot.shadow.findings import attach

    body = render_comment(attach(result, Shadow(ran=False, errors=("cannot connect to scratch:5432",))))
    assert "### Shadow Run\nNot run: cannot connect to scratch:5432." in body
    assert "Rollback tested" not in body
