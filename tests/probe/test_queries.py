"""Generated SQL: every name from a migration is a quoted identifier, every value a literal."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from bot.probe import queries

HOSTILE = 'x"; DROP TABLE users; --'
MYSQL_HOSTILE = "x`; DROP TABLE users; --"


@pytest.mark.parametrize(("dialect", "name"), [("postgres", HOSTILE), ("mysql", MYSQL_HOSTILE)])
def test_hostile_names_stay_one_quoted_identifier(dialect: str, name: str) -> None:
    source = queries.table("public", name)
    built = [
        queries.count_rows(source, dialect, 10),
        queries.distribution(source, name, dialect),
        queries.nulls(source, name, dialect, 5),
        queries.duplicates(source, (name,), dialect),
        queries.orphans(source, (name,), queries.table("public", name), ("id",), dialect),
        queries.lookup(source, "id", ("1", "2"), (name,), dialect),
        queries.misfits(source, name, "not-in-enum", 0, ("a'; DROP TABLE users; --",), dialect),
    ]
    for sql in built:
        parsed = sqlglot.parse(sql, read="postgres" if dialect == "postgres" else "mysql")
        assert len(parsed) == 1 and isinstance(parsed[0], exp.Select), sql
        assert not any(isinstance(node, exp.Drop) for node in parsed[0].walk())
        tables = {t.name for t in parsed[0].find_all(exp.Table)}
        assert tables <= {name, ""}, sql


def test_lookups_only_take_digits() -> None:
    with pytest.raises(ValueError):
        queries.lookup(queries.table("public", "plans"), "id", ("1 OR 1=1",), (), "postgres")


def test_samples_use_tablesample_on_postgres_and_a_random_share_on_mysql() -> None:
    source = queries.table("public", "orders")
    assert "TABLESAMPLE SYSTEM (2.5)" in queries.distribution(source, "status", "postgres", 2.5)
    assert "WHERE RAND() < 0.01) AS scoped" in queries.distribution(source, "status", "mysql", 0.01)


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_expressions_and_guards_are_rebuilt_from_safe_parts_only(dialect: str) -> None:
    source = queries.table("public", "users")
    sql = queries.duplicates(source, ("lower(email)",), dialect, where="deleted_at IS NULL")
    assert "LOWER(" in sql and "deleted_at" in sql
    for hostile in ("(SELECT 1)", "pg_sleep(5) IS NULL", "email = ?", "id IN (SELECT id FROM victims)"):
        with pytest.raises(ValueError):
            queries.duplicates(source, ("email",), dialect, where=hostile)
    with pytest.raises(ValueError):
        queries.duplicates(source, ("my_function(email)",), dialect)
