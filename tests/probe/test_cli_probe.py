"""`migration-review lint|review --probe-dsn`: questions, probe, then the review, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import git
from tests.probe.shop import MIGRATION, fill_postgres


def test_lint_with_a_probe_dsn_reports_production_numbers(
    pg: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = fill_postgres(pg)
    migration = tmp_path / "002_orders.sql"
    migration.write_text(MIGRATION)
    code = main(["lint", str(migration), "--probe-dsn", dsn, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    rules = {f["rule"] for f in data["findings"]}
    assert {"unmapped-production-value", "nulls-before-not-null", "orphans-before-foreign-key"} <= rules
    assert data["probe"]["connection"].startswith("postgresql://postgres@127.0.0.1")
    assert data["probe"]["failures"] == [] and data["probe"]["queries"]


def test_review_with_a_probe_config_file(pg: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dsn = fill_postgres(pg)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("shop\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "db" / "migrations").mkdir(parents=True)
    (repo / "db" / "migrations" / "002_orders.sql").write_text(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 's' WHEN 'open' THEN 'p' ELSE state END "
        "WHERE id BETWEEN 1 AND 1000;\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change")
    config = tmp_path / "probe.yml"
    config.write_text(f"repositories:\n  - repository: acme/shop\n    name: shop-replica\n    dsn: '{dsn}'\n")
    main(
        ["review", "--repo", str(repo), "--base", "HEAD~1", "--probe-config", str(config), "--format", "json"]
    )
    data = json.loads(capsys.readouterr().out)
    item = next(i for i in data["checklist"] if i["text"] == "Query production for actual value distribution")
    assert item["state"] == "checked" and item["source"] == "probe"
    assert item["detail"].startswith("verified by the probe against shop-replica (exact, ")


def test_an_invalid_probe_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migration = tmp_path / "001.sql"
    migration.write_text("ALTER TABLE users ADD COLUMN nickname text;\n")
    config = tmp_path / "probe.yml"
    config.write_text("repositories:\n  - repository: acme/shop\n")
    assert main(["lint", str(migration), "--probe-config", str(config)]) == 2
    assert f"{config}: repositories[0].dsn" in capsys.readouterr().err
