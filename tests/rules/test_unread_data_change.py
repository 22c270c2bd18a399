"""Data changes a Django migration sets off but the review cannot read (a Celery task, a management command,
an app's `post_migrate` handler that writes rows) are named with their file and line, never approved in
silence; readable changes, `loaddata` and handlers that only create permissions say nothing."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "unread-data-change"
NAMES = [
    ("shop", "Order", "recompute_totals", "backfill_totals"),
    ("billing", "Invoice", "send_reminders", "fill_due"),
]

MIGRATION = """from django.db import migrations

from {app}.tasks import {task}


def forwards(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
{body}


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("total", models.IntegerField(null=True))],
        ),
    ]
"""


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == RULE]


def _review(app: str, model: str, task: str, body: str, head: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    text = MIGRATION.format(app=app, model=model, task=task, body=body)
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(model=model)}
    return review_sql(text, path=f"{app}/migrations/0002_fill.py", base=base, head=head)


@pytest.mark.parametrize(("app", "model", "task", "command"), NAMES)
@pytest.mark.parametrize(
    ("body", "runs"),
    [
        (
            "    for row in {model}.objects.filter(total__isnull=True):\n        {task}.delay(row.pk)",
            "Celery task `{task}`",
        ),
        ("    {task}.apply_async(args=[1], countdown=10)", "Celery task `{task}`"),
        ("    call_command('{command}', batch=500)", "management command `{command}`"),
    ],
    ids=["delay", "apply_async", "call_command"],
)
def test_work_sent_elsewhere_is_named_and_not_approved(  # type: ignore[no-untyped-def]
    app: str, model: str, task: str, command: str, body: str, runs: str
) -> None:
    filled = body.format(model=model, task=task, command=command)
    result = _review(app, model, task, filled)
    found = _found(result)
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert runs.format(task=task, command=command) in found[0].message
    assert found[0].path == f"{app}/migrations/0002_fill.py" and found[0].line == 8 + body.count("\n")
    assert "could not read" in " ".join(result.reasons) and result.approval == "BLOCKED"


@pytest.mark.parametrize(("app", "model", "task", "command"), NAMES)
def test_a_readable_change_and_loaddata_say_nothing(app: str, model: str, task: str, command: str) -> None:
    readable = _review(
        app, model, task, f"    {model}.objects.filter(total__isnull=True, id__lt=500).update(total=0)"
    )
    assert not _found(readable)
    fixture = _review(app, model, task, f"    call_command('loaddata', '{command}.json')")
    assert not _found(fixture)


APPS = """from django.apps import AppConfig
from django.db.models.signals import post_migrate


class {App}Config(AppConfig):
    name = "{app}"

    def ready(self):
        from .signals import {handler}

        post_migrate.connect({handler}, sender=self)
"""
SIGNALS = """from django.contrib.auth.management import create_permissions


def {handler}(sender, apps=None, **kwargs):
{body}
"""
RECEIVER = """from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def {handler}(sender, apps=None, **kwargs):
{body}
"""


@pytest.mark.parametrize(("app", "model", "task", "handler"), NAMES)
@pytest.mark.parametrize("connected", ["connect", "receiver"])
def test_post_migrate_handlers_that_write_rows(
    app: str, model: str, task: str, handler: str, connected: str
) -> None:
    writes = f"    {model} = apps.get_model('{app}', '{model}')\n    {model}.objects.get_or_create(id=1, defaults={{'total': 0}})"
    own = (
        "    Permission = apps.get_model('auth', 'Permission')\n"
        "    Permission.objects.get_or_create(codename='export', content_type_id=1)\n"
        "    create_permissions(sender, apps=apps, verbosity=0)"
    )
    body = f"    {model}.objects.filter(total__isnull=True, id__lt=500).update(total=0)"

    def head(handler_body: str) -> dict[str, str]:
        if connected == "connect":
            return {
                f"{app}/apps.py": APPS.format(App=app.title(), app=app, handler=handler),
                f"{app}/signals.py": SIGNALS.format(handler=handler, body=handler_body),
            }
        return {f"{app}/signals.py": RECEIVER.format(handler=handler, body=handler_body)}

    found = _found(_review(app, model, task, body, head=head(writes)))
    assert len(found) == 1 and f"`post_migrate` handler `{handler}`" in found[0].message
    assert found[0].severity is Severity.WARNING  # the pull request adds it: it runs for the first time
    assert f"`{app}/signals.py:" in found[0].message and found[0].references[0].path == f"{app}/signals.py"
    assert found[0].path == f"{app}/migrations/0002_fill.py"
    assert not _found(_review(app, model, task, body, head=head(own)))
    assert not _found(_review(app, model, task, body))


@pytest.mark.parametrize(("app", "model", "task", "handler"), NAMES)
def test_handlers_that_register_the_apps_models_or_live_elsewhere(
    app: str, model: str, task: str, handler: str
) -> None:
    """One row per model of `sender.get_models()` is bookkeeping, as Django's own handlers do; a handler
    defined in another module of the app is found there; Django's or a library's handler is theirs."""
    body = f"    {model}.objects.filter(total__isnull=True, id__lt=500).update(total=0)"
    registering = RECEIVER.format(
        handler=handler,
        body="    for model in sender.get_models():\n"
        "        kind, _ = ObjectKind.objects.get_or_create(label=model._meta.label_lower)\n"
        "        kind.public = True\n        kind.save()",
    )
    assert not _found(_review(app, model, task, body, head={f"{app}/signals.py": registering}))
    elsewhere = {
        f"{app}/apps.py": APPS.format(App=app.title(), app=app, handler=handler).replace(
            ".signals", ".management.defaults"
        ),
        f"{app}/management/defaults.py": SIGNALS.format(
            handler=handler, body=f"    {model}.objects.update_or_create(id=1, defaults={{'total': 0}})"
        ),
    }
    found = _found(_review(app, model, task, body, head=elsewhere))
    assert len(found) == 1 and found[0].references[0].path == f"{app}/management/defaults.py"
    library = {
        f"{app}/apps.py": "from django.apps import AppConfig\nfrom django.contrib.sites.management import "
        "create_default_site\nfrom django.db.models.signals import post_migrate\n\n\n"
        f"class Config(AppConfig):\n    name = '{app}'\n\n    def ready(self):\n"
        "        post_migrate.connect(create_default_site, sender=self)\n"
    }
    assert not _found(_review(app, model, task, body, head=library))


DEFERRED = """from django.db import migrations
from django.db.models.signals import post_migrate

