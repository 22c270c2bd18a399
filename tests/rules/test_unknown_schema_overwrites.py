"""An irreversible migration overwrites values of a table the review's schema does not fully know (created
outside the migrations, by `create_all()` or a dump it did not read, or known only from columns later
migrations add): it is said as data the rollback cannot bring back, not passed over because the column is
unknown. A column the same migration adds held nothing before, and stays quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("events.sessions", "duration"), ("billing.invoices", "due_on")]
MIGRATION = """revision = "b2"
down_revision = "a1"

from alembic import op
import sqlalchemy as sa


def upgrade():
{add}    op.execute("UPDATE {table} SET {column} = NULL WHERE {column} < '0'")


def downgrade():
    pass
"""
LATER_COLUMN = """revision = "a1"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column("{short}", sa.Column("note", sa.Text()), schema="{schema}")


def downgrade():
    op.drop_column("{short}", "note", schema="{schema}")
"""


def _found(table: str, column: str, *, adds: bool, partial: bool) -> list:  # type: ignore[type-arg]
    schema, short = table.split(".")
    add = (
        f'    op.add_column("{short}", sa.Column("{column}", sa.Integer()), schema="{schema}")\n'
        if adds
        else ""
    )
    base = {"alembic/versions/a1_note.py": LATER_COLUMN.format(short=short, schema=schema)} if partial else {}
    result = review_sql(
        MIGRATION.format(table=table, column=column, add=add), path="alembic/versions/b2_fix.py", base=base
    )
    return [f for f in result.active if f.rule == "missing-down-migration"]


@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize(("table", "column"), NAMES)
def test_an_overwrite_of_a_table_not_fully_known(table: str, column: str, partial: bool) -> None:
    found = _found(table, column, adds=False, partial=partial)
    assert len(found) == 1 and f"UPDATE {table} SET {column}" in found[0].message, found
    assert not _found(table, column, adds=True, partial=partial)
