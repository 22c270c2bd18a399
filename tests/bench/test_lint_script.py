"""The lint benchmark script runs end to end on a tiny corpus (its figures are not checked here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "lint.py"


def test_lint_benchmark_reports_both_tools_and_the_target(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--files", "5", "--runs", "1", "--corpus", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^migration-review +[\d.]+s +[\d.]+s +[\d.]+s +\d+ +\d+$", done.stdout, re.MULTILINE)
    assert re.search(r"^squawk", done.stdout, re.MULTILINE)
    assert "target: migration-review within 5x" in done.stdout
    assert len(list(tmp_path.glob("V*__*.sql"))) == 5
