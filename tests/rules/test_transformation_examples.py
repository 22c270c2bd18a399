"""Every bad example of the transformation and rollback rules is found, and no good example is."""

from __future__ import annotations

import pytest

from bot import rules
from conftest import run

MODULES = [m for m in rules.RULES if m.RULE.dimension.value in ("transformation", "rollback")]
BAD = [(m.RULE.id, sql) for m in MODULES for sql in m.RULE.bad]
GOOD = [(m.RULE.id, sql) for m in MODULES for sql in m.RULE.good]


@pytest.mark.parametrize(("rule", "sql"), BAD)
def test_bad_example_is_found(rule: str, sql: str) -> None:
    found = [f for f in run(sql).findings if f.rule == rule]
    assert found, f"{rule} missed its bad example"
    assert all(f.fix and f.blast_radius and f.line > 0 for f in found)


@pytest.mark.parametrize(("rule", "sql"), GOOD)
def test_good_example_is_quiet(rule: str, sql: str) -> None:
    assert [f.message for f in run(sql).findings if f.rule == rule] == []


def test_every_rule_has_docs() -> None:
    for module in MODULES:
        assert "## Why is this bad?" in module.__doc__ and "## Use instead" in module.__doc__
        assert module.RULE.bad and module.RULE.good and module.RULE.help
