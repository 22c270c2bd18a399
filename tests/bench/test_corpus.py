"""The benchmark corpus is valid PostgreSQL: its first migrations apply, in order, to an empty schema."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bench" / "corpus.py"
DSN = os.environ.get("MIGRATION_REVIEW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
FILES = 30
NAME = re.compile(r"^(V\d+__|\d{14}_)[a-z0-9_]+\.sql$")


def _generate(out: Path, *options: str) -> list[Path]:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *options], check=True, capture_output=True
    )
    manifest = json.loads((out / "corpus.json").read_text())
    return [out / name for name in manifest["paths"]]


def _connect() -> object:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        message = f"start PostgreSQL: pg_ctlcluster 15 main start ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


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


def test_migrations_apply_in_order(tmp_path: Path) -> None:
    connection = _connect()
    paths = _generate(tmp_path / "corpus", "--files", str(FILES))
    schema = f"corpus_{uuid.uuid4().hex[:10]}"
    connection.execute(f"CREATE SCHEMA {schema}")  # type: ignore[attr-defined]
    try:
        for path in paths:
            connection.execute(f"SET search_path TO {schema}")  # type: ignore[attr-defined]
            for statement in _statements(path.read_text()):
                try:
                    connection.execute(statement)  # type: ignore[attr-defined]
                except Exception as error:
                    pytest.fail(f"{path.name}: {error}\n{statement}")
            connection.execute("RESET ALL")  # type: ignore[attr-defined]
        tables = connection.execute(  # type: ignore[attr-defined]
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchone()[0]
        assert tables >= 5
    finally:
        connection.execute("ROLLBACK") if connection.info.transaction_status else None  # type: ignore[attr-defined]
        connection.execute(f"DROP SCHEMA {schema} CASCADE")  # type: ignore[attr-defined]
        connection.close()  # type: ignore[attr-defined]
