"""The schema before the change: from a dump, a Prisma schema, or the base tree's migrations replayed."""

from __future__ import annotations

import pytest

from bot.frameworks.sqlfile import parse_sql
from bot.model.catalog import Catalog
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.migration import Migration
from bot.review import build_catalog, review
from bot.rules.context import Context
from tests.conftest import review_sql, rule_ids

PRISMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

enum Role {
  USER
  ADMIN
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  name      String?  @db.VarChar(50)
  role      Role     @default(USER)
  posts     Post[]
  createdAt DateTime @default(now()) @map("created_at")
  @@map("users")
}

model Post {
  id       Int  @id
  author   User @relation(fields: [authorId], references: [id])
  authorId Int
}
"""


def test_prisma_schema_gives_tables_columns_and_enums() -> None:
    catalog = build_catalog(MemoryTree({"prisma/schema.prisma": PRISMA}), Config(), "postgres")
    assert set(catalog.tables) == {"users", "Post"}
    users = catalog.tables["users"].columns
    assert set(users) == {"id", "email", "name", "role", "created_at"}
    assert users["name"].nullable and not users["email"].nullable
    assert catalog.enums["Role"] == ["USER", "ADMIN"]


def test_schema_dump_wins_over_replaying_migrations() -> None:
    tree = MemoryTree(
        {
            "db/structure.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, total integer);",
            "db/migrations/0001_a.sql": "CREATE TABLE stale (id int);",
        }
    )
    catalog = build_catalog(tree, Config(), "postgres")
    assert set(catalog.tables) == {"orders"} and catalog.column("orders", "total").type == "int"  # type: ignore[union-attr]


def test_replayed_migrations_give_the_old_type_of_a_changed_column() -> None:
    base = {
        "db/migrations/0001_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10));",
        "db/migrations/0002_widen.sql": "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);",
    }
    result = review_sql(
        "ALTER TABLE orders ALTER COLUMN code TYPE varchar(40);",
        path="db/migrations/0003_more.sql",
        base=base,
    )
    assert "type-change-rewrite" not in rule_ids(result)
    narrowed = review_sql(
        "ALTER TABLE orders ALTER COLUMN code TYPE varchar(5);", path="db/migrations/0003_less.sql", base=base
    )
    finding = next(f for f in narrowed.active if f.rule == "type-change-rewrite")
    assert "varchar(20)" in finding.message


def test_table_created_earlier_in_the_same_change_is_new_for_later_migrations() -> None:
    result = review_sql(
        "CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);\nCREATE INDEX audit_at_idx ON audit (at);"
    )
    assert "non-concurrent-index" not in rule_ids(result)


def test_replayed_history_keeps_checks_foreign_keys_indexes_enums_and_functions() -> None:
    tree = MemoryTree(
        {
            "db/migrations/000001_init.up.sql": (
                "CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
                "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';\n"
                "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"
                "CREATE TABLE users (id bigint PRIMARY KEY, email text, account_id bigint,\n"
                "  CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE);\n"
                "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
                "CREATE INDEX users_email_idx ON users (lower(email)) WHERE email IS NOT NULL;\n"
                "CREATE FUNCTION slug(t text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT lower(t) $$;\n"
            ),
            "db/migrations/000002_validate.up.sql": "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n",
        }
    )
    catalog = build_catalog(tree, Config(database_version="14"), "postgres")
    assert catalog.enums["mood"] == ["sad", "ok", "happy"]
    assert catalog.foreign_keys["users_account_fk"].on_delete == "cascade"
    assert catalog.checks["users_email_nn"].validated and catalog.validated_not_null("users", "email")
    index = catalog.index_definitions["users_email_idx"]
    assert index.columns == ("lower(email)",) and index.where == "email IS NOT NULL"
    assert catalog.functions["slug"] == "stable" and not catalog.calls_volatile(("slug",))
    assert catalog.calls_volatile(("slug", "mystery")) and catalog.version == (14,)


def test_prisma_migrations_are_the_schema_where_they_exist() -> None:
    # schema.prisma loses types, indexes and keys; the SQL Prisma's migrations ran keeps them.
    for table, column in [("board", "slug"), ("team", "access_code")]:
        tree = MemoryTree(
            {
                "prisma/schema.prisma": f"model M {{\n  id String @id\n  {column} String @unique @db.VarChar(100)\n"
                f'  @@map("{table}")\n}}\n',
                "prisma/migrations/01_init/migration.sql": f'CREATE TABLE "{table}" ("id" UUID NOT NULL, '
                f'"{column}" VARCHAR(100) NOT NULL);\nCREATE UNIQUE INDEX "{table}_{column}_key" ON "{table}"("{column}");\n',
            }
        )
        catalog = build_catalog(tree, Config(), "postgres")
        found = catalog.column(table, column)
        assert found is not None and found.type == "varchar(100)"
        assert catalog.indexes[f"{table}_{column}_key"] == table


def test_a_schema_of_a_database_the_review_does_not_read_is_no_source() -> None:
    tree = MemoryTree(
        {
            "db/clickhouse/schema.sql": "CREATE TABLE website_event (id UUID) ENGINE = MergeTree ORDER BY id;",
            "db/postgresql/schema.sql": "CREATE TABLE website (id uuid PRIMARY KEY);",
        }
    )
    catalog = build_catalog(tree, Config(), "postgres")
    assert "website" in catalog.tables and "website_event" not in catalog.tables
    assert "clickhouse" not in " ".join(catalog.sources)


def test_the_schema_after_a_statement_is_the_schema_the_next_one_sees() -> None:
    sql = (
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE users ADD COLUMN email text;\n"
        "ALTER TABLE users RENAME COLUMN email TO address;\n"
    )
    up = parse_sql("V1__users.sql", sql, "postgres")
    migration = Migration("V1__users.sql", "flyway", "postgres", up, None, True)
    context = Context(catalog=Catalog(), migration=migration)
    create, timeout, add, rename = up
    assert context.after(create) is context.before(add)  # shared, not copied for each asker
    assert context.after(timeout) is context.after(create)  # a statement that changes no schema
    assert set(context.after(add).tables["users"].columns) == {"id", "email"}
    assert set(context.after(rename).tables["users"].columns) == {"id", "address"}
    assert "users" not in context.catalog.tables  # the schema before the migration is left as it was
    # an operation of no migration of the context: applied to a copy of the schema before the migration
    other = parse_sql("V2__users.sql", "ALTER TABLE users ADD COLUMN name text;", "postgres")[0]
    assert set(context.after(other).tables["users"].columns) == {"name"}
    assert "users" not in context.catalog.tables


@pytest.mark.parametrize(
    ("folder", "table", "column"),
    [("test/e2e", "flows", "request_url"), ("spec/fixtures", "invoices", "memo")],
)
def test_a_schema_dump_of_a_test_is_not_the_applications_schema(folder: str, table: str, column: str) -> None:
    """A `schema.sql` an end-to-end test loads (one database's tables, as that test needs them) is no source
    of the application's schema where it has migrations of its own; the application's own dump still wins."""
    history = {
        f"db/migrations/001_{table}.up.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column} text NOT NULL);",
    }
    test_dump = {f"{folder}/schema.sql": f"CREATE TABLE {table} (id int PRIMARY KEY);"}
    catalog = build_catalog(MemoryTree(history | test_dump), Config(), "postgres")
    assert column in catalog.tables[table].columns
    own_dump = {"db/schema.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column}_v2 text);"}
    catalog = build_catalog(MemoryTree(history | test_dump | own_dump), Config(), "postgres")
    assert f"{column}_v2" in catalog.tables[table].columns
    # with nothing else to go by, the test's dump is still better than nothing
    alone = build_catalog(MemoryTree(test_dump), Config(), "postgres")
    assert table in alone.tables


@pytest.mark.parametrize(("table", "column"), [("users", "username"), ("memo", "visibility")])
def test_a_latest_schema_beside_the_kept_migrations_is_the_schema_before_the_change(
    table: str, column: str
) -> None:
    """memos keeps `store/migration/postgres/LATEST.sql` (what a new install loads) and only its recent
    versioned migrations: the tables the dropped old ones created were unknown, and every change to them had
    "its previous type unknown"."""
    folder = "store/migration/postgres"
    base = {
        f"{folder}/LATEST.sql": f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} varchar(32) NOT NULL);\n",
        f"{folder}/0.21/00__note.sql": f"ALTER TABLE {table} ADD COLUMN note text;\n",
    }
    path, sql = (
        f"{folder}/0.22/00__narrow.sql",
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(16);\n",
    )
    changeset = ChangeSet(
        "b", "h", (ChangedFile(path, "added", None, sql),), MemoryTree({**base, path: sql}), MemoryTree(base)
    )
    messages = [
        f.message
        for f in review(changeset).findings
        if f.rule in ("lossy-type-change", "type-change-rewrite")
    ]
    assert any("from `varchar(32)` to `varchar(16)`" in m for m in messages), messages
