"""Branches guarded by the database they run on: a review in one dialect reads the branch that runs there."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

RAILS = "db/migrate/20260319062845_add_login_index.rb"
ALEMBIC = "migrations/versions/46a278193a94_precision.py"


def _review(path: str, text: str, dialect: str) -> Review:
    base = {"alembic.ini": "[alembic]\n"} if path.endswith(".py") else {}
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
        config_text=f"dialect: {dialect}\n",
    )
    return review(changeset)


def _rails(condition: str, table: str) -> str:
    return (
        "class AddLoginIndex < ActiveRecord::Migration[8.1]\n  def up\n"
        f"    {condition}\n      add_index :{table}, :login\n    else\n      add_index :{table}_archive, :login\n    end\n"
        "  end\n\n  def down\n  end\nend\n"
    )


@pytest.mark.parametrize(
    ("condition", "dialect", "runs"),
    [
        ("if Redmine::Database.postgresql? || Redmine::Database.sqlite?", "postgres", True),
        ("if Redmine::Database.postgresql? || Redmine::Database.sqlite?", "mysql", False),
        ("unless /sqlite/i.match?(ActiveRecord::Base.connection.adapter_name)", "postgres", True),
        ("if connection.adapter_name == 'Mysql2'", "mysql", True),
        ("if connection.adapter_name == 'Mysql2'", "postgres", False),
    ],
)
def test_a_rails_branch_for_another_database_is_left_out(condition: str, dialect: str, runs: bool) -> None:
    for table in ("users", "members"):
        tables = {f.message for f in _review(RAILS, _rails(condition, table), dialect).active}
        said = " ".join(tables)
        assert (f"`{table}`" in said or f"{table} " in said) == runs, (condition, dialect, said)
        assert (f"{table}_archive" in said) != runs, (condition, dialect, said)


def test_a_condition_that_names_no_database_reads_both_branches() -> None:
    text = _rails("if column_exists?(:users, :login)", "users")
    said = " ".join(f.message for f in _review(RAILS, text, "postgres").active)
    assert "users_archive" in said and "`users`" in said


def _alembic(test: str, other: str) -> str:
    return (
        'revision = "46a278193a94"\ndown_revision = "4d3c1b59d011"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        "def upgrade():\n    bind = op.get_bind()\n"
        f"    if {test}:\n        op.alter_column('submissions', 'date', type_=sa.DateTime(6))\n"
        f"    elif {other}:\n        op.create_index('ix_solves_date', 'solves', ['date'])\n\n\n"
        "def downgrade():\n    pass\n"
    )


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [("mysql", {"submissions"}), ("postgres", {"solves"}), ("sqlite", set())],
)
def test_an_alembic_branch_runs_on_the_database_it_names(dialect: str, expected: set[str]) -> None:
    text = _alembic('bind.dialect.name == "mysql"', 'str(bind.engine.url).startswith("postgres")')
    said = " ".join(f.message for f in _review(ALEMBIC, text, dialect).active)
    assert {t for t in ("submissions", "solves") if t in said} == expected, said
