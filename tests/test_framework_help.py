"""A finding on a framework's migration says what to write instead in that framework's own terms."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RAILS = (
    "class AddIndex < ActiveRecord::Migration[7.1]\n  def change\n    add_index :users, :email\n  end\nend\n"
)
ALEMBIC = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\ndef upgrade():\n'
    '    op.create_index("users_email_idx", "users", ["email"])\n\n\ndef downgrade():\n'
    '    op.drop_index("users_email_idx")\n'
)


def _fix(result: object, rule: str) -> str:
    return next(f.fix for f in result.active if f.rule == rule)  # type: ignore[attr-defined]


def test_rails_fix_is_written_in_rails() -> None:
    result = review_sql(RAILS, path="db/migrate/20260101000000_add_index.rb")
    assert "algorithm: :concurrently" in _fix(result, "non-concurrent-index")
    assert "disable_ddl_transaction!" in _fix(result, "non-concurrent-index")


def test_alembic_fix_is_written_in_alembic() -> None:
    result = review_sql(ALEMBIC, path="migrations/versions/b2_add_index.py")
    assert "postgresql_concurrently=True" in _fix(result, "non-concurrent-index")
    assert "lock_timeout" in _fix(result, "missing-lock-timeout") and "op.execute" in _fix(
        result, "missing-lock-timeout"
    )


def test_sql_fix_stays_sql() -> None:
    result = review_sql("CREATE INDEX users_email_idx ON users (email);")
    assert _fix(result, "non-concurrent-index").startswith("Use `CREATE INDEX CONCURRENTLY`")


PRISMA_NAMES = [("users", "email"), ("orders", "placed_at")]


def _prisma(table: str, column: str, sql: str) -> object:
    base = {
        "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
        "prisma/migrations/20250101000000_init/migration.sql": f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, '
        f'"{column}" text);\n',
    }
    return review_sql(sql, path="prisma/migrations/20260101000000_index/migration.sql", base=base)


@pytest.mark.parametrize(("table", "column"), PRISMA_NAMES)
def test_prisma_fix_is_a_migration_with_the_one_concurrent_statement(table: str, column: str) -> None:
    """Prisma has no flag to lift its transaction: the migration.sql that builds the index concurrently holds
    that one statement, or PostgreSQL runs the script as one transaction and refuses it."""
    plain = _prisma(table, column, f'CREATE INDEX "{table}_{column}_idx" ON "{table}" ("{column}");\n')
    fix = _fix(plain, "non-concurrent-index")
    assert "migration of its own" in fix and "nothing but `CREATE INDEX CONCURRENTLY" in fix
    alone = f'-- CreateIndex\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "{table}_{column}_idx" ON "{table}" ("{column}");\n'
    rules = {f.rule for f in _prisma(table, column, alone).active}  # type: ignore[attr-defined]
    assert not rules & {"non-concurrent-index", "concurrent-in-transaction"}
    beside = f"SET lock_timeout = '5s';\n{alone}"
    assert "concurrent-in-transaction" in {f.rule for f in _prisma(table, column, beside).active}  # type: ignore[attr-defined]


def test_postgresql_refuses_concurrently_in_a_script_of_two_statements(pg) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    pg.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text)")
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):  # one call, two statements: one transaction
        pg.execute("SET lock_timeout = '5s'; CREATE INDEX CONCURRENTLY users_email_idx ON users (email)")
    pg.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email)")  # alone: it runs
