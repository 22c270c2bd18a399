import pytest

from tests.conftest import review_sql


def _found(sql: str, **kwargs: object) -> list[str]:
    return [f.message for f in review_sql(sql, **kwargs).active if f.rule == "down-not-idempotent"]  # type: ignore[arg-type]


def test_drop_without_if_exists_outside_a_transaction() -> None:
    sql = (
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE payouts (id bigint);\n"
        "CREATE TABLE refunds (id bigint);\n-- +goose Down\nDROP TABLE refunds;\nDROP TABLE payouts;"
    )
    found = _found(sql)
    assert len(found) == 1 and "DROP TABLE refunds" in found[0] and "DROP TABLE payouts" in found[0]


def test_add_column_without_if_not_exists_on_mysql() -> None:
    sql = (
        "-- +goose Up\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t DROP COLUMN d;\n"
        "-- +goose Down\nALTER TABLE t ADD COLUMN c text;\nALTER TABLE t ADD COLUMN d text;"
    )
    assert _found(sql, dialect="mysql")


def test_a_half_done_up_makes_even_a_single_down_statement_fail() -> None:
    # The up stopped after its first index: the down's one DROP INDEX may find nothing to drop.
    sql = (
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY a_idx ON invoices (a);\n"
        "CREATE INDEX CONCURRENTLY b_idx ON invoices (b);\n-- +goose Down\nDROP INDEX CONCURRENTLY b_idx;"
    )
    assert _found(sql)


def test_one_statement_each_way_cannot_stop_half_way() -> None:
    for up, down in [
        (
            "ALTER TABLE documents ADD COLUMN preferences jsonb;",
            "ALTER TABLE documents DROP COLUMN preferences;",
        ),
        ("CREATE INDEX CONCURRENTLY s_idx ON searches (created_at);", "DROP INDEX CONCURRENTLY s_idx;"),
    ]:
        sql = f"-- +goose NO TRANSACTION\n-- +goose Up\n{up}\n-- +goose Down\n{down}"
        assert not _found(sql), up
        mysql = up.replace("jsonb", "json")  # MySQL has no jsonb
        assert not _found(f"-- +goose Up\n{mysql}\n-- +goose Down\n{down}", dialect="mysql"), up


def test_guarded_or_transactional_down_is_quiet() -> None:
    assert not _found(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE p (id bigint);\nCREATE TABLE q (id bigint);\n"
        "-- +goose Down\nDROP TABLE IF EXISTS q;\nDROP TABLE IF EXISTS p;"
    )
    assert not _found(
        "-- +goose Up\nCREATE TABLE p (id bigint);\nCREATE TABLE q (id bigint);\n-- +goose Down\nDROP TABLE q;\nDROP TABLE p;"
    )


ALEMBIC_CONCURRENT = """revision = "b2"
down_revision = "a1"

from alembic import op


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("{index}", "{table}", ["{column}"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("{index}", table_name="{table}", postgresql_concurrently=True){more}
"""


@pytest.mark.parametrize(("table", "column"), [("orders", "code"), ("events", "kind")])
def test_one_statement_in_an_autocommit_block_each_way_is_quiet(table: str, column: str) -> None:
    names = {"table": table, "column": column, "index": f"ix_{table}_{column}"}
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text, extra text);"}
    one = review_sql(
        ALEMBIC_CONCURRENT.format(more="", **names), path="alembic/versions/b2_index.py", base=base
    )
    assert "down-not-idempotent" not in {f.rule for f in one.active}
    two = review_sql(
        ALEMBIC_CONCURRENT.format(more=f'\n        op.drop_column("{table}", "extra")', **names),
        path="alembic/versions/b2_index.py",
        base=base,
    )
    assert "down-not-idempotent" in {f.rule for f in two.active}


