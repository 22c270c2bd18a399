"""sqlx (Rust) runs a crate's `migrations/<version>_<name>.sql` each in a transaction unless its first line is
`-- no-transaction`, and keeps the checksum of every migration it applied: any edit of one stops every later run
where it ran. A Cargo.toml that depends on sqlx says sqlx runs them."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import rule_ids

CARGO = {
    "plain": '[dependencies]\nsqlx = { version = "0.8", features = ["postgres", "migrate"] }\n',
    "workspace": '[workspace.dependencies.sqlx]\nversion = "0.8"\nfeatures = ["postgres"]\n',
}
NAMES = [("server/migrations", "history", "client_id"), ("crates/store/migrations", "records", "tag")]


def _change(
    folder: str,
    files: dict[str, str],
    edited: dict[str, tuple[str, str]] | None = None,
    cargo: str | None = "plain",
    earlier: dict[str, str] | None = None,
) -> ChangeSet:
    base = {
        f"{folder}/20240101000000_init.sql": "CREATE TABLE t0 (id bigint PRIMARY KEY);\n",
        **(earlier or {}),
    }
    if cargo is not None:
        base["Cargo.toml"] = CARGO[cargo]
    changed = [ChangedFile(p, "added", None, t) for p, t in files.items()]
    head = {**base, **files}
    for path, (old, new) in (edited or {}).items():
        base[path] = old
        head[path] = new
        changed.append(ChangedFile(path, "modified", old, new))
    return ChangeSet(
        base="b", head="h", files=tuple(changed), head_tree=MemoryTree(head), base_tree=MemoryTree(base)
    )


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
@pytest.mark.parametrize("cargo", ["plain", "workspace"])
def test_concurrently_in_sqlxs_transaction_fails_unless_the_file_opts_out(
    folder: str, table: str, column: str, cargo: str
) -> None:
    schema = {
        f"{folder}/20240102000000_{table}.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    }
    index = f"CREATE INDEX CONCURRENTLY {table}_{column} ON {table} ({column});\n"
    path = f"{folder}/20250101000000_index.sql"
    wrapped = review(_change(folder, {**schema, path: index}, cargo=cargo), dialect="postgres")
    assert "concurrent-in-transaction" in rule_ids(wrapped)
    assert any(
        "sqlx runs every migration in a transaction" in (m.transaction_note or "") for m in wrapped.migrations
    )
    opted_out = review(
        _change(folder, {**schema, path: "-- no-transaction\n" + index}, cargo=cargo), dialect="postgres"
    )
    assert "concurrent-in-transaction" not in rule_ids(opted_out)


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
def test_without_sqlx_the_file_runs_outside_a_transaction(folder: str, table: str, column: str) -> None:
    schema = {
        f"{folder}/20240102000000_{table}.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    }
    index = f"CREATE INDEX CONCURRENTLY {table}_{column} ON {table} ({column});\n"
    path = f"{folder}/20250101000000_index.sql"
    assert "concurrent-in-transaction" not in rule_ids(
        review(_change(folder, {**schema, path: index}, cargo=None), dialect="postgres")
    )


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
@pytest.mark.parametrize("cargo", ["plain", None])
def test_any_edit_of_an_applied_sqlx_migration_stops_the_next_run(
    folder: str, table: str, column: str, cargo: str | None
) -> None:
    path = f"{folder}/20240102000000_{table}.sql"
    old = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    new = f"-- the {table} of each client\n" + old
    result = review(_change(folder, {}, {path: (old, new)}, cargo=cargo), dialect="postgres")
    found = [f for f in result.active if f.rule == "applied-migration-edited"]
    if cargo is None:  # a runner that records versions only: a comment changes nothing anywhere
        assert found == []
        return
    assert [f.severity for f in found] == ["critical"]
    assert "was previously applied but has been modified" in found[0].blast_radius
    assert "only comments or spacing change" in found[0].message


@pytest.mark.parametrize(("folder", "table", "column"), NAMES)
def test_an_edit_of_a_version_sqlite_refused_in_sqlxs_transaction_is_no_edit_of_an_applied_one(
    folder: str, table: str, column: str
) -> None:
    """atuin 92b0e9085: `DROP COLUMN IF EXISTS` (SQLite: syntax error) after a first statement that ran, in the
    transaction sqlx wraps the file in: it rolled back and was never recorded; every database runs the fix."""
    path = f"{folder}/20240102000000_drop.sql"
    base_schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} text);\n"
    first = f"DROP TABLE IF EXISTS {table}_tokens;\n"
    old = first + f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column};\n"
    new = first + f"ALTER TABLE {table} DROP COLUMN {column};\n"
    change = _change(
        folder, {}, {path: (old, new)}, earlier={f"{folder}/20240101000001_{table}.sql": base_schema}
    )
    found = [f for f in review(change, dialect="sqlite").active if f.rule == "applied-migration-edited"]
    assert [f.severity for f in found] == ["info"]
    assert "no database ran it" in found[0].message
