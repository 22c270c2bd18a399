"""A DELETE whose children reference it with `ON DELETE SET NULL` / `SET DEFAULT` (or, for an ORM delete, the
model's `on_delete=SET_NULL` / `SET_DEFAULT`) updates those children: the review names them in the finding
and its blast radius, and the rollback plan saves their links before the deploy and writes them back after
the parents are restored. Each framework writes the DELETE its own way; a child whose key has no such action
is not named."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_native_data_forms import DJANGO_INITIAL, NAMES, NATIVE, SCHEMA, Change

ACTIONS = {
    "set null": ("ON DELETE SET NULL", "SET_NULL"),
    "set default": ("ON DELETE SET DEFAULT", "SET_DEFAULT"),
}


def _review(framework: str, names: dict[str, str], action: str, dialect: str | None = None) -> Review:
    """A delete of parent rows; the child's key does `action` ("" for none)."""
    sql, orm = ACTIONS.get(action, ("", "PROTECT"))
    path, text = NATIVE[framework](names, Change(names["table"], delete=True), None)
    schema = SCHEMA.replace("ON DELETE CASCADE", sql)
    if action == "set default":
        schema = schema.replace("{table}_id bigint REFERENCES", "{table}_id bigint DEFAULT 0 REFERENCES")
    if dialect == "mysql":  # MySQL ignores a REFERENCES written on the column: the key is declared apart
        schema = schema.replace(
            f"{{table}}_id bigint REFERENCES {{table}} (id) {sql});",
            f"{{table}}_id bigint, FOREIGN KEY ({{table}}_id) REFERENCES {{table}} (id) {sql});",
        )
    base = {"db/structure.sql": schema.format(**names)}
    if framework == "django":
        initial = DJANGO_INITIAL.replace(
            "models.ForeignKey(on_delete=models.deletion.CASCADE,",
            f"models.ForeignKey(on_delete=models.deletion.{orm}, null=True, default=0,",
        )
        base = {
            "shop/migrations/0001_initial.py": initial.format(**names, model_lower=names["model"].lower())
        }
    return review_sql(text, path=path, base=base, dialect=dialect)


def _named(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "cascading-delete"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_delete_that_empties_the_children_links(framework: str, names: dict[str, str], action: str) -> None:
    result = _review(framework, names, action)
    found = _named(result)
    column = f"{names['table']}_id" if framework != "django" else f"{names['model'].lower()}_id"
    assert len(found) == 1, (framework, [f.rule for f in result.active])
    to = "NULL" if action == "set null" else "its default"
    assert f"`{names['child']}.{column}` to {to}" in found[0].message, found[0].message
    assert f"`{names['child']}`" in found[0].blast_radius
    saves = [s.command for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert any(f"SELECT id, {column} FROM {names['child']}" in (c or "") for c in saves), saves
    restores = [s.command or "" for s in result.rollback_plan if s.text.startswith("Give the rows")]
    assert len(restores) == 1 and f"UPDATE {names['child']} SET {column} = b.{column}" in restores[0], (
        restores
    )


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_delete_whose_children_keep_no_action(framework: str, names: dict[str, str]) -> None:
    result = _review(framework, names, "")
    assert not _named(result), [f.message for f in _named(result)]
    assert not [s for s in result.rollback_plan if s.text.startswith("Give the rows")]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", ["knex", "laravel", "goose"])
def test_the_links_written_back_on_mysql(framework: str, names: dict[str, str]) -> None:
    result = _review(framework, names, "set null", dialect="mysql")
    restores = [s.command or "" for s in result.rollback_plan if s.text.startswith("Give the rows")]
    assert len(restores) == 1 and " JOIN " in restores[0] and "SET t." in restores[0], restores


ALTER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(
            model_name="child",
            name="{model_lower}",
            field=models.ForeignKey(null=True, on_delete=models.deletion.{orm}, to="shop.{model}"),
        ),
    ]
"""
DELETE = """from django.db import migrations


def forwards(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    {model}.objects.filter(id__gte=1, id__lt=1000).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_alter")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("first", "then", "said"), [("CASCADE", "SET_NULL", "to NULL"), ("SET_NULL", "CASCADE", "deletes")]
)
def test_a_later_alter_field_changes_what_the_delete_does(
    names: dict[str, str], first: str, then: str, said: str
) -> None:
    """The model's `on_delete` as the last migration before the change left it, not as the first wrote it."""
    lower = names["model"].lower()
    initial = DJANGO_INITIAL.replace(
        "models.ForeignKey(on_delete=models.deletion.CASCADE,",
        f"models.ForeignKey(on_delete=models.deletion.{first}, null=True,",
    ).format(**names, model_lower=lower)
    base = {
        "shop/migrations/0001_initial.py": initial,
        "shop/migrations/0002_alter.py": ALTER.format(model_lower=lower, model=names["model"], orm=then),
    }
    result = review_sql(DELETE.format(model=names["model"]), path="shop/migrations/0003_delete.py", base=base)
    found = [f for f in result.active if f.rule == "cascading-delete"]
    assert len(found) == 1 and said in found[0].message, [f.message for f in found]
    other = "deletes" if said == "to NULL" else "to NULL"
    assert other not in found[0].message
