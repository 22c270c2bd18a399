"""An API that keeps a dropped column's name as a field it computes: a Django REST framework serializer of the
model that declares the field itself (`SerializerMethodField`, or a field with `source=` another attribute).

paperless-ngx dropped `show_on_dashboard` from saved views and kept it in the API as a method field, and
rebuilt its task table keeping `task_name` and `type` as computed fields of a v9 serializer: the front end,
the API fixtures and the serializer's own lines still name the field, and all of them keep working. Python
code that reads the attribute from a model instance is still a use of the column. So does a Laravel API resource
of the model whose array gives the field from something else than the column (koel's `PlaylistResource`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.model.changeset import Tree
from bot.references.model_attributes import call_end

_SERIALIZER = re.compile(r"^class\s+\w+\s*\(([^)]*Serializer[^)]*)\)\s*:", re.M)
_NEXT_CLASS = re.compile(r"^class\s", re.M)
_META_MODEL = re.compile(r"^[ \t]+model\s*=\s*([\w.]+)", re.M)


def kept_by_api(tree: Tree, paths: Collection[str], models: Collection[str], name: str) -> list[str]:
    """`path:line` of each serializer of one of `models` that declares `name` as a field it computes (an API
    has several: Plane's public and app serializers of `Project` both keep `inbox_view`). `paths`: the Python
    files to look in (those where the search found the name)."""
    kept: list[str] = []
    declared = re.compile(
        rf"^[ \t]+{re.escape(name)}\s*=\s*(?:serializers\.)?(\w+)\(()",
        re.M,
    )
    kept += _laravel_resources(tree, paths, models, name)
    for path in sorted(p for p in paths if p.endswith(".py")):
        text = tree.read(path) or ""
        if "Serializer" not in text:
            continue
        for found in _SERIALIZER.finditer(text):
            following = _NEXT_CLASS.search(text, found.end())
            body = text[found.end() : following.start() if following else len(text)]
            model = _META_MODEL.search(body)
            if model is None or model.group(1).rsplit(".", 1)[-1] not in models:
                continue
            field = declared.search(body)
            call = (
                body[field.start(2) - 1 : field.start(2) + 600] if field is not None else ""
            )  # from its `(`
            if field is not None and _computed(field.group(1), call[1 : call_end(call)], name):
                kept.append(f"{path}:{text.count(chr(10), 0, found.end() + field.start()) + 1}")
    return kept


# a Laravel API resource of a model, by its convention (`class PlaylistResource extends JsonResource`)
_RESOURCE = re.compile(
    r"^(?:final\s+)?class\s+(\w+?)Resource\s+extends\s+\\?(?:[\w\\]+\\)?JsonResource\b", re.M
)


def _laravel_resources(tree: Tree, paths: Collection[str], models: Collection[str], name: str) -> list[str]:
    """`path:line` of each Laravel resource of one of `models` whose array gives `'name' => …` from anything but
    the row's own `name` (koel's `'folder_id' => $this->playlist->getFolderId($user)`, once the column moved
    to a pivot table)."""
    kept: list[str] = []
    pair = re.compile(rf"""^[ \t]*['"]{re.escape(name)}['"]\s*=>\s*([^\n]*)""", re.M)
    reads = re.compile(rf"""(?:->|::|\[['"]){re.escape(name)}\b""")
    for path in sorted(p for p in paths if p.endswith(".php")):
        text = tree.read(path) or ""
        resource = _RESOURCE.search(text)
        if resource is None or resource.group(1) not in models:
            continue
        given = [m for m in pair.finditer(text, resource.end())]
        if given and not any(reads.search(m.group(1)) for m in given):
            kept.append(f"{path}:{text.count(chr(10), 0, given[0].start()) + 1}")
    return kept


def _computed(kind: str, arguments: str, name: str) -> bool:
    """A method field, or a field whose `source=` is another attribute than the column's own name."""
    if kind == "SerializerMethodField":
        return True
    source = re.search(r"\bsource\s*=\s*['\"]([\w.*]+)['\"]", arguments)
    return source is not None and source.group(1) != name
