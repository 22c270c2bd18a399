"""Data-migration pull requests a senior data engineer would stop, and their careful counterparts, each put
through `review()` as a small repository of its framework (tests/sweep/data_prs.py): every hazard is found by
the rule that names it; every safe change is approved, with none of the data rules raised."""

from __future__ import annotations

import pytest

from bot import frameworks
from bot.model.config import Config
from tests.conftest import review_sql
from tests.sweep import loop_prs
from tests.sweep.data_prs import DATA_RULES, PullRequest
from tests.sweep.data_prs import HAZARDS as SQL_HAZARDS
from tests.sweep.data_prs import SAFE as SQL_SAFE

HAZARDS = [*SQL_HAZARDS, *loop_prs.HAZARDS]
SAFE = [*SQL_SAFE, *loop_prs.SAFE]


def _review(pr: PullRequest):  # type: ignore[no-untyped-def]
    return review_sql(pr.text, path=pr.path, base=pr.base, dialect=pr.dialect, description=pr.description)


def test_the_sweep_has_the_breadth_it_claims() -> None:
    assert len(HAZARDS) >= 15 and len(SAFE) >= 10
    found = {getattr(frameworks.detect(pr.path, pr.text, Config()), "NAME", "") for pr in (*HAZARDS, *SAFE)}
    assert {"rails", "django", "alembic", "prisma", "knex", "typeorm", "flyway", "liquibase"} <= found


@pytest.mark.parametrize("pr", HAZARDS, ids=[pr.name for pr in HAZARDS])
def test_a_hazard_is_found(pr: PullRequest) -> None:
    found = {f.rule for f in _review(pr).active}
    assert found & set(pr.expected), sorted(found)


@pytest.mark.parametrize("pr", SAFE, ids=[pr.name for pr in SAFE])
def test_a_safe_change_is_approved_without_data_findings(pr: PullRequest) -> None:
    result = _review(pr)
    assert not {f.rule for f in result.active} & DATA_RULES, [f.message for f in result.active]
    assert result.approval == "APPROVED", result.reasons
