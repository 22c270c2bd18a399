"""Alembic's `alter_column(…, existing_type=…)` states the type before the change: where no schema or earlier
migration gives it, the review judges the change from that type rather than calling it unknown."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

PATH = "migrations/versions/3f2a_retype.py"
NAMES = [("queries", "options"), ("widgets", "body"), ("accounts", "label")]


def _revision(table: str, column: str, old: str, new: str) -> str:
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        'revision = "3f2a"\ndown_revision = "1b0c"\n\n\ndef upgrade():\n'
        f'    op.alter_column("{table}", "{column}", existing_type={old}, type_={new})\n\n\n'
        f'def downgrade():\n    op.alter_column("{table}", "{column}", existing_type={new}, type_={old})\n'
    )


def _found(table: str, column: str, old: str, new: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in review_sql(_revision(table, column, old, new), path=PATH).active:
        found.setdefault(f.rule, []).append(f"{f.severity.value}: {f.message}")
    return found


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_widened_type_stated_by_existing_type_rewrites_nothing(table: str, column: str) -> None:
    found = _found(table, column, "sa.String(length=50)", "sa.Text()")
    assert "type-change-rewrite" not in found and "lossy-type-change" not in found


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_narrowed_type_stated_by_existing_type_is_judged_from_it(table: str, column: str) -> None:
    found = _found(table, column, "sa.String(length=100)", "sa.String(length=20)")
    [rewrite] = found["type-change-rewrite"]
    assert f"`{table}.{column}` changes type from `varchar(100)`" in rewrite
    assert rewrite.startswith(Severity.CRITICAL.value) and "unknown" not in rewrite
    [lossy] = found["lossy-type-change"]
    assert "from `varchar(100)` to `varchar(20)`" in lossy
