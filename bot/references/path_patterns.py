""".gitignore-style path patterns, compiled into one regular expression.

Supported: `*`, `?`, `**`, `[abc]`, a leading `/` (anchored at the root), a trailing `/` (directories
only: everything under them), `!` to re-include, `#` comments. A pattern without a slash in its middle
matches a name at any depth, as git does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


def _translate(pattern: str) -> str:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and "]" in body[i + 1 :]:
            end = body.index("]", i + 1)
            out.append("[" + body[i + 1 : end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    start = "" if anchored else "(?:.*/)?"
    tail = "/.*" if directory else "(?:/.*)?"
    return f"{start}{''.join(out)}{tail}"


def _name_pattern(pattern: str) -> str:
    """A pattern without a slash in its middle, as a regular expression for one path component."""
    return _translate("/" + pattern.strip("/")).removesuffix("(?:/.*)?").removesuffix("/.*")


@dataclass(frozen=True)
class PathSpec:
    """Compiled patterns: a path is excluded when an exclude pattern matches and no `!` pattern does.

    Besides the whole-path expression, patterns are split for a walk: names of directories to skip,
    names of files to skip, and the anchored patterns that need the path.
    """

    exclude: re.Pattern[str] | None = None
    include: re.Pattern[str] | None = None
    dir_names: re.Pattern[str] | None = None
    file_names: re.Pattern[str] | None = None
    anchored: re.Pattern[str] | None = None
    anchor_roots: frozenset[str] | None = None  # first directories of the anchored patterns; None: any

    def anchors_under(self, directory: str) -> bool:
        """Could an anchored pattern match a file directly in `directory`?"""
        if self.anchored is None:
            return False
        return self.anchor_roots is None or directory.partition("/")[0] in self.anchor_roots

    def matches(self, path: str) -> bool:
        if self.exclude is None or not self.exclude.fullmatch(path):
            return False
        return self.include is None or not self.include.fullmatch(path)

    def skips_dir(self, path: str, name: str) -> bool:
        """True when everything under the directory `path` (last component `name`) is excluded."""
        if self.include is not None:
            return False
        if self.dir_names is not None and self.dir_names.fullmatch(name):
            return True
        return self.anchored is not None and bool(self.anchored.fullmatch(path + "/"))

    def skips_file(self, path: str, name: str) -> bool:
        """`matches` for a file found by a walk that already skipped the excluded directories."""
        if self.include is not None:
            return self.matches(path)
        if self.file_names is not None and self.file_names.fullmatch(name):
            return True
        return self.anchored is not None and bool(self.anchored.fullmatch(path))


def _union(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(patterns)) if patterns else None


def compile_patterns(patterns: Iterable[str]) -> PathSpec:
    rules = [p.strip() for p in patterns]
    rules = [p for p in rules if p and not p.startswith("#")]
    excludes = [p for p in rules if not p.startswith("!")]
    includes = [p[1:] for p in rules if p.startswith("!") and len(p) > 1]
    named = [p for p in excludes if not p.startswith("/") and "/" not in p.rstrip("/")]
    return PathSpec(
        exclude=_union([_translate(p) for p in excludes]),
        include=_union([_translate(p) for p in includes]),
        dir_names=_union([_name_pattern(p) for p in named]),
        file_names=_union([_name_pattern(p) for p in named if not p.endswith("/")]),
        anchored=_union([_translate(p) for p in excludes if p not in named]),
        anchor_roots=_roots([p for p in excludes if p not in named]),
    )


def _roots(anchored: list[str]) -> frozenset[str] | None:
    """The literal first path components of anchored patterns (None when one starts with a wildcard)."""
    roots = set()
    for pattern in anchored:
        first = pattern.lstrip("/").split("/", 1)[0]
        if not first or any(c in first for c in "*?["):
            return None
        roots.add(first if "/" in pattern.lstrip("/") else "")
    return frozenset(roots)
