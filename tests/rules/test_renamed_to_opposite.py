"""swapped-values: a column renamed to a name that means the opposite keeps its values, so every row inverts."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "old", "new"), [("posts", "is_hidden", "is_visible"), ("accounts", "disabled", "enabled")]
)
def test_a_rename_to_the_opposite_meaning_inverts_every_row(table, old, new) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} boolean NOT NULL DEFAULT false);\n-- migration\n"
    )
    rename = f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};"
    found = [f for f in review_sql(schema + rename).active if f.rule == "swapped-values"]
    assert len(found) == 1 and "opposite" in found[0].message and f"NOT {new}" in found[0].fix
    negated = rename + f"\nUPDATE {table} SET {new} = NOT {new} WHERE id BETWEEN 1 AND 1000;"
    assert not [f for f in review_sql(schema + negated).active if f.rule == "swapped-values"]
    same_meaning = f"ALTER TABLE {table} RENAME COLUMN {old} TO {old}_flag;"
    assert not [f for f in review_sql(schema + same_meaning).active if f.rule == "swapped-values"]
