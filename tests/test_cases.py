"""Golden cases: a repository slice before (`base/`) and the files a pull request adds (`head/`), with the
review expected of it (`expected.json`). `UPDATE_SNAPSHOTS=1` rewrites the expectations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

CASES = Path(__file__).resolve().parent / "cases"


def _files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _changeset(case: Path) -> ChangeSet:
    base, added = _files(case / "base"), _files(case / "head")
    head = {**base, **added}
    changed = tuple(
        ChangedFile(path, "modified" if path in base else "added", base.get(path), text)
        for path, text in added.items()
    )
    description = (
        (case / "description.md").read_text(encoding="utf-8") if (case / "description.md").is_file() else ""
    )
    return ChangeSet(
        "base",
        "head",
        changed,
        MemoryTree(head),
        MemoryTree(base),
        description,
        base.get(".github/migration-review.yml"),
    )


def _summary(case: Path) -> dict[str, object]:
    result = review(_changeset(case))
    return {
        "approval": result.approval,
        "migrations": [[m.path, m.framework, m.dialect, m.in_transaction] for m in result.migrations],
        "findings": [[f.rule, f.severity.value, f.path, f.line] for f in result.active],
    }


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "head").is_dir()))
def test_case(case: str) -> None:
    expected_path = CASES / case / "expected.json"
    actual = _summary(CASES / case)
    if not expected_path.exists() and os.environ.get("CI") == "true":
        pytest.fail(f"{expected_path} is missing: run `UPDATE_SNAPSHOTS=1 make test` and commit it")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not expected_path.exists():
        expected_path.write_text(json.dumps(actual, indent=2) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
