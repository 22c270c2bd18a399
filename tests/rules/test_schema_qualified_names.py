"""One table whether or not its schema is written: Alembic's `op.add_column(…, schema="rb")` and the
`UPDATE rb.bookings …` the same migration executes name the same table, and a foreign key follows a table
renamed under it. Each was a false alarm on a real migration that renames a link table, moves a column
to another table and copies the values over, with a down migration that copies them back."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {
        "schema": "roombooking",
        "parent": "reservations",
        "child": "occurrences",
        "links": "links",
        "renamed": "occurrence_links",
    },
    {"schema": "billing", "parent": "invoices", "child": "lines", "links": "refs", "renamed": "line_refs"},
]
BASE = """CREATE SCHEMA {schema};
CREATE TABLE {schema}.{links} (id serial PRIMARY KEY);
CREATE TABLE {schema}.{parent} (id serial PRIMARY KEY, start_dt timestamptz, link_id integer REFERENCES {schema}.{links} (id));
CREATE TABLE {schema}.{child} (id serial PRIMARY KEY, {parent}_id integer REFERENCES {schema}.{parent} (id), start_dt timestamptz);
"""
MIGRATION = '''revision = "b2"
down_revision = "a1"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.rename_table("{links}", "{renamed}", schema="{schema}")
    op.add_column("{child}", sa.Column("link_id", sa.Integer(), nullable=True), schema="{schema}")
    op.create_foreign_key(None, "{child}", "{renamed}", ["link_id"], ["id"], source_schema="{schema}", referent_schema="{schema}")
    op.execute("""
        UPDATE {schema}.{child}
        SET link_id = {parent}.link_id
        FROM {schema}.{parent}
        WHERE {schema}.{child}.{parent}_id = {parent}.id AND {parent}.link_id IS NOT NULL
    """)
    op.drop_column("{parent}", "link_id", schema="{schema}")


def downgrade():
    op.rename_table("{renamed}", "{links}", schema="{schema}")
    op.add_column("{parent}", sa.Column("link_id", sa.Integer(), nullable=True), schema="{schema}")
{restore}    op.drop_column("{child}", "link_id", schema="{schema}")
'''
RESTORE = '''    op.execute("""
        UPDATE {schema}.{parent}
        SET link_id = {child}.link_id
        FROM {schema}.{child}
        WHERE {schema}.{child}.{parent}_id = {parent}.id AND {child}.link_id IS NOT NULL
    """)
'''


def _review(names: dict[str, str], restore: bool) -> Review:
    text = MIGRATION.format(**names, restore=RESTORE.format(**names) if restore else "")
    return review_sql(
        text, path="alembic/versions/b2_move_links.py", base={"db/structure.sql": BASE.format(**names)}
    )


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize("names", NAMES)
def test_a_column_moved_between_tables_of_a_schema_and_copied_back(names: dict[str, str]) -> None:
    good = _rules(_review(names, restore=True))
    assert not good & {"mismatched-key", "data-lost-on-rollback", "down-recreates-empty"}, good
    bad = _review(names, restore=False)
    assert "down-recreates-empty" in _rules(bad)
    assert "mismatched-key" not in _rules(bad)
