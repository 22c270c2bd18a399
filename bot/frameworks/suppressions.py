"""`-- migration-review: ignore RULE-ID reason` comments, in SQL, Ruby and Python migrations.

A comment covers the statement it trails, or else the next statement; `ignore-file` covers the file.
Several ids may be given separated by commas. A suppression without a reason is itself a finding.

diesel-guard's `-- safety-assured:start` … `-- safety-assured:end` block is the author's statement that the
statements inside are safe, like strong_migrations' `safety_assured { … }`: it covers the migration-safety
rules of each statement that starts inside it, with the comments the block opens with as its reason. A block
never closed runs to the end of the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from bot.model.findings import Dimension
from bot.model.migration import Operation, Suppression

_PATTERN = re.compile(
    r"(?:--|#|//|/\*)\s*migration-review:\s*(?P<scope>ignore-file|ignore)\b\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)?"
    r"(?P<reason>[^\n]*?)(?:\*/)?\s*$",
    re.M,
)
_ASSURED = re.compile(r"^[ \t]*--[ \t]*safety-assured:(?P<edge>start|end)\b[^\n]*$", re.M | re.I)
_COMMENT = re.compile(r"^[ \t]*--(?P<text>[^\n]*)$")
NOT_SUPPRESSED = frozenset({"unparsed-statement", "suppression-without-reason"})  # by a block-wide marker


def find(text: str, operations: Sequence[Operation]) -> tuple[Suppression, ...]:
    return _comments(text, operations) + _assured_blocks(text, operations)


def _comments(text: str, operations: Sequence[Operation]) -> tuple[Suppression, ...]:
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


def _assured_blocks(text: str, operations: Sequence[Operation]) -> tuple[Suppression, ...]:
    """diesel-guard's `safety-assured` blocks, one suppression per statement starting inside one."""
    if "safety-assured:" not in text.lower():
        return ()
    lines = text.split("\n")
    found = []
    opened: int | None = None
    edges = [(text.count("\n", 0, m.start()) + 1, m.group("edge").lower()) for m in _ASSURED.finditer(text)]
    for line, edge in [*edges, (len(lines) + 1, "end")]:
        if edge == "start" and opened is None:
            opened = line
        elif edge == "end" and opened is not None:
            reason = _block_reason(lines, opened)
            for start in sorted({op.location.line for op in operations if opened < op.location.line < line}):
                found.append(
                    Suppression(
                        rules=(),
                        reason=reason,
                        line=opened,
                        applies_to=start,
                        dimension=Dimension.MIGRATION_SAFETY.value,
                        keep=NOT_SUPPRESSED,
                    )
                )
            opened = None
    return tuple(found)


def _block_reason(lines: list[str], opened: int) -> str:
    """`safety-assured`, with the comment lines that open the block (the author's why) when there are some."""
    said = []
    for line in lines[opened:]:
        comment = _COMMENT.match(line)
        if comment is None or _ASSURED.match(line):
            break
        said.append(comment.group("text").strip())
    why = " ".join(w for w in said if w)
    return f"safety-assured: {why}" if why else "safety-assured"
