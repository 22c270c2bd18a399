"""A Django unique field made unique regardless of case: the column's own unique key dropped for a
`UniqueConstraint(Lower(field), condition=Q((f"{field}__isnull", False)))`, after a migration of the change that
renames the rows that would collide."""

from __future__ import annotations

from typing import Any

import pytest

from .migration_set import findings, rules_of

NAMES = [("accounts", "Profile", "username"), ("shop", "Customer", "email")]


def _initial(model: str, field: str) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{field}", models.CharField(max_length=80, null=True, unique=True)), '
        '("nickname", models.CharField(max_length=80, null=True))])]\n'
    )


def _rename(app: str, model: str, field: str) -> str:
    return (
        "from django.db import migrations\n\n\ndef rename(apps, schema_editor):\n"
        f'    {model} = apps.get_model("{app}", "{model}")\n    seen, renamed = set(), []\n'
        f"    for row in {model}.objects.exclude({field}=None).order_by('id'):\n"
        f"        if row.{field}.lower() in seen:\n            row.{field} = f'{{row.{field}}}_{{row.id}}'\n"
        "            renamed.append(row)\n"
        f"        seen.add(row.{field}.lower())\n"
        f'    {model}.objects.bulk_update(renamed, ["{field}"])\n\n\n'
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n'
        "    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]\n"
    )


def _case_insensitive(app: str, model: str, field: str, key: str, after: str) -> str:
    return (
        "import django.db.models.functions.text\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "{after}")]\n    operations = [\n'
        f'        migrations.AlterField(model_name="{model.lower()}", name="{field}", '
        "field=models.CharField(max_length=80, null=True)),\n"
        f'        migrations.AddConstraint(model_name="{model.lower()}", constraint=models.UniqueConstraint('
        f'django.db.models.functions.text.Lower("{key}"), condition=models.Q(("{key}__isnull", False)), '
        f'name="{app}_{key}_lower_uniq")),\n'
        "    ]\n"
    )


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_a_unique_key_replaced_by_one_regardless_of_case_after_renaming_the_collisions(
    app: str, model: str, field: str
) -> None:
    folder = f"{app}/migrations"
    base = {f"{folder}/0001_initial.py": _initial(model, field)}
    quiet = {"unique-key-dropped", "unique-without-duplicate-check"}
    change = {
        f"{folder}/0002_rename.py": _rename(app, model, field),
        f"{folder}/0003_lower.py": _case_insensitive(app, model, field, field, "0002_rename"),
    }
    assert rules_of(findings(base, change)) & quiet == set()
    # nothing renames the rows that differ only in case: they fail the new key
    alone = {f"{folder}/0002_lower.py": _case_insensitive(app, model, field, field, "0001_initial")}
    [found] = [f for f in findings(base, alone) if f.rule == "unique-without-duplicate-check"]
    assert f"lower({field})" in found.message and f"WHERE {field} IS NOT NULL" in found.fix
    # the new key is on another column: the old one's uniqueness is gone
    other = {
        f"{folder}/0002_rename.py": _rename(app, model, field),
        f"{folder}/0003_lower.py": _case_insensitive(app, model, field, "nickname", "0002_rename"),
    }
    assert "unique-key-dropped" in rules_of(findings(base, other))


@pytest.mark.parametrize(("table", "column"), [("accounts_profile", "username"), ("shop_customer", "email")])
def test_postgresql_a_unique_key_on_the_lower_case_keeps_the_column_unique(
    pg: Any, table: str, column: str
) -> None:
    import psycopg

    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text)")
    pg.execute(
        f"CREATE UNIQUE INDEX {table}_lower_uniq ON {table} (lower({column})) WHERE {column} IS NOT NULL"
    )
    pg.execute(f"INSERT INTO {table} VALUES (1, 'Ann'), (2, NULL), (3, NULL)")
    for value in ("Ann", "ann"):
        with pytest.raises(psycopg.errors.UniqueViolation):
            pg.execute(f"INSERT INTO {table} VALUES (4, %s)", [value])
