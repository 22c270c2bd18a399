"""down-drops-data: a down migration that drops or empties what held data before its up ran."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [("users", "accounts", "bio", "about"), ("orders", "purchases", "note", "remark")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "down-drops-data"]


def _goose(table: str, up: str, down: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text, bio text, note text);\n-- migration\n"
        f"-- +goose Up\n{up}\n-- +goose Down\n{down}\n"
    )


@pytest.mark.parametrize(("table", "renamed", "column", "new_column"), NAMES)
def test_a_down_that_drops_a_renamed_table_destroys_it(table, renamed, column, new_column) -> None:  # type: ignore[no-untyped-def]
    sql = _goose(table, f"ALTER TABLE {table} RENAME TO {renamed};", f"DROP TABLE {renamed};")
    (finding,) = _found(sql)
    assert f"`{renamed}`" in finding.message and f"renamed `{table}`" in finding.message
    assert f"rename it back to `{table}`" in finding.fix


@pytest.mark.parametrize(("table", "renamed", "column", "new_column"), NAMES)
def test_a_down_that_drops_a_renamed_column_destroys_it(table, renamed, column, new_column) -> None:  # type: ignore[no-untyped-def]
    sql = _goose(
        table,
        f"ALTER TABLE {table} RENAME COLUMN {column} TO {new_column};",
        f"ALTER TABLE {table} DROP COLUMN {new_column};",
    )
    (finding,) = _found(sql)
    assert f"`{table}.{new_column}`" in finding.message


@pytest.mark.parametrize(("table", "renamed", "column", "new_column"), NAMES)
@pytest.mark.parametrize(
    "down",
    [
        "DROP TABLE {table};",
        "TRUNCATE {table};",
        "ALTER TABLE {table} DROP COLUMN email;",
    ],
)
def test_a_down_that_drops_what_was_there_before(table, renamed, column, new_column, down) -> None:  # type: ignore[no-untyped-def]
    sql = _goose(table, f"CREATE INDEX {table}_email ON {table} (email);", down.format(table=table))
    assert _found(sql)


@pytest.mark.parametrize(("table", "renamed", "column", "new_column"), NAMES)
@pytest.mark.parametrize(
    ("up", "down"),
    [
        ("ALTER TABLE {table} RENAME TO {renamed};", "ALTER TABLE {renamed} RENAME TO {table};"),
        (
            "ALTER TABLE {table} ADD COLUMN {new_column} text;",
            "ALTER TABLE {table} DROP COLUMN {new_column};",
        ),
        ("CREATE TABLE {renamed} (id bigint PRIMARY KEY);", "DROP TABLE {renamed};"),
        (
            "ALTER TABLE {table} DROP COLUMN {column};",
            # the column put back in its old place: added, filled from the one it replaces, then swapped
            "ALTER TABLE {table} ADD COLUMN {column} text, ADD COLUMN email_new text;\n"
            "UPDATE {table} SET email_new = email;\n"
            "ALTER TABLE {table} DROP COLUMN email;\n"
            "ALTER TABLE {table} RENAME COLUMN email_new TO email;",
        ),
    ],
)
def test_a_down_that_undoes_its_up_is_quiet(table, renamed, column, new_column, up, down) -> None:  # type: ignore[no-untyped-def]
    names = {"table": table, "renamed": renamed, "column": column, "new_column": new_column}
    assert not _found(_goose(table, up.format(**names), down.format(**names)))


RAILS = """class Rename{Name}Column < ActiveRecord::Migration[7.1]
  def up
    rename_column :{table}, :{column}, :{new_column}
  end

  def down
    {down}
  end
