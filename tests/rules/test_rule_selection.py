"""`--select` and `--ignore` pick the new rules by id, on `lint`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

SQL = "CREATE TABLE events (id serial PRIMARY KEY, payload json, at timestamp);\n"


def _rules(capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> set[str]:
    path = tmp_path / "001_events.sql"
    path.write_text(SQL)
    assert main(["lint", str(path), "--format", "json", "--exit-zero", *options]) == 0
    return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_select_keeps_only_the_named_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _rules(capsys, tmp_path, "--select", "json-type,int-primary-key") == {
        "json-type",
        "int-primary-key",
    }


def test_ignore_drops_the_named_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    everything = _rules(capsys, tmp_path)
    assert {"json-type", "serial-over-identity", "timestamp-without-time-zone"} <= everything
    assert _rules(capsys, tmp_path, "--ignore", "json-type") == everything - {"json-type"}
