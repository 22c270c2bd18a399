"""A RunPython loop over a queryset that sets attributes on each row and saves it reads as the UPDATE it
amounts to: the rows the queryset selects, the columns the loop sets. A fill of empty values loses nothing
on the way back; an overwrite of every row does, and `RunPython.noop` does not bring it back."""

from __future__ import annotations

import pytest

from tests.rules.test_django_case_updates import NAMES, _review

LOOPS = [
    "for row in {Model}.objects.filter(label__isnull=True){iterate}:\n"
    '        row.label = "none yet"\n        row.save(update_fields=["label"])',
    "for row in {Model}.objects.filter(label=None){iterate}:\n"  # Django reads `= None` as IS NULL
    '        row.label = "none yet"\n        row.save()',
    "rows = {Model}.objects.filter(label__isnull=True){iterate}\n    for row in rows:\n"
    '        row.label = "none yet"\n        row.save()',
]


def _lost(names: dict[str, str], body: str) -> list[str]:
    """What the review says the rollback loses: data-lost-on-rollback, or every-row-overwritten where it
    speaks for an overwrite of every row (saying the way back does not restore it)."""
    return [
        f.message
        for f in _review(names, body).active
        if f.rule == "data-lost-on-rollback"
        or (f.rule == "every-row-overwritten" and "does not restore them" in f.message)
    ]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=["queryset", "equals-none", "queryset-in-a-local"])
@pytest.mark.parametrize("iterate", ["", ".iterator(chunk_size=500)"])
def test_a_loop_filling_empty_values_loses_nothing(names: dict[str, str], loop: str, iterate: str) -> None:
    assert not _lost(names, loop.replace("{iterate}", iterate))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=["queryset", "equals-none", "queryset-in-a-local"])
def test_a_loop_overwriting_every_row_is_lost_on_rollback(names: dict[str, str], loop: str) -> None:
    overwrite = loop.replace(".filter(label__isnull=True){iterate}", ".all()").replace(
        ".filter(label=None){iterate}", ".all()"
    )
    lost = _lost(names, overwrite)
    table = f"{names['app']}_{names['Model'].lower()}"
    assert lost and table in lost[0] and "label" in lost[0]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "fetch",
    ["{Model}.objects.get(id=7)", "{Model}.objects.filter(id=7).first()"],
    ids=["get", "filter-first"],
)
def test_a_fetched_row_saved_or_deleted_is_that_row(names: dict[str, str], fetch: str) -> None:
    """`row = Model.objects.get(id=7); row.label = "x"; row.save()` writes that row, not the table: the
    UPDATE it sends has the condition that fetched it and the columns set on it."""
    from bot.frameworks import django
    from bot.model.changeset import MemoryTree
    from bot.model.migration import DataDelete, DataUpdate
    from tests.rules.test_django_case_updates import INITIAL, _migration

    table = f"{names['app']}_{names['Model'].lower()}"
    tree = MemoryTree({f"{names['app']}/migrations/0001_initial.py": INITIAL.format(**names)})
    saved = "row = " + fetch + '\n    row.label = "first"\n    row.save()'
    migration = django.parse(
        f"{names['app']}/migrations/0002_fill.py", _migration(names, saved), tree, "postgres"
    )
    assert [(op.table, op.assignments, op.where) for op in migration.up if isinstance(op, DataUpdate)] == [
        (table, (("label", "'first'"),), "id = 7")
    ]
    deleted = "row = " + fetch + "\n    row.delete()"
    migration = django.parse(
        f"{names['app']}/migrations/0002_fill.py", _migration(names, deleted), tree, "postgres"
    )
    assert [(op.table, op.where) for op in migration.up if isinstance(op, DataDelete)] == [(table, "id = 7")]
    result = _review(names, deleted)
    assert not [f for f in result.active if f.rule == "unbatched-data-change"]
