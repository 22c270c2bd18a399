"""A statement of the down migration that the database refuses: the rollback stops there when it is needed
(wallabag's down built `DELETE FROMinternal_setting` and was approved). A warning, at the down's line."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [("internal_setting", "theme"), ("preferences", "locale")]


def _review(table: str, column: str, down: str) -> list[tuple[str, str, str]]:
    folder = "db/migrations"
    base = {f"{folder}/000001_init.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n"}
    files = {
        f"{folder}/000002_{column}.up.sql": f"ALTER TABLE {table} ADD COLUMN {column} text;\n",
        f"{folder}/000002_{column}.down.sql": down,
    }
    changeset = ChangeSet(
        base="b",
        head="h",
        files=tuple(ChangedFile(p, "added", None, t) for p, t in files.items()),
        head_tree=MemoryTree({**base, **files}),
        base_tree=MemoryTree(base),
    )
    return [
        (f.severity, f.path, f.message)
        for f in review(changeset, dialect="postgres").active
        if f.rule == "unparsed-statement"
    ]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_down_statement_the_database_refuses_is_a_warning(table: str, column: str) -> None:
    down = f"DELETE FROM{table} WHERE name = '{column}';\nALTER TABLE {table} DROP COLUMN {column};\n"
    [(severity, path, message)] = _review(table, column, down)
    assert severity == "warning" and path.endswith(".down.sql")
    assert message.startswith("In the down migration: PostgreSQL refuses this statement")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_down_the_database_runs_has_none(table: str, column: str) -> None:
    down = f"DELETE FROM {table} WHERE name = '{column}';\nALTER TABLE {table} DROP COLUMN {column};\n"
    assert _review(table, column, down) == []
