"""`bench/pull_requests.py` runs on a git checkout given as `CHECKOUT:COMMIT` and prints the figures of each
pull request and the target's verdict (a smoke test of the script itself: its figures on real repositories
are in bench/README.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@e"
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    ).stdout


def test_the_script_reviews_a_merged_pull_request_next_to_rg(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    create = repo / "prisma" / "migrations" / "20240101000000_init" / "migration.sql"
    create.parent.mkdir(parents=True)
    create.write_text('CREATE TABLE "Order" ("id" SERIAL PRIMARY KEY, "coupon" TEXT);\n')
    (repo / "src").mkdir()
    (repo / "src" / "orders.ts").write_text("export const coupon = (order: Order) => order.coupon;\n")
    _git(repo.parent, "init", "-q", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    drop = repo / "prisma" / "migrations" / "20240201000000_drop_coupon" / "migration.sql"
    drop.parent.mkdir(parents=True)
    drop.write_text('ALTER TABLE "Order" DROP COLUMN "coupon";\n')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "drop the coupon")
    head = _git(repo, "rev-parse", "HEAD").strip()
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pull_requests.py"), f"{repo}:{head}", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"shop {head}^..{head}: 3 files in the head, 1 migration files in the base" in out, out
    assert "target under 5 s, every run:" in out and "not of the target's size" in out, out
    assert "load average" in out, out
