"""A Rails enum declared as a list changes order: every stored integer now means another value.

## Why is this bad?
`enum status: [:pending, :active, :archived]` stores 0, 1 and 2, by position in the list. Inserting a
value in the middle (`[:pending, :trial, :active, :archived]`), removing one, or sorting the list gives the
existing integers new meanings: every `active` row (1) now reads as `trial`, every `archived` row (2) as
`active`. No migration runs and no test on an empty database fails; in production the data is silently
reinterpreted the moment the code deploys, and the writes of the new code mix both meanings.

## Use instead
Declare the enum as a hash with explicit values (`enum status: { pending: 0, active: 1, archived: 2 }`)
before changing it, keep every existing name on its integer, and add new values with new integers (at the
end of a list, or anywhere in a hash). To retire a value, move its rows to another one in a data migration
first and keep its integer unused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.changeset import ChangeSet
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.references.codesyntax.ruby import read
from bot.references.codesyntax.text import Definition
from bot.rules.context import Context

RULE = Rule(
    id="enum-order-changed",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Declare the enum as a hash with explicit integers and keep every existing name on its integer.",
    bad=("class Order < ApplicationRecord\n  enum status: [:pending, :trial, :active, :archived]\nend\n",),
    good=(
        "class Order < ApplicationRecord\n  enum status: { pending: 0, trial: 3, active: 1, archived: 2 }\nend\n",
        "class Order < ApplicationRecord\n  enum status: [:pending, :active, :archived, :trial]\nend\n",
    ),
)
# the examples are edits of this model (a code change, no migration)
EXAMPLE_PATH = "app/models/order.rb"
EXAMPLE_BASE = "class Order < ApplicationRecord\n  enum status: [:pending, :active, :archived]\nend\n"

_ENUM = re.compile(r"^[ \t]*enum[ \t(]", re.M)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    """A code change, not a migration: read by `check_change` over the pull request's Ruby files."""
    return iter(())


def watched(path: str) -> bool:
    """A Ruby file that may declare a model's enums (the app reads a pull request's trees for it)."""
    inside = f"/{path}"
    return (
        path.endswith(".rb")
        and "/models/" in inside
        and not any(part in inside for part in ("/db/", "/spec/", "/test/"))
    )


def check_change(changeset: ChangeSet) -> Iterator[Finding]:
    """The Rails enums of the changed Ruby files whose names and stored integers no longer match."""
    for changed in changeset.files:
        if not watched(changed.path):
            continue
        before, after = changed.base_text or "", changed.head_text or ""
        if not before or not after or not _ENUM.search(after) or before == after:
            continue
        old = {(d.owner, d.name): d for d in read(changed.path, before)[0] if d.kind == "Rails enum"}
        for new in read(changed.path, after)[0]:
            earlier = old.get((new.owner, new.name))
            if new.kind == "Rails enum" and earlier is not None:
                yield from _compared(changed.path, earlier, new)


def _compared(path: str, before: Definition, after: Definition) -> Iterator[Finding]:
    old = {m.label: m.value for m in before.members}
    new = {m.label: m.value for m in after.members}
    moved = [(label, old[label], new[label]) for label in old if label in new and old[label] != new[label]]
    if not moved:
        return
    names_now = {m.value: m.label for m in after.members}
    model = f"`{after.owner}.{after.name}`" if after.owner else f"`{after.name}`"
    parts = []
    for label, was, now in moved[:4]:
        taken = names_now.get(was)
        parts.append(
            f"`{label}` moves from {was} to {now}"
            + (
                f" (rows stored as {was} now read as `{taken}`)"
                if taken
                else f" (rows stored as {was} read as nothing)"
            )
        )
    more = f", and {len(moved) - 4} more" if len(moved) > 4 else ""
    line = next((m.line for m in after.members if m.label == moved[0][0]), after.line)
    listed = ", ".join(f"{label}: {value}" for label, value in old.items())
    yield RULE.finding(
        path,
        line,
        f"The enum {model} is a list whose order changed: {'; '.join(parts)}{more}. The database keeps "
        "the integers, so the existing rows change meaning when this code deploys.",
        blast_radius=f"Every existing row whose `{after.name}` holds one of the moved integers is read, shown and "
        "written back as another value; nothing fails.",
        fix=f"Declare it as a hash with the integers the rows hold (`enum {after.name}: {{ {listed} }}`) and give "
        "new values new integers; move rows in a data migration before retiring a value.",
        end_line=line,
    )
