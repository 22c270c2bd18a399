"""Findings of the transformation and rollback rules name a line, a blast radius and a fix."""

from __future__ import annotations

import pytest

from bot import rules
from tests.conftest import review_sql

MODULES = [m for m in rules.RULES if m.RULE.dimension.value in ("transformation", "rollback")]
BAD = [(m.RULE.id, sql) for m in MODULES for sql in m.RULE.bad]


@pytest.mark.parametrize(("rule", "sql"), BAD, ids=[r for r, _ in BAD])
def test_findings_are_complete(rule: str, sql: str) -> None:
    # a rule about one framework's migrations meets its examples as such a migration, with the code it reads
    module = rules.BY_ID[rule]
    path = getattr(module, "EXAMPLE_PATH", "db/migrations/001_change.sql")
    dialect = module.RULE.dialects[0] if module.RULE.dialects else None  # a rule of some databases only
    head = getattr(module, "EXAMPLE_HEAD", None)
    previous = getattr(module, "EXAMPLE_BASE", None)  # a rule about an edit meets its examples as one
    found = [
        f
        for f in review_sql(sql, path=path, head=head, dialect=dialect, previous=previous).findings
        if f.rule == rule
    ]
    assert found
    assert all(f.fix and f.blast_radius and f.line > 0 and f.path for f in found)
