"""One file's text against every identifier of a search: which tokens are real uses, and how sure.

A token counts when it is the identifier itself or an ORM spelling of it (`legacy_status_changed?`,
`find_by_legacy_status`, `legacy_status__in`, `getLegacyStatus`). Confidence is high when the region
of the file ties the use to the target's table (a qualifier, a SQL statement, a mention of the table or
its model nearby) and low when the region is about another table, or the line is a comment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.code_access import flag_guard, is_write
from bot.code_areas import classify, file_traits, is_comment
from bot.model_map import TableModels, mappings_in
from bot.usage import Target, Use

_RAILS_PREFIXES = (
    *("find_by_", "find_or_create_by_", "find_or_initialize_by_", "find_all_by_"),
    *("saved_change_to_", "will_save_change_to_", "restore_", "reset_", "clear_"),
)
_RAILS_SUFFIXES = (
    *("_was", "_changed", "_change", "_before_last_save", "_in_database", "_previously_changed"),
    *("_previously_was", "_will_change", "_before_type_cast", "_came_from_user", "_for_database"),
)
_QUALIFIER = re.compile(r"([A-Za-z_@]\w*)\s*(?:\.|::|->|\?\.|\[\s*[:\"']?|\(\s*[:\"']?)\s*[:\"'`]?$")
_SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+[`\"\[]?(?:\w+\.)?(\w+)", re.I)
_SQL_WORDS = frozenset({"select", "where", "set", "only", "if", "lateral", "the", "a"})
_ORM_RECEIVER = re.compile(
    r"\b([A-Z]\w+)\.(?:where|find|find_by|find_each|all|objects|query|select|joins|create)\b"
)
_CLASS_DEF = re.compile(
    r"^[ \t]*(?:class|module|model|interface)[ \t]+([A-Z]\w*)|^type[ \t]+([A-Z]\w*)[ \t]+struct", re.M
)
_NAMED_AFTER_MODEL = re.compile(
    r"(Serializer|Policy|Decorator|Presenter|Resource|Type|Form|Factory|Admin|Schema|Entity|Dto|Controller)$"
)
_CAMEL = re.compile(r"\b[A-Z][a-z0-9]+[A-Z]?\w*\b")
_SAFE_LINE = (("ignored_columns", "ignored_columns"), ("@ignore", "prisma @ignore"))


@dataclass(frozen=True)
class Needle:
    word: str
    target: int  # index in Matcher.targets
    role: str  # name | new | model | table | singular


@dataclass(frozen=True)
class Hit:
    target: int
    role: str
    use: Use
    path: str = ""
    names: frozenset[str] = frozenset()  # class-like names near a low-confidence use


@dataclass(frozen=True)
class Matcher:
    targets: tuple[Target, ...]
    needles: Mapping[str, tuple[Needle, ...]]
    models: Mapping[str, TableModels]  # by table
    token: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        words = sorted(self.needles, key=len, reverse=True)
        object.__setattr__(self, "token", re.compile("|".join(map(re.escape, words))))

    def handle(self, path: str, text: str) -> list[Hit | tuple[str, str, str, int]]:
        found: list[Hit | tuple[str, str, str, int]] = list(mappings_in(path, text, self.models))
        scan = _FileScan(self, path, text)
        pos = 0
        while match := self.token.search(text, pos):
            start, end = _expand(text, match.start(), match.end())
            pos = end
            found.extend(scan.hits(start, end))
        return found


def _expand(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def _accepts(token: str, needle: Needle) -> bool:
    word = needle.word
    if token == word:
        return True
    if needle.role not in ("name", "new") or word not in token:
        return False
    if "__" in token and word in token.split("__"):
        return True  # Django lookups: legacy_status__in, order__legacy_status
    if word[:1].isupper() or any(c.isupper() for c in word):
        return token in (f"get{word[:1].upper()}{word[1:]}", f"set{word[:1].upper()}{word[1:]}")
    head, _, tail = token.partition(word)
    return (
        (not head or head in _RAILS_PREFIXES) and (not tail or tail in _RAILS_SUFFIXES) and bool(head or tail)
    )


class _FileScan:
    """The lazily computed facts about one file that every hit in it shares."""

    def __init__(self, matcher: Matcher, path: str, text: str) -> None:
        self.m, self.path, self.text = matcher, path, text
        self._traits: frozenset[str] | None = None
        self._classes: list[tuple[int, str]] | None = None
        self.seen: set[tuple[int, int, str]] = set()
        self.line_no, self.last = 1, 0

    @property
    def traits(self) -> frozenset[str]:
        if self._traits is None:
            self._traits = file_traits(self.text)
        return self._traits

    def enclosing_class(self, pos: int) -> str:
        if self._classes is None:
            self._classes = [(m.start(), m.group(1) or m.group(2)) for m in _CLASS_DEF.finditer(self.text)]
            self._classes = [(p, n) for p, n in self._classes if n not in ("Meta", "Config")]
        name = ""
        for start, cls in self._classes:
            if start > pos:
                break
            name = cls
        return name

    def _window(self, line_start: int, before: int, after: int) -> str:
        start = line_start
        for _ in range(before):
            if start <= 0:
                break
            start = self.text.rfind("\n", 0, start - 1) + 1
        end = line_start
        for _ in range(after + 1):
            nxt = self.text.find("\n", end + 1)
            end = len(self.text) if nxt < 0 else nxt
        return self.text[start:end]

    def hits(self, start: int, end: int) -> list[Hit]:
        token = self.text[start:end]
        needles = [n for word, ns in self.m.needles.items() if word in token for n in ns]
        needles = [n for n in needles if _accepts(token, n)]
        if not needles:
            return []
        self.line_no += self.text.count("\n", self.last, start)
        self.last = start
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
        out = []
        for needle in needles:
            key = (needle.target, self.line_no, "new" if needle.role == "new" else "old")
            if key in self.seen:
                continue
            hit = self._hit(needle, line, line_start, start - line_start, end - line_start)
            if hit is not None:
                self.seen.add(key)
                out.append(hit)
        return out

    def _hit(self, needle: Needle, line: str, line_start: int, col: int, end: int) -> Hit | None:
        target = self.m.targets[needle.target]
        area = classify(self.path, line, self.traits)
        if needle.role == "singular" and area != "association":
            return None
        if target.kind == "enum-value" and line[col - 1 : col] not in ("'", '"', ":", "`"):
            return None
        window = self._window(line_start, 12, 2)
        confidence, names = self._confidence(needle, target, line, col, window, line_start)
        flag = flag_guard(self._window(line_start, 15, 0))
        return Hit(
            needle.target,
            needle.role,
            Use(
                path=self.path,
                line=self.line_no,
                text=line.strip()[:200],
                area=area,
                confidence=confidence,
                safe=self._safe(target, line, window),
                access="write" if is_write(line, col, end) else "read",
                flag=f"{flag[0]} `{flag[1]}`" if flag else None,
            ),
            names=names,
        )

    def _safe(self, target: Target, line: str, window: str) -> str | None:
        if target.kind != "column":
            return None
        for marker, reason in _SAFE_LINE:
            if marker in line:
                return reason
        tail = window[: window.find(line)] if line in window else ""
        if "ignored_columns" in "\n".join(tail.splitlines()[-3:]):
            return "ignored_columns"
        return None

    def _confidence(
        self, needle: Needle, target: Target, line: str, col: int, window: str, line_start: int
    ) -> tuple[str, frozenset[str]]:
        if is_comment(line):
            return "low", frozenset()
        if target.kind in ("index", "constraint") or needle.role == "model":
            return "high", frozenset()
        models = self.m.models[target.table]
        if needle.role in ("table", "singular"):
            before = line[:col].rstrip()
            quoted = (
                before.endswith(("'", '"', ":", "`", ".")) or area_is_sql(line) or needle.role == "singular"
            )
            return ("high" if quoted or models.anchor.search(line) else "low"), frozenset()
        if target.kind == "enum-value":
            return ("high" if target.table in window or models.anchor.search(window) else "low"), frozenset()
        return self._column_confidence(needle, line, col, window, line_start, models)

    def _column_confidence(
        self, needle: Needle, line: str, col: int, window: str, line_start: int, models: TableModels
    ) -> tuple[str, frozenset[str]]:
        qualifier = _QUALIFIER.search(line[:col])
        if qualifier and qualifier.group(1).lstrip("@") in models.names:
            return "high", frozenset()
        sql_tables = {t.lower() for t in _SQL_TABLE.findall(window)} - _SQL_WORDS
        if sql_tables:
            return ("high" if sql_tables & models.tables else "low"), frozenset()
        if models.anchor.search(window):
            return "high", frozenset()
        names = frozenset(_CAMEL.findall(window)) | {self.enclosing_class(line_start)}
        cls = self.enclosing_class(line_start)
        stem = _NAMED_AFTER_MODEL.sub("", cls)
        if stem in models.names:
            return "high", frozenset()
        if cls and (stem != cls or "model" in self.traits):
            return "low", names
        receivers = set(_ORM_RECEIVER.findall(window))
        if receivers and not receivers & models.names:
            return "low", names
        distinctive = "_" in needle.word or any(c.isdigit() or c.isupper() for c in needle.word[1:])
        return ("high" if distinctive else "low"), names


def area_is_sql(line: str) -> bool:
    return bool(_SQL_TABLE.search(line))
