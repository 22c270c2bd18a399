"""Django fills a new column's existing rows by calling a Python default once: one value for every row."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [("shop", "Order", "token"), ("crm", "Contact", "invite_code")]


def _found(app: str, model: str, field: str, base: str = "", imports: str = "import uuid\n") -> list[Finding]:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        "    operations = [\n"
        f'        migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        "    ]\n"
    )
    text = (
        f"{imports}\nfrom django.db import migrations, models\nfrom django.utils import timezone\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n    operations = [\n'
        f'        migrations.AddField(model_name="{model.lower()}", name="{field}", field={base}),\n    ]\n'
    )
    path = f"{app}/migrations/0002_add_{field}.py"
    result = review_sql(text, path=path, base={f"{app}/migrations/0001_initial.py": initial})
    return [f for f in result.active if f.rule == "default-evaluated-once"]


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_a_unique_field_with_a_python_default_fails_on_two_rows(app: str, model: str, field: str) -> None:
    [found] = _found(app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)")
    assert found.severity is Severity.CRITICAL
    assert f"`{app}_{model.lower()}.{field}`" in found.message and "`uuid.uuid4()`" in found.message
    [shared] = _found(
        app, model, field, "models.CharField(max_length=40, default=secrets.token_hex)", "import secrets\n"
    )
    assert shared.severity is Severity.WARNING and "same value" in shared.message


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_defaults_that_are_meant_for_every_row_or_computed_by_the_database(
    app: str, model: str, field: str
) -> None:
    quiet = [
        "models.UUIDField(null=True)",  # filled by a later RunPython, made unique after
        "models.DateTimeField(default=timezone.now)",  # one time for every existing row is what is meant
        "models.IntegerField(default=0)",
        "models.CharField(max_length=10, default='new')",
    ]
    for field_sql in quiet:
        assert not _found(app, model, field, field_sql), field_sql
