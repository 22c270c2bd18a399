"""insert-collision: an INSERT … SELECT that can put the same value of a unique key into the table twice,
or one the table already holds."""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql
import pytest

from tests.conftest import review_sql, rule_ids

RULE = "insert-collision"
NAMES = [("posts", "tag", "tags", "name"), ("orders", "coupon_code", "coupons", "code")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(source: str, column: str, target: str, key: str) -> str:
    return (
        f"CREATE TABLE {source} (id bigint PRIMARY KEY, {column} varchar(40), slug varchar(40) UNIQUE, "
        "user_id bigint);\n"
        f"CREATE TABLE users (id bigint PRIMARY KEY);\n-- migration\n"
        f"CREATE TABLE {target} (id bigint PRIMARY KEY, {key} varchar(80) NOT NULL UNIQUE, uses bigint);\n"
    )


REPEATS = [
    ("INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s};", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, lower({c}) FROM {s} WHERE {c} IS NOT NULL;", None),
    ("INSERT INTO {t} (id, {k}, uses) SELECT DISTINCT id, {c}, user_id FROM {s};", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, 'general' FROM {s};", None),
    (
        "INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s} ON CONFLICT ({k}) DO UPDATE SET uses = {t}.uses + 1;",
        None,
    ),
    ("INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s};", "mysql"),
]
ONCE = [
    ("INSERT INTO {t} (id, {k}) SELECT min(id), {c} FROM {s} GROUP BY {c};", None),
    ("INSERT INTO {t} (id, {k}) SELECT DISTINCT ON ({c}) id, {c} FROM {s} ORDER BY {c}, id;", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, slug FROM {s};", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, 'post-' || id FROM {s};", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s} ON CONFLICT ({k}) DO NOTHING;", None),
    ("INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s} LIMIT 1;", None),
    ("INSERT IGNORE INTO {t} (id, {k}) SELECT id, {c} FROM {s};", "mysql"),
    ("INSERT INTO {t} (id, {k}) SELECT id, {c} FROM {s} ON DUPLICATE KEY UPDATE uses = uses + 1;", "mysql"),
    ("INSERT OR IGNORE INTO {t} (id, {k}) SELECT id, {c} FROM {s};", "sqlite"),
]


@pytest.mark.parametrize(("source", "column", "target", "key"), NAMES)
def test_a_select_that_can_repeat_a_unique_value_is_found(
    source: str, column: str, target: str, key: str
) -> None:
    schema = _schema(source, column, target, key)
    for sql, dialect in REPEATS:
        found = _found(schema + sql.format(s=source, c=column, t=target, k=key), dialect=dialect)
        assert [f.severity for f in found] == ["critical"], sql
        assert f"unique key `{target}({key})`" in found[0].message
    for sql, dialect in ONCE:
        assert _found(schema + sql.format(s=source, c=column, t=target, k=key), dialect=dialect) == [], sql


@pytest.mark.parametrize(("source", "column", "target", "key"), NAMES)
def test_a_copy_into_a_table_that_already_has_rows(source: str, column: str, target: str, key: str) -> None:
    empty = _schema(source, column, target, key).replace("-- migration\n", "") + "-- migration\n"
    copy = f"INSERT INTO {target} (id, {key}) SELECT min(id), {column} FROM {source} GROUP BY {column};"
    assert _found(empty + copy) == []  # rows not shown: a table from an earlier release may be empty
    seeded = f"INSERT INTO {target} (id, {key}) VALUES (1, 'first');\n"
    schema = empty.replace("-- migration\n", seeded + "-- migration\n")
    [finding] = _found(schema + copy)
    assert finding.severity == "warning" and f"`{target}` already has rows" in finding.message
    guarded = copy.replace(
        " GROUP BY", f" s WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{key} = s.{column}) GROUP BY"
    )
    assert _found(schema + guarded) == []
    # a table the same change created holds nothing yet
    assert _found(_schema(source, column, target, key) + copy) == []


def test_what_it_says_happens_on_postgresql(pg: psycopg.Connection) -> None:
    pg.execute("CREATE TABLE posts (id bigint PRIMARY KEY, tag text)")
    pg.execute("INSERT INTO posts VALUES (1, 'urgent'), (2, 'urgent'), (3, 'later')")
    for n in range(3):
        pg.execute(f"CREATE TABLE tags{n} (name text PRIMARY KEY, uses int DEFAULT 0)")
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg.execute("INSERT INTO tags0 (name) SELECT tag FROM posts")
    with pytest.raises(psycopg.errors.CardinalityViolation):  # "cannot affect row a second time"
        pg.execute(
            "INSERT INTO tags1 (name) SELECT tag FROM posts ON CONFLICT (name) DO UPDATE SET uses = tags1.uses + 1"
        )
    pg.execute("INSERT INTO tags2 (name) SELECT tag FROM posts ON CONFLICT (name) DO NOTHING")
    assert pg.execute("SELECT count(*) FROM tags2").fetchone() == (2,)


def test_what_it_says_happens_on_mariadb(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE posts (id bigint PRIMARY KEY, tag varchar(20))")
        cursor.execute("CREATE TABLE tags (name varchar(20) PRIMARY KEY, uses int DEFAULT 0)")
        cursor.execute("INSERT INTO posts VALUES (1, 'urgent'), (2, 'urgent'), (3, 'later')")
        with pytest.raises(pymysql.err.IntegrityError):
            cursor.execute("INSERT INTO tags (name) SELECT tag FROM posts")
        cursor.execute(
            "INSERT INTO tags (name) SELECT tag FROM posts ON DUPLICATE KEY UPDATE uses = uses + 1"
        )
        cursor.execute("SELECT name, uses FROM tags ORDER BY name")
        assert [tuple(r) for r in cursor.fetchall()] == [("later", 0), ("urgent", 1)]


@pytest.mark.parametrize(("source", "column", "target", "key"), NAMES)
def test_a_key_dropped_by_the_name_the_database_gave_it_no_longer_counts(
    source: str, column: str, target: str, key: str
) -> None:
    schema = (
        f"CREATE TABLE {source} (id bigint PRIMARY KEY, {column} varchar(40), lang int);\n"
        f"CREATE TABLE {target} (id bigserial PRIMARY KEY, {key} varchar(80), lang int, UNIQUE ({key}, lang));\n"
        "-- migration\n"
    )
    copy = f"INSERT INTO {target} ({key}, lang) SELECT {column}, 37 FROM {source};"
    assert [f.severity for f in _found(schema + copy)] == ["critical"]
    dropped = f"ALTER TABLE {target} DROP CONSTRAINT {target}_{key}_lang_key;\n"
    assert _found(schema + dropped + copy) == []
    # a constant beside the grouped values: one row per group
    grouped = f"INSERT INTO {target} ({key}, lang) SELECT {column}, 37 FROM {source} GROUP BY {column};"
    assert _found(schema + grouped) == []


@pytest.mark.parametrize(("source", "column", "target", "key"), NAMES)
def test_a_unique_index_goes_with_its_dropped_column(source: str, column: str, target: str, key: str) -> None:
    schema = _schema(source, column, target, key)
    again = f"ALTER TABLE {target} DROP COLUMN {key};\nALTER TABLE {target} ADD COLUMN {key} varchar(80);\n"
    copy = f"INSERT INTO {target} (id, {key}) SELECT id, {column} FROM {source};"
    assert [f.severity for f in _found(schema + copy)] == ["critical"]
    assert _found(schema + again + copy) == []


@pytest.mark.parametrize(
    ("source", "target", "function", "prefix"),
    [
        ('"Organisation"', '"OrganisationGlobalSettings"', "generate_prefix_id", "org_setting"),
        ("teams", "team_settings", "make_public_id", "team"),
    ],
)
def test_a_volatile_function_of_the_project_makes_a_new_key_for_each_row(
    source: str, target: str, function: str, prefix: str
) -> None:
    """documenso's `INSERT INTO "OrganisationGlobalSettings" ("id", …) SELECT generate_prefix_id('org_setting'),
    … FROM "Organisation"`: the function its migrations created without a volatility (VOLATILE) returns the
    prefix and a random suffix, a new value on each row, though its argument is a constant. One declared
    IMMUTABLE returns the same value for the same argument: the second row collides (checked on PostgreSQL 15)."""

    def sql(volatility: str) -> str:
        return (
            f"CREATE TABLE {source} (id text PRIMARY KEY, name text);\n-- migration\n"
            f"CREATE FUNCTION {function}(prefix TEXT) RETURNS TEXT AS $$\nBEGIN\n"
            f"  RETURN prefix || '_' || md5(random()::text);\nEND;\n$$ LANGUAGE plpgsql{volatility};\n"
            f'CREATE TABLE {target} (id text PRIMARY KEY, "ownerId" text NOT NULL);\n'
            f"INSERT INTO {target} (id, \"ownerId\") SELECT {function}('{prefix}'), o.id FROM {source} o;\n"
        )

    assert not _found(sql(""))
    assert not _found(sql(" VOLATILE"))
    (finding,) = _found(sql(" IMMUTABLE"))
    assert f"`{function}('{prefix}')`" in finding.message.lower()


@pytest.mark.parametrize(
    ("table", "source", "made"),
    [
        ("twofactor", "users", "lower(hex(randomblob(16)))"),
        ("api_keys", "accounts", "md5(random()::text)"),
    ],
)
def test_a_value_made_for_each_row_cannot_repeat(table: str, source: str, made: str) -> None:
    """vaultwarden's create_u2f_twofactor gives each copied row `lower(hex(randomblob(16)))` as its key: a
    critical said the SELECT could repeat it."""
    dialect = "sqlite" if "randomblob" in made else "postgres"
    schema = f"CREATE TABLE {source} (uuid TEXT PRIMARY KEY, secret TEXT);\n-- migration\n"
    created = f"CREATE TABLE {table} (uuid TEXT NOT NULL PRIMARY KEY, user_uuid TEXT NOT NULL, data TEXT NOT NULL);\n"
    made_here = f"INSERT INTO {table} (uuid, user_uuid, data) SELECT {made}, uuid, secret FROM {source} WHERE secret IS NOT NULL;\n"
    assert "insert-collision" not in rule_ids(review_sql(schema + created + made_here, dialect=dialect))
    copied = f"INSERT INTO {table} (uuid, user_uuid, data) SELECT secret, uuid, secret FROM {source} WHERE secret IS NOT NULL;\n"
    assert "insert-collision" in rule_ids(review_sql(schema + created + copied, dialect=dialect))
