"""What is worked out once per object, by the object's identity, for as long as the object lives.

Migrations, operations and trees are frozen dataclasses, hashed by value: a hash of a migration walks all its
operations, and a tree holding a dict has none. Several rules ask for the same reading of one migration (its
transaction flags, a data change's writes); each asker would otherwise work it out again.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ByIdentity(Generic[K, V]):
    """`work(key)`, kept under the key's identity until the key is collected. The value must not refer to
    the key (it would keep the key alive). A key that cannot be weakly referenced is worked out every time."""

    def __init__(self, work: Callable[[K], V]) -> None:
        self._work = work
        self._kept: dict[int, tuple[weakref.ref[K], V]] = {}

    def __call__(self, key: K) -> V:
        known = self._kept.get(id(key))
        if known is not None and known[0]() is key:
            return known[1]
        value = self._work(key)
        ident, kept = id(key), self._kept
        try:
            # the entry leaves with its key, before another object can take the key's identity
            reference = weakref.ref(key, lambda _: kept.pop(ident, None))
        except TypeError:
            return value
        kept[ident] = (reference, value)
        return value
