"""What the pull request's author says was verified: in the description, or in comments in the migration.

A checked box (`- [x] Checked the values of orders.status in production`), a statement that starts with
what was done (`Verified on the replica: …`), or a comment in the migration that records the production
query and its result (`-- verified in production: SELECT status, count(*) … → paid 61 %, open 30 %`). Each
statement is kept with where it was found and the checklist topics it speaks to; the review echoes it
as "documented by the author", which is not the same as "verified by the probe".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DISTRIBUTION, IDS, EDGE_CASES, ROLLBACK = "distribution", "ids", "edge-cases", "rollback"

_BOX = re.compile(r"^\s*[-*]\s*\[[xX]\]\s+(.+)$", re.M)
_SAID = re.compile(
    r"^\s*(?:[-*]\s+)?((?:verified|checked|confirmed|ran|queried|tested)\b.*\b(?:production|prod|replica|staging "
    r"copy|snapshot|rollback|down migration)\b.*)$",
    re.M | re.I,
)
_ROLLBACK_SECTION = re.compile(
    r"^#+\s*(?:rollback|roll back|revert)[^\n]*\n+((?:(?!#).+\n?){1,6})", re.M | re.I
)
_COMMENT = re.compile(
    r"^[ \t]*(?:--|#|//)[ \t]*((?:verified|checked|confirmed|ran|queried)\b[^\n]*"
    r"\b(?:production|prod|replica)\b[^\n]*)$",
    re.M | re.I,
)
_CONTINUATION = re.compile(r"[ \t]*(?:--|#|//)[ \t]*(\S[^\n]*)")
_TOPICS = (
    (ROLLBACK, re.compile(r"rollback|roll back|restore|snapshot|backup|down migration|revert", re.I)),
    (IDS, re.compile(r"\bids?\b|_id\b|id mapping|lookup|foreign key", re.I)),
    (
        EDGE_CASES,
        re.compile(
            r"\bnulls?\b|empty|blank|whitespace|trailing|case[- ]sensitiv|edge case|lower\(|trim\(", re.I
        ),
    ),
    (
        DISTRIBUTION,
        re.compile(r"values?|distribution|count|group by|select|rows|production|prod\b|replica", re.I),
    ),
)


@dataclass(frozen=True)
class Statement:
    text: str
    where: str  # "the pull request description" or "path:line"
    topics: frozenset[str]

    @property
    def echo(self) -> str:
        return f"documented by the author ({self.where}): {self.text}"


def gather(description: str, migration_texts: Mapping[str, str]) -> list[Statement]:
    found: list[Statement] = []
    seen: set[str] = set()
    for pattern in (_BOX, _SAID):
        for match in pattern.finditer(description or ""):
            _add(found, seen, match.group(1), "the pull request description")
    for match in _ROLLBACK_SECTION.finditer(description or ""):
        _add(found, seen, "rollback: " + " ".join(match.group(1).split()), "the pull request description")
    for path, text in migration_texts.items():
        for match in _COMMENT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            _add(found, seen, _with_continuation(match.group(1), text, match.end()), f"`{path}:{line}`")
    return found


def about(statements: list[Statement], topic: str) -> list[Statement]:
    return [s for s in statements if topic in s.topics]


def _add(found: list[Statement], seen: set[str], text: str, where: str) -> None:
    text = " ".join(text.split()).strip()
    if not text or text in seen:
        return
    seen.add(text)
    topics = frozenset(name for name, pattern in _TOPICS if pattern.search(text))
    found.append(Statement(text[:300], where, topics or frozenset({DISTRIBUTION})))


def _with_continuation(first: str, text: str, end: int) -> str:
    """A comment's following comment lines (the query, the result) belong to the same statement."""
    parts = [first]
    position = end + 1
    for _ in range(4):
        match = _CONTINUATION.match(text, position)
        if match is None or _COMMENT.match(text, position):
            break
        parts.append(match.group(1))
        position = match.end() + 1
    return " ".join(parts)
