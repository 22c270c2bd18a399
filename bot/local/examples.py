"""The bundled example repositories: committed into a scratch git repository and reviewed like any other."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from bot.local.git import changeset_from_git
from bot.model.changeset import ChangeSet

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "migration-review",
    "GIT_AUTHOR_EMAIL": "demo@example.invalid",
    "GIT_COMMITTER_NAME": "migration-review",
    "GIT_COMMITTER_EMAIL": "demo@example.invalid",
    "GIT_AUTHOR_DATE": "2026-11-02T10:30:00Z",
    "GIT_COMMITTER_DATE": "2026-11-02T10:30:00Z",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


def example_dir(name: str) -> Path:
    root = Path(str(resources.files("bot.examples")))
    path = root / name
    if not (path / "base").is_dir():
        available = sorted(p.name for p in root.iterdir() if (p / "base").is_dir())
        raise FileNotFoundError(f"no example {name!r}; examples: {', '.join(available)}")
    return path


def build_repository(example: Path, target: Path) -> None:
    """Commit `base/` on main, then `head/` on a branch, in `target`."""

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(target), *args], check=True, capture_output=True, env=_GIT_ENV)

    shutil.copytree(example / "base", target, dirs_exist_ok=True)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "pull-request")
    shutil.copytree(example / "head", target, dirs_exist_ok=True)
    git("add", "-A")
    git("commit", "-q", "-m", "pull request")


def demo_changeset(name: str = "shop") -> ChangeSet:
    example = example_dir(name)
    target = Path(tempfile.mkdtemp(prefix=f"migration-review-{name}-"))
    build_repository(example, target)
    description_file = example / "description.md"
    description = description_file.read_text(encoding="utf-8") if description_file.is_file() else ""
    return changeset_from_git(target, "main", "pull-request", description=description)
