"""wagtail dropped `GroupPagePermission.permission_type` and kept its manager's `create` taking the name out
of its keyword arguments (`permission_type = kwargs.pop("permission_type", None)`) so that callers go on
working: the review listed its tests' `GroupPagePermission.objects.create(…, permission_type="add")` as
places that fail. It also listed lines of the release notes (`docs/releases/5.2.md`), the history of the
project, which stay true after the column is gone."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _unsafe(result: Review) -> set[str]:
    return {
        f"{r.path}:{r.line}"
        for r in _dropped(result).references
        if "low confidence" not in r.kind and "safe" not in r.kind
    }


INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=20)),
                ("{field}", models.CharField(max_length=20, null=True)),
            ],
        )
    ]
"""
REMOVE = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RemoveField(model_name="{lower}", name="{field}")]
"""


@pytest.mark.parametrize(
    ("app", "model", "field"),
    [("core", "GroupPagePermission", "permission_type"), ("shop", "Coupon", "discount_kind")],
)
def test_a_keyword_the_models_init_takes_and_release_notes_are_no_failing_places(
    app: str, model: str, field: str
) -> None:
    models_py = (
        "from django.db import models\n\n\n"
        f"class {model}Manager(models.Manager):\n"
        "    def create(self, **kwargs):\n"
        f'        {field} = kwargs.pop("{field}", None)\n'
        f"        if {field} and not kwargs.get('name'):\n"
        f"            kwargs['name'] = {field}\n"
        "        return super().create(**kwargs)\n\n\n"
        f"class {model}(models.Model):\n    name = models.CharField(max_length=20)\n"
        f"    objects = {model}Manager()\n"
    )
    caller = (
        f"from {app}.models import {model}\n\n\n"
        f'def grant(group):\n    return {model}.objects.create(name=group, {field}="add")\n'
    )
    notes = f"# 5.2 release notes\n\n- The `{field}` field of `{model}` is removed.\n"
    files = {
        f"{app}/migrations/0001_initial.py": INITIAL.format(model=model, field=field),
        f"{app}/models.py": models_py,
        f"{app}/grants.py": caller,
        "docs/releases/5.2.md": notes,
    }
    path = f"{app}/migrations/0002_remove.py"
    migration = REMOVE.format(app=app, lower=model.lower(), field=field)
    quiet = review_sql(migration, path=path, base=files)
    assert not {f"{app}/grants.py:5", "docs/releases/5.2.md:3"} & _unsafe(quiet)
    plain = models_py.replace(f'kwargs.pop("{field}", None)', 'kwargs.get("label")')
    found = _unsafe(review_sql(migration, path=path, base={**files, f"{app}/models.py": plain}))
    assert f"{app}/grants.py:5" in found


@pytest.mark.parametrize(
    ("app", "model", "field"),
    [("shop", "Order", "legacy_status"), ("cms", "Revision", "page_ref")],
)
def test_an_attribute_of_a_view_a_test_case_or_a_command_is_not_the_models(
    app: str, model: str, field: str
) -> None:
    """wagtail renamed `WorkflowState.page`; the review listed `self.page` of its admin views and test cases,
    those objects' own attributes."""
    views = (
        "from django.views import View\nfrom django.test import TestCase\n\n\n"
        f"class EditView(View):\n    def get(self, request):\n        return self.{field}\n\n\n"
        f"class EditTests(TestCase):\n    def test_get(self):\n        self.assertIsNone(self.{field})\n\n\n"
        f"def show(row):\n    return row.id\n"
    )
    models_py = (
        "from django.db import models\n\n\n"
        f"class {model}(models.Model):\n    name = models.CharField(max_length=20)\n"
    )
    files = {
        f"{app}/migrations/0001_initial.py": INITIAL.format(model=model, field=field),
        f"{app}/models.py": models_py,
        f"{app}/views.py": views,
    }
    path = f"{app}/migrations/0002_remove.py"
    migration = REMOVE.format(app=app, lower=model.lower(), field=field)
    quiet = review_sql(migration, path=path, base=files)
    assert not {f"{app}/views.py:7", f"{app}/views.py:12"} & _unsafe(quiet)
    read = views.replace("    return row.id\n", f"    return {model}.objects.get(pk=row.id).{field}\n")
    found = _unsafe(review_sql(migration, path=path, base={**files, f"{app}/views.py": read}))
    assert f"{app}/views.py:16" in found
