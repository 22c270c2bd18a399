"""The benchmark corpus is valid PostgreSQL: its first migrations apply, in order, to an empty schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bench" / "corpus.py"
FILES = 30
NAME = re.compile(r"^(V\d+__|\d{14}_)[a-z0-9_]+\.sql$")


def _generate(out: Path, *options: str) -> list[Path]:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *options], check=True, capture_output=True
    )
    manifest = json.loads((out / "corpus.json").read_text())
    return [out / name for name in manifest["paths"]]


def _statements(sql: str) -> Iterator[str]:
    """Split a migration on semicolons outside strings, comments and dollar-quoted bodies."""
    start, index, length = 0, 0, len(sql)
    while index < length:
        char = sql[index]
        if sql.startswith("--", index):
            index = sql.find("\n", index)
            index = length if index == -1 else index
        elif char == "'":
            index = sql.index("'", index + 1)
            while sql.startswith("''", index):
                index = sql.index("'", index + 2)
        elif char == "$" and (tag := re.match(r"\$[A-Za-z_]*\$", sql[index:])):
            index = sql.index(tag.group(), index + len(tag.group())) + len(tag.group()) - 1
        elif char == ";":
            yield sql[start : index + 1].strip()
            start = index + 1
        index += 1
    if sql[start:].strip() and not all(line.startswith("--") for line in sql[start:].split()):
        yield sql[start:].strip()


def test_files_are_named_sized_and_deterministic(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "--files", str(FILES))
    second = _generate(tmp_path / "b", "--files", str(FILES))
    timestamped = _generate(tmp_path / "c", "--files", "5", "--naming", "timestamp")
    assert len(first) == FILES
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_text() for p in first] == [p.read_text() for p in second]
    assert all(NAME.match(path.name) for path in first + timestamped)
    assert [p.name for p in timestamped] == sorted(p.name for p in timestamped)
    assert all(5 <= len(path.read_text().splitlines()) <= 150 for path in first)


@pytest.mark.postgres
def test_migrations_apply_in_order(pg: Any, tmp_path: Path) -> None:
    paths = _generate(tmp_path / "corpus", "--files", str(FILES))
    search_path = pg.execute("SHOW search_path").fetchone()[0]
    for path in paths:
        for statement in _statements(path.read_text()):
            try:
                pg.execute(statement)
            except Exception as error:
                pytest.fail(f"{path.name}: {error}\n{statement}")
        pg.execute("RESET ALL")
        pg.execute(f"SET search_path TO {search_path}")
    tables = pg.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()[0]
    assert tables >= 5
