"""Liquibase runs the changelog it is given (the master) and what that includes, nothing else: a changelog no
other one includes, in a project whose changelogs include one another, never runs.

Includes are read from the changelogs around the file (its folder and the folders above it, and files named
for changelogs, masters or Liquibase): XML `<include file=…>` and `<includeAll path=…>`, their YAML and JSON
forms. A target is matched leniently, by its path's end (a classpath path, one relative to the including
file) or its file name, so that a project laid out in any way is given the benefit of the doubt. A target with
a `${property}`, a file that includes others itself (a master), and a changelog named in the build or the
application's settings (`spring.liquibase.change-log`) are never flagged.

Regular expressions rather than the XML and YAML readers of bot.frameworks.liquibase: only the include
directives matter here, in any of the three formats, over files that may not be changelogs at all.
"""

from __future__ import annotations

import posixpath
import re

from bot.model.changeset import Tree, read_ahead

_EXTENSIONS = (".xml", ".yaml", ".yml", ".json")
_NAMED = re.compile(r"changelog|change-log|master|liquibase|main|root|index", re.I)
_XML_INCLUDE = re.compile(r"<include\b[^>]*?\bfile\s*=\s*[\"']([^\"']+)[\"']", re.S)
_XML_ALL = re.compile(r"<includeAll\b[^>]*?\bpath\s*=\s*[\"']([^\"']+)[\"']", re.S)
# YAML and JSON: `- include:` then `file: x` on the same or a following line (or `{file: x}`)
_KEYED_INCLUDE = re.compile(
    r"[\"']?include[\"']?\s*:\s*\{?\s*(?:\n\s*)?[\"']?file[\"']?\s*:\s*[\"']?([^\s\"',}]+)"
)
_KEYED_ALL = re.compile(
    r"[\"']?includeAll[\"']?\s*:\s*\{?\s*(?:\n\s*)?[\"']?path[\"']?\s*:\s*[\"']?([^\s\"',}]+)"
)
_SETTINGS = re.compile(
    r"(?:^|/)(?:application[\w-]*\.(?:properties|ya?ml)|liquibase[\w-]*\.properties|pom\.xml|build\.gradle(?:\.kts)?)$"
)
# code that may run Liquibase on a changelog of its choosing (OpenMRS' ChangeLogVersionFinder.java)
_CODE = re.compile(r"(?i)(?:liquibase|changelog|migrat|database|config|/db/)[^.]*\.(?:java|kt|groovy)$")
# the start of a file name the code completes when it runs: `"liquibase-update-to-latest-" + version`,
# `'…/upgrades/0000_upgrade_to_'+"$dbVersion"+'.xml'`
_NAME_START = re.compile(r"[\"'/]([\w.-]{6,}?[-_.])(?=[\"'$+{])")
_MOST_READ = 500
_LEVELS = 4  # folders above the file searched for the changelogs that include it


def not_included(path: str, tree: Tree, folders: dict[str, list[str]]) -> str:
    """Why Liquibase never runs the changelog at `path` (no changelog includes it), or ""."""
    text = tree.read(path) or ""
    if _includes(text):
        return ""  # a master changelog itself
    nearby = _nearby(path, folders)
    masters: list[str] = []
    for other in read_ahead(tree, nearby):
        if other == path:
            continue
        found = _includes(tree.read(other) or "")
        if not found:
            continue
        if any("${" in target or _covers(other, kind, target, path) for kind, target in found):
            return ""
        masters.append(other)
    if not masters or _named_in_settings(path, tree, folders):
        return ""
    master = min(masters, key=lambda m: (m.count("/"), m))
    return (
        f"no changelog includes it: Liquibase runs the master changelog and what it includes, and `{master}`"
        f" includes other changelogs, not `{path.rpartition('/')[2]}`"
    )


def _includes(text: str) -> list[tuple[str, str]]:
    if "include" not in text:
        return []
    found = [("file", m.group(1)) for m in (*_XML_INCLUDE.finditer(text), *_KEYED_INCLUDE.finditer(text))]
    return found + [("all", m.group(1)) for m in (*_XML_ALL.finditer(text), *_KEYED_ALL.finditer(text))]


def _nearby(path: str, folders: dict[str, list[str]]) -> list[str]:
    """Changelog-like files in the file's folder and up to _LEVELS folders above it, and in their subfolders
    when named for changelogs."""
    folder = path.rpartition("/")[0]
    roots = [folder]
    for _ in range(_LEVELS):
        if not folder:
            break
        folder = folder.rpartition("/")[0]
        roots.append(folder)
    top = roots[-1]
    found = []
    for each, paths in folders.items():
        if each not in roots and not (not top or each == top or each.startswith(top + "/")):
            continue
        for other in paths:
            if other.endswith(_EXTENSIONS) and (each in roots[:2] or _NAMED.search(other.rpartition("/")[2])):
                found.append(other)
    return found[:_MOST_READ]


def _covers(including: str, kind: str, target: str, path: str) -> bool:
    """Does an include (or includeAll) of `including` name the file at `path`? Matched leniently."""
    target = target.removeprefix("classpath:").removeprefix("classpath*:").strip()
    relative = posixpath.normpath(posixpath.join(including.rpartition("/")[0], target)).lstrip("./")
    target = posixpath.normpath(target.lstrip("/")).removeprefix("./")
    if kind == "file":
        name = path.rpartition("/")[2]
        return path in (target, relative) or path.endswith("/" + target) or target.rpartition("/")[2] == name
    folder = path.rpartition("/")[0]
    for each in (target.rstrip("/"), relative.rstrip("/")):
        if (
            each in ("", ".")
            or folder == each
            or folder.endswith("/" + each)
            or folder.startswith(each + "/")
        ):
            return True
        if ("/" + folder + "/").find("/" + each + "/") >= 0:
            return True
    return False


def _named_in_settings(path: str, tree: Tree, folders: dict[str, list[str]]) -> bool:
    """A changelog the build, the application's settings or its code points Liquibase at: by its name (a master
    of its own), or by the start of its name that the code completes when it runs (a version appended)."""
    name = path.rpartition("/")[2]
    places = [p for paths in folders.values() for p in paths if _SETTINGS.search(p) or _CODE.search(p)]
    for place in read_ahead(tree, places[:_MOST_READ]):
        text = tree.read(place) or ""
        if name in text or any(name.startswith(m.group(1)) for m in _NAME_START.finditer(text)):
            return True
    return False
