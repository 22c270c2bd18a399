"""Django fixtures that name a dropped or renamed field or model: `loaddata` refuses them.

A fixture (`shop/fixtures/statuses.json`, YAML too) lists rows as `{"model": "shop.order", "fields":
{"legacy_status": "open", …}}`. Once the model has no field `legacy_status`, or no model `shop.order`
exists, `manage.py loaddata statuses` stops with an error and loads nothing. Which break that is depends on
who loads the fixture: a test's `fixtures = ["statuses"]` (the test fails), or the deployment (a data
migration's `call_command("loaddata", …)`, an entrypoint script, a Makefile or a Dockerfile: the deploy
step fails). Only keys of the entries of the changed table's model count: the same key under
`"model": "crm.contact"` is another model's field.

A model's label is the folder of its `models.py` (or `models/` package) and its class in lower case, or
the label Django's default table name spells (`shop_order`: `shop.order`, also for a model the change
deletes). Only files under a `fixtures/` folder are read, and the files that load a fixture are looked for
only when one of its entries names what the change removes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from bot.model.changeset import Tree, read_ahead
from bot.references.code_areas import is_test
from bot.references.model_map import Mapped
from bot.references.usage import Target, Use

_FIXTURE = re.compile(r"(?:^|/)fixtures/(?:[^/]+/)*([\w.-]+?)\.(?:json|ya?ml)$")
# `"model": "shop.order"` (JSON) or `- model: shop.order` (YAML): where an entry starts
_ENTRY = re.compile(
    r"\"model\"\s*:\s*\"(\w+)\.(\w+)\"|^[ \t]*-?[ \t]*model[ \t]*:[ \t]*[\"']?(\w+)\.(\w+)", re.M
)
_KEY = re.compile(r"\"(\w+)\"\s*:|^[ \t]+(\w+)[ \t]*:(?![^\n]*:[ \t]*$)", re.M)
_ENTRY_KEYS = frozenset({"model", "pk", "fields"})
# Files that may load a fixture: code, scripts and the files that run them at deploy or in CI.
_LOADER = re.compile(
    r"\.(?:py|sh|bash|ya?ml|toml|cfg|ini)$|(?:^|/)(?:Makefile|Dockerfile[\w.-]*|Procfile|justfile|tox\.ini)$"
)
_CI = re.compile(
    r"(?:^|/)(?:\.github|\.gitlab|\.circleci|\.buildkite)/|(?:^|/)\.gitlab-ci\.yml$|(?:^|/)tox\.ini$"
)


def labels(table: str, definitions: Iterable[Mapped]) -> frozenset[str]:
    """`app_label.model_name` of each Django model of `table`: the folder of its `models.py` (or of its
    `models/` package) and the class in lower case, and the label the table's default name spells."""
    found = set()
    for _, cls, path, _ in definitions:
        parts = path.split("/")
        if not path.endswith(".py") or len(parts) < 2:
            continue
        app = parts[-3] if parts[-2] == "models" and len(parts) >= 3 else parts[-2]
        found.add(f"{app}.{cls}".lower())
    app, _, model = table.lower().rpartition("_")  # Django's default `<app_label>_<model_name>`
    if app and model:
        found.add(f"{app}.{model}")
    return frozenset(found)


