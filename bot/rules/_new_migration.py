"""The base branch's tree, for a migration the change adds: what the runner found before it; and the
Alembic history the examples of the rules about the set of migrations meet."""

from __future__ import annotations

from bot.model.changeset import Tree
from bot.model.migration import Migration
from bot.rules.context import Context


def trees_of_added(migration: Migration, context: Context) -> tuple[Tree, Tree] | None:
    """(the base branch's tree, that tree once the change merges) when `migration` is new to the change (not
    an edit or a move of an applied one), else None (and None for a lint, which has no base)."""
    base, merged = context.base_tree, context.merged_tree
    if base is None or merged is None or context.applied_file is not None:
        return None
    return None if base.read(migration.path) is not None else (base, merged)


_REVISION = '''"""{doc}"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down}


def upgrade():
    op.{call}


def downgrade():
    pass
'''


def alembic_example(doc: str, rev: str, down: str, call: str) -> str:
    """An Alembic revision file, for the examples."""
    return _REVISION.format(doc=doc, rev=rev, down=down, call=call)


ALEMBIC_TREE = {
    "migrations/versions/a1b2_create_orders.py": alembic_example(
        doc="Create orders.",
        rev="a1b2",
        down="None",
        call='create_table("orders", sa.Column("id", sa.Integer))',
    ),
    "migrations/versions/b2c3_add_total.py": alembic_example(
        doc="Add a total.",
        rev="b2c3",
        down='"a1b2"',
        call='add_column("orders", sa.Column("total", sa.Integer))',
    ),
}
