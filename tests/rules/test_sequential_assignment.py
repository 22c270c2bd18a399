"""`sequential-assignment`: MySQL and MariaDB assign a single-table UPDATE's columns from left to right, so a
swap in one statement loses a column, and an assignment reading a column set before it reads the new value.
PostgreSQL computes every assignment from the old row: quiet there, and quiet on MySQL when no assignment reads
a column an earlier one wrote."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.test_data_expressions import _alembic, _flyway, _knex, _liquibase, _rails

NAMES = [
    ("people", "first_name", "last_name"),
    ("routes", "origin", "destination"),
    ("matches", "home_team", "away_team"),
]
SCHEMA = "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} varchar(50), {b} varchar(50), total numeric(12, 2), tax numeric(12, 2));\n"


def _found(framework, names, sql: str, dialect: str = "mysql") -> list:  # type: ignore[no-untyped-def]
    t, a, b = names
    path, text = framework(sql.format(t=t, a=a, b=b))
    result = review_sql(
        text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(t=t, a=a, b=b)}
    )
    return [f for f in result.active if f.rule == "sequential-assignment"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", [_flyway, _rails, _alembic, _knex, _liquibase])
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_swap_in_one_update_loses_a_column_on_mysql(framework, names, dialect) -> None:  # type: ignore[no-untyped-def]
    swap = "UPDATE {t} SET {a} = {b}, {b} = {a} WHERE id >= 1 AND id < 1000;"
    [finding] = _found(framework, names, swap, dialect)
    assert finding.severity.value == "critical"
    assert f"`{names[2]}` is set from `{names[1]}`" in finding.message
    assert not _found(framework, names, swap, "postgres")


@pytest.mark.parametrize("names", NAMES)
def test_a_later_assignment_reads_the_new_value(names) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(
        _flyway, names, "UPDATE {t} SET total = total * 100, tax = total * 0.2 WHERE id < 1000;"
    )
    assert finding.severity.value == "warning" and "`tax = total * 0.2` reads `total`" in finding.message
    for good in (
        "UPDATE {t} SET tax = total * 0.2, total = total * 100 WHERE id < 1000;",
        "UPDATE {t} SET {a} = upper({a}), {b} = upper({b}) WHERE id < 1000;",
        "UPDATE {t} SET total = total * 100 WHERE id < 1000;",
    ):
        assert not _found(_flyway, names, good), good
