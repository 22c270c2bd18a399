"""A foreign key on columns the migration has just added without a default has no orphan to find: the finding
says the scan under the lock is its cost, not a failure on an orphan."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [("SubscriptionClaim", "EmailTransport", "emailTransportId"), ("orders", "coupons", "coupon_id")]


def _found(child: str, parent: str, column: str, add: str) -> list[Finding]:
    sql = (
        f'CREATE TABLE "{parent}" (id text PRIMARY KEY);\nCREATE TABLE "{child}" (id text PRIMARY KEY, old_id text);\n'
        f'-- migration\n{add}\nALTER TABLE "{child}" ADD CONSTRAINT "{child}_{column}_fkey" '
        f'FOREIGN KEY ("{column}") REFERENCES "{parent}"("id") ON DELETE SET NULL;'
    )
    return [f for f in review_sql(sql).active if f.rule == "constraint-not-valid"]


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_key_on_a_column_just_added_without_default_finds_no_orphan(
    child: str, parent: str, column: str
) -> None:
    [finding] = _found(child, parent, column, f'ALTER TABLE "{child}" ADD COLUMN "{column}" TEXT;')
    assert finding.severity is Severity.CRITICAL and "no row can be an orphan" in finding.blast_radius
    assert "fails" not in finding.blast_radius


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_key_on_a_column_with_values_may_fail_on_an_orphan(child: str, parent: str, column: str) -> None:
    add = f'ALTER TABLE "{child}" ADD COLUMN "{column}" TEXT DEFAULT \'x\';'
    [finding] = _found(child, parent, column, add)
    assert finding.severity is Severity.CRITICAL and "fails on the first orphan row" in finding.blast_radius
