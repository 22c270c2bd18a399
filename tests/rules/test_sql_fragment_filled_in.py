"""SQL a revision builds with a fragment of syntax filled in when it runs (indico efb8b440e4: `CASE
personal_data_type {case_expr} END`, the WHEN branches joined from an enum) could not be read; the finding said
PostgreSQL rejects the statement, which it does not. A statement that is wrong as written still says so."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("form_items", "internal_name", "data_type"), ("orders", "state_label", "state")]

_REVISION = '''"""fill

Revision ID: b2
Revises: a1
"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    branches = " ".join(f"WHEN {{n}} THEN 'kind-{{n}}'" for n in range(3))
    op.execute({sql})


def downgrade():
    op.execute("UPDATE {table} SET {target} = NULL")
'''


def _unparsed(table: str, target: str, source: str, sql: str) -> list[str]:
    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {target} text, {source} int);\n"
    }
    text = _REVISION.format(table=table, target=target, sql=sql)
    result = review_sql(text, path="alembic/versions/b2_fill.py", base=base)
    return [f.message for f in result.active if f.rule == "unparsed-statement"]


@pytest.mark.parametrize(("table", "target", "source"), NAMES)
def test_a_fragment_the_code_fills_in_is_no_refusal(table: str, target: str, source: str) -> None:
    built = f'f"UPDATE {table} SET {target} = CASE {source} {{branches}} END"'
    [message] = _unparsed(table, target, source, built)
    assert "built at run time" in message and "rejects" not in message
    # a statement wrong as written is refused as written
    wrong = f'"UPDATE {table} SET {target} = CASE {source} WHEN END"'
    [refused] = _unparsed(table, target, source, wrong)
    assert "PostgreSQL rejects it" in refused
