"""SQLite's table-rebuild pattern (create new, copy, drop, rename) is one rebuild, not a dropped table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).parent / "migration-review")
BASE = "CREATE TABLE lamps (id integer PRIMARY KEY, watts integer, colour text);\n"
REBUILD = (
    "CREATE TABLE lamps_next (id integer PRIMARY KEY, watts integer NOT NULL{extra});\n"
    "INSERT INTO lamps_next SELECT {columns} FROM lamps;\n"
    "DROP TABLE lamps;\n"
    "ALTER TABLE lamps_next RENAME TO lamps;\n"
)


def rules(tmp_path: Path, change: str) -> set[str]:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "1_base.sql").write_text(BASE)
    (folder / "2_rebuild.sql").write_text(change)
    done = subprocess.run(
        [
            CLI,
            "lint",
            "--dialect",
            "sqlite",
            "--format",
            "json",
            "--exit-zero",
            str(folder / "1_base.sql"),
            str(folder / "2_rebuild.sql"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {f["rule"] for f in json.loads(done.stdout)["findings"] if f["path"].endswith("2_rebuild.sql")}


def test_a_rebuild_that_keeps_every_column_drops_nothing(tmp_path: Path) -> None:
    found = rules(tmp_path, REBUILD.format(extra=", colour text", columns="id, watts, colour"))
    assert not found & {"table-dropped", "missing-down-migration"}


def test_a_rebuild_that_leaves_a_column_out_loses_its_values(tmp_path: Path) -> None:
    found = rules(tmp_path, REBUILD.format(extra="", columns="id, watts"))
    assert "table-dropped" not in found and "missing-down-migration" in found


def test_dropping_a_table_without_renaming_one_into_its_place_is_still_a_drop(tmp_path: Path) -> None:
    assert "table-dropped" in rules(tmp_path, "DROP TABLE lamps;\n")
