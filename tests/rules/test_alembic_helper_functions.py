"""Alembic: a function of the revision that `upgrade()` calls is read where it is called, as Django's
RunPython function is (mealie 74d6f5836: `populate_shopping_list_users()` walked `rows =
session.execute(sa.text("SELECT …")).all()` and ran `sa.text("UPDATE … WHERE id=:id").bindparams(…)` for each
row; the review saw a call it could not read and asked for no check of the data). A string given for a
parameter, or its default, is the parameter's value there; `.bindparams(…)` leaves the statement readable."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("shopping_lists", "user_id", "group_id"), ("invoices", "customer_id", "account_id")]

_FIRST = '''"""first

Revision ID: a1
Revises:
"""
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE {table} (id bigint PRIMARY KEY, {target} bigint, {source} bigint, state text)")


def downgrade():
    op.execute("DROP TABLE {table}")
'''

_REVISION = '''"""change

Revision ID: b2
Revises: a1
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm

revision = "b2"
down_revision = "a1"

{helpers}

def upgrade():
{calls}


def downgrade():
    op.execute("UPDATE {table} SET {target} = NULL")
'''

_PER_ROW = """
def populate():
    bind = op.get_bind()
    session = orm.Session(bind=bind)
    with session:
        rows = session.execute(sa.text("SELECT id, {source} FROM {table}")).all()
        for row_id, value in rows:
            {write}
"""
_UPDATE = 'session.execute(sa.text("UPDATE {table} SET {target} = :v WHERE id = :id").bindparams(v=value, id=row_id))'
_READ = 'print(session.execute(sa.text("SELECT {target} FROM {table} WHERE id = :id").bindparams(id=row_id)).all())'


def _review(table: str, target: str, source: str, helpers: str, calls: str) -> dict[str, list[str]]:
    names = {"table": table, "target": target, "source": source}
    base = {
        "alembic.ini": "[alembic]\nscript_location = alembic\n",
        "alembic/env.py": "from alembic import context\n",
        "alembic/versions/a1_first.py": _FIRST.format(**names),
    }
    text = _REVISION.format(helpers=helpers.format(**names), calls=calls, **names)
    found: dict[str, list[str]] = {}
    for finding in review_sql(text, path="alembic/versions/b2_change.py", base=base).active:
        found.setdefault(finding.rule, []).append(finding.message)
    return found


@pytest.mark.parametrize(("table", "target", "source"), NAMES)
def test_a_helper_that_writes_each_row_is_read(table: str, target: str, source: str) -> None:
    helper = _PER_ROW.replace("{write}", _UPDATE)
    found = _review(table, target, source, helper, "    populate()")
    [per_row] = found["unbatched-data-change"]
    assert f"`UPDATE {table}` runs once for each row" in per_row
    assert "unparsed-statement" not in found
    # a batch of rows (`LIMIT 100`), not every row of the table
    batch = _PER_ROW.replace("{write}", _UPDATE).replace('FROM {table}")', 'FROM {table} LIMIT 100")')
    assert "unbatched-data-change" not in _review(table, target, source, batch, "    populate()")
    # a helper that only reads changes nothing
    reader = _review(table, target, source, _PER_ROW.replace("{write}", _READ), "    populate()")
    assert "unbatched-data-change" not in reader and "unparsed-statement" not in reader


@pytest.mark.parametrize(("table", "target", "source"), NAMES)
def test_a_helpers_parameters_take_the_strings_it_is_given(table: str, target: str, source: str) -> None:
    helper = (
        '\ndef _fill(name, value="open"):\n'
        "    op.execute(f\"UPDATE {{name}} SET state = '{{value}}' WHERE {target} > 10\")\n"
    )
    found = _review(
        table, target, source, helper, f'    _fill("{table}")\n    _fill(name="{table}", value="paid")'
    )
    assert len(found["unbatched-data-change"]) == 2
    assert all(f"`UPDATE {table}`" in m for m in found["unbatched-data-change"])
    assert "unparsed-statement" not in found
    # a helper nothing calls runs nothing
    assert "unbatched-data-change" not in _review(table, target, source, helper, "    pass")


@pytest.mark.parametrize(("table", "target", "source"), NAMES)
def test_bound_parameters_keep_the_statement_readable(table: str, target: str, source: str) -> None:
    call = (
        "    op.get_bind().execute(\n"
        f'        sa.text("UPDATE {table} SET {target} = {source} WHERE state = :s").bindparams(s="open")\n'
        "    )"
    )
    found = _review(table, target, source, "", call)
    assert "unparsed-statement" not in found
    assert [m for m in found["unbatched-data-change"] if f"`UPDATE {table}`" in m]


_BRANCHED = '''
def is_postgres():
    return op.get_context().dialect.name == "postgresql"


def copy_rows():
    bind = op.get_bind()
    session = orm.Session(bind=bind)
    rows = session.execute(sa.text("SELECT id, {source} FROM {table}")).all()
    if is_postgres():
        query = dedent(
            """
            INSERT INTO {table} (id, {target}) VALUES (:id, :v)
            ON CONFLICT DO NOTHING
            """
        )
    else:
        query = dedent(
            """
            INSERT OR IGNORE INTO {table} (id, {target}) VALUES (:id, :v)
            """
        )
    for row_id, value in rows:
        session.execute(sa.text(query), {{"v": value, "id": row_id}})
    statement = sa.text(dedent("""UPDATE {table} SET state = 'copied' WHERE {target} IS NOT NULL"""))
    session.execute(statement)
'''


@pytest.mark.parametrize(("table", "target", "source"), NAMES)
def test_indented_queries_are_read(table: str, target: str, source: str) -> None:
    """textwrap's `dedent(…)` of a string (also under `sa.text(…)` bound to a name) is the statement it holds,
    in the branch for the database reviewed (mealie's `if is_postgres():`)."""
    helper = "from textwrap import dedent\n" + _BRANCHED
    found = _review(table, target, source, helper, "    copy_rows()")
    assert "unparsed-statement" not in found, found.get("unparsed-statement")
    assert [m for m in found["unbatched-data-change"] if f"matching `{target} IS NOT NULL`" in m]
