"""A column dropped: a drop and an add of the same kind in one migration reads like a rename; a table rebuild
that leaves a column out drops it."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "old", "new", "path"),
    [
        ('"User"', "name", "fullName", "prisma/migrations/20260101000000_rename/migration.sql"),
        ("orders", "state", "status", "db/migrations/0002_rename.sql"),
    ],
)
def test_a_drop_and_an_add_of_the_same_kind_reads_like_a_rename(
    table: str, old: str, new: str, path: str
) -> None:
    """Prisma writes a renamed field as a drop and an add: the values of the old column are lost. Said with
    the RENAME that keeps them; quiet when the migration copies the values over, or adds a column of another
    kind."""

    quoted = f'"{new}"' if new != new.lower() else new
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text, price numeric);\n"}

    def message(sql: str) -> str:
        result = review_sql(sql, path=path, base=base)
        [found] = [f for f in result.active if f.rule == "column-dropped"]
        return found.message

    drop_add = f"ALTER TABLE {table} ADD COLUMN {quoted} text;\nALTER TABLE {table} DROP COLUMN {old};\n"
    assert f"RENAME COLUMN {old} TO {quoted}" in message(drop_add)
    copied = (
        f"ALTER TABLE {table} ADD COLUMN {quoted} text;\nUPDATE {table} SET {quoted} = {old};\n"
        f"ALTER TABLE {table} DROP COLUMN {old};\n"
    )
    assert "RENAME" not in message(copied)
    other_kind = f"ALTER TABLE {table} ADD COLUMN {quoted} boolean;\nALTER TABLE {table} DROP COLUMN {old};\n"
    assert "RENAME" not in message(other_kind)


@pytest.mark.parametrize(
    ("table", "old", "new"), [("announcements", "enabled", "disabled"), ("posts", "is_visible", "is_hidden")]
)
def test_a_drop_and_an_add_of_the_opposite_flag(table: str, old: str, new: str) -> None:
    from tests.conftest import review_sql

    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} boolean NOT NULL DEFAULT true);\n"
    }
    sql = f"ALTER TABLE {table} ADD COLUMN {new} boolean NOT NULL DEFAULT false;\nALTER TABLE {table} DROP COLUMN {old};\n"
    result = review_sql(sql, path="db/migrations/0002_flip.sql", base=base)
    [found] = [f for f in result.active if f.rule == "column-dropped"]
    assert f"fill it with `NOT {old}`" in found.message and "RENAME" not in found.message


@pytest.mark.parametrize(("table", "lost"), [("users", "nickname"), ("invoices", "memo")])
def test_a_rebuild_that_leaves_a_column_out_drops_it(table, lost) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text NOT NULL, {lost} text);\n-- migration\n"
    )
    rebuild = (
        f"CREATE TABLE {table}_new (id bigint PRIMARY KEY, email text NOT NULL);\n"
        f"INSERT INTO {table}_new (id, email) SELECT id, email FROM {table};\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};"
    )
    found = [f for f in review_sql(schema + rebuild).active if f.rule == "column-dropped"]
    assert [f"`{table}.{lost}`" in f.message and "rebuild" in f.message for f in found] == [True]
    kept = rebuild.replace("email text NOT NULL);", f"email text NOT NULL, {lost} text);").replace(
        "(id, email) SELECT id, email", f"(id, email, {lost}) SELECT id, email, {lost}"
    )
    assert not [f for f in review_sql(schema + kept).active if f.rule == "column-dropped"]
