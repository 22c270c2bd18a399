"""A Rails enum declared as a list stores each value's position: a pull request that inserts a value in the
middle, removes one or reorders the list (code only, no migration) gives the stored integers new meanings.
Appending at the end, or a hash with explicit integers that keeps every name on its integer, is safe."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding
from bot.review import review

NAMES = [
    ("Order", "status", ["pending", "active", "archived"]),
    ("Subscription", "plan", ["free", "team", "business", "enterprise"]),
]
FORMS = {
    "array": "enum {column}: [{symbols}]",
    "keyword": "enum :{column}, [{symbols}]",
    "words": "enum {column}: %i[{words}]",
}


def _declared(form: str, column: str, values: list[str]) -> str:
    return FORMS[form].format(
        column=column, symbols=", ".join(f":{v}" for v in values), words=" ".join(values)
    )


def _found(model: str, before: str, after: str) -> list[Finding]:
    path = f"app/models/{model.lower()}.rb"
    old = f"class {model} < ApplicationRecord\n  belongs_to :account\n  {before}\nend\n"
    new = f"class {model} < ApplicationRecord\n  belongs_to :account\n  {after}\nend\n"
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "modified", old, new),),
        head_tree=MemoryTree({path: new}),
        base_tree=MemoryTree({path: old}),
    )
    return [f for f in review(changeset).active if f.rule == "enum-order-changed"]


@pytest.mark.parametrize(("model", "column", "values"), NAMES)
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_value_inserted_in_the_middle(model: str, column: str, values: list[str], form: str) -> None:
    inserted = [values[0], "trial", *values[1:]]
    (finding,) = _found(model, _declared(form, column, values), _declared(form, column, inserted))
    assert f"`{values[1]}` moves from 1 to 2" in finding.message and "now read as `trial`" in finding.message
    assert finding.path == f"app/models/{model.lower()}.rb" and finding.line == 3


@pytest.mark.parametrize(("model", "column", "values"), NAMES)
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_value_removed_or_the_list_sorted(model: str, column: str, values: list[str], form: str) -> None:
    removed = [values[0], *values[2:]]
    assert _found(model, _declared(form, column, values), _declared(form, column, removed))
    reordered = list(reversed(values))
    assert _found(model, _declared(form, column, values), _declared(form, column, reordered))


@pytest.mark.parametrize(("model", "column", "values"), NAMES)
@pytest.mark.parametrize("form", sorted(FORMS))
def test_appending_or_explicit_integers_is_safe(
    model: str, column: str, values: list[str], form: str
) -> None:
    before = _declared(form, column, values)
    assert not _found(model, before, _declared(form, column, [*values, "trial"]))
    pairs = ", ".join(f"{v}: {i}" for i, v in enumerate(values))
    assert not _found(model, before, f"enum {column}: {{ trial: {len(values)}, {pairs} }}")
    # a hash that moves a name to another integer is the same hazard
    moved = ", ".join(f"{v}: {i}" for i, v in enumerate(reversed(values)))
    assert _found(model, f"enum {column}: {{ {pairs} }}", f"enum {column}: {{ {moved} }}")
