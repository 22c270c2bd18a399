"""A Python value named like a row of a model but annotated with another class is no row of it.

fides dropped the columns of `digest_condition` and kept them on a pydantic schema: the code reads
`condition.operator` from `condition: ConditionLeaf` parameters. With `digest_config`,
`digest_condition` and `digest_execution` in the schema, `condition` is also the name a row of
`digest_condition` goes by, and every such read was counted against the dropped column. A file that
annotates the name (`condition: ConditionLeaf`, `condition: Optional[Condition] = None`, `condition:
"Condition"`) only with classes other than the model's says what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Collection

# `name: Type`, a parameter's or a variable's annotation; wrappers are looked through
_WRAPPERS = frozenset(
    {"Optional", "Union", "List", "list", "Sequence", "Iterable", "Type", "type", "Annotated"}
)


def python_annotated_otherwise(text: str, name: str, models: Collection[str]) -> bool:
    """Does `text` annotate `name` (as a parameter or a variable) and only with classes none of `models`?"""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}[ \t]*:[ \t]*[\"']?([A-Za-z_][\w.]*)(\[[^\]\n]*\])?")
    seen = False
    for found in pattern.finditer(text):
        head, inner = found.group(1).rpartition(".")[2], found.group(2) or ""
        classes = re.findall(r"[A-Za-z_][\w.]*", inner) if head in _WRAPPERS else [head]
        classes = [c.rpartition(".")[2] for c in classes if c not in ("None", *_WRAPPERS)]
        if not classes or not any(c[:1].isupper() for c in classes):
            continue  # `name: str`, `name: dict`: says nothing of a model
        if any(c in models for c in classes):
            return False
        seen = True
    return seen
