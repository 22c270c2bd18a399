"""The installed command line, run as a user runs it, on real git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git

CLI = str(Path(sys.executable).parent / "migration-review")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, cwd=cwd, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "db/migrations").mkdir(parents=True)
    (tmp_path / "db/migrations/000001_users.up.sql").write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
    )
    (tmp_path / "db/migrations/000001_users.down.sql").write_text("DROP TABLE users;\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def commit(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"add {path}")


def test_review_blocks_a_dangerous_migration_with_exit_1(repo: Path) -> None:
    commit(repo, "db/migrations/000002_idx.up.sql", "CREATE INDEX users_email_idx ON users (email);\n")
    done = run("review", "--repo", str(repo), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["approval"] == "BLOCKED"
    finding = next(f for f in report["findings"] if f["rule"] == "non-concurrent-index")
    assert finding["path"] == "db/migrations/000002_idx.up.sql" and finding["line"] == 1
    assert finding["dimension"] == "migration-safety" and finding["severity"] == "critical"
    assert finding["blast_radius"] and finding["fix"]
    assert {"checklist", "verification_queries", "rollback_plan", "monitoring", "migrations"} <= report.keys()
    assert run("review", "--repo", str(repo), "--exit-zero").returncode == 0


def test_review_approves_an_additive_reversible_migration(repo: Path) -> None:
    commit(
        repo,
        "db/migrations/000002_note.up.sql",
        "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN note text;\n",
    )
    commit(repo, "db/migrations/000002_note.down.sql", "ALTER TABLE users DROP COLUMN IF EXISTS note;\n")
    done = run("review", "--repo", str(repo), "--base", "main", "--format", "markdown")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("<!-- migration-review:comment -->")
    assert "**Approval Status**: APPROVED" in done.stdout


def test_configuration_is_read_from_the_base_side(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, ".github/migration-review.yml", "small_tables: [users]\n")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    commit(
        repo,
        "db/migrations/000002_idx.up.sql",
        "SET lock_timeout = '5s';\nCREATE INDEX users_email_idx ON users (email);\n",
    )
    done = run("review", "--repo", str(repo), "--format", "json")
    finding = next(f for f in json.loads(done.stdout)["findings"] if f["rule"] == "non-concurrent-index")
    assert finding["severity"] == "warning" and done.returncode == 0


def test_bad_configuration_exits_2_naming_the_key_and_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("rules:\n  severity:\n    non-concurrent-index: fatal\n")
    sql = tmp_path / "x.sql"
    sql.write_text("SELECT 1;\n")
    done = run("lint", str(sql), "--config", str(config))
    assert done.returncode == 2
    assert "rules.severity.non-concurrent-index" in done.stderr and str(config) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_rule_in_select_is_a_usage_error(tmp_path: Path) -> None:
    sql = tmp_path / "x.sql"
    sql.write_text("SELECT 1;\n")
    done = run("lint", str(sql), "--select", "no-such-rule")
    assert done.returncode == 2 and "no-such-rule" in done.stderr


def test_lint_reports_all_files_in_one_report_and_never_crashes_on_garbage(tmp_path: Path) -> None:
    good = tmp_path / "a.sql"
    good.write_text("ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;\n")
    garbage = tmp_path / "b.sql"
    garbage.write_text("ALTER TABLE ((( 'unterminated\n\x00\x01 $$ nonsense\n")
    done = run("lint", str(good), str(garbage), "--format", "sarif")
    assert done.returncode == 1, done.stderr
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    rules_found = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"not-null-without-default", "unparsed-statement"} <= rules_found
    assert all(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in sarif["runs"][0]["results"]
    )


def test_rules_and_explain() -> None:
    listing = run("rules")
    assert listing.returncode == 0 and "non-concurrent-index" in listing.stdout
    page = run("explain", "set-not-null")
    assert page.returncode == 0 and "## Why is this bad?" in page.stdout
    assert run("explain", "nope").returncode == 2


def test_not_a_git_repository_is_a_clear_error(tmp_path: Path) -> None:
    done = run("review", "--repo", str(tmp_path))
    assert done.returncode == 2 and "not a git repository" in done.stderr


@pytest.mark.parametrize(
    ("path", "sql"),
    [
        ("db/migrations/000002_idx.up.sql", "CREATE INDEX users_email_idx ON users (email);\n"),
        ("db/migrations/000002_drop.up.sql", "ALTER TABLE users DROP COLUMN email;\n"),
    ],
)
def test_a_bare_mirror_whose_head_is_the_reviewed_commit_is_read_from_git(
    repo: Path, tmp_path: Path, path: str, sql: str
) -> None:
    """A mirror (`git clone --mirror`) has no work tree: with the head commit checked out as its HEAD, the
    review read the files from a work tree anyway and stopped (`rev-parse --show-toplevel` fails)."""
    commit(repo, path, sql)
    mirror = tmp_path / "mirror.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(mirror))
    git(mirror, "symbolic-ref", "HEAD", "refs/heads/feature")
    done = run("review", "--repo", str(mirror), "--base", "main", "--head", "HEAD", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert any(f["path"] == path for f in json.loads(done.stdout)["findings"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_demo_prints_a_real_blocked_review() -> None:
    done = run("demo", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "BLOCKED" in done.stdout and "000003_backfill_order_state.up.sql" in done.stdout
    assert "non-concurrent-index" in done.stdout


def test_lint_recognises_framework_files_by_content_whatever_their_path(tmp_path: Path) -> None:
    rails = tmp_path / "index.rb"
    rails.write_text(
        "class AddIndex < ActiveRecord::Migration[7.1]\n  def change\n    add_index :users, :email\n  end\nend\n"
    )
    django = tmp_path / "fields.py"
    django.write_text(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n    operations = [\n"
        "        migrations.AddField('order', 'note', models.TextField(null=True)),\n    ]\n"
    )
    report = json.loads(run("lint", str(rails), str(django), "--format", "json", "--exit-zero").stdout)
    assert sorted(m["framework"] for m in report["migrations"]) == ["django", "rails"]
    index = next(f for f in report["findings"] if f["rule"] == "non-concurrent-index")
    assert index["path"].endswith("index.rb") and index["line"] == 3
    assert not any(f["rule"] == "unparsed-statement" for f in report["findings"])


def test_lint_treats_each_file_as_its_own_change(tmp_path: Path) -> None:
    """A table an earlier file created is an existing table for a later file, as in a migration history."""
    first = tmp_path / "V1__orders.sql"
    first.write_text("CREATE TABLE orders (id bigint PRIMARY KEY, state text);\n")
    second = tmp_path / "V2__state.sql"
    second.write_text("ALTER TABLE orders ALTER COLUMN state SET NOT NULL;\n")
    report = json.loads(run("lint", str(first), str(second), "--format", "json", "--exit-zero").stdout)
    assert any(
        f["rule"] == "set-not-null" and f["path"].endswith("V2__state.sql") for f in report["findings"]
    )
