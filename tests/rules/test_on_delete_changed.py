"""A foreign key replaced by one that cascades deletes."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    {"parent": "customers", "child": "orders", "key": "customer_id"},
    {"parent": "projects", "child": "tasks", "key": "project_id"},
]
SCHEMA = (
    "CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
    "CREATE TABLE {child} (id bigint PRIMARY KEY, {key} bigint NOT NULL CONSTRAINT {child}_{key}_fk REFERENCES"
    " {parent} (id), other_id bigint REFERENCES {parent} (id) ON DELETE SET NULL);\n"
)


def _found(
    names: dict[str, str], text: str, path: str = "db/migrations/0002_key.sql"
) -> tuple[list[Finding], set[str]]:
    result = review_sql(text.format(**names), path=path, base={"db/structure.sql": SCHEMA.format(**names)})
    return [f for f in result.active if f.rule == "on-delete-changed"], {f.rule for f in result.active}


REPLACE = (
    "SET lock_timeout = '5s';\nALTER TABLE {child} DROP CONSTRAINT {child}_{key}_fk;\n"
    "ALTER TABLE {child} ADD CONSTRAINT {child}_{key}_fk FOREIGN KEY ({key}) REFERENCES {parent} (id) ON DELETE {action} NOT VALID;\n"
)


@pytest.mark.parametrize("names", NAMES)
def test_a_key_that_now_cascades_deletes(names: dict[str, str]) -> None:
    [found], rules = _found(names, REPLACE.replace("{action}", "CASCADE"))
    assert f"`{names['parent']}` row" in found.message and "now deletes its" in found.message
    assert "foreign-key-dropped" not in rules  # replaced in the same migration: the relation is kept
    assert not _found(names, REPLACE.replace("{action}", "RESTRICT"))[0]


@pytest.mark.parametrize("names", NAMES)
def test_set_null_on_a_not_null_column_is_left_to_its_own_rule(names: dict[str, str]) -> None:
    found, rules = _found(names, REPLACE.replace("{action}", "SET NULL"))
    assert not found and "set-null-on-required-column" in rules


@pytest.mark.parametrize("names", NAMES)
def test_a_rails_key_replaced_to_cascade(names: dict[str, str]) -> None:
    text = (
        "class CascadeKey < ActiveRecord::Migration[7.1]\n  def change\n"
        "    remove_foreign_key :{child}, :{parent}\n"
        "    add_foreign_key :{child}, :{parent}, on_delete: :cascade, validate: false\n  end\nend\n"
    )
    found, _ = _found(names, text, path="db/migrate/20260101000000_cascade_key.rb")
    assert len(found) == 1 and "CASCADE" in found[0].message


@pytest.mark.parametrize("names", NAMES)
def test_the_keys_a_migration_turns_to_cascade_are_one_finding(names: dict[str, str]) -> None:
    both = REPLACE.replace("{action}", "CASCADE") + (
        "ALTER TABLE {child} ADD CONSTRAINT {child}_other_fk FOREIGN KEY (other_id) REFERENCES {parent} (id) "
        "ON DELETE CASCADE NOT VALID;\n"
    )
    [found], _ = _found(names, both)
    assert f"So does 1 more key: `{names['child']}` (other_id)" in found.message


_DJANGO_INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(name="{parent}", fields=[("id", models.BigAutoField(primary_key=True))]),
        migrations.CreateModel(
            name="{child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{key}", models.ForeignKey(on_delete=django.db.models.deletion.{action}, to="shop.{lower}")),
            ],
        ),
    ]
"""
_DJANGO_ALTER = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(
            model_name="{child_lower}",
            name="{key}",
            field=models.ForeignKey(on_delete=django.db.models.deletion.{action}, to="shop.{lower}"),
        ),
    ]
"""


@pytest.mark.parametrize(
    ("parent", "child", "key"), [("Customer", "Order", "customer"), ("Project", "Task", "project")]
)
def test_django_on_delete_turned_to_cascade_in_the_models(parent: str, child: str, key: str) -> None:
    """Django deletes the children itself (no statement reaches the database): PROTECT or SET_NULL turned into
    CASCADE is the same decision as a database key's."""

    def found(before: str, after: str) -> list[Finding]:
        names = {
            "parent": parent,
            "child": child,
            "key": key,
            "lower": parent.lower(),
            "child_lower": child.lower(),
        }
        initial = _DJANGO_INITIAL.format(action=before, **names)
        migration = _DJANGO_ALTER.format(action=after, **names)
        result = review_sql(
            migration,
            path="shop/migrations/0002_change.py",
            base={"shop/migrations/0001_initial.py": initial},
        )
        return [f for f in result.active if f.rule == "on-delete-changed"]

    (finding,) = found("PROTECT", "CASCADE")
    assert "PROTECT to CASCADE" in finding.message and "the ORM deletes them itself" in finding.message
    assert f"`shop_{child.lower()}` rows" in finding.message and "failed while it had" in finding.message
    (finding,) = found("SET_NULL", "CASCADE")
    assert "set their" in finding.message and "to NULL" in finding.message
    assert not found("CASCADE", "PROTECT")
    assert not found("PROTECT", "SET_NULL")
