"""A Django app `shop` for the rules' tests: an initial migration that creates one model, a data migration
(`RunPython`) on top of it, and the review of that second migration."""

from __future__ import annotations

from bot.model.findings import Review
from tests.conftest import review_sql

_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
{fields}            ],
{options}        )
    ]
"""
_DATA = """{imports}from django.db import migrations


def forwards(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
    {forwards}
{backwards}

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, {reverse})]
"""


def model_of(table: str) -> str:
    """`users` → `User`: the model whose rows a test's table holds."""
    return table[:-1].capitalize()


def data_migration(model: str, forwards: str, *, backwards: str = "", imports: str = "") -> str:
    """A migration whose `forwards` runs one statement on `model` (and `backwards`, when given, another)."""
    back = (
        f'\n\ndef backwards(apps, schema_editor):\n    {model} = apps.get_model("shop", "{model}")\n    {backwards}\n'
        if backwards
        else ""
    )
    return _DATA.format(
        imports=imports + "\n" if imports else "",
        model=model,
        forwards=forwards,
        backwards=back,
        reverse="backwards" if backwards else "migrations.RunPython.noop",
    )


def review_migration(
    model: str, fields: dict[str, str], text: str, *, options: str = "", files: dict[str, str] | None = None
) -> Review:
    """The review of `text` as `shop/migrations/0002_change.py`, after an initial migration that creates
    `model` with `fields` (name → field, `models.IntegerField()`) and `options` (`{"ordering": ["id"]}`), in
    a tree that also holds `files` (the app's `models.py`)."""
    listed = "".join(f'                ("{name}", {field}),\n' for name, field in fields.items())
    return review_sql(
        text,
        path="shop/migrations/0002_change.py",
        base={
            "shop/migrations/0001_initial.py": _INITIAL.format(
                model=model, fields=listed, options=f"            options={options},\n" if options else ""
            ),
            **(files or {}),
        },
    )
