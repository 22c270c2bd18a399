"""rebuild-deletes-children: a SQLite rebuild (create new, copy, drop old, rename) with foreign keys enforced deletes
the children of the dropped table through their ON DELETE CASCADE (shown on the real SQLite below); with
`PRAGMA foreign_keys = OFF` first, or children that only refuse, it is quiet."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import review_sql

RULE = "rebuild-deletes-children"
NAMES = [("users", "posts", "user_id"), ("albums", "tracks", "album_id")]


def _schema(parent: str, child: str, key: str, action: str = "ON DELETE CASCADE") -> str:
    return (
        f"CREATE TABLE {parent} (id integer PRIMARY KEY, name text);\n"
        f"CREATE TABLE {child} (id integer PRIMARY KEY, {key} integer REFERENCES {parent} (id) {action});\n"
    )


def _rebuild(parent: str) -> str:
    return (
        f"CREATE TABLE {parent}_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        f"INSERT INTO {parent}_new SELECT id, coalesce(name, '') FROM {parent};\n"
        f"DROP TABLE {parent};\n"
        f"ALTER TABLE {parent}_new RENAME TO {parent};\n"
    )


def _found(sql: str) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect="sqlite").active if f.rule == RULE]


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_rebuild_with_foreign_keys_on_deletes_the_children(parent: str, child: str, key: str) -> None:
    schema = _schema(parent, child, key)
    (finding,) = _found(schema + "-- migration\n" + _rebuild(parent))
    assert (
        finding.severity == "critical" and f"`{child}` ({key}) ON DELETE CASCADE deletes" in finding.message
    )
    (finding,) = _found(
        _schema(parent, child, key, "ON DELETE SET NULL") + "-- migration\n" + _rebuild(parent)
    )
    assert finding.severity == "warning"
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript("PRAGMA foreign_keys = ON;\n" + schema)
    db.execute(f"INSERT INTO {parent} VALUES (1, 'a')")
    db.execute(f"INSERT INTO {child} VALUES (1, 1)")
    db.executescript(_rebuild(parent))
    assert db.execute(f"SELECT count(*) FROM {parent}").fetchone() == (1,)
    assert db.execute(f"SELECT count(*) FROM {child}").fetchone() == (0,)


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_foreign_keys_off_or_refusing_children_are_quiet(parent: str, child: str, key: str) -> None:
    schema = _schema(parent, child, key) + "-- migration\n"
    assert not _found(
        schema + "PRAGMA foreign_keys = OFF;\n" + _rebuild(parent) + "PRAGMA foreign_keys = ON;\n"
    )
    assert not _found(_schema(parent, child, key, "") + "-- migration\n" + _rebuild(parent))
    assert not _found(schema + f"ALTER TABLE {parent} ADD COLUMN note text;")
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript("PRAGMA foreign_keys = ON;\n" + _schema(parent, child, key))
    db.execute(f"INSERT INTO {parent} VALUES (1, 'a')")
    db.execute(f"INSERT INTO {child} VALUES (1, 1)")
    db.executescript("PRAGMA foreign_keys = OFF;\n" + _rebuild(parent) + "PRAGMA foreign_keys = ON;\n")
    assert db.execute(f"SELECT count(*) FROM {child}").fetchone() == (1,)
