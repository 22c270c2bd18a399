"""`null-propagation` on MySQL's GREATEST and LEAST, which return NULL as soon as one argument is NULL (PostgreSQL's
skip NULL arguments): quiet on PostgreSQL, with the nullable argument replaced, or with the NULL rows kept out."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.test_data_expressions import _alembic, _flyway, _knex, _rails

NAMES = [("users", "last_seen_at", "last_login_at"), ("devices", "synced_at", "pinged_at")]
SCHEMA = "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} datetime, {b} datetime, score int, bonus int);\n"


def _found(framework, names, sql: str, dialect: str = "mysql") -> list:  # type: ignore[no-untyped-def]
    t, a, b = names
    path, text = framework(sql.format(t=t, a=a, b=b))
    result = review_sql(
        text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(t=t, a=a, b=b)}
    )
    return [f for f in result.active if f.rule == "null-propagation"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", [_flyway, _rails, _alembic, _knex])
def test_greatest_with_a_nullable_argument_on_mysql(framework, names) -> None:  # type: ignore[no-untyped-def]
    sql = "UPDATE {t} SET {a} = GREATEST({a}, {b}) WHERE id >= 1 AND id < 1000;"
    [finding] = _found(framework, names, sql)
    assert f"where `{names[2]}` is NULL" in finding.message
    assert _found(framework, names, sql, "mariadb")  # MariaDB's GREATEST is MySQL's
    assert not _found(framework, names, sql, "postgres")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {t} SET {a} = GREATEST({a}, COALESCE({b}, {a})) WHERE id >= 1 AND id < 1000;",
        "UPDATE {t} SET {a} = GREATEST({a}, {b}) WHERE {b} IS NOT NULL AND id >= 1 AND id < 1000;",
        "UPDATE {t} SET score = LEAST(COALESCE(score, 0), 100) WHERE id >= 1 AND id < 1000;",
    ],
)
def test_guarded_greatest_and_least_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_flyway, names, sql)


@pytest.mark.parametrize("names", NAMES)
def test_least_of_two_nullable_columns(names) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(
        _flyway, names, "UPDATE {t} SET score = LEAST(score, bonus) WHERE id >= 1 AND id < 1000;"
    )
    assert "`bonus` is NULL" in finding.message
