"""The built wheel carries what the installed command needs: templates and the example repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_includes_templates_and_examples(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("migration_review-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (
        "comment.md.j2",
        "comment_summary.md.j2",
        "check_run.md.j2",
        "_finding.md.j2",
        "_macros.md.j2",
    ):
        assert f"bot/templates/{template}" in names
    assert "bot/examples/shop/base/db/migrations/000002_create_orders.up.sql" in names
    assert "bot/examples/shop/base/.github/migration-review.yml" in names
    assert any(n.endswith("entry_points.txt") for n in names)
