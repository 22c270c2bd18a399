"""In JavaScript and TypeScript, a name that is only a variable of the code is not the column.

A row's field is read as a member (`website.shareId`) or given as a key (`{ shareId: id }`, `{ shareId }`
passed on to a query or a request; a name taken out of a request is judged in `script_requests`). The same
name as a function's parameter (`(shareId: string) =>`, `({ websiteId, shareId }) =>`), a route's
parameter taken out of `params` / `useParams()` / `props`, a JSX attribute's name (`shareId={…}`) or a
bare variable (`getSharedWebsite(shareId)`, `` `/share/${shareId}` ``) or a member of a component's props type
(`interface ShareFormProps { shareId?: string }`) is a name the code gives a value:
the column's value may flow through it, but the line does not read or write the column.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from bot.references.codesyntax.text import line_matches

SCRIPT_FILES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte")
_ROUTE_SOURCE = re.compile(
    r"\s*(?:await\s+)?(?:params|props|useParams\(\)|useSearchParams\(\)|router\.query|route\.params|this\.props)\b\s*[;)]?\s*$"
)
_PARAMETERS_OPEN = re.compile(r"(?:\bfunction\b[\w\s*]*|\b(?:async\s+)?)\(\s*(?:[^()]*\([^()]*\))*[^()]*$")
_IMPORT = re.compile(r"\s*(?:import\b|export\s*(?:type\s*)?\{[^}]*\}\s*from\b)")
_KEYWORDS = frozenset(("if", "for", "while", "switch", "return", "catch", "typeof", "await", "new"))
_TYPE_MEMBER = re.compile(r"^\s*(?:readonly\s+)?\w+\??\s*:\s*[^=(]+?[;,]?\s*$")
_PROPS_TYPE = re.compile(r"^[ \t]*(?:export\s+)?(?:interface\s+(\w+)|type\s+(\w+)\s*=)", re.M)
# the lines worth trying `_PROPS_TYPE` at, found by the keyword's first letter (a `\b` is tried at every character)
_PROPS_ANCHOR = re.compile(r"i(?<!\wi)nterface\s|t(?<!\wt)ype\s")


def props_types(text: str) -> list[tuple[int, int, str]]:
    """Where each interface or type alias of a file is declared (start, end of its head, its name), in order:
    found once per file for `props_member`, which is asked about every place of the file."""
    found = line_matches(text, _PROPS_TYPE, _PROPS_ANCHOR)
    return [(m.start(), m.end(), m.group(1) or m.group(2)) for m in found]


def props_member(text: str, types: list[tuple[int, int, str]], line_start: int, line: str) -> bool:
    """Is the line a member of a component's props type (`interface WebsiteShareFormProps { shareId?:
    string; }`): the component's parameter, not a row's field? `types`: the file's `props_types`."""
    if _TYPE_MEMBER.match(line) is None:
        return False
    at = bisect_right(types, (line_start, line_start, ""))
    while at and types[at - 1][1] > line_start:
        at -= 1  # a declaration that ends past the line's start does not enclose it
    if not at or types[at - 1][0] < line_start - 3000:
        return False
    _, end, name = types[at - 1]
    if "}" in text[end:line_start].replace("{}", ""):
        return False
    return name.endswith("Props")


# the module an import, an export … from or a require names: a file's path
_MODULE_SPECIFIER = re.compile(
    r"""(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)(['"`])([^'"`]*)\1"""
)


def module_path(line: str, col: int) -> bool:
    """Is `col` inside the module path of an import, an `export … from` or a `require(…)`
    (`import { InitBootstrapProvider } from './global/init-bootstrap.provider'`)? A file's name, no column."""
    if "from" not in line and "require" not in line and "import" not in line:
        return False  # each way of naming a module has one of these words (most lines have none)
    return any(m.start(2) <= col < m.end(2) for m in _MODULE_SPECIFIER.finditer(line))


def script_local(line: str, col: int, end: int) -> bool:
    """Is the name at line[col:end] of a JavaScript or TypeScript line a variable, a parameter or an
    attribute's name rather than a row's field?"""
    before, after = line[:col].rstrip(), line[end:].lstrip()
    if _IMPORT.match(line):
        return True  # `import { permissions } from '…/permissions'`: a module's export, not a row's field
    if re.search(r"(?:^|[\s(=,:])\[$", before):
        return True  # `[isEarlyAccess, theme]`: a variable in an array (a hook's dependencies)
    if re.search(r"[\w$)\]]\??\.?\[$", before) and after.startswith("]"):
        return True  # `defaultServerSettings[key]`: a variable that holds the key of the member read
    if before.endswith((".", "?.", "'", '"', "`", "[", "$")) or line[col - 1 : col] in (
        "'",
        '"',
        "`",
        "-",
        "/",
    ):
        return False  # a member, a string (judged elsewhere), a kebab-case or path segment
    if before.endswith(("${", "={")) and after.startswith("}"):
        return True  # a template literal's value, a JSX attribute's value
    if not before and after[:1] in (",", "}"):
        return False  # `  shareId,` in a multi-line object: a field
    if after.startswith(("={", '="', "='")):
        return True  # a JSX attribute's name: the component's prop
    if after.startswith(("?:", ":")) and not after.startswith("::"):
        return _parameter(line, col, end)  # `shareId: string` in a signature; `shareId: x` is a key
    if re.search(r"[{,]\s*$", before) and re.match(r"[,}]", after):
        if _innermost_bracket(line, col) in ("(", "["):
            return True  # `join(root, bucket, path)`: a call's argument, a variable
        return _pattern_of_locals(line, end)
    if after.startswith("=") and not after.startswith(("==", "=>")):
        return True  # `shareId = …`: a variable given a value
    if after.startswith("(") and _METHOD_DECLARED.match(line[:col]) and _DECLARATION_END.search(line):
        return True  # `protected isExcluded(account: Account) {`: a method of a class, named like the column
    return True  # a bare variable, or a call of a function of that name (`isExcluded(account)`)


# A class's method declared on its own line: modifiers, then the name and its parameters, then its body
# (`{`) or, spread over lines, nothing yet; a call is a statement (`isExcluded(account);`) or an operand.
_METHOD_DECLARED = re.compile(
    r"^\s*(?:(?:public|private|protected|static|async|override|readonly|abstract|get|set)\s+)+(?:\*\s*)?$"
    r"|^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*$"
)
_DECLARATION_END = re.compile(r"(?:\)\s*(?::[^=;]*)?\{\s*$|\(\s*$|,\s*$)")


def _parameter(line: str, col: int, end: int) -> bool:
    """Is the name inside the parameter list of a function or an arrow function on this line?"""
    opening = _enclosing_paren(line, col)
    if opening < 0:
        return False
    head = line[:opening].rstrip()
    word = re.search(r"(\w+)\s*$", head)
    if word and word.group(1) in _KEYWORDS:
        return False
    closing = _closing_paren(line, opening)
    tail = line[closing + 1 :].lstrip() if closing >= 0 else ""
    declared = bool(
        re.search(r"\bfunction\b[\w\s*]*$|^\s*(?:export\s+)?(?:async\s+)?\w+\s*$|=\s*(?:async\s+)?$", head)
    )
    return (
        declared
        or bool(re.match(r"(?::[^=]*)?=>", tail))
        or (closing < 0 and head.endswith(("=", "async", "function")))
    )


def _pattern_of_locals(line: str, end: int) -> bool:
    """`{ websiteId, shareId }` as the parameters of a function or taken out of a route's parameters;
    an object literal passed on (`{ name, shareId }`) or taken out of a body is the field."""
    close = line.find("}", end)
    if close < 0:
        return False
    rest = line[close + 1 :].lstrip()
    while rest.startswith("}"):  # a nested pattern: `({ ctx, parsedInput: { channelId } }) =>`
        rest = rest[1:].lstrip()
    if rest.startswith("=") and not rest.startswith(("==", "=>")):
        return bool(_ROUTE_SOURCE.match(rest[1:]))
    if rest.startswith((")", ":")):
        opening = _enclosing_paren(line, line.rfind("{", 0, close))
        return opening >= 0 and _parameter(line, opening + 1, opening + 1)
    return False


def _innermost_bracket(line: str, col: int) -> str:
    """The bracket (`(`, `[` or `{`) still open at `col` on the line, the nearest; "" if none is."""
    depth = 0
    for char in reversed(line[:col]):
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if not depth:
                return char
            depth -= 1
    return ""


def _enclosing_paren(line: str, col: int) -> int:
    depth = 0
    for i in range(col - 1, -1, -1):
        char = line[i]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _closing_paren(line: str, opening: int) -> int:
    depth = 0
    for i in range(opening, len(line)):
        if line[i] == "(":
            depth += 1
        elif line[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1
