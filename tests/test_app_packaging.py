"""The built wheel carries the app: the GitHub package, the manifest and the setup pages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_includes_the_app(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    names = set(zipfile.ZipFile(next(tmp_path.glob("migration_review-*.whl"))).namelist())
    for module in ("app", "policy", "repository", "__init__"):
        assert f"bot/app/github/{module}.py" in names
    for name in ("app.yml", "setup.html.j2", "setup_done.html.j2"):
        assert f"bot/templates/{name}" in names