end
"""


@pytest.mark.parametrize(("table", "renamed", "column", "new_column"), NAMES)
def test_rails_down_that_removes_the_renamed_column(table, renamed, column, new_column) -> None:  # type: ignore[no-untyped-def]
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"}
    path = f"db/migrate/20260101000000_rename_{table}_column.rb"
    fields = {"Name": table.title(), "table": table, "column": column, "new_column": new_column}
    bad = RAILS.format(**fields, down=f"remove_column :{table}, :{new_column}")
    good = RAILS.format(**fields, down=f"rename_column :{table}, :{new_column}, :{column}")
    assert _found(bad, path=path, base=base)
    assert not _found(good, path=path, base=base)


def test_alembic_downgrade_that_drops_the_table_the_upgrade_renamed() -> None:
    base = {"db/structure.sql": "CREATE TABLE events (id bigint PRIMARY KEY, title text);\n"}
    text = (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        "def upgrade():\n    op.rename_table('events', 'meetings')\n\n\n"
        "def downgrade():\n    op.drop_table('meetings')\n"
    )
    (finding,) = _found(text, path="alembic/versions/b2_rename_events.py", base=base)
    assert "`meetings`" in finding.message
    fixed = text.replace("op.drop_table('meetings')", "op.rename_table('meetings', 'events')")
    assert not _found(fixed, path="alembic/versions/b2_rename_events.py", base=base)


@pytest.mark.parametrize(
    ("table", "earlier"), [("login_flows", "login_requests"), ("invoices_v2", "invoices")]
)
def test_a_migration_written_as_numbered_parts_drops_only_what_another_part_created(
    table: str, earlier: str
) -> None:
    """pop's split files: the down of part 0 drops the table part 2 creates. Judged whole, the down drops
    only what the parts created; a down that drops a table from before the migration is still a finding."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    folder = "persistence/sql/migrations/sql"
    base = {
        f"{folder}/20200101000000000000_{earlier}.postgres.up.sql": f"CREATE TABLE {earlier} (id bigint PRIMARY KEY);"
    }
    parts = [
        (f"ALTER TABLE {earlier} ADD COLUMN note text;", f"DROP TABLE {table}_methods;"),
        (f"CREATE TABLE {table} (id bigint PRIMARY KEY);", f"DROP TABLE {table};"),
        (
            f"CREATE TABLE {table}_methods (id bigint PRIMARY KEY);",
            f"ALTER TABLE {earlier} DROP COLUMN note;",
        ),
    ]

    def found(parts: list[tuple[str, str]], lint: bool) -> list[str]:
        """A pull request that adds the parts, or a lint of the history (each file a change of its own)."""
        files = {}
        for index, (up, down) in enumerate(parts):
            stem = f"{folder}/20200519101057{index:06d}_{table}.postgres"
            files[f"{stem}.up.sql"], files[f"{stem}.down.sql"] = up, down
        given = (base | files) if lint else files
        changed = tuple(ChangedFile(p, "added", None, t) for p, t in sorted(given.items()) if ".up." in p)
        changeset = ChangeSet("b", "h", changed, MemoryTree(base | files), MemoryTree({} if lint else base))
        result = review(changeset, lint=lint)
        return [f.message for f in result.active if f.rule == "down-drops-data"]

    for lint in (False, True):
        assert found(parts, lint) == [], lint
    parts[1] = (parts[1][0], f"DROP TABLE {table};\nDROP TABLE {earlier};")
    for lint in (False, True):
        [message] = found(parts, lint)
        assert f"drops `{earlier}`" in message


@pytest.mark.parametrize(("table", "quote"), [("selfservice_errors", '"'), ("audit_events", "`")])
def test_a_down_that_copies_a_table_before_dropping_it_moves_its_rows(table: str, quote: str) -> None:
    """A SQLite rebuild in the down (create a copy, INSERT … SELECT FROM the table, drop it, rename the copy)
    moves the rows, whether the table's name is quoted or not; a drop without the copy loses them."""
    q = f"{quote}{table}{quote}"
    up = f"ALTER TABLE {q} ADD COLUMN csrf text NOT NULL DEFAULT '';"
    down = (
        f"CREATE TABLE {quote}_{table}_tmp{quote} (id text PRIMARY KEY, body text);\n"
        f"INSERT INTO {quote}_{table}_tmp{quote} (id, body) SELECT id, body FROM {q};\n"
        f"DROP TABLE {q};\n"
        f"ALTER TABLE {quote}_{table}_tmp{quote} RENAME TO {q};"
    )
    sql = (
        f"CREATE TABLE {table} (id text PRIMARY KEY, body text);\n-- migration\n"
        f"-- +goose NO TRANSACTION\n-- +goose Up\n{up}\n-- +goose Down\n{down}"
    )
    dialect = "sqlite" if quote == '"' else "mysql"
    assert [f for f in review_sql(sql, dialect=dialect).active if f.rule == "down-drops-data"] == []
    lost = sql.replace(f"INSERT INTO {quote}_{table}_tmp{quote} (id, body) SELECT id, body FROM {q};\n", "")
    assert [f for f in review_sql(lost, dialect=dialect).active if f.rule == "down-drops-data"]
