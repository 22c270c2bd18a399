"""The built wheel carries what the installed command needs: templates and the example repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
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


def _docker_build_context(target: Path) -> None:
    """Copy what the Dockerfile's build stage copies (its `COPY` lines before the second `FROM`)."""
    stage = (ROOT / "Dockerfile").read_text(encoding="utf-8").split("\nFROM ", 2)[1]
    for line in stage.splitlines():
        if not line.startswith("COPY ") or "--from" in line:
            continue
        *sources, _ = line.split()[1:]
        for pattern in sources:
            for source in ROOT.glob(pattern.rstrip("*") if pattern.endswith("*") else pattern):
                if source.is_dir():
                    shutil.copytree(
                        source, target / source.name, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy2(source, target / source.name)


def test_the_docker_build_context_makes_a_wheel_that_runs_the_demo(tmp_path: Path) -> None:
    context, wheels, site = tmp_path / "src", tmp_path / "wheels", tmp_path / "site"
    context.mkdir()
    _docker_build_context(context)
    pip = [sys.executable, "-m", "pip"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(context)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert "warning" not in (built.stdout + built.stderr).lower()
    wheel = next(wheels.glob("migration_review-*.whl"))
    subprocess.run([*pip, "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)], check=True)
    demo = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.cli; print(bot.cli.__file__, file=sys.stderr); sys.exit(bot.cli.main(['demo']))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert demo.stderr.strip().startswith(str(site)), demo.stderr  # the installed copy, not the source tree
    assert demo.returncode == 0 and demo.stdout.startswith("BLOCKED"), demo.stdout[-2000:]


def test_every_package_of_the_source_tree_is_declared() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "bot").rglob("__init__.py")}
    assert on_disk <= set(declared["packages"])
