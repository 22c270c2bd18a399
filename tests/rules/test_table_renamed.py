"""`table-renamed`: what is a table's rename and what is not."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "renamed"),
    [("extras_customfield_content_types", "extras_customfield_object_types"), ("orders", "purchases")],
)
@pytest.mark.parametrize("sequence", [True, False])
def test_the_sequence_of_a_serial_column_renamed_with_alter_table_is_no_table(
    table: str, renamed: str, sequence: bool
) -> None:
    """NetBox renames `…_content_types_id_seq` with `ALTER TABLE IF EXISTS … RENAME TO …` after renaming the
    join table: a sequence, which the column's default names by oid; the table itself is still reported."""
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, note text);\n-- migration\n"
    old, new = (f"{table}_id_seq", f"{renamed}_id_seq") if sequence else (table, renamed)
    result = review_sql(schema + f"ALTER TABLE IF EXISTS {old} RENAME TO {new};\n", dialect="postgres")
    assert ("table-renamed" in {f.rule for f in result.active}) is not sequence
