"""A CHECK of the source table that keeps a column from NULL in the rows the copy chooses: `INSERT … SELECT
closed_at … WHERE status = 'CLOSED'` from a table whose CHECK says `(status = 'OPEN' AND closed_at IS NULL) OR
(status = 'CLOSED' AND closed_at IS NOT NULL)` copies no NULL. Under another condition it may."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    ("business_days", "status", "'OPEN'", "'CLOSED'", "closed_at", "timestamptz", "day_closures"),
    ("shipments", "state", "'pending'", "'delivered'", "delivered_on", "date", "deliveries"),
]


def _sql(
    source: str, status: str, open_: str, done: str, column: str, kind: str, target: str, where: str
) -> str:
    return (
        f"CREATE TABLE {source} (id bigint PRIMARY KEY, {status} varchar(20) NOT NULL, {column} {kind},\n"
        f"  CONSTRAINT {source}_snapshot_check CHECK (\n"
        f"    ({status} = {open_} AND {column} IS NULL)\n"
        f"    OR ({status} = {done} AND {column} IS NOT NULL AND id > 0)));\n"
        "-- migration\n"
        f"CREATE TABLE {target} (id bigint PRIMARY KEY, source_id bigint NOT NULL, {column} {kind} NOT NULL);\n"
        f"INSERT INTO {target} (id, source_id, {column}) SELECT id, id, {column} FROM {source} WHERE {where};\n"
    )


@pytest.mark.parametrize(("source", "status", "open_", "done", "column", "kind", "target"), NAMES)
def test_a_check_that_keeps_the_chosen_rows_from_null(
    source: str, status: str, open_: str, done: str, column: str, kind: str, target: str
) -> None:
    names = (source, status, open_, done, column, kind, target)
    chosen = review_sql(_sql(*names, where=f"{status} = {done}"))
    assert "null-into-not-null" not in {f.rule for f in chosen.active}
    [finding] = [
        f
        for f in review_sql(_sql(*names, where=f"{status} = {open_}")).active
        if f.rule == "null-into-not-null"
    ]
    assert f"`{target}.{column}`" in finding.message
    unfiltered = review_sql(_sql(*names, where="id > 0"))
    assert "null-into-not-null" in {f.rule for f in unfiltered.active}
