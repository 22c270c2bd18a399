"""A review of a git repository reads the files of a long history in a few git processes, not one per file
(a review of Polar, whose history has 448 Alembic revisions, took 457 `git cat-file` processes and 16 s before)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git

CLI = str(Path(sys.executable).parent / "migration-review")
REVISION = '''"""{message}"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = {down}


def upgrade():
    op.add_column("orders", sa.Column("{column}", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("orders", "{column}")
'''


def _alembic_repo(path: Path, revisions: int, folder: str) -> Path:
    versions = path / folder
    versions.mkdir(parents=True)
    (versions / "0000_orders.py").write_text(
        REVISION.format(message="orders", revision="r0000", down="None", column="total").replace(
            'op.add_column("orders", sa.Column("total", sa.Integer(), nullable=True))',
            'op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True))',
        )
    )
    for n in range(1, revisions):
        (versions / f"{n:04d}_c{n}.py").write_text(
            REVISION.format(message=f"c{n}", revision=f"r{n:04d}", down=f'"r{n - 1:04d}"', column=f"c{n}")
        )
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "history")
    git(path, "checkout", "-q", "-b", "feature")
    (versions / f"{revisions:04d}_drop.py").write_text(
        REVISION.format(
            message="drop", revision=f"r{revisions:04d}", down=f'"r{revisions - 1:04d}"', column="c1"
        ).replace(
            'op.add_column("orders", sa.Column("c1", sa.Integer(), nullable=True))',
            'op.drop_column("orders", "c1")',
        )
    )
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "drop c1")
    return path


@pytest.mark.parametrize(("revisions", "folder"), [(60, "migrations/versions"), (90, "db/alembic/versions")])
def test_a_long_history_is_read_in_a_few_git_processes(tmp_path: Path, revisions: int, folder: str) -> None:
    repo = _alembic_repo(tmp_path / "repo", revisions, folder)
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = shutil.which("git")
    assert real is not None
    (shim / "git").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "MIGRATION_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [CLI, "review", "--repo", str(repo), "--base", "main", "--format", "json", "--exit-zero"]
    # cold, then with the replay of the base kept (the history's files are then not read ahead for it)
    for _ in range(2):
        log.write_text("")
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        assert "column-dropped" in {f["rule"] for f in json.loads(done.stdout)["findings"]}
        reads = [line for line in log.read_text().splitlines() if "cat-file" in line]
        assert len(reads) < 20, f"{len(reads)} git cat-file processes for {revisions} revisions"
