"""Alembic names a constraint by the project's SQLAlchemy naming convention where the revision gives a name the
convention builds on (indico's `"ck": "ck_%(table_name)s_%(constraint_name)s"`: `op.create_check_constraint(
"valid_enum_realm", "logs", …)` creates `ck_logs_valid_enum_realm`, which its downgrade drops by that name;
down-drop-not-found said the rollback failed). `op.f(…)` keeps a name as written; a convention without
`%(constraint_name)s` keeps a given name. Checked with Alembic 1.x on PostgreSQL 15 (see alembic_naming)."""

from __future__ import annotations

import pytest

from bot.frameworks import alembic
from bot.model.changeset import MemoryTree
from bot.model.migration import CreateTable
from tests.conftest import review_sql

PATH = "migrations/versions/a1_inline.py"
NAMES = [("logs", "valid_enum_realm", "realm"), ("sessions", "positive_duration", "duration")]

CONVENTION = """from flask_sqlalchemy import SQLAlchemy

naming_convention = {
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
}
db = SQLAlchemy()
db.Model.metadata.naming_convention = naming_convention
"""
METADATA = """import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})
"""

_FIRST = '''"""first

Revision ID: a1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("{column}", sa.Integer()))


def downgrade():
    op.drop_table("{table}")
'''

_CHECK = '''"""check

Revision ID: b2
Revises: a1
"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_check_constraint({created}, "{table}", "{column} > 0")


def downgrade():
    op.drop_constraint("{dropped}", "{table}")
'''


def _down_drop(
    table: str, name: str, column: str, created: str, dropped: str, files: dict[str, str]
) -> list[str]:
    base = {
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "from alembic import context\nfrom app.db import db\ntarget_metadata = db.metadata\n",
        "migrations/versions/a1_first.py": _FIRST.format(table=table, column=column),
        **files,
    }
    text = _CHECK.format(table=table, column=column, created=created, dropped=dropped)
    result = review_sql(text, path="migrations/versions/b2_check.py", base=base)
    return [f.message for f in result.active if f.rule == "down-drop-not-found"]


@pytest.mark.parametrize(("table", "name", "column"), NAMES)
@pytest.mark.parametrize(("path", "module"), [("app/db.py", CONVENTION), ("app/models/base.py", METADATA)])
def test_a_check_named_by_the_convention_is_dropped_by_that_name(
    table: str, name: str, column: str, path: str, module: str
) -> None:
    conventional = f"ck_{table}_{name}"
    assert not _down_drop(table, name, column, f'"{name}"', conventional, {path: module})
    # the name as written is not the constraint's: dropping it fails
    assert _down_drop(table, name, column, f'"{name}"', name, {path: module})
    # without a convention the name is the one written
    assert _down_drop(table, name, column, f'"{name}"', conventional, {})
    assert not _down_drop(table, name, column, f'"{name}"', name, {})


@pytest.mark.parametrize(("table", "name", "column"), NAMES)
def test_a_final_name_and_a_convention_without_the_name_keep_it(table: str, name: str, column: str) -> None:
    assert not _down_drop(table, name, column, f'op.f("{name}")', name, {"app/db.py": CONVENTION})
    unnamed = CONVENTION.replace(
        "ck_%(table_name)s_%(constraint_name)s", "ck_%(table_name)s_%(column_0_name)s"
    )
    assert not _down_drop(table, name, column, f'"{name}"', name, {"app/db.py": unnamed})
    # two modules with different conventions: which one the revisions use is not known, the name stays
    other = METADATA.replace('"ck_%(table_name)s_%(constraint_name)s"', '"check_%(constraint_name)s"')
    assert not _down_drop(
        table, name, column, f'"{name}"', name, {"app/db.py": CONVENTION, "app/models/base.py": other}
    )


_INLINE = """\"\"\"inline

Revision ID: a1
Revises:
\"\"\"
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "{table}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("{column}", sa.Integer()),
        sa.CheckConstraint("{column} > 0", name="{name}"),
    )


def downgrade():
    op.drop_table("{table}")
"""


@pytest.mark.parametrize(("table", "name", "column"), NAMES)
def test_a_check_of_a_create_table_takes_the_conventional_name(table: str, name: str, column: str) -> None:
    text = _INLINE.format(table=table, column=column, name=name)

    def names(files: dict[str, str]) -> list[str]:
        [created] = [
            op
            for op in alembic.parse(PATH, text, MemoryTree(files), "postgres").up
            if isinstance(op, CreateTable)
        ]
        return [c.name for c in created.constraints if c.constraint == "check"]

    assert names({"app/db.py": CONVENTION}) == [f"ck_{table}_{name}"]
    assert names({}) == [name]
    assert names({"app/db.py": CONVENTION.replace("%(constraint_name)s", "%(column_0_name)s")}) == [name]
