"""Golden cases: a framework migration finds what its SQL equivalent finds, at the framework file's lines.

Each `tests/cases/<framework>_<what>/` holds `base/` (the repository before the change), `head/` (the one
migration the change adds), `equivalent.sql` (the same change as a goose SQL migration, reviewed on the
same base) and `expected.txt` (one `<line> <rule-id>` per active finding in the framework file).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

CASES = Path(__file__).resolve().parent.parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").is_file())


def _files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()
    }


def _review(base: dict[str, str], path: str, text: str) -> Review:
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, text),),
        head_tree=MemoryTree({**base, path: text}),
        base_tree=MemoryTree(base),
    )
    return review(changeset)


@pytest.mark.parametrize("name", NAMES)
def test_same_findings_as_the_sql_equivalent(name: str) -> None:
    case = CASES / name
    base = _files(case / "base")
    ((path, text),) = _files(case / "head").items()
    framework = _review(base, path, text)
    equivalent = _review(base, "db/migrations/00099_equivalent.sql", (case / "equivalent.sql").read_text())
    assert [m.framework for m in framework.migrations] == [name.split("_", 1)[0]]
    assert {f.rule for f in framework.active} == {f.rule for f in equivalent.active}


@pytest.mark.parametrize("name", NAMES)
def test_findings_point_at_the_framework_file(name: str) -> None:
    case = CASES / name
    base = _files(case / "base")
    ((path, text),) = _files(case / "head").items()
    result = _review(base, path, text)
    expected = sorted(
        tuple(line.split()) for line in (case / "expected.txt").read_text().splitlines() if line.strip()
    )
    found = sorted((str(f.line), f.rule) for f in result.active)
    assert found == expected
    assert all(f.path == path for f in result.findings)
