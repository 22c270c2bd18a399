"""In JavaScript and TypeScript, whose field a name is: the model's, or another object's of the same name.

A column's name in script code is the model's field only where the code is about the model: a member
of the model's own type, a member read from a value of the model (`order.legacyStatus`, a variable typed
`Order` or given a query's result), a key of an object passed to a query on the model
(`prisma.order.update({ data: { legacyStatus } })`). The same name as a member of another type (`interface
User { permissions: string[] }`, `type BrandingContextValue = { brandingHidePoweredBy: boolean }`), read
from a value of another kind (`aUser?.permissions`, `branding.brandingHidePoweredBy`), or as a key of an
object that no query on the model receives is that object's own field.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterator
from functools import lru_cache

from bot.references.codesyntax.text import line_matches

_TYPE_MEMBER = re.compile(r"^\s*(?:readonly\s+)?[\w$]+\??\s*:\s*[^=(]*?[;,]?\s*$")
_TYPE_OPEN = re.compile(
    r"^[ \t]*(?:export\s+)?(?:declare\s+)?(?:interface\s+([\w$]+)[^{=;]*\{|type\s+([\w$]+)(?:<[^=;]*>)?\s*=\s*\{)",
    re.M,
)
_LOOK_BACK = 3000


# the lines worth trying `_TYPE_OPEN` at (a pattern starting with the keyword's letter: see `_ASSIGNMENT`)
_TYPE_OPEN_ANCHOR = re.compile(r"i(?<!\wi)nterface\s|t(?<!\wt)ype\s")
_NAME = re.compile(r"[\w$]+")
# `\b(?:const|let|var)`, written to start with the letters (each then checked for a word start): found three
# times as fast, a pattern starting with `\b` being tried at every character
_ASSIGNMENT = re.compile(r"(?:c(?<!\wc)onst|l(?<!\wl)et|v(?<!\wv)ar)\s+([\w$]+)\s*(?::[^=\n]*)?=\s*([^;\n]+)")
_INFERRED = re.compile(
    r"\btypeof\b|\b(?:ReturnType|Awaited|Parameters|NonNullable|Infer\w*)\b|\[(?!\])|\b[A-Z]\w*\.[A-Z]"
)
_BRACKET = re.compile(r"[()\[\]{}]")
_KEY_REVERSED = re.compile(r":\s*([\w$]+)")  # `key:` before an object, read from its end


_DECLARES = re.compile(r"\b(?:const|let|var)\s*$")
_PATTERN_VALUE = re.compile(r"\s*(?::[^=;\n]*)?=(?![=>])\s*([^;\n]+)")
# `return {`, `=> ({`: an object given back, not to a call
_RETURNS_OBJECT = re.compile(r"(?:\breturn|=>|(?<![=!<>])=)\s*\(?\s*\{$")


def _top_level(body: str) -> str:
    """`body` without what its brackets hold (a nested object's spread is not this object's)."""
    out, depth = [], 0
    for char in body:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


class ScriptShape:
    """The brackets and type declarations of one script file, found once for every name in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._brackets: list[int] | None = None
        self._openings: list[tuple[int, int, str]] | None = None
        self._annotations: dict[str, list[tuple[int, str]]] = {}
        self._closings: dict[int, int] = {}
        self._assignments: dict[str, list[str]] | None = None
        # answers by position: every target a word may belong to asks the same question of one place
        self._types: dict[tuple[int, int], str | None] = {}  # by the line's start and length
        self._destructured: dict[int, tuple[str, int] | None] = {}
        self._copies: dict[int, bool] = {}
        self._opened: dict[int, str | None] = {}
        self._objects: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    @property
    def brackets(self) -> list[int]:
        if self._brackets is None:
            self._brackets = [m.start() for m in _BRACKET.finditer(self.text)]
        return self._brackets

    def annotations(self, name: str) -> list[tuple[int, str]]:
        """Where `name` is written `name: Type` or `name?: Type` (a declaration or an object's key), with
        the text after the colon. Looked for by the name itself: a pattern that starts with the name is
        found by its letters, where one for every `word:` of the file tries each word (30 times slower)."""
        if name not in self._annotations:
            found = []
            if _NAME.fullmatch(name):
                own = re.escape(name)
                pattern = re.compile(rf"{own}(?<![\w$.]{own})\??\s*:(?!:)(?=\s*([^=;\n]*))")
                found = [(m.start(), m.group(1)) for m in pattern.finditer(self.text)]
            self._annotations[name] = found
        return self._annotations[name]

    @property
    def assignments(self) -> dict[str, list[str]]:
        """The values each variable is given where it is declared (`const order = await …`)."""
        if self._assignments is None:
            self._assignments = {}
            for m in _ASSIGNMENT.finditer(self.text):
                self._assignments.setdefault(m.group(1), []).append(m.group(2))
        return self._assignments

    @property
    def openings(self) -> list[tuple[int, int, str]]:
        if self._openings is None:
            self._openings = [
                (m.start(), m.end(), m.group(1) or m.group(2))
                for m in line_matches(self.text, _TYPE_OPEN, _TYPE_OPEN_ANCHOR)
            ]
        return self._openings

    def type_member(self, line_start: int, line: str) -> str | None:
        """The type (`interface User {`, `type Branding = {`) the line declares a member of, if any."""
        key = (line_start, len(line))
        if key not in self._types:
            self._types[key] = self._type_member(line_start, line)
        return self._types[key]

    def _type_member(self, line_start: int, line: str) -> str | None:
        if _TYPE_MEMBER.match(line) is None:
            return None
        i = bisect_left(self.openings, (line_start, -1, "")) - 1
        while i >= 0 and self.openings[i][0] >= line_start - _LOOK_BACK:
            _, opened, name = self.openings[i]
            if self._closing(opened - 1) > line_start:
                return name  # inside the type's braces (a nested type literal's member too)
            i -= 1
        return None

    def _closing(self, opening: int) -> int:
        """Where the bracket at `opening` closes (the end of the text when it does not)."""
        found = self._closings.get(opening)
        if found is None:
            depth, found = 0, len(self.text)
            for k in range(bisect_left(self.brackets, opening), len(self.brackets)):
                i = self.brackets[k]
                depth += 1 if self.text[i] in "([{" else -1
                if depth == 0:
                    found = i
                    break
            self._closings[opening] = found
        return found

    def _unclosed(self, pos: int) -> Iterator[int]:
        """The positions of the brackets still open at `pos`, innermost first (within `_LOOK_BACK`)."""
        depth = 0
        brackets, text = self.brackets, self.text
        for k in range(bisect_left(brackets, pos) - 1, -1, -1):
            i = brackets[k]
            if i < pos - _LOOK_BACK:
                return
            if text[i] in ")]}":
                depth += 1
            elif depth:
                depth -= 1
            else:
                yield i

    def returned_copy(self, pos: int) -> bool:
        """Is `pos` in an object literal the code returns or assigns that spreads another object (`return {
        ...model, earlyAccessDeadline: deadlines.get(model.id) }`, `const shown = { ...project, brandColor:
        … }`): a copy the code extends in memory?"""
        if pos not in self._copies:
            self._copies[pos] = self._returned_copy(pos)
        return self._copies[pos]

    def _returned_copy(self, pos: int) -> bool:
        for i in self._unclosed(pos):
            if self.text[i] != "{":
                return False
            head = self.text[max(self.text.rfind("\n", 0, i) + 1, i - 200) : i + 1]
            if not _RETURNS_OBJECT.search(head):
                return False
            return re.search(r"(?:^|[{,])\s*\.\.\.[\w$]", _top_level(self.text[i + 1 : pos])) is not None
        return False

    def destructured_from(self, pos: int) -> tuple[str, int] | None:
        """The value a declaration's object pattern around `pos` takes its names out of, and where it is
        written (`req.body` of `const { title, url } = req.body;`, also when the pattern spans lines), or
        None when `pos` is in no such pattern."""
        if pos not in self._destructured:
            self._destructured[pos] = self._destructured_from(pos)
        return self._destructured[pos]

    def _destructured_from(self, pos: int) -> tuple[str, int] | None:
        text = self.text
        for i in self._unclosed(pos):
            if text[i] != "{" or not _DECLARES.search(text, max(0, i - 40), i):
                return None
            value = _PATTERN_VALUE.match(text, self._closing(i) + 1)
            return (value.group(1).strip(), value.start(1)) if value else None
        return None

    def opened_by(self, pos: int) -> str | None:
        """The text before the innermost bracket still open at `pos`, up to that bracket and within its
        line (`info!`, `exclude = ` for `exclude = (`), or None when `pos` is in no bracket."""
        if pos not in self._opened:
            self._opened[pos] = self._opened_by(pos)
        return self._opened[pos]

    def _opened_by(self, pos: int) -> str | None:
        for i in self._unclosed(pos):
            return self.text[max(self.text.rfind("\n", 0, i) + 1, i - 200) : i + 1]
        return None

    def enclosing(self, pos: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What an object literal around `pos` belongs to: the keys of the objects around it, innermost
        first (`SymbolProfile`, `data` for a key inside `data: { SymbolProfile: { create: { … } } }`: a
        Prisma nested write's key names the related model), and the calls it is given to, innermost first,
        each as written on its line up to its parenthesis (`createAuditLogData`, then `await
        tx.auditLog.create` for `await tx.auditLog.create({ data: createAuditLogData({ … }) })`); no call
        when the object is returned, assigned or in no object."""
        found = self._objects.get(pos)
        if found is None:
            keys, heads = self._enclosing(pos)
            found = self._objects[pos] = (tuple(keys), tuple(heads))
        return found

    def _enclosing(self, pos: int) -> tuple[list[str], list[str]]:
        text, nested = self.text, True
        keys: list[str] = []
        heads: list[str] = []
        for i in self._unclosed(pos):
            if text[i] == "(":
                nested = False
                head = text[max(text.rfind("\n", 0, i) + 1, i - 200) : i]
                if head.rstrip().endswith("=>"):
                    continue  # `=> ({ … })`: the arrow function's result, given to the call around it
                if not callee(head):
                    break  # a parenthesised expression or a function's parameters
                heads.append(head)
                continue
            if text[i] == "[":
                nested = False
                continue
            before = text[max(0, i - 200) : i].rstrip()
            key = _KEY_REVERSED.match(before[::-1]) if nested else None
            branch = _ternary_key(before) if nested and key is None else None
            if key is not None:
                keys.append(key.group(1)[::-1])
            elif branch is not None:
                keys.append(branch)  # `schedule: existing ? { connect: … } : { create: { … } }`
            else:
                nested = False
            if not before.endswith(("(", ",", ":", "[", "?")):
                break  # `return {`, `= {`, `=> {`: an object of the code, or a function's body
        return keys, heads


def _ternary_key(before: str) -> str | None:
    """The key of a property whose value is a conditional expression, for an object that is one of its
    branches (`before` ends with the `?` or the `:` of `key: cond ? {…} : {`), or None."""
    if not before.endswith(("?", ":")) or before.endswith(("?.", "::")):
        return None
    depth = 0
    for i in range(len(before) - 2, -1, -1):
        char = before[i]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            break
    else:
        i = -1
    found = re.match(r"\s*([\w$]+)\s*:(?!:)\s*[^?]*\?", before[i + 1 :])
    return found.group(1) if found else None


_CALLEE_REVERSED = re.compile(r"\s*(?:>[^()<>]*<)?\s*((?:[\w$]+\s*\.\??\s*)*[\w$]+)")


@lru_cache(maxsize=4096)  # asked of the same call for every target a key may belong to
def callee(head: str) -> str | None:
    """The chain of names a call's text ends with (`prisma.order.update` of `await prisma.order.update`)."""
    found = _CALLEE_REVERSED.match(head[::-1])
    return found.group(1)[::-1].replace(" ", "") if found else None


def typed_as(shape: ScriptShape, name: str, models: Collection[str], delegates: Collection[str]) -> bool:
    """Is the variable `name` declared with one of the model's types (`order: Order`, `Pick<Order, …>`),
    or given the result of a query on one of its delegates (`const order = await prisma.order.findFirst(`)?"""
    kinds = _words(tuple(sorted(models)), r"\b(?:{})\b")
    # `prisma.order.findFirst(`; `load(booking.order.slug)` reads a relation, it queries nothing
    queried = _words(tuple(sorted(delegates)), r"\.(?:{})\s*\??\.\s*(?:find|create|update|upsert)\w*\s*[<(]")
    if any(kinds.search(kind) for _, kind in shape.annotations(name)):
        return True
    return any(kinds.search(value) or queried.search(value) for value in shape.assignments.get(name, ()))


@lru_cache(maxsize=256)
def _words(words: tuple[str, ...], template: str) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!)")
    return re.compile(template.format("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))))


def declared_otherwise(shape: ScriptShape, name: str, models: Collection[str]) -> bool:
    """Is the variable `name` declared only with types that are not the model's (`user: { name: string;
    url: string }` in a component's props, `(user: SessionUser) =>`, `for (const order of orders)` with
    `orders: PortfolioOrder[]`): a value of another kind, though named like a row?"""
    types = _declared_types(shape, name)
    if not types:
        loop = re.search(
            rf"\bfor\s*\(\s*(?:const|let|var)\s+{re.escape(name)}\s+of\s+(?:[\w$]+\.)*([\w$]+)\s*\)",
            shape.text,
        )
        types = _declared_types(shape, loop.group(1)) if loop else []
    kinds = [rf"\b{re.escape(m)}" for m in models]  # `User`, `UserGetPayload<…>`
    for declared in types:
        if not declared or declared in ("any", "unknown") or _INFERRED.search(declared):
            return (
                False  # a type the code infers (`typeof selectedTeam`, `Rows[number]`): it may be the model's
            )
        if any(re.search(k, declared) for k in kinds):
            return False
    return bool(types)


# The type literal of a parameter or a variable, over several lines (`}: Props & {` then `  data: CardData;`)
_INLINE_TYPE = re.compile(r"[)}\w$\]]\s*:\s*(?:[\w$.<>\[\]]+\s*[&|]\s*)*\{$")


def _declared_types(shape: ScriptShape, name: str) -> list[str]:
    """The types the file declares the variable `name` with: as a parameter, a variable or a member of a
    type (a key of an object literal, `{ user: currentUser }`, is no declaration)."""
    text = shape.text
    found = []
    for at, declared in shape.annotations(name):
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        prefix = text[line_start:at]
        # a parameter, a variable, or a member of the type of a destructured parameter (`({ data }: { data: X })`)
        signature = re.search(r"(?:\bfunction\b[^(]*\(|[(,]|\b(?:const|let|var)\s+|\}\s*:\s*\{)\s*$", prefix)
        function = re.search(r"=>|\bfunction\b|\b(?:const|let|var)\b|\)\s*(?::[^{]*)?\{\s*$", line)
        inline = not prefix.strip() and _INLINE_TYPE.search(shape.opened_by(at) or "") is not None
        if shape.type_member(line_start, line) is not None or (signature and function) or inline:
            found.append(re.split(r"[,)]", declared, maxsplit=1)[0].strip())
    return found


def delegate_of(chain: str) -> str | None:
    """The model delegate of a query call (`documentMeta` of `prisma.documentMeta.findFirst`, `tx.order.update`)."""
    parts = [p.rstrip("?") for p in chain.split(".")]
    return parts[-2] if len(parts) >= 3 else None
