"""SQLAlchemy Core data changes in Alembic revisions (`t.update().where(…).values(…)`, `t.delete()`) read as
the SQL they send, so the data rules judge them like `op.execute("UPDATE …")`."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"table": "accounts", "child": "sessions", "on": "is_visible", "off": "is_hidden", "state": "status"},
    {"table": "projects", "child": "tasks", "on": "is_enabled", "off": "is_disabled", "state": "phase"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {on} boolean, {off} boolean, {state} text);\n"
    "CREATE TABLE {child} (id bigint PRIMARY KEY, owner_id bigint REFERENCES {table} (id) ON DELETE CASCADE);\n"
)
REVISION = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
    '{table} = sa.table("{table}", sa.column("id"), sa.column("{on}"), sa.column("{off}"), sa.column("{state}"))\n\n\n'
    "def upgrade():\n    op.execute({statement})\n\n\ndef downgrade():\n    pass\n"
)


def _review(names: dict[str, str], statement: str) -> Review:
    text = REVISION.format(**names, statement=statement.format(**names))
    return review_sql(
        text, path="alembic/versions/b2_data.py", base={"db/structure.sql": SCHEMA.format(**names)}
    )


def _rules(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
def test_core_update_is_read_as_sql(names: dict[str, str]) -> None:
    bad = "{table}.update().where({table}.c.id < 1000).values({on}={table}.c.{off})"
    found = _rules(_review(names, bad), "swapped-values")
    assert found and f"`{names['table']}.{names['on']}` is filled from `{names['off']}`" in found[0].message
    good = "{table}.update().where({table}.c.id < 1000).values({on}=sa.not_({table}.c.{off}))"
    result = _review(names, good)
    assert not _rules(result, "swapped-values") and not _rules(result, "unparsed-statement")


@pytest.mark.parametrize("names", NAMES)
def test_core_update_with_a_dict_and_sa_update(names: dict[str, str]) -> None:
    statement = (
        "sa.update({table}).where(sa.and_({table}.c.{state} == 'stale', {table}.c.id < 500))"
        ".values({{'{state}': 'closed'}})"
    )
    result = _review(names, statement)
    assert not _rules(result, "unparsed-statement")
    queries = [q.sql for q in result.verification_queries]
    assert any(f"{names['state']} = 'stale'" in q for q in queries), queries


@pytest.mark.parametrize("names", NAMES)
def test_core_delete_cascades(names: dict[str, str]) -> None:
    result = _review(names, "{table}.delete().where({table}.c.{state}.in_(['gone', 'spam']))")
    found = _rules(result, "cascading-delete")
    assert found and names["child"] in found[0].message
    backup = [
        s.command
        for s in result.rollback_plan
        if s.command.startswith(f"CREATE TABLE {names['table']}_backup")
    ]
    assert backup and "IN ('gone', 'spam')" in backup[0]


@pytest.mark.parametrize("names", NAMES)
def test_a_core_statement_built_from_python_values_stays_unread(names: dict[str, str]) -> None:
    result = _review(names, "{table}.update().values({state}=computed_state)")
    assert _rules(result, "unparsed-statement")
