"""unnamed-constraint-drop: Alembic's `drop_constraint(None, …)` (autogenerate's downgrade of a key created
without a name) fails at run time on PostgreSQL and MySQL; a constraint dropped by its name does not."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

HEAD = 'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "a1b2c3"\ndown_revision = None\n\n\n'
NAMES = [("users", "team_id", "teams"), ("challenges", "module_id", "modules")]


def _revision(table: str, column: str, parent: str, created: str, dropped: str, batch: bool = False) -> str:
    down = (
        f'    with op.batch_alter_table("{table}") as batch_op:\n'
        f'        batch_op.drop_constraint(constraint_name={dropped}, type_="foreignkey")\n'
        if batch
        else f'    op.drop_constraint({dropped}, "{table}", type_="foreignkey")\n'
    )
    return (
        HEAD
        + "def upgrade():\n"
        + f'    op.add_column("{table}", sa.Column("{column}", sa.Integer(), nullable=True))\n'
        + f'    op.create_foreign_key({created}, "{table}", "{parent}", ["{column}"], ["id"])\n\n\n'
        + "def downgrade():\n"
        + down
        + f'    op.drop_column("{table}", "{column}")\n'
    )


def _found(text: str, dialect: str = "postgres") -> list:
    path = "migrations/versions/a1b2c3_add_key.py"
    result = review_sql(text, path=path, dialect=dialect)
    return [f for f in result.active if f.rule == "unnamed-constraint-drop"]


@pytest.mark.parametrize(("table", "column", "parent"), NAMES)
def test_a_downgrade_that_drops_a_key_by_the_name_none_fails(table: str, column: str, parent: str) -> None:
    found = _found(_revision(table, column, parent, "None", "None"))
    assert len(found) == 1 and found[0].severity == "critical", found
    assert "downgrade()" in found[0].message and f"`{table}`" in found[0].message
    assert f"`{table}_{column}_fkey`" in found[0].fix  # the name PostgreSQL gave the key
    assert f"`{table}_ibfk_<n>`" in _found(_revision(table, column, parent, "None", "None"), "mysql")[0].fix
    assert _found(_revision(table, column, parent, "None", "None", batch=True))  # batch mode refuses it too


@pytest.mark.parametrize(("table", "column", "parent"), NAMES)
def test_a_key_dropped_by_its_name_is_no_finding(table: str, column: str, parent: str) -> None:
    name = f'"{table}_{column}_fkey"'
    assert not _found(_revision(table, column, parent, name, name))
    assert not _found(_revision(table, column, parent, "None", name))  # created unnamed, dropped by its name
    assert not _found(_revision(table, column, parent, name, name, batch=True))
    # a name the revision computes is not `None`
    assert not _found(
        _revision(table, column, parent, "None", "key_name").replace(HEAD, HEAD + "key_name = 'k'\n")
    )


def test_an_upgrade_that_drops_by_the_name_none_fails_too() -> None:
    text = (
        HEAD
        + 'def upgrade():\n    op.drop_constraint(None, "files", type_="unique")\n\n\ndef downgrade():\n    pass\n'
    )
    found = _found(text)
    assert found and "upgrade()" in found[0].message and "information_schema" in found[0].fix
