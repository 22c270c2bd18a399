"""A field the TypeScript code adds to a model's rows itself: a type that joins the model with a member of the
dropped column's name (`type AccountWithBalance = Account & { balance: number }`, `interface
AccountWithBalance extends Account { balance: number }`).

ghostfolio moved an account's balance to a table of its own and kept `balance` on the rows its services
return, computed from that table: `account.balance`, `{ balance: account.balance }` and the request's
`balance` all go on working after the column is dropped. Such a declaration says the script code's
`balance` is the computed one. SQL in a string, and a query on the model on the same line
(`prisma.account.update({ data: { balance } })`), still name the column.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from bot.model.changeset import Tree
from bot.references.script_names import SCRIPT_FILES

# `\b[A-Z]`, written to start with the capital (then checked for a word start): `re` then looks for capitals
# rather than trying the boundary at every character (three times as fast)
_IMPORT_ALIAS = re.compile(r"([A-Z](?<!\w[A-Z])[\w$]*)\s+as\s+([A-Z][\w$]*)\b")
_INTERSECTION = re.compile(
    r"(?:^|[=&|(<,]\s*)([A-Z][\w$.]*)(?:<[^<>=;{}]*>)?\s*&\s*\{|\}\s*&\s*([A-Z][\w$.]*)\b"
)
_EXTENDS = re.compile(r"\binterface\s+[\w$]+(?:<[^{]*?>)?\s+extends\s+([^{]+)\{")


def computed_by_type(
    tree: Tree, paths: Collection[str], models: Collection[str], names: Collection[str]
) -> str | None:
    """`path:line` of a TypeScript type that adds a member spelled as one of `names` to one of `models`
    (under an alias its file imports it as, too), or None. `paths`: the script files to look in (those
    where the search found the name: the member's declaration is one of its places)."""
    member = re.compile(
        r"(?:^|[{;,\s])(?:readonly\s+)?(?:" + "|".join(re.escape(n) for n in names) + r")\??\s*:"
    )
    for path in sorted(p for p in paths if p.endswith(SCRIPT_FILES)):
        text = tree.read(path) or ""
        kinds = set(models) | {alias for model, alias in _aliases(text) if model in models}
        if not any(kind in text for kind in kinds):
            continue  # no type of the file names a model: most files, and each is long to read for types
        for found in _INTERSECTION.finditer(text):
            kind = (found.group(1) or found.group(2) or "").rpartition(".")[2]
            if kind not in kinds:
                continue
            if found.group(1):  # `Account & {`: the braces that follow
                body = _braced(text, found.end() - 1)
            else:  # `{ … } & Account`: the braces that end before it
                body = _braced_before(text, found.start())
            if member.search(_top_level(body)):
                return f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
        for found in _EXTENDS.finditer(text):
            bases = {b.strip().partition("<")[0].rpartition(".")[2] for b in found.group(1).split(",")}
            if bases & kinds and member.search(_top_level(_braced(text, found.end() - 1))):
                return f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
    return None


@lru_cache(maxsize=1024)  # asked of the same file for every column the search found in it
def _aliases(text: str) -> tuple[tuple[str, str], ...]:
    """(class, alias) of each `Class as Alias` of a file's text (its imports)."""
    return tuple(_IMPORT_ALIAS.findall(text))


def _top_level(body: str) -> str:
    """The members of a type's body, without those of the object types nested in it."""
    while True:
        inner = re.sub(r"\{[^{}]*\}", "", body)
        if inner == body:
            return body
        body = inner


def _braced(text: str, opening: int) -> str:
    """The text inside the braces that open at `opening`."""
    depth = 0
    for i in range(opening, min(len(text), opening + 4000)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[opening + 1 : i]
    return ""


def _braced_before(text: str, closing: int) -> str:
    """The text inside the braces that close at `closing`."""
    depth = 0
    for i in range(closing, max(-1, closing - 4000), -1):
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            depth -= 1
            if depth == 0:
                return text[i + 1 : closing]
    return ""
