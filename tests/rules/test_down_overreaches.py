"""`down-overreaches`: a down that picks the rows to restore by the value the up wrote also rewrites the rows
that held that value before; read from SQL, Rails and Django."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, model_of, review_migration

NAMES = [
    {"table": "users", "column": "status", "new": "inactive", "old": "active", "cond": "last_login"},
    {"table": "tickets", "column": "state", "new": "closed", "old": "open", "cond": "updated_on"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL DEFAULT '{old}', {cond} date);\n"
)


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "down-overreaches"]


def _goose(names: dict[str, str], up: str, down: str) -> Review:
    return review_sql(
        f"-- +goose Up\n{up}\n-- +goose Down\n{down}\n".format(**names),
        path="db/migrations/002_change.sql",
        base={"db/migrations/001_schema.sql": "-- +goose Up\n" + SCHEMA.format(**names)},
    )


UP = "UPDATE {table} SET {column} = '{new}' WHERE {cond} < '2024-01-01';"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "down",
    [
        "UPDATE {table} SET {column} = '{old}' WHERE {column} = '{new}';",
        "UPDATE {table} SET {column} = '{old}' WHERE {cond} < '2024-01-01' AND {column} = '{new}';",
    ],
)
def test_a_down_selecting_by_the_written_value(names, down) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(_goose(names, UP, down))
    assert f"`{names['column']} = '{names['new']}'`" in finding.message and finding.location.line == 4


@pytest.mark.parametrize("names", NAMES)
def test_a_down_restoring_from_a_backup_or_a_value_the_change_introduces(names) -> None:  # type: ignore[no-untyped-def]
    backup = (
        "CREATE TABLE {table}_backup AS SELECT id, {column} FROM {table} WHERE {cond} < '2024-01-01';\n" + UP,
        "UPDATE {table} SET {column} = b.{column} FROM {table}_backup b WHERE b.id = {table}.id;",
    )
    assert not _found(_goose(names, *backup))
    introduced = (
        "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_check CHECK ({column} IN ('{old}', '{new}', 'archived'));\n"
        "UPDATE {table} SET {column} = 'archived' WHERE {cond} < '2020-01-01';",
        "UPDATE {table} SET {column} = '{old}' WHERE {column} = 'archived';",
    )
    assert not _found(_goose(names, *introduced))
    other = (UP, "UPDATE {table} SET {column} = '{old}' WHERE {column} = 'something else';")
    assert not _found(_goose(names, *other))


RAILS = """class Retire < ActiveRecord::Migration[7.1]
  def up
    {model}.where("{cond} < ?", Date.new(2024, 1, 1)).update_all({column}: "{new}")
  end

  def down
    {model}.where({column}: "{new}").update_all({column}: "{old}")
  end
