"""A MySQL ENUM redefined without a member loses the rows that hold it (strict mode refuses the ALTER:
`Data truncated`), unless the migration first moved every such row off it with an UPDATE of the column whose
condition picks exactly those rows (`WHERE kind = 'x'`, `WHERE kind IN ('x', 'y')`). An UPDATE that moves only
some of them (another condition besides) leaves the others to fail. Checked on MariaDB 10.11."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

# (table, column, kept, dropped, replacement)
NAMES = [
    ("queues", "type", "io.kestra.Execution", "io.kestra.flows.Flow", "io.kestra.flows.FlowWithSource"),
    ("tickets", "state", "open", "stale", "closed"),
]


def _schema(table: str, column: str, kept: str, dropped: str, replacement: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, `{column}` ENUM('{kept}', '{dropped}') NOT NULL, "
        "owner bigint);\n"
        f"-- migration\n"
        f"ALTER TABLE {table} MODIFY COLUMN `{column}` ENUM('{kept}', '{dropped}', '{replacement}') NOT NULL;\n"
    )


def _lossy(sql: str) -> list[str]:
    result = review_sql(sql, dialect="mysql")
    return [f.message for f in result.active if f.rule == "lossy-type-change"]


@pytest.mark.parametrize(("table", "column", "kept", "dropped", "replacement"), NAMES)
@pytest.mark.parametrize("where", ["`{c}` = '{d}'", "{c} IN ('{d}')"])
def test_a_member_every_row_was_moved_off_is_no_loss(
    table: str, column: str, kept: str, dropped: str, replacement: str, where: str
) -> None:
    condition = where.format(c=column, d=dropped)
    sql = _schema(table, column, kept, dropped, replacement) + (
        f"UPDATE {table} SET `{column}` = '{replacement}' WHERE {condition};\n"
        f"ALTER TABLE {table} MODIFY COLUMN `{column}` ENUM('{kept}', '{replacement}') NOT NULL;\n"
    )
    assert _lossy(sql) == []


@pytest.mark.parametrize(("table", "column", "kept", "dropped", "replacement"), NAMES)
def test_a_member_some_rows_still_hold_is_a_loss(
    table: str, column: str, kept: str, dropped: str, replacement: str
) -> None:
    sql = _schema(table, column, kept, dropped, replacement) + (
        f"UPDATE {table} SET `{column}` = '{replacement}' WHERE `{column}` = '{dropped}' AND owner = 7;\n"
        f"ALTER TABLE {table} MODIFY COLUMN `{column}` ENUM('{kept}', '{replacement}') NOT NULL;\n"
    )
    [message] = _lossy(sql)
    assert dropped.lower() in message.lower()
    # and with no UPDATE at all
    bare = _schema(table, column, kept, dropped, replacement) + (
        f"ALTER TABLE {table} MODIFY COLUMN `{column}` ENUM('{kept}', '{replacement}') NOT NULL;\n"
    )
    [message] = _lossy(bare)
    assert dropped.lower() in message.lower()
