"""cascading-delete: what a DELETE takes with it through ON DELETE CASCADE, and what it does not."""

from __future__ import annotations

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
