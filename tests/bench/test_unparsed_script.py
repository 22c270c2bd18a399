"""`bench/unparsed.py` runs on a checkout and counts what the review cannot read (a smoke test of the script
itself: its figures on real histories are in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_script_counts_unparsed_statements_of_a_diesel_history(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    for name, sql in [
        ("2024-01-01-000000_create_posts", "CREATE TABLE posts (id serial PRIMARY KEY, title text);"),
        ("2024-02-01-000000_frobnicate", "ALTER TABLE posts FROBNICATE COLUMN title;"),
    ]:
        folder = repo / "migrations" / name
        folder.mkdir(parents=True)
        (folder / "up.sql").write_text(sql + "\n")
        (folder / "down.sql").write_text("SELECT 1;\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "unparsed.py"), str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # one repository has an unparsed statement
    row = next(line for line in done.stdout.splitlines() if line.startswith("app"))
    assert row.split()[1:4] == ["4", "2", "1"], row  # files (ups and downs), statements of the ups, unparsed
    assert "FROBNICATE" in done.stderr
