"""A migration that starts another program: a script, a management command or a Rake task.

## Why is this bad?
`subprocess.run(["python", "scripts/hash_keys.py"])` in a `RunPython`, `system("bin/rails runner …")` in a
Rails migration, `execFileSync("node", ["scripts/backfill.js"])` in a Sequelize one: what the program does to
the data is not in the migration, so no review of the migration sees it (which rows it rewrites, whether it
works in batches, what it locks, how it is undone). It runs on its own connection, outside the migration's
transaction: when a later statement of the migration fails and the transaction rolls back, what the program
wrote stays, and the runner records nothing, so the next deploy runs it again over the data it already
changed. A program that fails may also be ignored (`system` returns false, a child process's exit code is
not checked) while the migration is recorded as done.

## Use instead
Write the data change in the migration itself, where it is reviewed and runs in its transaction (batched, with
a down that restores what it changes). When it must stay a script, run it as its own step of the deploy,
reviewed with this change: idempotent (safe to run twice), batched, checked for its exit code, and with the
values it overwrites saved first.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RunCode
from bot.rules.context import Context

RULE = Rule(
    id="program-run-by-migration",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.WARNING,
    help="Write the data change in the migration, or run the program as its own reviewed deploy step.",
    bad=(
        "import subprocess\n\nfrom django.db import migrations\n\n\n"
        "def hash_keys(apps, schema_editor):\n"
        '    subprocess.run(["python", "scripts/hash_api_keys.py"], check=True)\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]\n",
    ),
    good=(
        "from django.db import migrations\n\n\n"
        "def hash_keys(apps, schema_editor):\n"
        '    ApiKey = apps.get_model("shop", "ApiKey")\n'
        "    for key in ApiKey.objects.filter(digest__isnull=True).iterator(chunk_size=1000):\n"
        "        key.digest = key.secret[:8]\n"
        '        key.save(update_fields=["digest"])\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]\n",
    ),
)
EXAMPLE_PATH = "shop/migrations/0002_hash_keys.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, RunCode) or not op.program:
            continue
        yield op.finding(
            RULE,
            f"The migration starts another program, `{_short(op.program)}`: what it changes in the database is "
            "not in the migration, so nothing here has checked it (the rows it rewrites, its batches, its locks, "
            "its way back).",
            blast_radius="Whatever the program writes, unreviewed; it runs outside the migration's transaction, "
            "so a failure after it keeps what it wrote, and a deploy that runs the migration again runs the "
            "program again over data it already changed.",
        )


def _short(program: str) -> str:
    flat = " ".join(program.split())
    return flat if len(flat) <= 100 else flat[:97] + "…"
