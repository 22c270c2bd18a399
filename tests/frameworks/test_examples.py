"""The Rails and Django example repositories review as their READMEs say."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    ("name", "framework", "expected"),
    [
        ("rails-shop", "rails", {"set-not-null", "non-concurrent-index", "unbatched-data-change"}),
        ("django-shop", "django", {"non-concurrent-index", "unbatched-data-change"}),
    ],
)
def test_example(name: str, framework: str, expected: set[str]) -> None:
    base, head = _files(EXAMPLES / name / "base"), _files(EXAMPLES / name / "head")
    changed = tuple(
        ChangedFile(p, "modified" if p in base else "added", base.get(p), t) for p, t in head.items()
    )
    changeset = ChangeSet(
        "base",
        "head",
        changed,
        MemoryTree({**base, **head}),
        MemoryTree(base),
        config_text=base.get(".github/migration-review.yml"),
    )
    result = review(changeset)
    assert [m.framework for m in result.migrations] == [framework]
    assert expected <= {f.rule for f in result.active}
    assert result.approval == "BLOCKED"
