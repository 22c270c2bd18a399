"""down-does-not-restore: after the up and then the down the schema must be what it was. Checked on the
catalog: columns and tables gone or left behind, a type not restored, a column left NOT NULL; quiet for a
way back the framework derives from the up (Rails' `change`) and for a column merely left nullable."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import review_sql

RULE = "down-does-not-restore"
NAMES = [("users", "nick", "handle"), ("invoices", "memo", "note")]


def _goose(table: str, up: str, down: str, schema: str) -> list[str]:
    sql = f"{schema}-- migration\n-- +goose Up\n{up}\n-- +goose Down\n{down}\n"
    return [f.message for f in review_sql(sql).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "old", "new"), NAMES)
def test_a_down_that_leaves_the_schema_different_is_reported(table: str, old: str, new: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text, total integer);\n"
    cases = [
        (
            f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};",
            f"ALTER TABLE {table} RENAME COLUMN {new} TO {old}_x;",
            f"`{table}.{old}` is gone",
        ),
        (
            f"ALTER TABLE {table} ADD COLUMN {new} integer NOT NULL DEFAULT 1;",
            "SELECT 1;",
            f"`{table}.{new}` is left behind",
        ),
        (
            f"ALTER TABLE {table} ALTER COLUMN total TYPE bigint;",
            f"ALTER TABLE {table} ALTER COLUMN total TYPE numeric;",
            f"`{table}.total` is `decimal`, was `int`",
        ),
        (
            f"ALTER TABLE {table} ALTER COLUMN {old} SET NOT NULL;",
            "SELECT 1;",
            f"`{table}.{old}` is NOT NULL, was nullable",
        ),
        (
            f"CREATE TABLE {table}_archive (id bigint PRIMARY KEY);",
            f"DROP TABLE {table}_archives;",
            f"table `{table}_archive` is left behind",
        ),
    ]
    for up, down, said in cases:
        messages = _goose(table, up, down, schema)
        assert len(messages) == 1 and said in messages[0], (up, down, messages)


@pytest.mark.parametrize(("table", "old", "new"), NAMES)
def test_an_exact_inverse_a_derived_down_or_a_column_left_nullable_is_quiet(
    table: str, old: str, new: str
) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text NOT NULL, total integer);\n"
    for up, down in (
        (
            f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};",
            f"ALTER TABLE {table} RENAME COLUMN {new} TO {old};",
        ),
        (f"ALTER TABLE {table} ADD COLUMN {new} text;", f"ALTER TABLE {table} DROP COLUMN {new};"),
        (
            f"ALTER TABLE {table} ALTER COLUMN {old} DROP NOT NULL;",
            "SELECT 1;",
        ),  # the old release writes it anyway
        (f"UPDATE {table} SET total = 0 WHERE total IS NULL;", "SELECT 1;"),  # no schema change to restore
        # a backup the down restores from stays on purpose
        (
            f"CREATE TABLE {table}_backup AS SELECT id, total FROM {table};\nUPDATE {table} SET total = 0;",
            f"UPDATE {table} SET total = b.total FROM {table}_backup b WHERE b.id = {table}.id;",
        ),
    ):
        assert not _goose(table, up, down, schema), (up, down)
    rails = (
        "class Rename < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    rename_column :{table}, :{old}, :{new}\n    add_column :{table}, :flag, :boolean\n  end\nend\n"
    )
    base = {"db/structure.sql": schema}
    result = review_sql(rails, path="db/migrate/20260101000000_rename.rb", base=base)
    assert RULE not in {f.rule for f in result.active}
    by_hand = rails.replace("  def change\n", "  def up\n").replace(
        "  end\nend\n", f"  end\n\n  def down\n    rename_column :{table}, :{new}, :{old}\n  end\nend\n"
    )
    found = [
        f.message
        for f in review_sql(by_hand, path="db/migrate/20260101000000_rename.rb", base=base).active
        if f.rule == RULE
    ]
    assert len(found) == 1 and f"`{table}.flag` is left behind" in found[0], found


@pytest.mark.parametrize(("schema_name", "enum"), [("utils", "mode_enum"), ("audit", "state_enum")])
def test_the_catalog_follows_what_such_downs_do(schema_name: str, enum: str) -> None:
    """A type renamed back (its columns follow it), a schema dropped with its tables, a key or a named NOT NULL
    constraint making a column NOT NULL: the schema after the down is the schema before."""
    base = f"CREATE TYPE {enum} AS ENUM ('a', 'b', 'c');\nCREATE TABLE site (id bigint PRIMARY KEY, mode {enum} NOT NULL);\n"
    up = (
        f"CREATE TYPE {enum}_new AS ENUM ('a', 'b');\n"
        f"ALTER TABLE site ALTER COLUMN mode TYPE {enum}_new USING mode::text::{enum}_new;\n"
        f"DROP TYPE {enum};\nALTER TYPE {enum}_new RENAME TO {enum};"
    )
    down = up.replace("('a', 'b')", "('a', 'b', 'c')")
    assert not _goose("site", up, down, base)
    up = f"CREATE SCHEMA {schema_name};\nCREATE TABLE {schema_name}.saved (id bigint PRIMARY KEY, ddl text);"
    assert not _goose("site", up, f"DROP SCHEMA {schema_name} CASCADE;", base)
    inline = "CREATE TABLE ban (person_id integer NOT NULL PRIMARY KEY, published_at timestamptz NOT NULL DEFAULT now());\n"
    keyed = (
        "CREATE TABLE ban (person_id integer, published_at timestamptz DEFAULT now(), "
        "CONSTRAINT ban_published_not_null NOT NULL published_at, PRIMARY KEY (person_id));"
    )
    assert not _goose("ban", "DROP TABLE ban;", keyed, inline + base)


@pytest.mark.parametrize(("table", "old", "new"), NAMES)
def test_unique_indexes_and_defaults_the_down_does_not_restore(table: str, old: str, new: str) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text NOT NULL, state text NOT NULL DEFAULT 'open');\n"
        f"CREATE UNIQUE INDEX {table}_{old}_key ON {table} ({old});\n"
    )
    reported = [
        (f"DROP INDEX {table}_{old}_key;", "SELECT 1;", f"the unique index on `{table}({old})` is gone"),
        (
            f"CREATE UNIQUE INDEX {table}_state ON {table} (state) WHERE state = 'open';",
            "SELECT 1;",
            f"a unique index on `{table}(state)` is left behind",
        ),
        (
            f"ALTER TABLE {table} ALTER COLUMN state DROP DEFAULT;",
            "SELECT 1;",
            f"`{table}.state` has the default none, was `'open'`",
        ),
        (
            f"ALTER TABLE {table} ALTER COLUMN state SET DEFAULT 'closed';",
            f"ALTER TABLE {table} ALTER COLUMN state SET DEFAULT 'draft';",
            f"`{table}.state` has the default `'draft'`, was `'open'`",
        ),
    ]
    for up, down, expected in reported:
        [message] = _goose(table, up, down, schema)
        assert expected in message, (up, message)
    restored = [
        # the same unique index under another name, the default spelled with a cast
        (f"DROP INDEX {table}_{old}_key;", f'CREATE UNIQUE INDEX "idx_{table}_{old}" ON {table} ("{old}");'),
        (
            f"ALTER TABLE {table} ALTER COLUMN state DROP DEFAULT;",
            f"ALTER TABLE {table} ALTER COLUMN state SET DEFAULT 'open'::text;",
        ),
        # a unique index on a column the down drops goes with the column
        (
            f"ALTER TABLE {table} ADD COLUMN token text;\nCREATE UNIQUE INDEX {table}_token ON {table} (token);",
            f"ALTER TABLE {table} DROP COLUMN token;",
        ),
        # an index that only speeds queries up, and one on an expression
        (f"CREATE INDEX {table}_state_idx ON {table} (state);", "SELECT 1;"),
        (f"CREATE UNIQUE INDEX {table}_lower ON {table} (lower({old}));", "SELECT 1;"),
    ]
    for up, down in restored:
        assert _goose(table, up, down, schema) == [], up


@pytest.mark.parametrize(("table", "old", "new"), NAMES)
def test_a_migration_written_as_numbered_parts_is_judged_whole(table: str, old: str, new: str) -> None:
    # pop's split files: each part's down is not its own up's inverse; the downs, last part first, undo the ups
    folder = "persistence/sql/migrations"
    parts = [
        (f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text NOT NULL);", f"DROP TABLE {table}_{new};"),
        (f"CREATE UNIQUE INDEX {table}_{old}_idx ON {table} ({old});", f"DROP TABLE {table};"),
        (f"CREATE TABLE {table}_{new} (id bigint PRIMARY KEY);", ""),
    ]
    files = {}
    for index, (up, down) in enumerate(parts):
        stem = f"{folder}/20200519101057{index:06d}_{table}.postgres"
        files[f"{stem}.up.sql"] = up
        files[f"{stem}.down.sql"] = down
    changeset = ChangeSet(
        "b",
        "h",
        tuple(ChangedFile(path, "added", None, text) for path, text in sorted(files.items())),
        MemoryTree(files),
        MemoryTree({}),
    )
    assert [f for f in review(changeset).active if f.rule == RULE] == []
    # the parts' downs leave a table behind: one finding, for the whole migration
    files[f"{folder}/20200519101057000000_{table}.postgres.down.sql"] = "SELECT 1;"
    changeset = ChangeSet(
        "b",
        "h",
        tuple(ChangedFile(path, "added", None, text) for path, text in sorted(files.items())),
        MemoryTree(files),
        MemoryTree({}),
    )
    [finding] = [f for f in review(changeset).active if f.rule == RULE]
    assert f"table `{table}_{new}` is left behind" in finding.message


@pytest.mark.parametrize(
    ("table", "column", "was", "up", "down", "dialect"),
    [
        ("users", "display_name", "varchar(255)", "text", "varchar(100)", "postgres"),
        ("links", "target_url", "varchar(2048)", "text", "varchar(1024)", "mysql"),
        ("events", "counter", "bigint", "numeric(30,0)", "integer", "postgres"),
    ],
)
def test_a_down_that_narrows_the_column_below_what_it_was_does_not_restore(
    table: str, column: str, was: str, up: str, down: str, dialect: str
) -> None:
    """The old release wrote values up to what the column held before: a down that leaves it narrower fails on
    them (and on those written since the up). Restored as wide as before, or wider, it is no finding; SQLite
    keeps any length in any text column."""
    alter = (
        "ALTER TABLE {t} MODIFY {c} {ty}"
        if dialect == "mysql"
        else "ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty}"
    )
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} {was});\n-- migration\n"
    up_sql = alter.format(t=table, c=column, ty=up) + ";\n"

    def found(down_type: str, dialect: str = dialect) -> list[str]:
        base = {"db/migrations/001_change.down.sql": alter.format(t=table, c=column, ty=down_type) + ";\n"}
        result = review_sql(
            schema + up_sql, path="db/migrations/001_change.up.sql", dialect=dialect, head=base
        )
        return [f.message for f in result.active if f.rule == "down-does-not-restore"]

    [message] = found(down)
    assert f"`{table}.{column}` is `" in message
    assert f"`, was `{was}`: narrower" in message
    assert found(was) == []


@pytest.mark.parametrize(("table", "column"), [("users", "age"), ("events", "kind")])
def test_an_index_the_down_leaves_makes_the_up_fail_when_it_runs_again(
    pg: Any, table: str, column: str
) -> None:
    """A plain index only speeds queries up, but one the up creates by name and the down leaves in place makes
    the next up fail (`already exists`): up, down and up again is the contract of a way back. Created with IF
    NOT EXISTS, dropped by the down, or built again by a down that rebuilds the table, it is no finding."""
    schema = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n-- migration\n"
    index = f"{table}_{column}_idx"

    def found(up: str, down: str) -> list[str]:
        sql = f"{schema}-- +goose Up\n{up}-- +goose Down\n{down}"
        result = review_sql(sql, path="db/migrations/20240101000000_idx.sql", dialect="postgres")
        return [f.message for f in result.active if f.rule == "down-does-not-restore"]

    create = f"CREATE INDEX {index} ON {table} ({column});\nALTER TABLE {table} ADD COLUMN note text;\n"
    drop_note = f"ALTER TABLE {table} DROP COLUMN note;\n"
    [message] = found(create, drop_note)
    assert f"the index `{index}` is left behind, and the up fails on it when it runs again" in message
    assert found(create, f"DROP INDEX {index};\n" + drop_note) == []
    assert found(create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"), drop_note) == []
    pg.execute(schema.split("\n-- migration")[0])
    pg.execute(f"CREATE INDEX {index} ON {table} ({column})")
    with pytest.raises(Exception, match="already exists"):
        pg.execute(f"CREATE INDEX {index} ON {table} ({column})")
