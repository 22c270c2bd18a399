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
def test_a_core_statement_with_a_value_of_the_code_writes_it_to_every_row(names: dict[str, str]) -> None:
    result = _review(names, "{table}.update().values({state}=computed_state)")
    assert not _rules(result, "unparsed-statement")
    every = _rules(result, "unbatched-data-change")
    assert every and "every row" in every[0].message
    unknown = _review(names, "{table}.update().values({state}=sa.case((({table}.c.id > 1), 'x')))")
    assert _rules(unknown, "unparsed-statement")  # a construct the reader does not know stays unread


LOOPED = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
    '{table} = sa.table("{table}", sa.column("id"), sa.column("{state}"))\n\n\n'
    "def upgrade():\n"
    "    connection = op.get_bind()\n"
    "    rows = connection.execute(\n"
    "        {table}.select().where({table}.c.{state} == 'stale').order_by({table}.c.id).limit(100)\n"
    "    ).fetchall()\n"
    "    for row in rows:\n"
    "        renamed = row.{state}.replace('stale', 'closed')\n"
    "        connection.execute({table}.update().where({table}.c.id == row.id).values({state}=renamed))\n"
    "    connection.execute({table}.insert().values({state}=renamed))\n\n\n"
    "def downgrade():\n    pass\n"
)


@pytest.mark.parametrize("names", NAMES)
def test_values_of_the_code_and_selects_are_read(names: dict[str, str]) -> None:
    """A value of the migration's code (`row.id`, a local) is a value known when it runs: the UPDATE by
    `id = row.id` reaches one row; a SELECT reads and changes nothing; `insert().values(…)` is an INSERT."""
    result = review_sql(
        LOOPED.format(**names),
        path="alembic/versions/b2_data.py",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert not _rules(result, "unparsed-statement")
    assert not _rules(result, "unbatched-data-change")
    from bot.frameworks import alembic
    from bot.model.changeset import MemoryTree
    from bot.model.migration import DataInsert, DataUpdate

    migration = alembic.parse("alembic/versions/b2_data.py", LOOPED.format(**names), MemoryTree(), "postgres")
    kinds = [
        (type(op), getattr(op, "where", None))
        for op in migration.up
        if isinstance(op, DataUpdate | DataInsert)
    ]
    assert kinds == [(DataUpdate, "id = interp_value"), (DataInsert, None)]


@pytest.mark.parametrize("names", NAMES)
def test_constraints_of_create_table_are_known(names: dict[str, str]) -> None:
    """`sa.PrimaryKeyConstraint("id")` in `create_table` makes `id` the key an UPDATE by id is pinned to."""
    initial = (
        'revision = "a1"\ndown_revision = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        "def upgrade():\n"
        '    op.create_table("{table}", sa.Column("id", sa.Integer(), nullable=False),\n'
        '        sa.Column("{state}", sa.Text()), sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("{state}"))\n\n\n'
        "def downgrade():\n    pass\n"
    ).format(**names)
    one_row = REVISION.replace('sa.column("{on}"), sa.column("{off}"), ', "").format(
        **names,
        statement="{table}.update().where({table}.c.id == 7).values({state}='closed')".format(**names),
    )
    result = review_sql(
        one_row, path="alembic/versions/b2_data.py", base={"alembic/versions/a1_initial.py": initial}
    )
    assert not _rules(result, "unbatched-data-change"), [f.message for f in result.active]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("value", "sql"),
    [
        ("sa.func.lower({table}.c.{state})", "lower({state})"),
        ("sa.func.coalesce({table}.c.{state}, 'none')", "coalesce({state}, 'none')"),
        ("func.upper(sa.func.trim({table}.c.{state}))", "upper(trim({state}))"),
    ],
)
def test_sql_functions_of_sqlalchemy_func_are_read(names: dict[str, str], value: str, sql: str) -> None:
    statement = "{table}.update().where({table}.c.id < 1000).values({state}=" + value + ")"
    result = _review(names, statement)
    assert not _rules(result, "unparsed-statement")
    written = [q.sql for q in result.verification_queries]
    assert any(sql.format(**names).lower() in q.lower() for q in written), written
