"""The database a Doctrine migration says it runs on, from its guards on the connection's platform.

`make:migration` writes, at the top of `up()` and `down()`, a guard that stops the migration on any other
database: `$this->abortIf(!$this->connection->getDatabasePlatform() instanceof PostgreSQLPlatform, …)`, or in
older versions `$this->abortIf($this->connection->getDatabasePlatform()->getName() !== 'mysql', …)`. A project
that ships migrations for several databases in one folder may put the guard in its base class of them instead
(Sylius: `class Version… extends AbstractPostgreSQLMigration`, whose `preUp()` says `if (!$this->isPostgreSQL())
{ $this->skipIf(true, …); }`). Its SQL is that database's, whatever the project runs on otherwise.

Read from the text of the class and of the project's base classes it extends (found in the tree by their
`use`d names, no grammar): the dialect of each changed file is decided before any file is parsed.
"""

from __future__ import annotations

import contextlib
import re
import weakref

from bot.frameworks.dialect_guards import runs_on
from bot.model.changeset import Tree

_GUARD = re.compile(r"\$this\s*->\s*(?:abortIf|skipIf)\s*\(")
_IF = re.compile(r"\bif\s*\(")
_STOPS = re.compile(r"\$this\s*->\s*(?:abortIf|skipIf)\s*\(\s*true\b|\bthrow\s+new\b")
_PLATFORM = re.compile(
    r"Platform|getName\s*\(|\bis(?:PostgreSQL|Postgres|MySql|MariaDb|Sqlite)\w*\s*\(", re.I
)
_FAMILIES = ("postgres", "mysql", "sqlite")
_EXTENDS = re.compile(r"\bclass\s+\w+\s+extends\s+\\?([\w\\]+)")
_USE = re.compile(r"^\s*use\s+\\?([\w\\]+?)(?:\s+as\s+(\w+))?\s*;", re.M)
_NAMESPACE = re.compile(r"^\s*namespace\s+([\w\\]+)\s*;", re.M)


def own_family(text: str, tree: Tree) -> str | None:
    """The one database family (postgres, mysql, sqlite) the guards of the migration and of the project's base
    classes it extends let it run on; None when no guard names a platform."""
    return guarded_family("\n".join(lineage(text, tree)))


def lineage(text: str, tree: Tree) -> list[str]:
    """The class's text, then those of the project's own classes it extends (Doctrine's are not in the tree)."""
    texts = [text]
    while len(texts) < 4:
        path = parent_path(texts[-1], tree)
        found = tree.read(path) if path is not None else None
        if not found:
            break
        texts.append(found)
    return texts


def parent_path(text: str, tree: Tree) -> str | None:
    """The file of the class `text`'s class extends, by the name a `use` gives it (or its own namespace's);
    None for Doctrine's own AbstractMigration and for a class the tree does not hold."""
    extended = _EXTENDS.search(text)
    if extended is None:
        return None
    name = extended.group(1)
    qualified = name if "\\" in name else ""
    for use in _USE.finditer(text) if not qualified else ():
        if (use.group(2) or use.group(1).rsplit("\\", 1)[-1]) == name:
            qualified = use.group(1)
    if not qualified:
        namespace = _NAMESPACE.search(text)
        qualified = f"{namespace.group(1)}\\{name}" if namespace else name
    if qualified.startswith("Doctrine\\"):
        return None
    parts = qualified.split("\\")
    candidates = classes(tree).get(parts[-1], [])

    def matching(path: str) -> int:  # how many parts of the namespace the folders end with
        folders = path.split("/")[:-1]
        count = 0
        while count < min(len(folders), len(parts) - 1) and folders[-1 - count] == parts[-2 - count]:
            count += 1
        return count

    return max(candidates, key=matching) if candidates else None


_CLASS_FILES: weakref.WeakKeyDictionary[object, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def classes(tree: Tree) -> dict[str, list[str]]:
    """The PHP files of the tree by the class their name gives (`src/Doctrine/WallabagMigration.php`), outside
    `vendor/`: listed once per tree."""
    try:
        return _CLASS_FILES[tree]
    except (KeyError, TypeError):
        pass
    found: dict[str, list[str]] = {}
    for each in tree.paths():
        if each.endswith(".php") and not each.startswith("vendor/") and "/vendor/" not in each:
            found.setdefault(each.rsplit("/", 1)[-1][:-4], []).append(each)
    with contextlib.suppress(TypeError):
        _CLASS_FILES[tree] = found
    return found


def guarded_family(text: str) -> str | None:
    """The one database family the guards of `text` let the migration run on: `abortIf(cond, …)` and
    `skipIf(cond, …)` on the platform, and `if (cond) { $this->skipIf(true, …); }`."""
    if ("abortIf" not in text and "skipIf" not in text) or not _PLATFORM.search(text):
        return None
    allowed = set(_FAMILIES)
    named = False
    for condition in _conditions(text):
        if not _PLATFORM.search(condition):
            continue
        aborts = {family for family in _FAMILIES if runs_on(condition, family) is True}
        if any(runs_on(condition, family) is not None for family in _FAMILIES):
            named = True
            allowed -= aborts
    return next(iter(allowed)) if named and len(allowed) == 1 else None


def _conditions(text: str) -> list[str]:
    """The conditions under which the migration stops: the first argument of each guard, and the condition of
    each `if` whose block stops it."""
    found = [_until(text, m.end(), ",") for m in _GUARD.finditer(text)]
    for match in _IF.finditer(text):
        condition = _until(text, match.end(), ")")
        after = match.end() + len(condition) + 1
        block = re.match(r"\s*\{", text[after : after + 200])
        if block is not None:
            body = _until(text, after + block.end(), "}")
            if _STOPS.search(body) and body.count("{") == 0:
                found.append(condition)
    return [c for c in found if c.strip() != "true"]


def _until(text: str, start: int, stop: str) -> str:
    """The text from `start` to the first `stop` outside brackets and strings (or the closing bracket)."""
    depth, quote, index = 0, "", start
    while index < len(text) and index < start + 2000:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char == stop and depth == 0:
            break
        index += 1
    return text[start:index]
