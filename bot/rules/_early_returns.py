"""An edit of a migration's text that only adds early returns: `if …: return` (Python), `return if …` /
`return unless …` (Ruby), `if (…) return;` / `if (…) { return; }` (PHP, JavaScript), with the imports,
comments and blank lines around them. Every other line of the file is as it was."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_NOTHING = re.compile(r"\s*(?:(?:#|//|--).*)?")  # a blank line or a comment
_IMPORT = re.compile(r"\s*(?:import\s+[\w., ]+|from\s+[\w.]+\s+import\s+[\w., ()]+|require\s+\S+)\s*;?\s*")
_PYTHON_IF = re.compile(r"\s*if\s+.+:\s*(?:#.*)?")
_BARE_RETURN = re.compile(r"\s*return(?:\s+None)?\s*;?\s*(?:#.*)?")
_ONE_LINE = re.compile(
    r"\s*(?:return\s+(?:if|unless)\s+.+|if\s*\(.+\)\s*(?:return\s*;|\{\s*return\s*;\s*\})|if\s+.+:\s*return(?:\s+None)?)\s*"
)


@dataclass(frozen=True)
class EarlyReturn:
    text: str  # its first line, as written
    line: int  # that line's number in the new version
    skips: tuple[int, int]  # the lines after it, to the end of the block it returns from


def early_returns_added(before: str, after: str) -> list[EarlyReturn]:
    """The early returns `after` adds to `before`; [] when the edit does anything else (a line removed or
    changed, a line added that is neither a guard nor an import, a comment or a blank)."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    guards: list[EarlyReturn] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if any(not _NOTHING.fullmatch(line) for line in old[a1:a2]):
            return []  # a line of the old version changed or removed
        found = _guards(new[b1:b2])
        if found is None:
            return []
        guards.extend(_returning(new, b1 + offset) for offset in found)
    return guards


def _returning(lines: list[str], index: int) -> EarlyReturn:
    """The guard on line `index` (0-based) and the lines it skips: those after it, up to the first line (not a
    blank or a comment) indented less than it, which closes the function, method or block it returns from."""
    indent = len(lines[index]) - len(lines[index].lstrip())
    end = index + 1
    while end < len(lines) and (
        _NOTHING.fullmatch(lines[end]) or len(lines[end]) - len(lines[end].lstrip()) >= indent
    ):
        end += 1
    return EarlyReturn(lines[index].strip(), index + 1, (index + 2, end))


def _guards(lines: list[str]) -> list[int] | None:
    """Where the guards of lines added together start; None when one of those lines is anything else."""
    found: list[int] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _NOTHING.fullmatch(line) or _IMPORT.fullmatch(line):
            index += 1
        elif _ONE_LINE.fullmatch(line):
            found.append(index)
            index += 1
        elif _PYTHON_IF.fullmatch(line):
            body = index + 1
            while body < len(lines) and _NOTHING.fullmatch(lines[body]):
                body += 1  # the comment that says why
            if body == len(lines) or not _BARE_RETURN.fullmatch(lines[body]):
                return None
            found.append(index)
            index = body + 1
        else:
            return None
    return found
