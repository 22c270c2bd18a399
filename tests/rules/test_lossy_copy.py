"""`lossy-copy`: a column copied into one whose type cannot hold its values, in SQL of every framework and
in Rails' and Django's own data changes; checked on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Review, Severity
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, model_of, review_migration
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {"table": "orders", "wide": "total", "narrow": "total_whole", "long": "note", "short": "summary"},
    {"table": "invoices", "wide": "amount", "narrow": "amount_int", "long": "memo", "short": "memo_short"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {wide} numeric(12, 2), {narrow} integer, {long} text,\n"
    "  {short} varchar(20), wide_copy numeric(14, 2), long_copy text);\n"
)


def _review(names: dict[str, str], sql: str, framework=FRAMEWORKS[0]) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "lossy-copy"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_copies_into_narrower_types(names, framework) -> None:  # type: ignore[no-untyped-def]
    found = _found(_review(names, "UPDATE {table} SET {narrow} = {wide}, {short} = {long};", framework))
    assert len(found) == 2
    rounded = next(f for f in found if f"`{names['table']}.{names['narrow']}`" in f.message)
    assert rounded.severity is Severity.CRITICAL and "rounded away" in rounded.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET wide_copy = {wide}, long_copy = {short} WHERE id < 1000;",  # wider
        "UPDATE {table} SET {narrow} = round({wide}), {short} = left({long}, 20) WHERE id < 1000;",  # on purpose
        "UPDATE {table} SET {short} = {long} WHERE length({long}) <= 20;",  # only rows that fit
        "INSERT INTO {table} (id, wide_copy) SELECT id, {narrow} FROM {table} WHERE id < 0;",
    ],
)
def test_copies_that_keep_every_value_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql))


@pytest.mark.parametrize("names", NAMES)
def test_insert_select_into_a_narrower_table(names) -> None:  # type: ignore[no-untyped-def]
    sql = (
        "CREATE TABLE {table}_archive (id bigint PRIMARY KEY, {wide} integer);\n"
        "INSERT INTO {table}_archive (id, {wide}) SELECT o.id, o.{wide} FROM {table} o;"
    )
    (finding,) = _found(_review(names, sql))
    assert f"`{names['table']}.{names['wide']}`" in finding.message


def test_the_copy_rounds_on_postgres_and_the_check_finds_the_rows(pg: Any) -> None:
    names = NAMES[0]
    (finding,) = [
        f for f in _found(_review(names, "UPDATE {table} SET {narrow} = {wide};")) if "rounded" in f.message
    ]
    pg.execute(SCHEMA.format(**names))
    pg.execute("INSERT INTO orders (id, total) VALUES (1, 19.99), (2, 20)")
    assert pg.execute(finding.fix.split("`")[1].rstrip(";")).fetchone() == (1,)
    pg.execute("UPDATE orders SET total_whole = total")  # no error
    assert pg.execute("SELECT total_whole FROM orders ORDER BY id").fetchall() == [(20,), (20,)]


RAILS = 'class Copy < ActiveRecord::Migration[7.1]\n  def up\n    {model}.update_all("{narrow} = {wide}")\n  end\nend\n'


@pytest.mark.parametrize("names", NAMES)
def test_rails_and_django(names) -> None:  # type: ignore[no-untyped-def]
    model = model_of(names["table"])
    rails = review_sql(
        RAILS.format(model=model, **names),
        path="db/migrate/20260101000000_copy.rb",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    text = data_migration(
        model,
        f'{model}.objects.update({names["narrow"]}=F("{names["wide"]}"))',
        imports="from django.db.models import F",
    )
    fields = {
        names["wide"]: "models.DecimalField(max_digits=12, decimal_places=2)",
        names["narrow"]: "models.IntegerField(null=True)",
    }
    assert len(_found(rails)) == 1 and len(_found(review_migration(model, fields, text))) == 1


@pytest.mark.parametrize(
    ("table", "target", "target_type", "source", "source_type", "value"),
    [
        ("devices", "owner_uuid", "uuid", "owner_ref", "text(36)", "not-a-uuid"),
        ("notes", "short_note", "varchar(5)", "body", "text", "a note longer than five"),
    ],
)
def test_sqlite_keeps_what_a_column_type_would_refuse_elsewhere(
    table: str, target: str, target_type: str, source: str, source_type: str, value: str
) -> None:
    """A SQLite column's type is an affinity, not a limit: the copy stores every value as it is (shown on
    SQLite), so nothing is lost there; the same copy on PostgreSQL is still a finding."""
    import sqlite3

    sql = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY, {source} {source_type}, {target} {target_type});\n"
        f"-- migration\nUPDATE {table} SET {target} = {source} WHERE id BETWEEN 1 AND 1000;"
    )
    assert not [f for f in review_sql(sql, dialect="sqlite").active if f.rule == "lossy-copy"]
    if target_type != "uuid":  # PostgreSQL refuses text into uuid without a cast: no copy to judge there
        assert [f for f in review_sql(sql, dialect="postgres").active if f.rule == "lossy-copy"]
    database = sqlite3.connect(":memory:")
    database.execute(sql.split("\n-- migration\n")[0])
    database.execute(f"INSERT INTO {table} (id, {source}) VALUES (1, ?)", (value,))
    database.execute(sql.split("\n-- migration\n")[1])
    assert database.execute(f"SELECT {target} FROM {table}").fetchone() == (value,)
