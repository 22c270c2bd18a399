"""`null-into-not-null`: NULL written into a NOT NULL column fails the statement (a literal NULL always; a
nullable column, or a comparison with one, at the first row whose source is NULL), read from SQL in every
framework and from the ORMs' own updates; a COALESCE, an IS NOT NULL filter or a nullable target is quiet."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {"t": "products", "name": "title", "old": "legacy_title", "flag": "is_active", "state": "status"},
    {"t": "members", "name": "display_name", "old": "nickname", "flag": "verified", "state": "kyc_state"},
]
SCHEMA = (
    "CREATE TABLE {t} (id bigint PRIMARY KEY, {name} varchar(80) NOT NULL, {old} varchar(80),"
    " {flag} boolean NOT NULL DEFAULT false, {state} varchar(20), note text);\n"
    "CREATE TABLE {t}_archive (id bigint PRIMARY KEY, {name} varchar(80) NOT NULL);\n"
)


def _found(names: dict[str, str], sql: str, framework=FRAMEWORKS[0], dialect: str | None = None) -> list:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    result: Review = review_sql(
        text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(**names)}
    )
    return [f for f in result.active if f.rule == "null-into-not-null"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_nullable_source_into_a_not_null_column(names, framework) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(names, "UPDATE {t} SET {name} = {old} WHERE id >= 1 AND id < 1000;", framework)
    assert f"`{names['t']}.{names['name']}` is NOT NULL" in finding.message
    assert f"SELECT count(*) FROM {names['t']} WHERE {names['old']} IS NULL" in finding.fix
    assert finding.severity.value == "warning"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("sql", "severity"),
    [
        ("UPDATE {t} SET {name} = NULL WHERE id = 7;", "critical"),
        ("UPDATE {t} SET {flag} = ({state} = 'active') WHERE id >= 1 AND id < 1000;", "warning"),
        ("INSERT INTO {t}_archive (id, {name}) SELECT id, {old} FROM {t} WHERE id < 1000;", "warning"),
    ],
)
def test_null_from_a_literal_a_comparison_or_a_copy(names, sql, severity) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(names, sql)
    assert finding.severity.value == severity


@pytest.mark.parametrize("names", NAMES)
def test_mysql_says_what_it_stores_outside_strict_mode(names) -> None:  # type: ignore[no-untyped-def]
    [finding] = _found(names, "UPDATE {t} SET {name} = {old} WHERE id < 1000;", dialect="mysql")
    assert "outside strict mode" in finding.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {t} SET {name} = coalesce({old}, {name}) WHERE id >= 1 AND id < 1000;",
        "UPDATE {t} SET {name} = {old} WHERE {old} IS NOT NULL AND id >= 1 AND id < 1000;",
        "UPDATE {t} SET {flag} = coalesce({state} = 'active', false) WHERE id >= 1 AND id < 1000;",
        "UPDATE {t} SET {flag} = ({state} = 'active') WHERE {state} IS NOT NULL AND id < 1000;",
        "UPDATE {t} SET note = {old} WHERE id >= 1 AND id < 1000;",
        "UPDATE {t} SET {name} = upper({name}) WHERE id >= 1 AND id < 1000;",
        "UPDATE {t} SET {old} = NULL WHERE id = 7;",
    ],
)
def test_guarded_or_nullable_targets_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(names, sql)


_DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=80)),
                ("legacy_title", models.CharField(max_length=80, null=True)),
            ],
        )
    ]
"""
_DJANGO_DATA = """from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.filter({only}).update(title={value})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(
    ("only", "value", "found"),
    [
        ("id__lt=1000", "F('legacy_title')", True),
        ("id__lt=1000", "None", True),
        ("id__lt=1000, legacy_title__isnull=False", "F('legacy_title')", False),
        ("id__lt=1000", "Coalesce('legacy_title', 'title')", False),
    ],
)
def test_django_update(only, value, found) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(
        _DJANGO_DATA.format(only=only, value=value),
        path="shop/migrations/0002_titles.py",
        base={"shop/migrations/0001_initial.py": _DJANGO_INITIAL},
    )
    assert bool([f for f in result.active if f.rule == "null-into-not-null"]) is found


@pytest.mark.parametrize(
    ("schema", "sql"),
    [
        (
            "CREATE TABLE memberships (user_id bigint, team_id bigint, PRIMARY KEY (user_id, team_id));\n"
            "CREATE TABLE memberships_archive (user_id bigint NOT NULL, team_id bigint NOT NULL);\n",
            "INSERT INTO memberships_archive (user_id, team_id) SELECT user_id, team_id FROM memberships;",
        ),
        (
            "CREATE TABLE tags (slug text, label text);\nALTER TABLE tags ADD PRIMARY KEY (slug);\n"
            "CREATE TABLE tag_aliases (alias text PRIMARY KEY, slug text NOT NULL);\n",
            "INSERT INTO tag_aliases (alias, slug) SELECT slug, slug FROM tags;",
        ),
        (
            "CREATE TABLE invoices (id bigint PRIMARY KEY, number text, CONSTRAINT number_present CHECK (number IS NOT NULL));\n"
            "CREATE TABLE receipts (id bigint PRIMARY KEY, invoice_number text NOT NULL);\n",
            "INSERT INTO receipts (id, invoice_number) SELECT id, number FROM invoices;",
        ),
    ],
)
@pytest.mark.parametrize("dialect", [None, "mysql"])
def test_columns_a_key_or_a_check_keeps_from_null_are_quiet(schema, sql, dialect) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(sql, dialect=dialect, base={"db/structure.sql": schema})
    assert not [f for f in result.active if f.rule == "null-into-not-null"]
