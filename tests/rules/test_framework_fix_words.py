"""The fix of a batching or way-back finding speaks the framework the migration is written in: a Django data
migration is told about querysets, primary-key ranges and `bulk_update(batch_size=…)`, a Rails one about
`in_batches` and `disable_ddl_transaction!`, an Alembic one about `autocommit_block()`; a SQL file gets SQL."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration
from tests.rules.test_data_expressions import _alembic, _goose, _knex

NAMES = [("orders", "Order", "state"), ("tickets", "Ticket", "phase")]


def _fix(result: Review, rule: str) -> str:
    found: list[Finding] = [f for f in result.active if f.rule == rule]
    assert found, [f.rule for f in result.active]
    return found[0].fix


def _django(model: str, column: str, body: str) -> Review:
    text = data_migration(model, body.format(model=model, column=column))
    return review_migration(
        model, {column: "models.TextField(null=True)", "qty": "models.IntegerField(default=0)"}, text
    )


def _rails(table: str, model: str, column: str, body: str) -> Review:
    text = (
        f"class Fix{model}s < ActiveRecord::Migration[7.1]\n  def up\n    {body.format(model=model, column=column)}\n"
        f"  end\n\n  def down\n    remove_column :{table}, :tmp\n  end\nend\n"
    )
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, qty integer NOT NULL DEFAULT 0);\n"
    return review_sql(
        text, path=f"db/migrate/20260101000000_fix_{table}.rb", base={"db/structure.sql": schema}
    )


def _sql(table: str, column: str, framework, sql: str) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(table=table, column=column))
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, qty integer NOT NULL DEFAULT 0);\n"
    return review_sql(text, path=path, base={"db/structure.sql": schema})


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_an_unbatched_change_is_told_in_each_frameworks_terms(table: str, model: str, column: str) -> None:
    django = _fix(
        _django(model, column, '{model}.objects.filter({column}__isnull=True).update({column}="x")'),
        "unbatched-data-change",
    )
    assert (
        "pk__gte" in django and "bulk_update" in django and "batch_size" in django and "UPDATE" not in django
    )
    rails = _fix(
        _rails(table, model, column, "{model}.where({column}: nil).update_all({column}: 'x')"),
        "unbatched-data-change",
    )
    assert "in_batches" in rails and "disable_ddl_transaction!" in rails
    update = "UPDATE {table} SET {column} = 'x' WHERE {column} IS NULL"
    assert "autocommit_block" in _fix(_sql(table, column, _alembic, update), "unbatched-data-change")
    assert "transaction: false" in _fix(_sql(table, column, _knex, update), "unbatched-data-change")
    assert "key range" in _fix(_sql(table, column, _goose, update + ";"), "unbatched-data-change")


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_a_statement_timeout_is_told_in_each_frameworks_terms(table: str, model: str, column: str) -> None:
    django = _fix(
        _django(model, column, '{model}.objects.filter({column}__isnull=True).update({column}="x")'),
        "missing-statement-timeout",
    )
    assert "migrations.RunSQL" in django
    rails = _fix(
        _rails(table, model, column, "{model}.where({column}: nil).update_all({column}: 'x')"),
        "missing-statement-timeout",
    )
    assert rails.startswith("Set a statement timeout") and "execute" in rails
    update = "UPDATE {table} SET {column} = 'x' WHERE {column} IS NULL"
    assert "op.execute" in _fix(_sql(table, column, _alembic, update), "missing-statement-timeout")
    assert "at the top of the migration" in _fix(
        _sql(table, column, _goose, update + ";"), "missing-statement-timeout"
    )


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_batch_edges_are_told_in_each_frameworks_terms(table: str, model: str, column: str) -> None:
    fix = _fix(
        review_migration(
            model,
            {column: "models.TextField(null=True)", "qty": "models.IntegerField(default=0)"},
            data_migration(
                model,
                f'for lo in range(0, 1000000, 1000):\n        {model}.objects.filter(pk__range=(lo, lo + 1000)).update(qty=F("qty") + 1)',
                imports="from django.db.models import F",
            ),
        ),
        "batch-range-off-by-one",
    )
    assert "pk__gte=lo, pk__lt=lo + 1000" in fix and ":=" not in fix
    rails = _rails(
        table,
        model,
        column,
        "(0..{model}.maximum(:id)).step(1000) do |lo|\n      {model}.where(id: lo..(lo + 1000)).update_all('qty = qty + 1')\n    end",
    )
    assert "..." in _fix(rails, "batch-range-off-by-one")


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_the_way_back_is_told_in_each_frameworks_terms(table: str, model: str, column: str) -> None:
    # every row set to one constant: every-row-overwritten says the way back loses it too
    django = _fix(
        _django(model, column, '{model}.objects.all().update({column}="x")'), "every-row-overwritten"
    )
    assert "RunPython" in django and "reverse function" in django
    rails = _fix(_rails(table, model, column, "{model}.update_all({column}: 'x')"), "every-row-overwritten")
    assert "`down`" in rails
    rails = _fix(
        _rails(table, model, column, "{model}.where(id: 1..99).update_all({column}: 'x')"),
        "every-row-overwritten",
    )
    assert "`down`" in rails
    sql = _fix(
        _sql(table, column, _goose, "UPDATE {table} SET {column} = 'x' WHERE id < 100;"),
        "data-lost-on-rollback",
    )
    assert "rollback plan" in sql


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_empty_strings_are_told_in_each_frameworks_terms(table: str, model: str, column: str) -> None:
    django = _fix(
        _django(model, column, '{model}.objects.filter({column}__isnull=True).update({column}="x")'),
        "null-dropping-comparison",
    )
    assert f'Q({column}__isnull=True) | Q({column}="")' in django
    rails = _fix(
        _rails(table, model, column, "{model}.where({column}: nil).update_all({column}: 'x')"),
        "null-dropping-comparison",
    )
    assert f'where({column}: [nil, ""])' in rails
