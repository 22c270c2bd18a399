"""`integer-division`: two integers divided into a column that holds fractions, read from SQL in every
framework's migrations and from Django's and Rails' own data-change forms; MySQL's `/` keeps the fraction."""

from __future__ import annotations

import pytest

from bot.model.findings import Review, Severity
from tests.conftest import review_sql
from tests.rules.django_app import data_migration, model_of, review_migration
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {
        "table": "orders",
        "part": "done",
        "whole": "total",
        "share": "ratio",
        "cents": "amount_cents",
        "money": "amount",
    },
    {
        "table": "tasks",
        "part": "passed",
        "whole": "runs",
        "share": "pass_rate",
        "cents": "fee_cents",
        "money": "fee",
    },
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {part} integer NOT NULL, {whole} integer NOT NULL,\n"
    "  {share} numeric(5, 4), {cents} bigint, {money} numeric(12, 2), minutes integer, seconds integer);\n"
)


def _review(names: dict[str, str], sql: str, framework=FRAMEWORKS[0], dialect: str | None = None) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(**names)})


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "integer-division"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_two_integers_divided_into_a_fraction_column(names, framework) -> None:  # type: ignore[no-untyped-def]
    result = _review(
        names, "UPDATE {table} SET {share} = {part} / {whole}, {money} = {cents} / 100;", framework
    )
    found = _found(result)
    if result.databases and result.databases[0].database.dialect in ("mysql", "mariadb"):
        assert not found  # MySQL's `/` keeps the fraction
        return
    assert len(found) == 2 and all(f.severity is Severity.CRITICAL for f in found)
    assert f"`{names['table']}.{names['share']}`" in found[0].message
    assert f"NULLIF({names['whole']}, 0)" in found[0].fix and "NULLIF" not in found[1].fix
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET {share} = {part}::numeric / NULLIF({whole}, 0) WHERE id < 1000;",
        "UPDATE {table} SET {share} = CAST({part} AS numeric) / {whole} WHERE id < 1000;",
        "UPDATE {table} SET {money} = {cents} / 100.0 WHERE id < 1000;",
        "UPDATE {table} SET minutes = seconds / 60 WHERE id < 1000;",  # an integer column: meant
        "UPDATE {table} SET {money} = {share} / 2 WHERE id < 1000;",  # a numeric operand
    ],
)
def test_divisions_that_keep_the_fraction_or_mean_integers_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql))


@pytest.mark.parametrize("names", NAMES)
def test_mysql_division_keeps_the_fraction(names) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, "UPDATE {table} SET {share} = {part} / {whole};", dialect="mysql"))


@pytest.mark.parametrize("names", NAMES)
def test_insert_select_reads_the_source_columns_types(names) -> None:  # type: ignore[no-untyped-def]
    sql = (
        "CREATE TABLE {table}_summary (id bigint PRIMARY KEY, {share} numeric(5, 4));\n"
        "INSERT INTO {table}_summary (id, {share}) SELECT s.id, s.{part} / s.{whole} FROM {table} s;"
    )
    assert len(_found(_review(names, sql))) == 1


RAILS = 'class Backfill < ActiveRecord::Migration[7.1]\n  def up\n    {model}.update_all("{share} = {part} / {whole}")\n  end\nend\n'


@pytest.mark.parametrize("names", NAMES)
def test_rails_update_all(names) -> None:  # type: ignore[no-untyped-def]
    model = names["table"][:-1].capitalize()
    result = review_sql(
        RAILS.format(model=model, **names),
        path="db/migrate/20260101000000_backfill.rb",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert len(_found(result)) == 1


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "imports,value,expected",
    [
        ("from django.db.models import F", 'F("{part}") / F("{whole}")', 1),
        (
            "from django.db.models import DecimalField, F\nfrom django.db.models.functions import Cast",
            'Cast("{part}", DecimalField()) / F("{whole}")',
            0,
        ),
    ],
)
def test_django_update_with_f_expressions(names, imports, value, expected) -> None:  # type: ignore[no-untyped-def]
    model = model_of(names["table"])
    text = data_migration(
        model, f"{model}.objects.update({names['share']}={value.format(**names)})", imports=imports
    )
    fields = {
        names["part"]: "models.IntegerField()",
        names["whole"]: "models.IntegerField()",
        names["share"]: "models.DecimalField(max_digits=5, decimal_places=4, null=True)",
    }
    assert len(_found(review_migration(model, fields, text))) == expected


@pytest.mark.parametrize(
    ("model", "whole", "share"), [("Order", "qty", "unit_share"), ("Invoice", "hours", "day_share")]
)
def test_django_division_says_cast_and_a_decimal_divisor_does_not_help(
    model: str, whole: str, share: str
) -> None:
    """Django 5.2 with psycopg 3 on PostgreSQL 15: `F(whole) / Decimal(3)` in an ExpressionWrapper with a
    DecimalField output stores 2.00 for 7; `Cast(F(whole), DecimalField(…)) / 3` stores 2.33."""
    from tests.rules.django_app import data_migration, review_migration

    fields = {
        whole: "models.IntegerField()",
        share: "models.DecimalField(max_digits=10, decimal_places=2, null=True)",
    }
    imports = (
        "from decimal import Decimal\nfrom django.db import models\n"
        "from django.db.models import DecimalField, ExpressionWrapper, F\nfrom django.db.models.functions import Cast"
    )

    def found(value: str) -> list:  # type: ignore[type-arg]
        body = f"{model}.objects.filter({share}__isnull=True).update({share}={value})"
        result = review_migration(model, fields, data_migration(model, body, imports=imports))
        return [f for f in result.active if f.rule == "integer-division"]

    wrapped = f"ExpressionWrapper(F('{whole}') / Decimal(3), output_field=DecimalField())"
    [finding] = found(wrapped)
    assert f'Cast(F("{whole}")' in (finding.fix or ""), finding.fix
    assert not found(f"Cast(F('{whole}'), models.DecimalField(max_digits=10, decimal_places=2)) / 3")
