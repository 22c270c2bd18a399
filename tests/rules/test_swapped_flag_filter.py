"""swapped-values: a flag set on the rows whose flag of the opposite meaning already says the same
(`SET is_disabled = TRUE WHERE is_active = TRUE`), in SQL, Rails and Django."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "swapped-values"
FLAGS = [
    ("users", "is_disabled", "is_active"),
    ("posts", "hidden", "visible"),
    ("shops", "is_closed", "open"),
]


def _schema(table: str, target: str, source: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {target} boolean NOT NULL DEFAULT false, "
        f"{source} boolean NOT NULL DEFAULT true);\n-- migration\n"
    )


def _found(sql: str, **kw) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "target", "source"), FLAGS)
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE {t} SET {a} = TRUE WHERE {b} = TRUE AND id < 1000;",
        "UPDATE {t} SET {a} = true WHERE {b} AND id < 1000;",
        "UPDATE {t} SET {a} = false WHERE NOT {b} AND id < 1000;",
        "UPDATE {t} SET {a} = false WHERE {b} IS FALSE AND id < 1000;",
    ],
)
def test_a_flag_set_where_its_opposite_agrees_is_found(table, target, source, change) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(_schema(table, target, source) + change.format(t=table, a=target, b=source))
    assert f"`{table}.{target}`" in finding.message and f"`{source}`" in finding.message
    assert finding.severity.name == "WARNING"


@pytest.mark.parametrize(("table", "target", "source"), FLAGS)
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE {t} SET {a} = TRUE WHERE {b} = FALSE AND id < 1000;",
        "UPDATE {t} SET {a} = true WHERE NOT {b} AND id < 1000;",
        "UPDATE {t} SET {a} = false WHERE {b} AND id < 1000;",
        # either of two conditions: not every changed row is one whose flag agrees
        "UPDATE {t} SET {a} = TRUE WHERE ({b} = TRUE OR id < 10) AND id < 1000;",
    ],
)
def test_the_consistent_direction_is_quiet(table, target, source, change) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_schema(table, target, source) + change.format(t=table, a=target, b=source))


def test_mysql_ones_and_zeros() -> None:
    schema = "CREATE TABLE members (id bigint PRIMARY KEY, is_active tinyint(1), is_suspended tinyint(1));\n-- migration\n"
    assert _found(
        schema + "UPDATE members SET is_suspended = 1 WHERE is_active = 1 AND id < 500;", dialect="mysql"
    )
    assert not _found(
        schema + "UPDATE members SET is_suspended = 1 WHERE is_active = 0 AND id < 500;", dialect="mysql"
    )


def test_rails_and_django() -> None:
    base = {
        "db/migrations/000_schema.sql": _schema("users", "is_disabled", "is_active").split("-- migration")[0]
    }
    rails = (
        "class DisableInactive < ActiveRecord::Migration[7.1]\n  def up\n"
        "    User.where(is_active: true).in_batches.update_all(is_disabled: true)\n  end\nend\n"
    )
    path = "db/migrate/20240102000000_disable_inactive.rb"
    assert _found(rails, path=path, base=base)
    assert not _found(rails.replace("is_active: true", "is_active: false"), path=path, base=base)
    fields = {
        "is_visible": "models.BooleanField(default=True)",
        "is_hidden": "models.BooleanField(default=False)",
    }
    bad = data_migration("Article", "Article.objects.filter(is_visible=True).update(is_hidden=True)")
    good = data_migration("Article", "Article.objects.filter(is_visible=False).update(is_hidden=True)")
    assert RULE in {f.rule for f in review_migration("Article", fields, bad).active}
    assert RULE not in {f.rule for f in review_migration("Article", fields, good).active}
