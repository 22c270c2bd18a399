"""table-dropped: a table dropped while the same migration creates one of another name with the same columns
reads as a rename written as a drop and a create (Prisma writes a renamed model this way): every row is lost."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("Post", "Article"), ("team_members", "memberships")]


def _schema(old: str) -> str:
    return f'CREATE TABLE "{old}" ("id" SERIAL NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT);\n'


def _create(new: str, extra: str = "") -> str:
    return (
        f'CREATE TABLE "{new}" ("id" SERIAL NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT{extra});'
    )


@pytest.mark.parametrize(("old", "new"), NAMES)
def test_a_drop_beside_a_create_of_the_same_shape_is_a_lost_rename(old, new) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(
        f'DROP TABLE "{old}";\n' + _create(new),
        path="prisma/migrations/20240102000000_rename/migration.sql",
        base={"prisma/migrations/20240101000000_init/migration.sql": _schema(old)},
    )
    (finding,) = [f for f in result.active if f.rule == "table-dropped"]
    assert finding.severity.name == "CRITICAL" and f"creates `{new}` with the same columns" in finding.message
    assert f'ALTER TABLE "{old}" RENAME TO "{new}"' in finding.fix


@pytest.mark.parametrize(("old", "new"), NAMES)
def test_another_shape_or_a_copy_of_the_rows_is_no_lost_rename(old, new) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(old) + "-- migration\n"
    other = review_sql(schema + f'DROP TABLE "{old}";\n' + _create(new, ', "extra" INT'))
    assert all("same columns" not in f.message for f in other.active if f.rule == "table-dropped")
    copied = review_sql(
        schema + _create(new) + f'\nINSERT INTO "{new}" SELECT * FROM "{old}";\nDROP TABLE "{old}";'
    )
    assert all("same columns" not in f.message for f in copied.active if f.rule == "table-dropped")
