"""Drizzle's migrator runs every pending migration in one transaction on PostgreSQL: an enum value one migration
of a pull request adds cannot be used by the next one ("unsafe use of new value"), though each works alone."""

from __future__ import annotations

import json

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids

NAMES = [("order_status", "orders", "review"), ("ticket_state", "tickets", "escalated")]


def _journal(*tags: str) -> str:
    entries = [
        {"idx": i, "version": "7", "when": 1700000000000 + i, "tag": t, "breakpoints": True}
        for i, t in enumerate(tags)
    ]
    return json.dumps({"version": "7", "dialect": "postgresql", "entries": entries})


@pytest.mark.parametrize(("kind", "table", "value"), NAMES)
@pytest.mark.parametrize("together", [True, False])
def test_a_value_added_earlier_in_the_same_run_cannot_be_used(
    kind: str, table: str, value: str, together: bool
) -> None:
    init = f'CREATE TYPE "{kind}" AS ENUM(\'open\', \'closed\');\nCREATE TABLE "{table}" ("id" serial PRIMARY KEY, "state" "{kind}");\n'
    add = f"ALTER TYPE \"{kind}\" ADD VALUE '{value}';\n"
    use = f'UPDATE "{table}" SET "state" = \'{value}\' WHERE "state" = \'open\';\n'
    files = {"drizzle/0000_init.sql": init, "drizzle/0001_add.sql": add, "drizzle/0002_use.sql": use}
    journal = {"drizzle/meta/_journal.json": _journal("0000_init", "0001_add", "0002_use")}
    base = {**journal, "drizzle/0000_init.sql": init}
    if not together:  # the value shipped in an earlier release: committed long before
        base["drizzle/0001_add.sql"] = add
    changed = ["drizzle/0002_use.sql"] + (["drizzle/0001_add.sql"] if together else [])
    changeset = ChangeSet(
        base="b",
        head="h",
        files=tuple(ChangedFile(p, "added", None, files[p]) for p in sorted(changed)),
        head_tree=MemoryTree({**journal, **files}),
        base_tree=MemoryTree(base),
    )
    assert ("enum-value-in-transaction" in rule_ids(review(changeset))) is together
