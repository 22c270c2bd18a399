"""A migration file of the base branch is deleted by the change.

## Why is this bad?
Existing databases ran the migration already; deleting its file undoes nothing there. What changes is
everything else: a new install (a fresh environment, the test database of CI, a developer's machine) that
builds its schema by running the migrations no longer gets what the file did, and its schema silently
diverges from production's. Several runners refuse to go on when a migration they recorded has no file:
Flyway's validation stops the deploy ("Detected applied migration not resolved locally"), Knex stops
with "The migration directory is corrupt, the following files are missing". A Django migration or an
Alembic revision that a remaining one depends on (`dependencies`, `down_revision`) breaks the graph:
`migrate` / `upgrade` stops with NodeNotFoundError / "Can't locate revision" on every database.

## Use instead
Keep applied migrations. To undo what one did, write a new migration. To shorten a long history, squash it
the framework's way: Django's `squashmigrations` (the squashed migration `replaces` the old ones, which are
deleted only once every database has run it), Rails' `db/schema.rb` loaded by new installs, a Flyway baseline
(`B<version>__`) with `baselineOnMigrate`.

## Framework notes
No finding when a migration of the change `replaces` the deleted Django migration (a squash), or for a file
moved or renamed (the rule for edited migrations judges those). A note where new installs load a schema dump
instead of running the migrations (Rails with `db/schema.rb` or `db/structure.sql`): only databases rebuilt
from the migrations differ. Liquibase changeSets removed from a changelog are judged with the changelog's
edits. Flyway: no finding for a migration a baseline (`B<version>__`, at its version or later, in its
folder) stands for, where the project tells Flyway to pass over missing migrations (`ignoreMigrationPatterns`
with `*:missing`, in its settings, build or code): the way Flyway squashes a history. Passing over missing
migrations without such a baseline leaves the finding a warning (new installs diverge, no deploy stops).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType

from bot import frameworks
from bot.frameworks import flyway
from bot.frameworks.baselines import flyway_baseline
from bot.model.changeset import ChangedFile, ChangeSet, Tree
from bot.model.config import Config
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._schema_dumps import schema_dump
from bot.rules.context import Context

RULE = Rule(
    id="applied-migration-removed",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Keep the applied migration; undo what it did with a new migration, or squash the framework's way.",
    bad=("ALTER TABLE orders ADD COLUMN gift_note text;",),
    good=("ALTER TABLE orders DROP COLUMN gift_note;",),
)
EXAMPLE_REMOVED = (
    "src/main/resources/db/migration/V7__add_gift_note.sql"  # the bad example is this file, deleted
)
EXAMPLE_PATH = "src/main/resources/db/migration/V8__drop_gift_note.sql"

# runners that stop when a migration they recorded has no file any more
_REFUSING = {
    "flyway": "Flyway's validation stops the deploy on every database that ran it (\"Detected applied migration "
    'not resolved locally"), unless `ignoreMigrationPatterns` includes `*:missing`',
    "knex": 'Knex stops every later `migrate:latest` on the databases that ran it ("The migration directory is '
    'corrupt, the following files are missing")',
    "kysely": "Kysely's Migrator stops every later run on the databases that ran it (\"corrupted migrations: "
    'previously executed migration … is missing")',
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    """Nothing per migration: a deleted file is no migration of the change (see `check_change`)."""
    return iter(())


def check_change(changeset: ChangeSet, config: Config) -> Iterator[Finding]:
    removed = [f for f in changeset.files if f.status == "removed" and f.base_text]
    if not removed:
        return
    kept = [f for f in changeset.files if f.head_text]
    ignored: str | None = None  # where Flyway is told to pass over missing migrations, read once
    for file in removed:
        module = frameworks.detect(file.path, file.base_text or "", config)
        if module is None or module.is_down(file.path) or module.NAME == "liquibase":
            continue
        if module.NAME == "django" and _squashed(file.path, kept):
            continue
        if module.NAME == "flyway":
            if ignored is None:
                ignored = flyway.missing_ignored(changeset.head_tree)
            if ignored and _baseline_for(file.path, changeset.head_tree):
                continue  # the Flyway way to squash: new installs run the baseline, existing ones pass over it
        yield _finding(file, module, changeset.head_tree, flyway_ignored=bool(ignored))


def _baseline_for(path: str, tree: Tree) -> str:
    """A Flyway baseline migration (`B<version>__…`) beside the deleted one, at its version or later: new
    installs run it in place of every versioned migration up to that version."""
    folder = path.rpartition("/")[0]
    gone = flyway.version_numbers(path)
    for other in tree.paths():
        if (
            other.rpartition("/")[0] == folder
            and flyway_baseline(other)
            and flyway.version_numbers(other) >= gone
        ):
            return other
    return ""


def _finding(file: ChangedFile, module: ModuleType, tree: Tree, *, flyway_ignored: bool = False) -> Finding:
    name = module.NAME
    needed = _needed_by(file.path, file.base_text or "", name, tree)
    dump = schema_dump(file.path, name, tree)
    if needed:
        severity, what = (
            Severity.CRITICAL,
            f"`{needed}` still depends on it: "
            + (
                "Django stops `migrate` on every database with NodeNotFoundError"
                if name == "django"
                else '`alembic upgrade` stops on every database ("Can\'t locate revision")'
            ),
        )
    elif name in _REFUSING and not (name == "flyway" and flyway_ignored):
        severity, what = Severity.CRITICAL, _REFUSING[name]
    elif dump is not None:
        severity, what = (
            Severity.INFO,
            f"new installs load `{dump}`, so only databases rebuilt by running the migrations differ",
        )
    else:
        severity, what = RULE.severity, "new installs that run the migrations no longer get what it did"
    return RULE.finding(
        file.path,
        1,
        f"`{file.path}` is deleted, but it is a migration of the base branch that databases have run: {what}.",
        severity=severity,
        blast_radius="Existing databases keep what it did and new ones built from the migrations do not: their "
        "schemas diverge silently"
        + (", and the runner stops before it migrates anything." if severity is Severity.CRITICAL else "."),
        fix="Restore the file; undo what it did with a new migration, or squash the history the framework's way "
        "(Django `squashmigrations`, a schema dump or a baseline that new installs load).",
    )


def _squashed(path: str, kept: list[ChangedFile]) -> bool:
    """A Django migration of the change `replaces` this one (`replaces = [("shop", "0002_order_note"), …]`)."""
    parts = path.split("/")
    if len(parts) < 3:
        return False
    app, name = parts[-3], parts[-1].removesuffix(".py")
    pair = re.compile(rf"""\(\s*['"]{re.escape(app)}['"]\s*,\s*['"]{re.escape(name)}['"]\s*\)""")
    return any("replaces" in (f.head_text or "") and pair.search(f.head_text or "") for f in kept)


def _needed_by(path: str, text: str, framework: str, tree: Tree) -> str | None:
    """A migration left in the tree that names the deleted one as what it follows: a Django dependency on
    `(app, name)` (from any app's migrations) or an Alembic `down_revision` holding its revision."""
    folder, _, file_name = path.rpartition("/")
    if framework == "django":
        app = folder.rsplit("/", 2)[-2] if "/" in folder else ""
        name = file_name.removesuffix(".py")
        needle = re.compile(rf"""['"]{re.escape(app)}['"]\s*,\s*['"]{re.escape(name)}['"]""")
        beside = (p for p in tree.paths() if p.endswith(".py") and "/migrations/" in f"/{p}")
    elif framework == "alembic":
        found = _REVISION.search(text)
        if found is None:
            return None
        needle = re.compile(rf"""down_revision[^=\n]*=[^\n]*['"]{re.escape(found.group(1))}['"]""")
        beside = (p for p in tree.paths() if p.endswith(".py") and p.rpartition("/")[0] == folder)
    else:
        return None
    for other in beside:
        if other != path and needle.search(tree.read(other) or ""):
            return other
    return None


_REVISION = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)
