"""`applied-migration-edited` where the version databases ran imports, or depends on, what the change removes:
Django loads every migration module each time `migrate` runs, so the edit is needed (a warning whose fix is not
to restore the file). AWX removed `_ldap_group_type.py` and `django-taggit`, Kitsune the constants its 0029
imported, kpi the `reversion` app: each edit was a block asking to restore the file as it was. And code moved
to a later migration of the change, which databases that ran the file run once more (kpi's 0006 and 0007)."""

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


MOVED_CODE = """from django.db import migrations

from {app}.sql import REFRESH_SQL


def apply_fix(apps, schema_editor):
    schema_editor.execute(REFRESH_SQL)


class Migration(migrations.Migration):
    dependencies = [('{app}', '{previous}')]
    operations = [migrations.RunPython(apply_fix, reverse_code=migrations.RunPython.noop)]
"""
EMPTIED = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('{app}', '0001_initial')]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("app", ["user_reports", "billing"])
def test_code_moved_to_a_later_migration_of_the_change_is_a_warning(app: str) -> None:
    """kpi made its applied 0006 a no-op and ran the same RunPython (a materialized view dropped and created
    again, its SQL imported) in a new 0007: the edit was a block asking to restore 0006."""
    applied, later = f"{app}/migrations/0002_fix.py", f"{app}/migrations/0003_fix_again.py"
    before = MOVED_CODE.format(app=app, previous="0001_initial")
    base = {
        f"{app}/migrations/0001_initial.py": INITIAL,
        f"{app}/migrations/__init__.py": "",
        f"{app}/sql.py": "REFRESH_SQL = build()\n",
        applied: before,
    }
    emptied = EMPTIED.format(app=app)
    moved = MOVED_CODE.format(app=app, previous="0002_fix")
    files = (ChangedFile(applied, "modified", before, emptied), ChangedFile(later, "added", None, moved))
    head = {**base, applied: emptied, later: moved}
    result = review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base)), dialect="postgres")
    [finding] = [f for f in result.findings if f.rule == "applied-migration-edited"]
    assert finding.severity.value == "warning" and f"moves its code to `{later}`" in finding.message
    # the code removed and run nowhere else: still a block
    files = (ChangedFile(applied, "modified", before, emptied),)
    result = review(
        ChangeSet("b", "h", files, MemoryTree({**base, applied: emptied}), MemoryTree(base)),
        dialect="postgres",
    )
    [finding] = [f for f in result.findings if f.rule == "applied-migration-edited"]
    assert finding.severity.value == "critical"
