"""Names in the SQL the review writes (validation queries, rollback steps) are quoted as names: a column
whose name holds a dot is one column, never a qualifier. The generated-SQL plugin runs these statements."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(("table", "column"), [("orders", "a.b"), ("invoices", "total.net")])
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_column_with_a_dot_is_quoted_whole(table: str, column: str, dialect: str) -> None:
    q = (lambda n: f"`{n}`") if dialect == "mysql" else (lambda n: f'"{n}"')
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {q(column)} text);\n-- migration\n"
        f"UPDATE {table} SET {q(column)} = 'x' WHERE id < 10;\n"
    )
    result = review_sql(sql, dialect=dialect)
    commands = [s.command for s in result.rollback_plan if s.command]
    assert any(q(column) in c for c in commands), commands
    assert not any(f" {column}" in c.replace(q(column), "") for c in commands), commands