end
"""


@pytest.mark.parametrize("names", NAMES)
def test_rails_down_by_value(names) -> None:  # type: ignore[no-untyped-def]
    model = names["table"][:-1].capitalize()
    result = review_sql(
        RAILS.format(model=model, **names),
        path="db/migrate/20260101000000_retire.rb",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert len(_found(result)) == 1


def _django(names: dict[str, str], since: str = "datetime.date(2024, 1, 1)") -> Review:
    model = model_of(names["table"])
    text = data_migration(
        model,
        f'{model}.objects.filter({names["cond"]}__lt={since}).update({names["column"]}="{names["new"]}")',
        backwards=f'{model}.objects.filter({names["column"]}="{names["new"]}").update({names["column"]}="{names["old"]}")',
        imports="import datetime\n",
    )
    fields = {
        names["column"]: f'models.CharField(max_length=20, default="{names["old"]}")',
        names["cond"]: "models.DateField(null=True)",
    }
    return review_migration(model, fields, text)


@pytest.mark.parametrize("names", NAMES)
def test_django_reverse_by_value(names) -> None:  # type: ignore[no-untyped-def]
    assert len(_found(_django(names))) == 1


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("datetime.date(2024, 1, 1)", "'2024-01-01'"),
        ("datetime.datetime(2024, 1, 1, 8, 30)", "'2024-01-01 08:30:00'"),
        (
            "settings.CUTOFF.date()",
            None,
        ),  # code of the application: left out of every query the review writes
        ("retention.cutoff()", None),
    ],
)
def test_python_values_in_a_django_filter_become_sql_or_stay_out_of_the_queries(
    names, value, written
) -> None:  # type: ignore[no-untyped-def]
    result = _django(names, value)
    statements = [q.sql for q in result.verification_queries] + [s.command for s in result.rollback_plan]
    if written is not None:
        assert any(written in sql for sql in statements)
    assert not any(part in sql for sql in statements for part in ("datetime.", "settings.", "retention."))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("default", "quiet"), [("", True), (" DEFAULT '{new}'", False)])
def test_a_column_the_change_adds_held_no_value_before_it(names, default, quiet) -> None:  # type: ignore[no-untyped-def]
    """The column is new in this change: no row held the written value before the up (unless it is the
    column's default)."""
    added = f"ALTER TABLE {{table}} ADD COLUMN mode text{default};\n"
    up = added + "UPDATE {table} SET mode = '{new}' WHERE {cond} < '2024-01-01';"
    down = "UPDATE {table} SET mode = NULL WHERE mode = '{new}';\nALTER TABLE {table} DROP COLUMN mode;"
    assert (not _found(_goose(names, up, down))) is quiet


UNCONDITIONAL = {
    "sql": "UPDATE {table} SET {column} = '{old}';",
    "rails": '{model}.update_all({column}: "{old}")',
    "django": '{model}.objects.update({column}="{old}")',
}
RESTORED = {
    "sql": "UPDATE {table} SET {column} = b.{column} FROM {table}_backup b WHERE b.id = {table}.id;",
    "rails": '{model}.where({cond}: nil).update_all({column}: "{old}")',
    "django": '{model}.objects.filter({cond}__isnull=True).update({column}="{old}")',
}


def _every_row_down(names: dict[str, str], framework: str, down: str) -> Review:
    model = model_of(names["table"])
    down = down.format(model=model, **names)
    if framework == "sql":
        up = (
            "CREATE TABLE {table}_backup AS SELECT id, {column} FROM {table} WHERE {cond} < '2024-01-01';\n"
            + UP
        )
        return _goose(names, up, down)
    if framework == "rails":
        text = RAILS.replace('{model}.where({column}: "{new}").update_all({column}: "{old}")', down)
        return review_sql(
            text.format(model=model, **names),
            path="db/migrate/20260101000000_retire.rb",
            base={"db/structure.sql": SCHEMA.format(**names)},
        )
    text = data_migration(
        model,
        f'{model}.objects.filter({names["cond"]}__lt=datetime.date(2024, 1, 1)).update({names["column"]}="{names["new"]}")',
        backwards=down,
        imports="import datetime\n",
    )
    fields = {
        names["column"]: f'models.CharField(max_length=20, default="{names["old"]}")',
        names["cond"]: "models.DateField(null=True)",
    }
    return review_migration(model, fields, text)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(UNCONDITIONAL))
def test_a_down_that_sets_every_row_where_the_up_changed_some(names, framework) -> None:  # type: ignore[no-untyped-def]
    (finding,) = _found(_every_row_down(names, framework, UNCONDITIONAL[framework]))
    assert f".{names['column']}` to '{names['old']}' in every row" in finding.message
    assert not _found(_every_row_down(names, framework, RESTORED[framework]))


@pytest.mark.parametrize("names", NAMES)
def test_a_down_that_clears_every_row_of_a_column_the_change_adds(names) -> None:  # type: ignore[no-untyped-def]
    up = "ALTER TABLE {table} ADD COLUMN mode text;\nUPDATE {table} SET mode = '{new}' WHERE {cond} < '2024-01-01';"
    assert not _found(
        _goose(names, up, "UPDATE {table} SET mode = 'none';\nALTER TABLE {table} DROP COLUMN mode;")
    )
