"""unbatched-data-change for an Alembic loop that runs one UPDATE or DELETE per row of a query it fetched: all of
them run in the migration's transaction (Alembic's on PostgreSQL), so every row stays locked until the migration
ends, as a Rails find_each inside its transaction does; quiet when the loop commits or runs in an
autocommit_block."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("invoices", "amount", "cents"), ("payments", "value", "minor_units")]
_INIT = """from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("{t}", sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("{a}", sa.Numeric(10, 2)),
                    sa.Column("{c}", sa.Integer))
"""
_CHANGE = """from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    conn = op.get_bind()
{body}


def downgrade():
    op.execute("UPDATE {t} SET {c} = NULL")
"""


def _found(t: str, a: str, c: str, body: str) -> list[str]:
    text = _CHANGE.format(t=t, c=c, body=body.format(t=t, a=a, c=c))
    base = {"alembic/versions/0001_init.py": _INIT.format(t=t, a=a, c=c)}
    result = review_sql(text, path="alembic/versions/0002_fill.py", base=base, dialect="postgres")
    return [f.message for f in result.active if f.rule == "unbatched-data-change"]


LOOP = (
    '    for row in conn.execute(sa.text("SELECT id, {a} FROM {t}")).fetchall():\n'
    '        conn.execute(sa.text("UPDATE {t} SET {c} = :v WHERE id = :id"), {{"v": int(row.{a} * 100), "id": row.id}})'
)


@pytest.mark.parametrize(("t", "a", "c"), NAMES)
def test_one_update_per_fetched_row_in_the_migration_transaction(t: str, a: str, c: str) -> None:
    for loop in (LOOP, LOOP.replace(".fetchall()", "")):
        [message] = _found(t, a, c, loop)
        assert f"`UPDATE {t}` runs once for each row" in message and "Alembic" in message, message


@pytest.mark.parametrize(("t", "a", "c"), NAMES)
def test_a_loop_that_commits_or_runs_outside_the_transaction_is_not(t: str, a: str, c: str) -> None:
    committed = LOOP + "\n        conn.commit()"
    assert not _found(t, a, c, committed)
    outside = "    with op.get_context().autocommit_block():\n" + "\n".join(
        "    " + line for line in LOOP.splitlines()
    )
    assert not _found(t, a, c, outside)