from .tasks.backfill import {task}


def queue(apps, schema_editor):
    def on_migrations_complete(sender=None, **kwargs):
        {task}.delay()

    sender = registry.get_app_config("{app}")
    post_migrate.connect(on_migrations_complete, weak=False, sender=sender)


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(queue, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize(("app", "model", "task", "handler"), NAMES)
def test_a_task_queued_after_the_migrations_from_a_run_python(
    app: str, model: str, task: str, handler: str
) -> None:
    """`post_migrate.connect(on_complete)` inside the RunPython, `on_complete` sending a task: the task is
    named, with the module it comes from, at the line that sends it."""
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(model=model)}
    text = DEFERRED.format(app=app, task=task)
    result = review_sql(text, path=f"{app}/migrations/0002_queue.py", base=base)
    found = _found(result)
    assert len(found) == 1 and found[0].line == 9
    assert f"Celery task `{task}` (imported from `.tasks.backfill`)" in found[0].message
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize(("app", "model", "task", "handler"), NAMES)
def test_a_handler_the_pull_request_leaves_as_it_was_is_a_note(
    app: str, model: str, task: str, handler: str
) -> None:
    """A `post_migrate` handler runs on every `migrate`: one this pull request does not touch did the same
    on every earlier deploy, so naming it as a warning on each new migration of the app is noise."""
    writes = f"    {model} = apps.get_model('{app}', '{model}')\n    {model}.objects.get_or_create(id=1)"
    files = {
        f"{app}/apps.py": APPS.format(App=app.title(), app=app, handler=handler),
        f"{app}/signals.py": SIGNALS.format(handler=handler, body=writes),
    }
    body = f"    {model}.objects.filter(total__isnull=True, id__lt=500).update(total=0)"
    text = MIGRATION.format(app=app, model=model, task=task, body=body)
    base = {f"{app}/migrations/0001_initial.py": INITIAL.format(model=model), **files}
    kept = _found(review_sql(text, path=f"{app}/migrations/0002_fill.py", base=base))
    assert len(kept) == 1 and kept[0].severity is Severity.INFO
    assert "does not change that code" in kept[0].message
    # the same handler edited by the pull request is read again: a warning
    edited = {f"{app}/signals.py": SIGNALS.format(handler=handler, body=writes.replace("id=1", "id=2"))}
    changed = _found(review_sql(text, path=f"{app}/migrations/0002_fill.py", base=base, head=edited))
    assert len(changed) == 1 and changed[0].severity is Severity.WARNING


HELPER_WRITES = """def {task}(apps, batch=500):
    {model} = apps.get_model("{app}", "{model}")
    for row in {model}.objects.filter(total__isnull=True).iterator():
        row.total = 0
        row.save(update_fields=["total"])
"""
HELPER_READS = """def {task}(apps, batch=500):
    {model} = apps.get_model("{app}", "{model}")
    return {model}.objects.filter(total__isnull=True).count()
"""


@pytest.mark.parametrize(("app", "model", "task", "command"), NAMES)
@pytest.mark.parametrize("module", ["tasks.py", "tasks/__init__.py"])
def test_a_project_function_that_writes_rows_is_named_not_approved_in_silence(
    app: str, model: str, task: str, command: str, module: str
) -> None:
    # the RunPython hands its work to a function of the project's own code
    helper = {f"{app}/{module}": HELPER_WRITES.format(app=app, model=model, task=task)}
    (found,) = _found(_review(app, model, task, f"    {task}(apps)", head=helper))
    assert found.severity is Severity.WARNING
    assert f"`{task}()` (`{app}/{module}:1`)" in found.message
    assert "row.save(" in found.message


@pytest.mark.parametrize(("app", "model", "task", "command"), NAMES)
def test_a_function_that_writes_nothing_or_is_not_the_projects_says_nothing(
    app: str, model: str, task: str, command: str
) -> None:
    reads = {f"{app}/tasks.py": HELPER_READS.format(app=app, model=model, task=task)}
    assert _found(_review(app, model, task, f"    {task}(apps)", head=reads)) == []
    # imported from an installed package: nothing of it is in the tree
    assert _found(_review(app, model, task, f"    {task}(apps)")) == []
