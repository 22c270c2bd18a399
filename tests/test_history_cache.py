"""The replay of a base commit's history is kept on disk and read back by the next review on that base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import git

CLI = str(Path(sys.executable).parent / "migration-review")
INIT = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"


def _django_repo(path: Path) -> Path:
    app = path / "shop/migrations"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "0001_initial.py").write_text(
        INIT
        + "    initial = True\n    dependencies = []\n    operations = [\n"
        + "        migrations.CreateModel(\n            name='Order',\n"
        + "            fields=[('id', models.AutoField(primary_key=True)), ('legacy_code', models.TextField())],\n"
        + "        ),\n    ]\n"
    )
    (path / "shop/tasks.py").write_text("def export(order):\n    return order.legacy_code\n")
    (path / "shop/models.py").write_text(
        "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n"
    )
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init")
    git(path, "checkout", "-q", "-b", "feature")
    (app / "0002_remove_legacy_code.py").write_text(
        INIT
        + "    dependencies = [('shop', '0001_initial')]\n    operations = [\n"
        + "        migrations.RemoveField(model_name='order', name='legacy_code'),\n    ]\n"
    )
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "drop legacy_code")
    return path


def _review(repo: Path, cache: str) -> dict[str, object]:
    env = {**os.environ, "MIGRATION_REVIEW_CACHE_DIR": cache}
    done = subprocess.run(
        [CLI, "review", "--repo", str(repo), "--base", "main", "--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_second_review_on_the_same_base_reads_the_kept_replay(tmp_path: Path) -> None:
    repo, cache = _django_repo(tmp_path / "repo"), tmp_path / "cache"
    first = _review(repo, str(cache))
    kept = list(cache.glob("*.pickle"))
    assert len(kept) == 1
    second = _review(repo, str(cache))
    assert second == first
    dropped = next(f for f in second["findings"] if f["rule"] == "column-dropped")  # type: ignore[union-attr]
    assert dropped["severity"] == "critical" and "shop_order.legacy_code" in dropped["message"]


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    repo = _django_repo(tmp_path / "repo")
    first = _review(repo, "off")
    assert first["findings"]
    assert not list(tmp_path.glob("**/*.pickle"))


def _prisma_repo(path: Path, table: str) -> Path:
    """A Prisma history whose first migration (long enough to be kept) creates `table`, then two
    branches, each on a base commit of its own, that drop one of its columns."""
    columns = ",\n".join(f'    "note_{i}" TEXT' for i in range(40))
    first = path / "prisma/migrations/20240101000000_init/migration.sql"
    first.parent.mkdir(parents=True)
    first.write_text(f'CREATE TABLE "{table}" (\n    "id" SERIAL PRIMARY KEY,\n{columns}\n);\n')
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init")
    for number, column in ((2, "note_3"), (3, "note_7")):
        git(path, "checkout", "-q", "main")
        (path / f"README-{number}.md").write_text("another base commit\n")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"base {number}")
        git(path, "checkout", "-q", "-b", f"drop-{column}")
        change = path / f"prisma/migrations/2024010{number}000000_drop/migration.sql"
        change.parent.mkdir(parents=True)
        change.write_text(f'ALTER TABLE "{table}" DROP COLUMN "{column}";\n')
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"drop {column}")
    return path


def _review_branch(repo: Path, branch: str, cache: str) -> dict[str, object]:
    env = {**os.environ, "MIGRATION_REVIEW_CACHE_DIR": cache}
    args = ["review", "--repo", str(repo), "--base", f"{branch}~1", "--head", branch]
    done = subprocess.run(
        [CLI, *args, "--format", "json", "--exit-zero"], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_review_on_a_new_base_reads_the_history_files_kept_by_an_earlier_one(tmp_path: Path) -> None:
    for table in ("invoices", "shipment_events"):
        repo, cache = _prisma_repo(tmp_path / table, table), tmp_path / f"cache-{table}"
        _review_branch(repo, "drop-note_3", str(cache))
        kept = {p: p.stat().st_ino for p in cache.glob("files/*.pickle")}
        assert kept  # the first migration, read once
        second = _review_branch(repo, "drop-note_7", str(cache))
        # read back, not read again (a new entry would be a new file in place of the old)
        assert {p: p.stat().st_ino for p in cache.glob("files/*.pickle")} == kept
        assert second == _review_branch(repo, "drop-note_7", "off")
        dropped = [f for f in second["findings"] if f["rule"] == "column-dropped"]  # type: ignore[union-attr]
        assert dropped and f"{table}.note_7" in dropped[0]["message"]


def test_old_entries_are_looked_for_once_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry unused for a week goes at the next save; the folder is looked over again a day later, not at
    every save (a repository's file readings are tens of thousands of entries)."""
    from bot.frameworks import history_cache

    monkeypatch.setenv("MIGRATION_REVIEW_CACHE_DIR", str(tmp_path))
    week_ago = time.time() - 8 * 24 * 3600

    def old(name: str) -> Path:
        path = tmp_path / f"{name}.pickle"
        path.write_bytes(b"")
        os.utime(path, (week_ago, week_ago))
        return path

    first = old("stale_catalog")
    history_cache.save("replay_a", ["catalog"])
    assert not first.exists()
    second = old("stale_states")
    history_cache.save("replay_b", ["states"])
    assert second.exists()  # looked over an hour ago at most: left for the next day
    day_ago = time.time() - 25 * 3600
    os.utime(tmp_path / "last-pruned", (day_ago, day_ago))
    history_cache.save("replay_c", ["orders"])
    assert not second.exists()
    assert history_cache.load("replay_b") == ["states"]
