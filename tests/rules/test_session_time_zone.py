"""timestamptz → timestamp keeps every row only when the session time zone is UTC: Rails sets UTC on its
connections unless `config/database.yml` sets another zone (`variables: timezone:`), read through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git
from tests.test_cli import run

SCHEMA = """ActiveRecord::Schema[7.1].define(version: 1) do
  create_table :sessions do |t|
    t.timestamptz :expires_at
  end
  create_table :bookings do |t|
    t.timestamptz :starts_at
  end
end
"""


def _rules(root: Path, database_yml: str, change: str) -> set[str]:
    """The rules `migration-review review` reports for a Rails migration running `change` on SCHEMA."""
    (root / "config").mkdir(parents=True)
    (root / "db/migrate").mkdir(parents=True)
    (root / "config/database.yml").write_text(database_yml)
    (root / "db/schema.rb").write_text(SCHEMA)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "schema")
    migration = f"class Change < ActiveRecord::Migration[7.1]\n  def up\n    {change}\n  end\nend\n"
    (root / "db/migrate/20240101000000_change.rb").write_text(migration)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    done = run("review", "--repo", str(root), "--base", "HEAD~1", "--format", "json", "--exit-zero")
    assert done.returncode == 0, done.stderr
    return {f["rule"] for f in json.loads(done.stdout)["findings"] if not f.get("suppressed")}


def _database_yml(variables: str = "") -> str:
    return f"production:\n  adapter: postgresql\n  database: app\n{variables}"


def test_a_session_zone_other_than_utc_makes_the_change_a_rewrite(tmp_path: Path) -> None:
    block = _database_yml("  variables:\n    timezone: America/Los_Angeles\n")
    found = _rules(tmp_path / "a", block, "change_column :sessions, :expires_at, :timestamp")
    assert "type-change-rewrite" in found
    inline = _database_yml("  variables: { statement_timeout: 5000, timezone: 'Europe/Paris' }\n")
    assert "type-change-rewrite" in _rules(
        tmp_path / "b", inline, "change_column :bookings, :starts_at, :timestamp"
    )


def test_rails_default_or_a_utc_zone_keeps_it_metadata_only(tmp_path: Path) -> None:
    found = _rules(tmp_path / "a", _database_yml(), "change_column :sessions, :expires_at, :timestamp")
    assert "type-change-rewrite" not in found
    utc = _database_yml("  variables:\n    timezone: Etc/UTC\n")
    found = _rules(tmp_path / "b", utc, "change_column :bookings, :starts_at, :timestamp")
    assert "type-change-rewrite" not in found
