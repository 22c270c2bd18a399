"""An edit of a migration's text that only adds early returns: `if …: return` (Python), `return if …` /
`return unless …` (Ruby), `if (…) return;` / `if (…) { return; }` (PHP, JavaScript), with the imports,
comments and blank lines around them. Every other line of the file is as it was. A guard's condition may
span lines, inside brackets (`if (` … `):`) or after an operator that wants its right side (`&&`, `and`, a
backslash), and so may a JavaScript or PHP guard's block (`{` … `return;` … `}`)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_NOTHING = re.compile(r"\s*(?:(?:#|//|--).*)?")  # a blank line or a comment
_IMPORT = re.compile(r"\s*(?:import\s+[\w., ]+|from\s+[\w.]+\s+import\s+[\w., ()]+|require\s+\S+)\s*;?\s*")
_PYTHON_IF = re.compile(r"\s*if\s+.+:\s*(?:#.*)?")
_BARE_RETURN = re.compile(r"\s*return(?:\s+None)?\s*;?\s*(?:#.*)?")
_STRING = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")
_COMMENT = re.compile(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')|\s*(?:#|//).*$")
_CONTINUED = re.compile(r"(?:\\|&&|\|\||\band|\bor)\s*$")
_INNER_SPACE_OPEN = re.compile(r"([(\[])\s+")
_INNER_SPACE_CLOSE = re.compile(r"\s+(?=[)\]])")
_MOST_LINES = 30  # a guard longer than this is read as something else
_ONE_LINE = re.compile(
    r"\s*(?:return\s+(?:if|unless)\s+.+|if\s*\(.+\)\s*(?:return\s*;|\{\s*return\s*;\s*\})|if\s+.+:\s*return(?:\s+None)?)\s*"
)


@dataclass(frozen=True)
class EarlyReturn:
    text: str  # the guard, its lines joined (`if (a && b) return;`)
    line: int  # its first line's number in the new version
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
        guards.extend(_returning(new, b1 + start, b1 + end, text) for start, end, text in found)
    return guards


def _returning(lines: list[str], start: int, end: int, text: str) -> EarlyReturn:
    """The guard on lines `start` to `end` (0-based, `end` past its last line) and the lines it skips: those
    after it, up to the first line (not a blank or a comment) indented less than its first line, which closes the
    function, method or block it returns from."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    after = end
    while after < len(lines) and (
        _NOTHING.fullmatch(lines[after]) or len(lines[after]) - len(lines[after].lstrip()) >= indent
    ):
        after += 1
    return EarlyReturn(text, start + 1, (end + 1, after))


def _guards(lines: list[str]) -> list[tuple[int, int, str]] | None:
    """(first line, the line past the last, the guard's text) of each guard of lines added together; None when
    one of those lines is anything else. A guard's condition may span lines (`if (` … `):`, `if (a &&` … `b)
    return;`, `return if a &&` … `b`), as may its block (`if (a) {` … `return;` … `}`)."""
    found: list[tuple[int, int, str]] = []
    index = 0
    while index < len(lines):
        if _NOTHING.fullmatch(lines[index]):
            index += 1
            continue
        end = _statement_end(lines, index)
        joined = _joined(lines[index:end])
        if _IMPORT.fullmatch(joined):
            index = end
        elif _ONE_LINE.fullmatch(joined):
            found.append((index, end, joined))
            index = end
        elif _PYTHON_IF.fullmatch(joined):
            body = end
            while body < len(lines) and _NOTHING.fullmatch(lines[body]):
                body += 1  # the comment that says why
            if body == len(lines) or not _BARE_RETURN.fullmatch(lines[body]):
                return None
            found.append((index, body + 1, joined))
            index = body + 1
        else:
            return None
    return found


def _statement_end(lines: list[str], index: int) -> int:
    """The line past the last of the statement that starts on line `index`: lines go on while a bracket is
    open, or while a line ends with a backslash or an operator that wants its right side (`&&`, `||`, `and`,
    `or`)."""
    depth, end = 0, index
    while end < len(lines) and end - index < _MOST_LINES:
        code = _STRING.sub('""', _code(lines[end]))
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        end += 1
        if depth <= 0 and not _CONTINUED.search(code):
            break
    return end


def _code(line: str) -> str:
    """The line without its comment (`#`, `//`), strings kept."""
    return _COMMENT.sub(lambda m: m.group(1) or "", line).rstrip()


def _joined(lines: list[str]) -> str:
    """The statement's lines as one, comments left out: `if (a && b) return;`."""
    text = " ".join(code.strip().rstrip("\\").rstrip() for code in map(_code, lines) if code.strip())
    return _INNER_SPACE_CLOSE.sub("", _INNER_SPACE_OPEN.sub(r"\1", text))
