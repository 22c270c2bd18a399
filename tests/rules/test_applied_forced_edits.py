"""`applied-migration-edited` where the version databases ran imports, or depends on, what the change removes:
Django loads every migration module each time `migrate` runs, so the edit is needed (a warning whose fix is not
to restore the file). AWX removed `_ldap_group_type.py` and `django-taggit`, Kitsune the constants its 0029
imported, kpi the `reversion` app: each edit was a block asking to restore the file as it was."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding
from bot.review import review

INITIAL = """from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    operations = []
"""
FILL = """from django.db import migrations
{imports}

class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial"){dependency}]
    operations = [{operations}]
"""
SETTINGS = "INSTALLED_APPS = [\n    'django.contrib.auth',\n    '{app}',\n{extra}]\n"


def _edited(app: str, files: dict[str, str], head_files: dict[str, str], before: str, after: str) -> Finding:
    path = f"{app}/migrations/0002_fill.py"
    base = {
        f"{app}/migrations/0001_initial.py": INITIAL,
        f"{app}/migrations/__init__.py": "",
        **files,
        path: before,
    }
    head = {**base, **head_files, path: after}
    head = {k: v for k, v in head.items() if v is not None}
    changed = [ChangedFile(path, "modified", before, after)]
    changed += [
        ChangedFile(p, "removed" if head.get(p) is None else "modified", base.get(p), head.get(p))
        for p in head_files
        if base.get(p) != head.get(p)
    ]
    result = review(
        ChangeSet("b", "h", tuple(changed), MemoryTree(head), MemoryTree(base)), dialect="postgres"
    )
    return next(f for f in result.findings if f.rule == "applied-migration-edited")


@pytest.mark.parametrize(
    ("app", "helper", "function"),
    [("conf", "_ldap_group_type", "fill_ldap_params"), ("shop", "_seed", "seed_prices")],
)
def test_an_import_of_a_module_the_change_deletes_makes_the_edit_needed(
    app: str, helper: str, function: str
) -> None:
    module = f"{app}/migrations/{helper}.py"
    code = f"def {function}(apps, schema_editor):\n    Setting = apps.get_model('{app}', 'Setting')\n    Setting.objects.filter(key='x').update(value='y')\n"
    before = FILL.format(
        app=app,
        imports=f"from {app}.migrations.{helper} import {function}\n",
        dependency="",
        operations=f"migrations.RunPython({function})",
    )
    after = FILL.format(app=app, imports="", dependency="", operations="")
    finding = _edited(app, {module: code}, {module: None}, before, after)  # type: ignore[dict-item]
    assert finding.severity.value == "warning"
    assert f"imports `{app}.migrations.{helper}`, which this change deletes" in finding.message
    assert finding.fix.startswith("Keep the edit")
    # the module kept: the edit is a choice, and stays a block
    kept = _edited(app, {module: code}, {}, before, after)
    assert kept.severity.value == "critical" and "which this change deletes" not in kept.message


@pytest.mark.parametrize(
    ("app", "package", "requirement"),
    [("main", "taggit", "django-taggit==5.0"), ("kpi", "reversion", "django-reversion>=5")],
)
def test_a_dependency_on_an_app_the_settings_stop_installing_makes_the_edit_needed(
    app: str, package: str, requirement: str
) -> None:
    before = FILL.format(
        app=app,
        imports=f"import {package}.models\n",
        dependency=f", ('{package}', '0001_initial')",
        operations="migrations.RunSQL('UPDATE auth_user SET is_staff = false WHERE id < 0')",
    )
    after = FILL.format(
        app=app,
        imports="",
        dependency="",
        operations="migrations.RunSQL('UPDATE auth_user SET is_staff = false WHERE id < 1')",
    )
    files = {
        "project/settings.py": SETTINGS.format(app=app, extra=f"    '{package}',\n"),
        "requirements.txt": f"Django>=4.2\n{requirement}\n",
    }
    dropped = {"project/settings.py": SETTINGS.format(app=app, extra=""), "requirements.txt": "Django>=4.2\n"}
    finding = _edited(app, files, dropped, before, after)
    assert finding.severity.value == "warning", finding.message
    assert f"`{package}" in finding.message and "The edit is needed" in finding.message
    # still installed: nothing forces the edit
    kept = _edited(app, files, {}, before, after)
    assert kept.severity.value == "critical"
