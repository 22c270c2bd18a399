"""Batch loops as code writes them, recognised as batched where they are and not where they are not.

Python (Django RunPython): `while True:` taking a slice of a queryset's keys each pass (`[:1000]`) and
changing those rows, until none is left (`if not ids: break`), changes one batch per pass: the rows the
sliced queryset selects (so a fill of NULLs stays a fill). A `while True:` whose change is not bounded by a
slice changes everything on its first pass.

Ruby (Rails): `pluck(:id).each_slice(n)` / `.ids.each_slice(n)` with a change of those keys, `loop do … limit(n)
… break … end`, `while`, and a range over strings (`('a'..'z').each`) whose change is picked by the pass's
value, are batched; a slice loop whose change does not use the slice (`each_slice { Model.update_all(…) }`)
and a `limit(n)` outside any loop are not."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

PY_NAMES = [("Order", "status"), ("Ticket", "phase")]
RB_NAMES = [("users", "User", "status"), ("invoices", "Invoice", "memo")]


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


def _django(model: str, column: str, body: str) -> Review:
    text = data_migration(model, body.format(model=model, column=column))
    return review_migration(model, {column: "models.TextField(null=True)"}, text)


PY_BATCHED = {
    "keys-in-a-list": (
        "while True:\n"
        '        ids = list({model}.objects.filter({column}__isnull=True).values_list("id", flat=True)[:1000])\n'
        "        if not ids:\n            break\n"
        '        {model}.objects.filter(id__in=ids).update({column}="open")'
    ),
    "queryset-in-a-local": (
        "pending = {model}.objects.filter({column}__isnull=True)\n    while True:\n"
        '        batch = pending.values("pk")[:500]\n'
        '        if {model}.objects.filter(pk__in=batch).update({column}="open") == 0:\n            break'
    ),
    "while-exists": (
        "while {model}.objects.filter({column}__isnull=True).exists():\n"
        '        ids = {model}.objects.filter({column}__isnull=True).values_list("id", flat=True)[:1000]\n'
        '        {model}.objects.filter(id__in=list(ids)).update({column}="open")'
    ),
}


@pytest.mark.parametrize(("model", "column"), PY_NAMES)
@pytest.mark.parametrize("loop", sorted(PY_BATCHED))
def test_a_python_while_loop_over_slices_is_batched(model: str, column: str, loop: str) -> None:
    found = _rules(_django(model, column, PY_BATCHED[loop]))
    assert "unbatched-data-change" not in found
    assert "data-lost-on-rollback" not in found  # each slice holds rows whose value is NULL: a fill


@pytest.mark.parametrize(("model", "column"), PY_NAMES)
def test_a_python_while_loop_without_a_slice_is_not(model: str, column: str) -> None:
    once = 'while True:\n        {model}.objects.filter({column}__isnull=True).update({column}="open")\n        break'
    assert "unbatched-data-change" in _rules(_django(model, column, once))


def _rails(table: str, model: str, column: str, body: str) -> Review:
    text = (
        f"class Fill{model}s < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def up\n"
        + "\n".join(f"    {line}" for line in body.format(model=model, column=column).splitlines())
        + f"\n  end\n\n  def down\n    remove_column :{table}, :tmp\n  end\nend\n"
    )
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, {column} text);\n"
    return review_sql(
        text, path=f"db/migrate/20260101000000_fill_{table}.rb", base={"db/structure.sql": schema}
    )


RB_BATCHED = {
    "pluck-each-slice": "{model}.where({column}: nil).pluck(:id).each_slice(1000) do |ids|\n"
    "  {model}.where(id: ids).update_all({column}: 'open')\nend",
    "ids-each-slice": "{model}.where({column}: nil).ids.each_slice(500) {{ |ids| {model}.where(id: ids).update_all({column}: 'open') }}",
    "loop-limit-break": "loop do\n  changed = {model}.where({column}: nil).limit(1000).update_all({column}: 'open')\n"
    "  break if changed.zero?\nend",
    "while-exists": "while {model}.where({column}: nil).exists?\n"
    "  {model}.where({column}: nil).limit(1000).update_all({column}: 'open')\nend",
    "string-range": "('a'..'z').each do |letter|\n"
    "  {model}.where({column}: nil).where('name LIKE ?', \"#{{letter}}%\").update_all({column}: 'open')\nend",
    "in-batches-of": "{model}.where({column}: nil).in_batches(of: 2000) {{ |batch| batch.update_all({column}: 'open') }}",
}
RB_NOT_BATCHED = {
    "slice-not-used": "[1, 2, 3].each_slice(1) {{ |part| {model}.where({column}: nil).update_all({column}: 'open') }}",
    "limit-once": "{model}.where({column}: nil).limit(1000).update_all({column}: 'open')",
    "loop-without-limit": "loop do\n  {model}.where({column}: nil).update_all({column}: 'open')\n  break\nend",
}


@pytest.mark.parametrize(("table", "model", "column"), RB_NAMES)
@pytest.mark.parametrize("loop", sorted(RB_BATCHED))
def test_a_ruby_batch_loop_is_batched(table: str, model: str, column: str, loop: str) -> None:
    found = _rules(_rails(table, model, column, RB_BATCHED[loop]))
    assert "unbatched-data-change" not in found
    assert "data-lost-on-rollback" not in found  # the rows the outer condition picked: NULLs filled


@pytest.mark.parametrize(("table", "model", "column"), RB_NAMES)
@pytest.mark.parametrize("loop", sorted(RB_NOT_BATCHED))
def test_a_ruby_loop_that_does_not_batch_is_not(table: str, model: str, column: str, loop: str) -> None:
    assert "unbatched-data-change" in _rules(_rails(table, model, column, RB_NOT_BATCHED[loop]))


@pytest.mark.parametrize(("model", "column"), PY_NAMES)
def test_one_slice_outside_a_loop_is_one_change_of_the_rows_it_selects(model: str, column: str) -> None:
    """The keys of one slice, taken once: not batched (nothing takes the next slice), but the rows changed
    are those the sliced queryset selects, so a fill of NULLs loses nothing on the way back."""
    once = (
        'ids = list({model}.objects.filter({column}__isnull=True).values_list("id", flat=True)[:1000])\n'
        '    {model}.objects.filter(id__in=ids).update({column}="open")'
    )
    found = _rules(_django(model, column, once))
    assert "unbatched-data-change" in found and "data-lost-on-rollback" not in found
