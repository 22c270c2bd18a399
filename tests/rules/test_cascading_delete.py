"""cascading-delete: what a DELETE takes with it through ON DELETE CASCADE, and what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("parent", "child", "key"),
    [("donation_goals", "donations", "goal_id"), ("playlists", "playlist_items", "playlist_id")],
)
def test_children_moved_to_the_surviving_rows_first_are_not_deleted_by_the_cascade(
    parent, child, key
) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, entity_id bigint);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint REFERENCES {parent} (id) ON DELETE CASCADE);\n"
    )
    merge = (
        f"CREATE TEMP TABLE merged AS SELECT id AS loser_id, min(id) OVER (PARTITION BY entity_id) AS winner_id FROM {parent};\n"
        f"UPDATE {child} c SET {key} = m.winner_id FROM merged m WHERE c.{key} = m.loser_id AND m.loser_id <> m.winner_id;\n"
        f"DELETE FROM {parent} WHERE id IN (SELECT loser_id FROM merged WHERE loser_id <> winner_id);"
    )
    assert "cascading-delete" not in {f.rule for f in review_sql(f"{schema}-- migration\n{merge}").active}
    # without the move, the cascade takes the children of the deleted rows with them
    unmoved = "\n".join(line for line in merge.splitlines() if not line.startswith("UPDATE"))
    assert "cascading-delete" in {f.rule for f in review_sql(f"{schema}-- migration\n{unmoved}").active}


@pytest.mark.parametrize(
    ("parent", "child", "key"),
    [("userTags", "tagLinks", "tagId"), ("folders", "documents", "folder_id")],
)
@pytest.mark.parametrize("dialect", ["sqlite", "mariadb"])
def test_an_inline_reference_with_on_delete_cascade_cascades(
    mariadb: Any, dialect: str, parent: str, child: str, key: str
) -> None:
    """`col … REFERENCES parent(id) ON DELETE CASCADE` written on the column (not as a table constraint) is
    the same key: deleting parents deletes the children, it does not fail on them. SQLite and MariaDB both
    keep the action (shown on the real MariaDB)."""
    schema = (
        f"CREATE TABLE {parent} (id integer PRIMARY KEY, owner integer);\n"
        f"CREATE TABLE {child} (id integer PRIMARY KEY, {key} integer REFERENCES {parent}(id) ON DELETE CASCADE);\n"
    )
    result = review_sql(f"{schema}-- migration\nDELETE FROM {parent} WHERE owner IS NULL;\n", dialect=dialect)
    rules = {f.rule for f in result.active}
    assert "cascading-delete" in rules
    assert "referenced-rows-deleted" not in rules
    with mariadb.cursor() as cursor:
        for statement in schema.split(";\n")[:2]:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {parent} VALUES (1, NULL)")
        cursor.execute(f"INSERT INTO {child} VALUES (1, 1)")
        cursor.execute(f"DELETE FROM {parent} WHERE owner IS NULL")
        cursor.execute(f"SELECT COUNT(*) FROM {child}")
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"DROP TABLE {child}, {parent}")


@pytest.mark.parametrize(
    ("parent", "child", "key"), [("userTags", "tagLinks", "tagId"), ("folders", "documents", "folder_id")]
)
def test_an_inline_reference_without_an_action_still_refuses_the_delete(
    parent: str, child: str, key: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id integer PRIMARY KEY, owner integer);\n"
        f"CREATE TABLE {child} (id integer PRIMARY KEY, {key} integer REFERENCES {parent}(id));\n"
    )
    result = review_sql(
        f"{schema}-- migration\nDELETE FROM {parent} WHERE owner IS NULL;\n", dialect="sqlite"
    )
    rules = {f.rule for f in result.active}
    assert "cascading-delete" not in rules
    assert "referenced-rows-deleted" in rules
