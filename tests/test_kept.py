"""Readings kept per object by identity (bot/model/kept.py)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from bot.model.kept import ByIdentity


@dataclass(frozen=True)
class _Holder:  # holds a dict: no hash, as lint's tree
    values: dict[str, int] = field(default_factory=dict)


def test_worked_out_once_per_object_and_forgotten_with_it() -> None:
    calls: list[int] = []

    def work(holder: _Holder) -> int:
        calls.append(1)
        return sum(holder.values.values())

    total = ByIdentity(work)
    first, second = _Holder({"a": 1}), _Holder({"a": 1})  # equal, but not the same object
    assert total(first) == total(first) == 1
    assert total(second) == 1
    assert len(calls) == 2
    del first
    gc.collect()
    assert len(total._kept) == 1  # the entry left with its object


def test_an_object_without_weak_references_is_worked_out_every_time() -> None:
    calls: list[int] = []

    def work(text: str) -> int:
        calls.append(1)
        return len(text)

    length: ByIdentity[str, int] = ByIdentity(work)
    assert length("abc") == length("abc") == 3
    assert len(calls) == 2
