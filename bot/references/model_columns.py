"""Columns the project's SQLAlchemy models declare: the tables a name belongs to when the history does not say.

Which tables share a column name is read from the schema the history replays. A project that creates its
tables outside its migrations (`Base.metadata.create_all()` for each new tenant, then migrations for later
changes only) leaves most tables out of that replay: `incident_cost_type.default` is nowhere in it, so
`default` looks like `case_cost_type`'s alone, and `incident_cost_type.default = True` in a test is taken
for the dropped column. The models declare every column (`default = Column(Boolean)` in `class
IncidentCostType(Base)`): their declarations complete the map. A class names its table with `__tablename__`
or, when the project's base derives it, by its name in snake case (`IncidentCostType`:
`incident_cost_type`). Only `models.py` files and files under a `models/` folder are read, and only for the
names the change drops or renames.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.model.changeset import Tree, read_ahead
from bot.references.inflection import underscore

_MODEL_FILE = re.compile(r"(?:^|/)models\.py$|(?:^|/)models/[^/]+\.py$")
_CLASS = re.compile(r"^class[ \t]+(\w+)[ \t]*(?:\(|:)", re.M)
_TABLENAME = re.compile(r"^[ \t]+__tablename__[ \t]*=[ \t]*[\"'](\w+)[\"']", re.M)


def declared_owners(tree: Tree, names: Collection[str], own: Collection[str] = ()) -> dict[str, set[str]]:
    """For each column name of `names` (lower case), the tables whose SQLAlchemy model classes declare a
    column of that name (`name = Column(…)`, `name: Mapped[…] = mapped_column(…)`); `own`: the classes of
    the changed tables (`Order` for `orders`), whose table a class name alone does not spell."""
    found: dict[str, set[str]] = {}
    if not names:
        return found
    paths = [
        p for p in tree.paths() if _MODEL_FILE.search(p) and "/migrations/" not in p and "/versions/" not in p
    ]
    read_ahead(tree, paths)
    wanted = "|".join(re.escape(n) for n in sorted(names))
    declaration = re.compile(
        rf"^[ \t]+({wanted})[ \t]*(?::[^=\n]*)?=[ \t]*(?:\w+\.)*(?:Column|mapped_column)\(", re.M | re.I
    )
    for path in paths:
        text = tree.read(path)
        if not text or ("Column(" not in text and "mapped_column(" not in text):
            continue
        classes = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)]
        for match in declaration.finditer(text):
            owner = [(start, cls) for start, cls in classes if start < match.start()]
            if not owner:
                continue
            start, cls = owner[-1]
            if cls in own:
                continue
            following = next((s for s, _ in classes if s > start), len(text))
            named = _TABLENAME.search(text, start, following)
            table = named.group(1) if named else underscore(cls)
            found.setdefault(match.group(1).lower(), set()).add(table.lower())
    return found
