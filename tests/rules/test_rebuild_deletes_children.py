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


ALEMBIC_ENV = """from alembic import context
from sqlalchemy import engine_from_config, event


def run_migrations_online():
    connectable = engine_from_config(context.config.get_section("alembic"))

    @event.listens_for(connectable, "connect")
    def _foreign_keys(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA foreign_keys={switch}")
"""
ALEMBIC_INITIAL = """revision = "a1"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("{parent}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(40)))
    op.create_table(
        "{child}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("{key}", sa.Integer, sa.ForeignKey("{parent}.id", ondelete="CASCADE")),
    )
"""
ALEMBIC_BATCH = """revision = "b2"
down_revision = "a1"

from alembic import op
import sqlalchemy as sa


def upgrade():
    with op.batch_alter_table("{parent}"{recreate}) as batch_op:
        batch_op.{call}


def downgrade():
    pass
"""
WIDEN = 'alter_column("name", existing_type=sa.String(40), type_=sa.String(80))'


@pytest.mark.parametrize(
    ("parent", "child", "key"), [("users", "posts", "user_id"), ("teams", "members", "team_id")]
)
@pytest.mark.parametrize(
    ("switch", "call", "recreate", "reported"),
    [
        ("ON", WIDEN, "", True),
        ("OFF", WIDEN, "", False),
        ("ON", 'add_column(sa.Column("bio", sa.Text))', "", False),
        ("ON", WIDEN, ', recreate="never"', False),
    ],
)
def test_an_alembic_batch_rebuild_with_foreign_keys_on(  # type: ignore[no-untyped-def]
    parent, child, key, switch, call, recreate, reported
) -> None:
    names = {"parent": parent, "child": child, "key": key}
    result = review_sql(
        ALEMBIC_BATCH.format(call=call, recreate=recreate, **names),
        path="alembic/versions/b2_change.py",
        dialect="sqlite",
        base={
            "alembic/env.py": ALEMBIC_ENV.format(switch=switch),
            "alembic/versions/a1_init.py": ALEMBIC_INITIAL.format(**names),
        },
    )
    found = [f for f in result.active if f.rule == RULE]
    assert bool(found) is reported
    assert not found or f"`{child}` ({key}) ON DELETE CASCADE deletes" in found[0].message
