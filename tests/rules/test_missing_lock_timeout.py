from typing import Any

import pytest

from tests.conftest import review_sql


def test_an_index_of_a_table_the_schema_does_not_know_is_named_by_the_index() -> None:
    for index in ("board_slug_key", "orders_state_idx"):
        messages = [
            f.message for f in review_sql(f'DROP INDEX "{index}";').active if f.rule == "missing-lock-timeout"
        ]
        assert messages and f"on the table of `{index}`" in messages[0] and "its table" not in messages[0]


def _messages(sql: str) -> list[str]:
    return [f.message for f in review_sql(sql).active if f.rule == "missing-lock-timeout"]


@pytest.mark.parametrize(
    ("parent", "child", "drop"),
    [
        ("users", "sessions", "DROP TABLE sessions;"),
        ("accounts", "invoices", "ALTER TABLE invoices DROP COLUMN parent_id;"),
        ("organizations", "memberships", "ALTER TABLE memberships DROP CONSTRAINT memberships_parent_fk;"),
    ],
)
def test_dropping_a_foreign_key_names_the_referenced_table_it_locks(
    parent: str, child: str, drop: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\nCREATE TABLE {child} (id bigint, parent_id bigint);\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_parent_fk FOREIGN KEY (parent_id) REFERENCES {parent} (id);\n"
    )
    [message] = _messages(f"{schema}-- migration\n{drop}")
    assert f"ACCESS EXCLUSIVE lock (blocking reads and writes) on `{child}` and on `{parent}`." in message


@pytest.mark.parametrize(
    ("parent", "child", "drop"),
    [
        ("users", "sessions", "DROP TABLE sessions;"),
        ("accounts", "invoices", "ALTER TABLE invoices DROP COLUMN note;"),
        ("organizations", "memberships", "ALTER TABLE memberships DROP CONSTRAINT memberships_note_check;"),
    ],
)
def test_a_drop_that_removes_no_foreign_key_locks_its_own_table_only(
    parent: str, child: str, drop: str
) -> None:
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint, parent_id bigint, note text);\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_note_check CHECK (note <> '');\n"
    )
    [message] = _messages(f"{schema}-- migration\n{drop}")
    assert message.endswith(f"on `{child}`.") and parent not in message


@pytest.mark.parametrize(("index", "table"), [("ix_flow", "execution_queued"), ("users_email", "users")])
def test_a_mysql_index_dropped_on_its_table_names_the_table(index: str, table: str) -> None:
    """`DROP INDEX i ON t` says the table; only PostgreSQL's `DROP INDEX i` leaves it to the schema."""
    [message] = [
        f.message
        for f in review_sql(f"DROP INDEX {index} ON {table};", dialect="mysql").active
        if f.rule == "missing-lock-timeout"
    ]
    assert message.endswith(f"on `{table}`.") and "the table of" not in message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "db/migrate/20260101000000_add_login_index.rb",
            "class AddLoginIndex < ActiveRecord::Migration[8.1]\n  def change\n    add_column :users, :nickname, :string\n  end\nend\n",
        ),
        (
            "alembic/versions/b2_add_nickname.py",
            'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
            'def upgrade():\n    op.add_column("users", sa.Column("nickname", sa.String(50)))\n\n\n'
            'def downgrade():\n    op.drop_column("users", "nickname")\n',
        ),
        (
            "database/migrations/2026_01_01_000000_add_nickname.php",
            "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
            "return new class extends Migration {\n  public function up(): void {\n"
            "    Schema::table('users', function (Blueprint $table) { $table->string('nickname')->nullable(); });\n"
            "  }\n  public function down(): void {\n"
            "    Schema::table('users', function (Blueprint $table) { $table->dropColumn('nickname'); });\n  }\n};\n",
        ),
        (
            "priv/repo/migrations/20260101000000_add_nickname.exs",
            "defmodule App.Repo.Migrations.AddNickname do\n  use Ecto.Migration\n  def change do\n"
            "    alter table(:users) do\n      add :nickname, :string\n    end\n  end\nend\n",
        ),
    ],
)
def test_the_advice_on_mysql_is_mysqls_setting(path: str, text: str) -> None:
    base = {"db/structure.sql": "CREATE TABLE users (id bigint PRIMARY KEY, login varchar(60));\n"}
    (finding,) = [
        f
        for f in review_sql(text, path=path, base=base, dialect="mysql").active
        if f.rule == "missing-lock-timeout"
    ]
    assert "lock_wait_timeout" in finding.fix and "lock_timeout = '5s'" not in finding.fix


@pytest.mark.parametrize(
    ("path", "text", "call"),
    [
        (
            "server/migrations/20260805120000-add-revisions-source.js",
            "module.exports = {\n  up: async (queryInterface, Sequelize) => {\n"
            '    await queryInterface.addColumn("revisions", "source", { type: Sequelize.STRING });\n  },\n'
            '  down: async (queryInterface) => {\n    await queryInterface.removeColumn("revisions", "source");\n  },\n};\n',
            "queryInterface.sequelize.query(",
        ),
        (
            "migrations/20260805120000_add_source.js",
            "exports.up = (knex) => knex.schema.alterTable('posts', (t) => { t.string('source'); });\n"
            "exports.down = (knex) => knex.schema.alterTable('posts', (t) => { t.dropColumn('source'); });\n",
            "knex.raw(",
        ),
    ],
)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_node_migrations_are_told_how_to_set_it_in_their_own_code(
    path: str, text: str, call: str, dialect: str
) -> None:
    """Outline's Sequelize migrations were told to write `SET lock_timeout = '5s';` at the top of a JS file."""
    (finding,) = [
        f for f in review_sql(text, path=path, dialect=dialect).active if f.rule == "missing-lock-timeout"
    ]
    assert call in finding.fix
    assert ("lock_wait_timeout" in finding.fix) is (dialect == "mysql")


@pytest.mark.parametrize(("table", "column"), [("orders", "id"), ("ledger_entries", "entry_no")])
def test_identity_changes_take_an_access_exclusive_lock(table: str, column: str) -> None:
    """`SET GENERATED …`, `SET INCREMENT BY`, `RESTART` and `ADD GENERATED … AS IDENTITY` lock the table ACCESS
    EXCLUSIVE (pg_locks on PostgreSQL 15), which queues every query behind a wait for it."""
    identity = f"CREATE TABLE {table} ({column} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);\n-- migration\n"
    plain = f"CREATE TABLE {table} ({column} bigint NOT NULL PRIMARY KEY);\n-- migration\n"
    for sql in (
        identity + f"ALTER TABLE {table} ALTER COLUMN {column} SET GENERATED ALWAYS;",
        identity + f"ALTER TABLE {table} ALTER COLUMN {column} SET INCREMENT BY 2;",
        plain + f"ALTER TABLE {table} ALTER COLUMN {column} ADD GENERATED BY DEFAULT AS IDENTITY;",
    ):
        [message] = _messages(sql)
        assert "ACCESS EXCLUSIVE" in message and f"`{table}`" in message
        assert not _messages(sql.replace("-- migration\n", "-- migration\nSET lock_timeout = '2s';\n"))


def test_postgres_locks_the_table_for_an_identity_change(pg: Any) -> None:
    for table in ("orders", "ledger_entries"):
        pg.execute(f"CREATE TABLE {table} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
        with pg.transaction():
            pg.execute(f"ALTER TABLE {table} ALTER COLUMN id SET GENERATED ALWAYS")
            modes = {
                row[0]
                for row in pg.execute(f"SELECT mode FROM pg_locks WHERE relation = '{table}'::regclass")
            }
        assert "AccessExclusiveLock" in modes