@pytest.mark.parametrize(
    ("first", "second", "column"), [("orders", "refunds", "note"), ("users", "teams", "slug")]
)
def test_the_fix_for_a_database_without_column_guards_is_one_it_accepts(
    first: str, second: str, column: str
) -> None:
    """MySQL has no IF EXISTS for columns and indexes, SQLite none for columns: the fix for a SQL migration
    there says what works instead; MariaDB and PostgreSQL take the guard."""
    import sqlite3

    sql = (
        f"-- +goose NO TRANSACTION\n-- +goose Up\nALTER TABLE {first} ADD COLUMN {column} text;\n"
        f"ALTER TABLE {second} ADD COLUMN {column} text;\n"
        f"-- +goose Down\nALTER TABLE {first} DROP COLUMN {column};\nALTER TABLE {second} DROP COLUMN {column};"
    )

    def fixes(dialect: str) -> list[str]:
        found = review_sql(sql, dialect=dialect).active
        return [f.fix for f in found if f.rule == "down-not-idempotent"]

    assert ["MySQL has no `IF EXISTS` for columns" in f for f in fixes("mysql")] == [True]
    assert ["SQLite has no `IF EXISTS` for columns" in f for f in fixes("sqlite")] == [True]
    assert [f.startswith("Add `IF EXISTS`") for f in fixes("mariadb")] == [True]
    assert [f.startswith("Add `IF EXISTS`") for f in fixes("postgres")] == [True]
    # SQLite itself refuses the guard the generic fix would ask for
    database = sqlite3.connect(":memory:")
    database.execute(f"CREATE TABLE {first} (id integer, {column} text)")
    with pytest.raises(sqlite3.OperationalError):
        database.execute(f"ALTER TABLE {first} DROP COLUMN IF EXISTS {column}")
    # a down of table statements only takes the guard on every database
    tables = sql.split("-- +goose Down")[0] + f"-- +goose Down\nDROP TABLE {first};\nDROP TABLE {second};"
    for dialect in ("mysql", "sqlite"):
        found = [f for f in review_sql(tables, dialect=dialect).active if f.rule == "down-not-idempotent"]
        assert all(f.fix.startswith("Add `IF EXISTS`") for f in found)


def test_the_fix_on_mariadb_is_accepted_by_mariadb(mariadb) -> None:  # type: ignore[no-untyped-def]
    cursor = mariadb.cursor()
    cursor.execute("CREATE TABLE IF NOT EXISTS dni_ledger (id int, memo text)")
    cursor.execute("ALTER TABLE dni_ledger DROP COLUMN IF EXISTS memo")
    cursor.execute("ALTER TABLE dni_ledger DROP COLUMN IF EXISTS memo")
    cursor.execute("DROP TABLE dni_ledger")


@pytest.mark.parametrize(
    ("table", "first", "second"), [("labels", "restricted", "is_pinned"), ("accounts", "credits", "tier")]
)
def test_rails_runs_a_down_only_after_its_up_finished(table: str, first: str, second: str) -> None:
    """Rails skips the down of a migration it has not recorded as applied: a half-way up never meets it.
    On MySQL, where each DDL statement commits, a down of one statement stays quiet; two can stop half-way."""
    path = f"db/migrate/20240101000000_add_{first}.rb"
    base = {"config/database.yml": "production:\n  adapter: mysql2\n"}
    up = f"    add_column :{table}, :{first}, :boolean\n    add_column :{table}, :{second}, :integer\n"

    def migration(down: str) -> str:
        return f"class Add{first.title()} < ActiveRecord::Migration[7.1]\n  def up\n{up}  end\n\n  def down\n{down}  end\nend\n"

    one = migration(f"    remove_column :{table}, :{first}\n")
    assert not _found(one, path=path, base=base)
    two = migration(f"    remove_column :{table}, :{second}\n    remove_column :{table}, :{first}\n")
    (found,) = _found(two, path=path, base=base)
    assert f"DROP COLUMN {second}" in found and f"DROP COLUMN {first}" in found
