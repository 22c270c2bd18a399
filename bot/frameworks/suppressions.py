"""`-- migration-review: ignore RULE-ID reason` comments, in SQL, Ruby and Python migrations.

A comment covers the statement it trails, or else the next statement; `ignore-file` covers the file.
Several ids may be given separated by commas. A suppression without a reason is itself a finding.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from bot.model.migration import Operation, Suppression

_PATTERN = re.compile(
    r"(?:--|#|//|/\*)\s*migration-review:\s*(?P<scope>ignore-file|ignore)\b\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)?"
    r"(?P<reason>[^\n]*?)(?:\*/)?\s*$",
    re.M,
)


def find(text: str, operations: Sequence[Operation]) -> tuple[Suppression, ...]:
    if "migration-review:" not in text:
        return ()
    spans = sorted((op.location.line, op.end_line or op.location.line) for op in operations)
    starts = [start for start, _ in spans]
    found = []
    for match in _PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        rules = tuple(r.strip() for r in (match.group("rules") or "").split(",") if r.strip())
        reason = match.group("reason").strip().lstrip(":-— ").strip()
        applies_to = 0 if match.group("scope") == "ignore-file" else _target(spans, starts, line)
        found.append(Suppression(rules=rules, reason=reason, line=line, applies_to=applies_to))
    return tuple(found)


def _target(spans: list[tuple[int, int]], starts: list[int], line: int) -> int:
    index = bisect.bisect_right(starts, line) - 1
    if index >= 0 and spans[index][0] <= line <= spans[index][1]:
        return spans[index][0]
    following = bisect.bisect_right(starts, line)
    return spans[following][0] if following < len(spans) else -1
