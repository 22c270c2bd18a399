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
    return [f.message for f in _review(names, body).active if f.rule == "data-lost-on-rollback"]


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
