"""rebuild-drops-constraints: a table rebuilt by copy whose new table lacks what the old one enforced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "rebuild-drops-constraints"
NAMES = [("users", "email", "orders"), ("devices", "serial_number", "readings")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def _schema(t: str, k: str, child: str, serial: str = "serial") -> str:
    return (
        f"CREATE TABLE {t} (id {serial} PRIMARY KEY, {k} text NOT NULL UNIQUE, "
        f"created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {t}_id int REFERENCES {t}(id));\n-- migration\n"
    )


def _swap(t: str) -> str:
    return f"DROP TABLE {t} CASCADE;\nALTER TABLE {t}_new RENAME TO {t};"


@pytest.mark.parametrize(("t", "k", "child"), NAMES)
def test_create_table_as_select_keeps_nothing_but_the_values(t, k, child) -> None:  # type: ignore[no-untyped-def]
    sql = _schema(t, k, child) + f"CREATE TABLE {t}_new AS SELECT id, {k}, created_at FROM {t};\n" + _swap(t)
    (finding,) = _found(sql)
    for lost in (
        "the primary key (id)",
        f"NOT NULL on `{k}`",
        "the defaults of `id`, `created_at`",
        f"the unique key on `{k}`",
        f"`{child}.{t}_id`",
    ):
        assert lost in finding.message, lost
    rules = {f.rule for f in review_sql(sql).active}
    assert (
        "table-dropped" not in rules and "column-dropped" not in rules
    )  # one rebuild, the name and rows stay


@pytest.mark.parametrize(("t", "k", "child"), NAMES)
def test_a_rebuild_that_declares_less_is_found(t, k, child) -> None:  # type: ignore[no-untyped-def]
    sql = (
        _schema(t, k, child)
        + f"CREATE TABLE {t}_new (id serial PRIMARY KEY, {k} text, created_at timestamp NOT NULL);\n"
        + f"INSERT INTO {t}_new (id, {k}, created_at) SELECT id, {k}, created_at FROM {t};\n"
        + f"ALTER TABLE {child} DROP CONSTRAINT {child}_{t}_id_fkey;\n"
        + _swap(t)
        + f"\nALTER TABLE {child} ADD CONSTRAINT {child}_{t}_id_fkey FOREIGN KEY ({t}_id) REFERENCES {t}(id) NOT VALID;"
    )
    (finding,) = _found(sql)
    assert f"NOT NULL on `{k}`" in finding.message and "`created_at`" in finding.message
    assert "primary key" not in finding.message and "pointed at it" not in finding.message


@pytest.mark.parametrize(("t", "k", "child"), NAMES)
def test_like_including_all_or_a_full_definition_is_quiet(t, k, child) -> None:  # type: ignore[no-untyped-def]
    like = (
        _schema(t, k, child)
        + f"CREATE TABLE {t}_new (LIKE {t} INCLUDING ALL);\nINSERT INTO {t}_new SELECT * FROM {t};\n"
        + f"DROP TABLE {t};\nALTER TABLE {t}_new RENAME TO {t};"
    )
    assert not _found(like)
    # LIKE without INCLUDING copies NOT NULL only
    bare = like.replace(" INCLUDING ALL", "")
    (finding,) = _found(bare)
    assert "the primary key (id)" in finding.message and "NOT NULL" not in finding.message


def test_sqlite_rebuild() -> None:
    schema = (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT '', pinned INTEGER NOT NULL "
        "DEFAULT 0);\n-- migration\n"
    )
    rebuild = (
        "CREATE TABLE notes_new (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT '', pinned INTEGER{});\n"
        "INSERT INTO notes_new (id, body, pinned) SELECT id, body, pinned FROM notes;\n"
        "DROP TABLE notes;\nALTER TABLE notes_new RENAME TO notes;"
    )
    (finding,) = _found(schema + rebuild.format(""), dialect="sqlite")
    assert "NOT NULL on `pinned`" in finding.message and "`pinned`" in finding.message
    assert not _found(schema + rebuild.format(" NOT NULL DEFAULT 0"), dialect="sqlite")


def test_mysql_create_like_copies_the_definition() -> None:
    schema = "CREATE TABLE carts (id bigint AUTO_INCREMENT PRIMARY KEY, token varchar(64) NOT NULL UNIQUE);\n-- migration\n"
    sql = (
        "CREATE TABLE carts_new LIKE carts;\nINSERT INTO carts_new SELECT * FROM carts;\n"
        "DROP TABLE carts;\nALTER TABLE carts_new RENAME TO carts;"
    )
    assert not _found(schema + sql, dialect="mysql")


def test_what_postgresql_keeps_of_create_table_as(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE)")
    pg.execute("INSERT INTO users (email) VALUES ('a@x')")
    pg.execute("CREATE TABLE users_new AS SELECT id, email FROM users")
    pg.execute("INSERT INTO users_new (email) VALUES ('a@x'), (NULL)")  # no key, no NOT NULL, no default
    assert pg.execute("SELECT count(*), count(id) FROM users_new").fetchone() == (3, 1)


@pytest.mark.parametrize(
    ("table", "dropped", "kept"), [("members", "open_id", "username"), ("tags", "legacy_key", "label")]
)
def test_a_key_on_a_column_the_rebuild_drops_goes_with_it(table, dropped, kept) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {kept} TEXT NOT NULL UNIQUE, {dropped} TEXT UNIQUE, "
        f"UNIQUE (id, {dropped}));\n-- migration\n"
    )
    rebuild = (
        f"CREATE TABLE {table}_temp (id INTEGER PRIMARY KEY, {kept} TEXT NOT NULL UNIQUE);\n"
        f"INSERT INTO {table}_temp (id, {kept}) SELECT id, {kept} FROM {table};\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_temp RENAME TO {table};"
    )
    assert not _found(schema + rebuild, dialect="sqlite")  # column-dropped speaks of the column
    assert "column-dropped" in {f.rule for f in review_sql(schema + rebuild, dialect="sqlite").active}


PRISMA_NAMES = [
    ("Field", "field", "last_modified_by", "lastModifiedBy"),
    ("View", "view", "owner_id", "ownerId"),
]


@pytest.mark.parametrize("models", ["", "models"])
@pytest.mark.parametrize(("model", "table", "column", "field"), PRISMA_NAMES)
def test_prisma_redefines_a_sqlite_table_as_its_schema_declares(
    model: str, table: str, column: str, field: str, models: str
) -> None:
    """Prisma changes a SQLite column by rebuilding the table ("RedefineTables"): a NOT NULL and a default the
    schema no longer declares (`String?`, no `@default`) are the change it was generated for. A multi-file
    schema's models may lie in a folder under the one of `schema.prisma` (rallly's `prisma/models/*.prisma`)."""
    init = (
        f'CREATE TABLE "{table}" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, '
        f"\"{column}\" TEXT NOT NULL DEFAULT 'system');\n"
    )
    redefine = (
        "PRAGMA foreign_keys=OFF;\n"
        f'CREATE TABLE "new_{table}" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "{column}" TEXT);\n'
        f'INSERT INTO "new_{table}" ("id", "name", "{column}") SELECT "id", "name", "{column}" FROM "{table}";\n'
        f'DROP TABLE "{table}";\nALTER TABLE "new_{table}" RENAME TO "{table}";\nPRAGMA foreign_keys=ON;\n'
    )

    datasource = 'datasource db {\n  provider = "sqlite"\n  url = env("DATABASE_URL")\n}\n\n'

    def schema(optional: str) -> dict[str, str]:
        body = (
            f"model {model} {{\n  id    String  @id\n  name  String\n  {field} String{optional} "
            + ("" if optional else '@default("system") ')
            + f'@map("{column}")\n\n  @@map("{table}")\n}}\n'
        )
        if models:
            return {"prisma/schema.prisma": datasource, f"prisma/{models}/{table}.prisma": body}
        return {"prisma/schema.prisma": datasource + body}

    def found(optional: str) -> list[Any]:
        base = {**schema(""), "prisma/migrations/20240101000000_init/migration.sql": init}
        return _found(
            redefine,
            path="prisma/migrations/20240301000000_loosen/migration.sql",
            base=base,
            head=schema(optional),
            dialect="sqlite",
        )

    (kept_required,) = found("")  # the schema still requires the field: the rebuild lost its NOT NULL
    assert f"NOT NULL on `name`, `{column}`" in kept_required.message
    assert f"the default of `{column}`" in kept_required.message
    (optional,) = found("?")  # the field made optional: only `name`, which the schema still requires
    assert f"`{column}`" not in optional.message and "NOT NULL on `name`." in optional.message


@pytest.mark.parametrize(
    ("table", "column", "index"), [("posts", "user_id", "posts_user"), ("events", "at", "ev_at")]
)
@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_the_old_tables_indexes_are_gone_unless_created_again(
    table: str, column: str, index: str, dialect: str
) -> None:
    """Dropping the old table drops its indexes; the copy has none unless the migration creates them after."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint NOT NULL, body text);\n"
        f"CREATE INDEX {index} ON {table} ({column});\n-- migration\n"
    )
    rebuild = (
        f"CREATE TABLE {table}_new (id bigint PRIMARY KEY, {column} bigint NOT NULL, body text, extra text);\n"
        f"INSERT INTO {table}_new (id, {column}, body) SELECT id, {column}, body FROM {table};\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};\n"
    )
    (finding,) = _found(schema + rebuild, dialect=dialect)
    assert f"lacks the old one's index `{index} ({column})`" in finding.message
    assert finding.severity == "warning"
    assert not _found(schema + rebuild + f"CREATE INDEX {index} ON {table} ({column});", dialect=dialect)
    # an index on a column the rebuild leaves out goes with the column
    narrowed = rebuild.replace(f"{column} bigint NOT NULL, ", "").replace(f", {column}, body", ", body")
    assert not _found(schema + narrowed.replace(f"id, {column}, body", "id, body"), dialect=dialect)


@pytest.mark.parametrize(("table", "dialect"), [("carts", "mysql"), ("orders", "postgres")])
def test_a_copy_declared_like_the_old_table_drops_no_column(table: str, dialect: str) -> None:
    """`CREATE TABLE new LIKE old` (MySQL), `(LIKE old INCLUDING ALL)` (PostgreSQL) carry every column: the
    rebuild drops none, and loses nothing to restore."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, token varchar(64) NOT NULL, note text);\n-- migration\n"
    like = (
        f"CREATE TABLE {table}_new LIKE {table};"
        if dialect == "mysql"
        else (f"CREATE TABLE {table}_new (LIKE {table} INCLUDING ALL);")
    )
    sql = (
        f"{like}\nINSERT INTO {table}_new SELECT * FROM {table};\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};"
    )
    rules = {f.rule for f in review_sql(schema + sql, dialect=dialect).active}
    assert not rules & {"column-dropped", "missing-down-migration", "rebuild-drops-constraints"}
