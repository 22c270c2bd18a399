"""A data change that names its rows by a unique key (`WHERE id IN ('overall', 'images')`) reaches only those
rows, however big the table: not an unbatched change, and quick while a lock is held."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("leaderboards", "domain", "'overall_nsfw', 'images_nsfw'"), ("plans", "tier", "3, 4, 5")]


def _rules(sql: str) -> set[str]:
    return {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "column", "keys"), NAMES)
def test_rows_named_by_their_key_are_no_bulk_change(table: str, column: str, keys: str) -> None:
    key_type = "text" if "'" in keys else "bigint"
    schema = f"CREATE TABLE {table} (id {key_type} PRIMARY KEY, name text, kind text);\n-- migration\n"
    sql = (
        f"SET lock_timeout = '5s';\nBEGIN;\nALTER TABLE {table} ADD COLUMN {column} text;\n"
        f"UPDATE {table} SET {column} = 'x' WHERE id IN ({keys});\nCOMMIT;"
    )
    rules = _rules(schema + sql)
    assert not rules & {"unbatched-data-change", "statements-after-exclusive-lock"}, rules
    # the same list on a column that is no key reaches every row that holds one of the values
    by_kind = sql.replace(f"WHERE id IN ({keys})", "WHERE kind IN ('a', 'b')")
    assert {"unbatched-data-change", "statements-after-exclusive-lock"} <= _rules(schema + by_kind)
    deleted = f"DELETE FROM {table} WHERE id IN ({keys});"
    assert "unbatched-data-change" not in _rules(schema + deleted)
