"""What a real pull request that drops a column together with its code, in a forward-only repository, should
read as: the removed code is what the running release still executes (a warning), a protobuf `reserved`
line is no use, and a repository that keeps no down migrations gets a note, not a blocker."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

HISTORY = {
    f"store/migration/postgres/0.{n}/00__step.sql": f"CREATE TABLE IF NOT EXISTS t{n} (id int);"
    for n in range(1, 7)
}


def _findings(
    table: str, column: str, base_code: dict[str, str], head_code: dict[str, str], history: dict[str, str]
):  # type: ignore[no-untyped-def]
    schema = {
        "store/migration/postgres/0.0/00__init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);"
    }
    base = {**schema, **history, **base_code}
    path, sql = "store/migration/postgres/0.9/00__drop.sql", f"ALTER TABLE {table} DROP COLUMN {column};"
    head = {**schema, **history, **head_code, path: sql}
    files = [ChangedFile(path, "added", None, sql)] + [
        ChangedFile(p, "modified", base_code[p], text)
        for p, text in head_code.items()
        if base_code.get(p) != text
    ]
    changeset = ChangeSet(
        base="base", head="head", files=tuple(files), head_tree=MemoryTree(head), base_tree=MemoryTree(base)
    )
    return {f.rule: f for f in review(changeset).active}


@pytest.mark.parametrize(("table", "column"), [("reaction", "content_id"), ("inbox", "legacy_payload")])
def test_removed_code_makes_it_a_warning_and_reserved_is_no_use(table, column) -> None:  # type: ignore[no-untyped-def]
    go = f'package store\n\nfunc list() string {{\n\treturn "SELECT id, {column} FROM {table}"\n}}\n'
    proto = f'syntax = "proto3";\n\nmessage Item {{\n  reserved 3;\n  reserved "{column}";\n  string id = 1;\n}}\n'
    found = _findings(
        table,
        column,
        {"store/db/list.go": go, "proto/api.proto": proto},
        {"store/db/list.go": "package store\n", "proto/api.proto": proto},
        HISTORY,
    )
    dropped = found["column-dropped"]
    assert dropped.severity.name == "WARNING"
    assert "store/db/list.go:4" in dropped.message and "running during the deploy" in dropped.message
    assert not any("api.proto" in (r.path if hasattr(r, "path") else str(r)) for r in dropped.references)


@pytest.mark.parametrize(("table", "column"), [("reaction", "content_id"), ("inbox", "legacy_payload")])
def test_a_forward_only_history_gets_a_note_not_a_blocker(table, column) -> None:  # type: ignore[no-untyped-def]
    forward = _findings(table, column, {}, {}, HISTORY)["missing-down-migration"]
    assert forward.severity.name == "INFO" and "none has a down migration" in forward.message
    # one file of the history with a way back: the convention is to write one, and this file lacks it
    with_down = {**HISTORY, "store/migration/postgres/0.3/00__step.down.sql": "DROP TABLE t3;"}
    assert _findings(table, column, {}, {}, with_down)["missing-down-migration"].severity.name == "CRITICAL"
    # too short a history says nothing of a convention
    short = dict(list(HISTORY.items())[:2])
    assert _findings(table, column, {}, {}, short)["missing-down-migration"].severity.name == "CRITICAL"
