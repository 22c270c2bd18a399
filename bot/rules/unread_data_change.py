"""A data change the migration makes run, but whose code the review cannot read, is named, never passed over.

## Why is this bad?
A RunPython that sends a Celery task (`recompute_totals.delay()`), calls a management command, or an
app's `post_migrate` handler that writes rows, changes data during the deploy without a statement the
review can check: no rule has looked at which rows it writes, whether it is batched, or how to undo it.
A task also runs outside the migration: after it has finished, on whatever release the workers run, or
never when no worker is up, so the migration reports success before the data is changed.

## Use instead
Write the data change in the migration itself (a RunPython over the historical models, or RunSQL), where
it runs once, in order, inside the migration's transaction, and where the review reads it. When it must
stay where it is, check by hand what the finding names: the rows the code writes, and what the deploy
does if it fails or never runs.

## Framework notes
Django: a RunPython that calls `.delay()`, `.apply_async()` or `send_task()`, or `call_command()` (but
`loaddata`, whose fixture is read), and the `post_migrate` handlers of the migration's app (connected with
`post_migrate.connect(…)` or `@receiver(post_migrate)`) that create, update, save or delete rows, named on
the app's latest migration, and tasks queued from a handler the RunPython itself connects to
`post_migrate`. Handlers that only create permissions or content types, or write one row per model of
`sender.get_models()` (registering the app's models), are bookkeeping and are not named, nor are handlers
of Django or of a library. A task or command the migration starts keeps the review from approving
until the finding is suppressed with a reason (someone has read that code); a handler is a warning, and a
note when the pull request leaves its module as it was (it has run on every earlier deploy too).

Rails: a loop over records (`find_each`, `each`) whose write the review does not follow: attributes the
code computes (`r.update!(attributes_for(r))`) or a row of another table reached through the record
(`r.account.update!(…)`). The writes it does follow are read as the UPDATE they amount to.

Laravel: a write through an object rather than a query (`$reasons[0]->updateQuietly([…])`,
`$invoice->save()`, `$row->delete()`), whose table and rows the review cannot tell; the writes through
one object are one finding, and it keeps the review from approving until suppressed with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Reference, Rule, Severity
from bot.model.migration import Migration, UnreadDataChange
from bot.rules.context import Context

_OBJECT = re.compile(r"`(\$\w+|\w+)(?:\[[^\]]*\])?(?:->|\.)")  # the object a write goes through

RULE = Rule(
    id="unread-data-change",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Write the data change in the migration itself, where it runs in order and is reviewed; "
    "otherwise check by hand the rows the named code writes.",
    bad=(
        "from django.db import migrations\n\nfrom shop.tasks import recompute_totals\n\n\n"
        "def forwards(apps, schema_editor):\n"
        "    recompute_totals.delay()\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
    good=(
        "from django.db import migrations\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    Order = apps.get_model("shop", "Order")\n'
        "    Order.objects.filter(total__isnull=True, id__lt=1000).update(total=0)\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
)
EXAMPLE_PATH = "shop/migrations/0002_totals.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    unread = [op for op in migration.up if isinstance(op, UnreadDataChange)]
    groups: dict[tuple[str, str], list[UnreadDataChange]] = {}
    for op in unread:  # writes through one object (`$reasons[0]…`, `$reasons[1]…`) are one thing to check
        through = _OBJECT.match(op.runs)
        groups.setdefault((op.how, through.group(1) if through else op.runs), []).append(op)
    for (_, holder), ops in groups.items():
        op = ops[0]
        place = f" (`{op.code.path}:{op.code.line}`)" if op.code is not None else ""
        more = (
            f" It writes through `{holder}` {len(ops) - 1} more time{'s' if len(ops) > 2 else ''} (lines "
            + ", ".join(str(o.location.line) for o in ops[1:])
            + ")."
            if len(ops) > 1
            else ""
        )
        unchanged = op.every_migrate and _unchanged(op, context)
        yield op.finding(
            RULE,
            f"The migration makes {op.runs}{place} run, {op.how}; the review cannot read the data it "
            f"changes.{more}"
            + (
                " This pull request does not change that code: it has run on every earlier deploy as well."
                if unchanged
                else ""
            ),
            severity=Severity.INFO if unchanged else None,
            blast_radius="Unknown: the rows this code writes are not checked by any rule (values, "
            "batching, the way back).",
            fix=op.check + ".",
            references=(Reference(op.code.path, op.code.line, op.runs, kind="code"),)
            if op.code is not None
            else (),
        )


def _unchanged(op: UnreadDataChange, context: Context) -> bool:
    """The code of a handler that runs on every `migrate` is the same before and after the change: what it
    does on this deploy it did on every earlier one (a handler the change adds or edits is still a warning)."""
    if op.code is None or context.base_tree is None:
        return False
    before = context.base_tree.read(op.code.path)
    return before is not None and before == context.tree.read(op.code.path)
