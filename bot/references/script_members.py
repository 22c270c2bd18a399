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
from collections.abc import Collection

_TYPE_MEMBER = re.compile(r"^\s*(?:readonly\s+)?[\w$]+\??\s*:\s*[^=(]*?[;,]?\s*$")
_TYPE_OPEN = re.compile(
    r"^[ \t]*(?:export\s+)?(?:declare\s+)?(?:interface\s+([\w$]+)[^{=;]*\{|type\s+([\w$]+)(?:<[^=;]*>)?\s*=\s*\{)",
    re.M,
)
_CALLEE = re.compile(r"([\w$]+(?:\s*\??\.\s*[\w$]+)*)\s*(?:<[^()<>]*>)?\s*$")
_LOOK_BACK = 3000


def type_member(text: str, line_start: int, line: str) -> str | None:
    """The type (`interface User {`, `type Branding = {`) the line declares a member of, if it is one."""
    if _TYPE_MEMBER.match(line) is None:
        return None
    found = list(_TYPE_OPEN.finditer(text, max(0, line_start - _LOOK_BACK), line_start))
    if not found:
        return None
    opened = found[-1]
    body = text[opened.end() : line_start]
    if body.count("{") + 1 <= body.count("}"):
        return None  # the type was closed before the line
    return opened.group(1) or opened.group(2)


def enclosing_keys(text: str, pos: int) -> list[str]:
    """The keys of the objects around `pos`, innermost first (`SymbolProfile`, `data` for a key inside
    `data: { SymbolProfile: { create: { … } } }`): a Prisma nested write's key names the related model."""
    keys = []
    depth = 0
    i = pos - 1
    start = max(0, pos - _LOOK_BACK)
    while i >= start:
        char = text[i]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth:
                depth -= 1
            elif char != "{":
                break
            else:
                key = re.search(r"([\w$]+)\s*:\s*$", text[max(0, i - 100) : i])
                if key is None:
                    break
                keys.append(key.group(1))
        i -= 1
    return keys


def enclosing_call(text: str, pos: int) -> str | None:
    """The call an object literal around `pos` is given to, as written on its line up to its opening
    parenthesis (`await prisma.order.update` for a key inside `await prisma.order.update({ data: { … } })`),
    or None when the object is not an argument of a call (it is returned, assigned, in parentheses, or the
    position is in no object)."""
    depth = 0
    start = max(0, pos - _LOOK_BACK)
    i = pos - 1
    while i >= start:
        char = text[i]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth:
                depth -= 1
            elif char == "(":
                head = text[max(text.rfind("\n", 0, i) + 1, i - 200) : i]
                if head.rstrip().endswith("=>"):
                    i -= 1
                    continue  # `=> ({ … })`: the arrow function's result, given to the call around it
                return head if _CALLEE.search(head) else None
            elif char == "{":
                before = text[max(0, i - 200) : i].rstrip()
                if not before.endswith(("(", ",", ":", "[", "?")):
                    return None  # `return {`, `= {`, `=> {`: an object of the code, or a function's body
        i -= 1
    return None


def typed_as(text: str, name: str, models: Collection[str], delegates: Collection[str]) -> bool:
    """Is the variable `name` declared with one of the model's types (`order: Order`, `Pick<Order, …>`),
    or given the result of a query on one of its delegates (`const order = await prisma.order.findFirst(`)?"""
    word = re.escape(name)
    kinds = "|".join(re.escape(m) for m in sorted(models, key=len, reverse=True))
    if kinds and re.search(rf"(?<![\w$.]){word}\??\s*:\s*[^=;\n]*?\b(?:{kinds})\b", text):
        return True
    given = re.finditer(rf"(?:const|let|var)\s+{word}\s*(?::[^=\n]*)?=\s*([^;\n]+)", text)
    for match in given:
        value = match.group(1)
        if kinds and re.search(rf"\b(?:{kinds})\b", value):
            return True
        if any(re.search(rf"\.{re.escape(d)}\s*\.", value) for d in delegates):
            return True
    return False


def declared_otherwise(text: str, name: str, models: Collection[str]) -> bool:
    """Is the variable `name` declared only with types that are not the model's (`user: { name: string;
    url: string }` in a component's props, `(user: SessionUser) =>`, `for (const order of orders)` with
    `orders: PortfolioOrder[]`): a value of another kind, though named like a row?"""
    types = _declared_types(text, name)
    if not types:
        loop = re.search(
            rf"\bfor\s*\(\s*(?:const|let|var)\s+{re.escape(name)}\s+of\s+(?:[\w$]+\.)*([\w$]+)\s*\)", text
        )
        types = _declared_types(text, loop.group(1)) if loop else []
    kinds = [rf"\b{re.escape(m)}" for m in models]  # `User`, `UserGetPayload<…>`
    for declared in types:
        if not declared or declared in ("any", "unknown") or any(re.search(k, declared) for k in kinds):
            return False
    return bool(types)


def _declared_types(text: str, name: str) -> list[str]:
    """The types the file declares the variable `name` with: as a parameter, a variable or a member of a
    type (a key of an object literal, `{ user: currentUser }`, is no declaration)."""
    word = re.escape(name)
    found = []
    for match in re.finditer(rf"^[^\n]*?(?<![\w$.]){word}\??\s*:\s*([^=;,)\n]*)", text, re.M):
        line_start = match.start()
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        prefix = line[: match.start(1) - line_start]
        signature = re.search(
            rf"(?:\bfunction\b[^(]*\(|[(,]|\b(?:const|let|var)\s+)\s*{word}\??\s*:\s*$", prefix
        )
        function = re.search(r"=>|\bfunction\b|\b(?:const|let|var)\b|\)\s*(?::[^{]*)?\{\s*$", line)
        if type_member(text, line_start, line) is not None or (signature and function):
            found.append(match.group(1).strip())
    return found


def delegate_of(head: str) -> str | None:
    """The model delegate of a query call (`documentMeta` of `prisma.documentMeta.findFirst`, `tx.order.update`)."""
    callee = _CALLEE.search(head)
    parts = [p.strip().rstrip("?") for p in callee.group(1).split(".")] if callee else []
    return parts[-2] if len(parts) >= 3 else None
