"""duplicates-all-deleted: a clean-up of duplicate rows that deletes every copy instead of all but one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "duplicates-all-deleted"
NAMES = [("members", "email"), ("devices", "serial_number")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(table: str, key: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(100), created_at timestamp);\n-- migration\n"


BAD = [
    ("DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k} AND a.id <> b.id;", None),
    ("DELETE FROM {t} x USING {t} y WHERE x.id != y.id AND x.{k} = y.{k};", None),
    ("DELETE FROM {t} a WHERE EXISTS (SELECT 1 FROM {t} b WHERE b.{k} = a.{k} AND b.id <> a.id);", None),
    ("DELETE FROM {t} WHERE {k} IN (SELECT {k} FROM {t} GROUP BY {k} HAVING count(*) > 1);", None),
    ("DELETE a FROM {t} a JOIN {t} b ON a.{k} = b.{k} AND a.id <> b.id;", "mysql"),
    (
        "DELETE FROM {t} WHERE {k} IN (SELECT {k} FROM (SELECT {k} FROM {t} GROUP BY {k} HAVING COUNT(*) >= 2) d);",
        "mysql",
    ),
]
GOOD = [
    ("DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k} AND a.id > b.id;", None),
    (
        "DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k} AND a.id <> b.id AND a.created_at < b.created_at;",
        None,
    ),
    ("DELETE FROM {t} WHERE id NOT IN (SELECT min(id) FROM {t} GROUP BY {k});", None),
    (
        "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY {k} ORDER BY id) "
        "AS n FROM {t}) s WHERE s.n > 1);",
        None,
    ),
    # the duplicated keys, but only the copies that are not the first
    (
        "DELETE FROM {t} WHERE {k} IN (SELECT {k} FROM {t} GROUP BY {k} HAVING count(*) > 1) "
        "AND id NOT IN (SELECT min(id) FROM {t} GROUP BY {k});",
        None,
    ),
    ("DELETE a FROM {t} a JOIN {t} b ON a.{k} = b.{k} AND a.id < b.id;", "mysql"),
    # a join of a table to itself that is no clean-up of duplicates: children of a parent row
    ("DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k} || '-old' AND a.id <> b.id;", None),
]


@pytest.mark.parametrize(("table", "key"), NAMES)
@pytest.mark.parametrize(("sql", "dialect"), BAD)
def test_every_copy_deleted_is_found(table, key, sql, dialect) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(_schema(table, key) + sql.format(t=table, k=key), dialect=dialect)
    assert f"duplicated `{key}` in `{table}`" in finding.message
    assert f"GROUP BY {key}" in finding.fix
    assert finding.severity.name == "CRITICAL"


@pytest.mark.parametrize(("table", "key"), NAMES)
@pytest.mark.parametrize(("sql", "dialect"), GOOD)
def test_a_clean_up_that_keeps_one_copy_is_quiet(table, key, sql, dialect) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_schema(table, key) + sql.format(t=table, k=key), dialect=dialect)


def test_the_same_in_a_rails_and_a_django_migration() -> None:
    base = {"db/migrations/000_schema.sql": _schema("members", "email").split("-- migration")[0]}
    rails = (
        "class DedupeMembers < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~SQL\n"
        "      DELETE FROM members a USING members b WHERE a.email = b.email AND a.id <> b.id\n    SQL\n"
        "  end\nend\n"
    )
    assert _found(rails, path="db/migrate/20240101000000_dedupe_members.rb", base=base)
    assert not _found(rails.replace("<>", ">"), path="db/migrate/20240101000000_dedupe_members.rb", base=base)


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE members (id bigint PRIMARY KEY, email text)")
    pg.execute("INSERT INTO members VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x')")
    pg.execute("DELETE FROM members a USING members b WHERE a.email = b.email AND a.id <> b.id")
    assert pg.execute("SELECT id FROM members ORDER BY id").fetchall() == [(3,)]  # both copies of a@x went
    pg.execute("INSERT INTO members VALUES (1, 'a@x'), (2, 'a@x')")
    pg.execute("DELETE FROM members a USING members b WHERE a.email = b.email AND a.id > b.id")
    assert pg.execute("SELECT id FROM members ORDER BY id").fetchall() == [(1,), (3,)]


SELF = [
    ("DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k};", None),
    ("DELETE a FROM {t} a INNER JOIN {t} b ON a.{k} = b.{k};", "mysql"),
]
NOT_SELF = [
    # the copies told apart by another comparison, or rows joined to other rows
    ("DELETE FROM {t} a USING {t} b WHERE a.{k} = b.{k} AND a.id > b.id;", None),
    ("DELETE FROM {t} a USING {t} b WHERE a.parent_id = b.id AND a.{k} = b.{k};", None),
    ("DELETE a FROM {t} a INNER JOIN {t} b ON a.{k} = b.{k} AND a.id < b.id;", "mysql"),
]


@pytest.mark.parametrize(("table", "key"), NAMES)
def test_a_self_join_that_tells_no_copies_apart_deletes_every_row(table: str, key: str) -> None:
    schema = _schema(table, key).replace("created_at timestamp", "created_at timestamp, parent_id bigint")
    for sql, dialect in SELF:
        [finding] = _found(schema + sql.format(t=table, k=key), dialect=dialect)
        assert "matches every row" in finding.message and f"`{key}` is not NULL" in finding.message
    for sql, dialect in NOT_SELF:
        assert all(
            "matches every row" not in f.message
            for f in _found(schema + sql.format(t=table, k=key), dialect=dialect)
        )


def test_a_self_join_with_no_tie_breaker_deletes_every_row_on_both_databases(pg, mariadb) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE members (id bigint PRIMARY KEY, email text)")
    pg.execute("INSERT INTO members VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x'), (4, NULL)")
    pg.execute("DELETE FROM members a USING members b WHERE a.email = b.email")
    assert pg.execute("SELECT id FROM members").fetchall() == [(4,)]  # b@x had no duplicate, and went too
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE members (id bigint PRIMARY KEY, email varchar(20))")
        cursor.execute("INSERT INTO members VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x'), (4, NULL)")
        cursor.execute("DELETE a FROM members a INNER JOIN members b ON a.email = b.email")
        cursor.execute("SELECT id FROM members")
        assert [tuple(r) for r in cursor.fetchall()] == [(4,)]
