"""A finding on a framework's migration says what to write instead in that framework's own terms."""

from __future__ import annotations

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