def fixture_uses(
    tree: Tree, targets: Sequence[Target], definitions: dict[str, tuple[Mapped, ...]]
) -> dict[int, list[Use]]:
    """The entries and fields of Django fixtures naming a column or table of `targets`, by target index."""
    wanted = {
        i: labels(t.table, definitions.get(t.table, ()))
        for i, t in enumerate(targets)
        if t.kind in ("column", "table")
    }
    places: list[tuple[int, str, int, str]] = []
    fixtures = [p for p in tree.paths() if "fixtures/" in p and _FIXTURE.search(p) is not None]
    for path in read_ahead(tree, fixtures):  # one git process for all, not one a file
        text = tree.read(path)
        if not text or "model" not in text or "fields" not in text:
            continue
        places += _entries(path, text, targets, wanted)
    if not places:
        return {}
    stems = {path: _stem(path) for _, path, _, _ in places}
    loaders = _loaders(tree, set(stems.values()))
    out: dict[int, list[Use]] = {}
    for index, path, line, text in places:
        loader = loaders.get(stems[path])
        target = targets[index]
        stops = (
            f"`loaddata` stops at the field `{target.name}`, which the model no longer has"
            if target.kind == "column"
            else f"`loaddata` stops at the model of `{target.name}`, which no longer exists"
        )
        if loader is not None and not loader[1]:
            area, detail = (
                "fixture",
                f"a fixture the deployment loads ({loader[0]}): {stops}, and loads nothing",
            )
        else:
            area = "test"
            who = f"the tests load it ({loader[0]})" if loader else "nothing in the repository loads it"
            detail = f"a fixture ({who}): {stops}"
        out.setdefault(index, []).append(Use(path, line, text.strip()[:200], area, "high", detail=detail))
    return out


def _stem(path: str) -> str:
    """The name `loaddata` knows a fixture by: its file name without the format."""
    named = _FIXTURE.search(path)
    return named.group(1) if named else ""


def _entries(
    path: str, text: str, targets: Sequence[Target], wanted: dict[int, frozenset[str]]
) -> list[tuple[int, str, int, str]]:
    lower = text.lower()
    relevant = {
        i: found
        for i, found in wanted.items()
        if targets[i].name.lower() in lower or any(label in lower for label in found)
    }
    if not relevant:
        return []
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    lines = text.split("\n")
    entries = [
        (m.start(), f"{m.group(1) or m.group(3)}.{m.group(2) or m.group(4)}".lower())
        for m in _ENTRY.finditer(text)
    ]
    if not entries:
        return []
    found: list[tuple[int, str, int, str]] = []
    seen: set[tuple[int, int]] = set()

    def add(index: int, pos: int) -> None:
        line = bisect_right(starts, pos)
        if (index, line) not in seen:
            seen.add((index, line))
            found.append((index, path, line, lines[line - 1]))

    positions = [pos for pos, _ in entries]
    for index, found_labels in relevant.items():
        target = targets[index]
        if target.kind == "table":
            for pos, label in entries:
                if label in found_labels:
                    add(index, pos)
            continue
        column = target.name.lower()
        for key in _KEY.finditer(text):
            name = (key.group(1) or key.group(2)).lower()
            if name in _ENTRY_KEYS or column not in (name, f"{name}_id"):
                continue
            at = bisect_right(positions, key.start()) - 1
            if at >= 0 and entries[at][1] in found_labels:
                add(index, key.start())
    return found


def _loaders(tree: Tree, stems: set[str]) -> dict[str, tuple[str, bool]]:
    """For each fixture name, a file that loads it (`path:line`) and whether that file is a test's or CI's
    (False: the deployment's); a deployment's loader wins over a test's."""
    found: dict[str, tuple[str, bool]] = {}
    if not stems:
        return found
    words = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(s) for s in sorted(stems)) + r")(?:\.(?:json|ya?ml))?(?![\w-])"
    )
    for path in tree.paths():
        if not _LOADER.search(path) or _FIXTURE.search(path):
            continue
        text = tree.read(path)
        if not text or ("loaddata" not in text and "fixtures" not in text):
            continue
        for match in words.finditer(text):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            context = text[max(0, start - 400) : end if end >= 0 else len(text)]
            if "loaddata" not in context and not re.search(r"\bfixtures\s*=", context):
                continue
            testing = is_test(path) or bool(_CI.search(path)) or "loaddata" not in context
            where = f"{path} line {text.count(chr(10), 0, match.start()) + 1}"
            stem = match.group(1)
            if stem not in found or (found[stem][1] and not testing):
                found[stem] = (where, testing)
    return found
