"""Every occurrence of a set of words in a text, overlapping ones included, in one pass.

Three engines, the fastest installed first: Hyperscan (searches bytes, SIMD), an Aho-Corasick
automaton (pyahocorasick, searches str), and one regular expression (always there; it reports the
longest word at each position, so a word inside another found at the same place is left to the caller).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Collection
from typing import Any

Occurrence = tuple[int, str]  # (offset, word)
BACKENDS = ("hyperscan", "ahocorasick", "regex")


def available(backend: str) -> bool:
    return backend == "regex" or importlib.util.find_spec(backend) is not None


class WordFinder:
    def __init__(self, words: Collection[str], backend: str | None = None) -> None:
        # An empty word matches everywhere and no engine accepts it: there is nothing to find.
        self.words = tuple(sorted({w for w in words if w}, key=lambda w: (-len(w), w)))
        self.backend = backend or next(b for b in BACKENDS if available(b))
        self._engine: Any = getattr(self, f"_build_{self.backend}")() if self.words else None

    def _build_hyperscan(self) -> Any:
        import hyperscan

        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[re.escape(w).encode() for w in self.words],
            ids=list(range(len(self.words))),
            elements=len(self.words),
            flags=[0] * len(self.words),
        )
        return (database, hyperscan.Scratch(database))

    def _build_ahocorasick(self) -> Any:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for word in self.words:
            automaton.add_word(word, (len(word) - 1, word))
        automaton.make_automaton()
        return automaton

    def _build_regex(self) -> Any:
        return re.compile("|".join(map(re.escape, self.words)))

    @property
    def native_bytes(self) -> bool:
        """True when `in_bytes` is the fast way in (no decoding needed before the search)."""
        return self.backend == "hyperscan"

    def in_bytes(self, data: bytes) -> list[Occurrence]:
        """Occurrences in bytes, with byte offsets (Hyperscan only: see `native_bytes`)."""
        if self.backend != "hyperscan":
            raise ValueError(f"{self.backend} searches text, not bytes")
        if self._engine is None:
            return []
        database, scratch = self._engine
        found: list[Occurrence] = []
        words = self.words

        def on_match(index: int, _start: int, end: int, _flags: int, _context: object) -> None:
            word = words[index]
            found.append((end - len(word.encode()), word))

        database.scan(data, match_event_handler=on_match, scratch=scratch)
        return found

    def in_text(self, text: str) -> list[Occurrence]:
        """Occurrences in a str, with character offsets."""
        if self._engine is None:
            return []
        if self.backend == "regex":
            return [(m.start(), m.group()) for m in self._engine.finditer(text)]
        if self.backend == "ahocorasick":
            return [(end - back, word) for end, (back, word) in self._engine.iter(text)]
        data = text.encode("utf-8", "surrogatepass")
        return char_offsets(data, self.in_bytes(data))


def char_offsets(data: bytes, found: list[Occurrence]) -> list[Occurrence]:
    """Byte offsets in `data` turned into character offsets in its decoded text."""
    if data.isascii():
        return found
    converted = []
    byte, char = 0, 0
    for pos, word in sorted(found):
        char += len(data[byte:pos].decode("utf-8", "replace"))
        byte = pos
        converted.append((char, word))
    return converted
