"""Batch loops written in code, not SQL: a Python `for start in range(a, b, step)` in a Django data migration
and a Ruby `(a..b).step(n) do |start|` in a Rails one move a key range batch after batch; the range the
querysets bound by the loop's variable shows the keys no batch covers, or two batches both cover."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "batch-range-off-by-one"
PY_NAMES = [("Order", "qty", "start"), ("Ticket", "reopened", "lower")]


def _python(model: str, column: str, var: str, lookups: str, value: str = "") -> list[Any]:
    value = value or f'F("{column}") + 1'
    body = f"for {var} in range(0, 1000000, 1000):\n        {model}.objects.filter({lookups}).update({column}={value})"
    text = data_migration(model, body, imports="from django.db.models import F")
    result = review_migration(model, {column: "models.IntegerField(default=0)"}, text)
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("model", "column", "var"), PY_NAMES)
def test_a_python_range_loop(model: str, column: str, var: str) -> None:
    (skips,) = _python(model, column, var, f"id__gt={var}, id__lt={var} + 1000")
    assert "falls in no batch" in skips.message and f"for {var} in range(0, 1000000, 1000)" in skips.message
    (twice,) = _python(model, column, var, f"pk__range=({var}, {var} + 1000)")
    assert "changed twice" in twice.message
    assert not _python(model, column, var, f"id__gte={var}, id__lt={var} + 1000")
    assert not _python(model, column, var, f"id__range=({var}, {var} + 999)")
    # covered twice, but a second pass writes the same value again
    assert not _python(model, column, var, f"pk__range=({var}, {var} + 1000)", value="0")


RB_NAMES = [("orders", "Order", "qty", "start"), ("tickets", "Ticket", "reopened", "first_id")]


def _ruby(table: str, model: str, column: str, var: str, where: str) -> Any:
    text = (
        f"class Bump{model} < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    (0..{model}.maximum(:id)).step(5000) do |{var}|\n"
        f"      {model}.where({where}).update_all('{column} = {column} + 1')\n    end\n  end\n\n  def down\n  end\nend\n"
    )
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} integer);\n"}
    return review_sql(text, path=f"db/migrate/20260101000000_bump_{table}.rb", base=base)


@pytest.mark.parametrize(("table", "model", "column", "var"), RB_NAMES)
def test_a_ruby_step_loop(table: str, model: str, column: str, var: str) -> None:
    inclusive = _ruby(table, model, column, var, f"id: {var}..({var} + 5000)")
    (finding,) = [f for f in inclusive.active if f.rule == RULE]
    assert "changed twice" in finding.message and ".step(5000)" in finding.message
    exclusive = _ruby(table, model, column, var, f"id: {var}...({var} + 5000)")
    assert not [f for f in exclusive.active if f.rule == RULE]
    # each pass changes its own slice: no call to batch what is already batched
    assert not [f for f in (*inclusive.active, *exclusive.active) if f.rule == "unbatched-data-change"]
