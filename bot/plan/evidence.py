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
# A query the author ran and what it returned, however it is written: a fenced block holding a SELECT (and,
# in it or in the block or lines right after it, the result: a psql table, counts, "(0 rows)"), or one line
# that names production (prod, the replica) together with a count or a query.
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_SELECT = re.compile(r"\b(?:SELECT|WITH)\b.+?\bFROM\b", re.I | re.S)
_RESULT_LINE = re.compile(r"\d|\|\s*\w|\(\s*\d+\s+rows?\s*\)|\bno rows\b|\bempty\b", re.I)
_FACT = re.compile(
    r"^\s*(?:[-*]\s+)?([^\n]*\b(?:production|prod|replica)\b[^\n]*"
    r"(?:\b\d[\d,.]*\s*(?:rows?|records?|%|of them)|\bno (?:rows?|records?)\b|\bnone\b|\bzero\b|"
    r"\bSELECT\b[^\n]*\bFROM\b|(?:→|=>|->|returns?|returned)\s*\d)[^\n]*)$",
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
    for query, result in _queries(description or ""):
        _add(found, seen, f"production query: {query}; result: {result}", "the pull request description")
    for match in _FACT.finditer(description or ""):
        if not any(match.group(1).strip() in s.text or s.text in match.group(1) for s in found):
            _add(found, seen, match.group(1), "the pull request description")
    for match in _ROLLBACK_SECTION.finditer(description or ""):
        _add(found, seen, "rollback: " + " ".join(match.group(1).split()), "the pull request description")
    for path, text in migration_texts.items():
        for match in _COMMENT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            _add(found, seen, _with_continuation(match.group(1), text, match.end()), f"`{path}:{line}`")
    return found


def _queries(text: str) -> list[tuple[str, str]]:
    """(query, result) for each fenced SELECT whose result is shown in its block or right after it."""
    found = []
    blocks = list(_FENCE.finditer(text))
    for index, block in enumerate(blocks):
        body = block.group(2)
        query = _SELECT.search(body)
        if query is None:
            continue
        statement_end = body.find(";", query.start())
        statement = body[query.start() : statement_end if statement_end >= 0 else len(body)]
        rest = body[statement_end + 1 :] if statement_end >= 0 else ""
        if not _RESULT_LINE.search(rest):  # the result in the next block, or in the lines after this one
            following = blocks[index + 1].group(2) if index + 1 < len(blocks) else ""
            between = text[block.end() : blocks[index + 1].start()] if following else text[block.end() :]
            rest = following if following and not between.strip() else between[:400]
            if _SELECT.search(rest):
                rest = ""
        result = " ".join(line.strip() for line in rest.splitlines() if _RESULT_LINE.search(line))[:200]
        if result:
            found.append((" ".join(statement.split()), result))
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
