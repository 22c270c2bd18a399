"""A new migration follows, or depends on, a migration that does not exist in the repository: the runner
cannot build its history and stops.

## Why is this bad?
The runner builds the whole history from every migration's parent before it runs any of them:

- Alembic: a `down_revision` naming a revision no file declares (a typo, a revision renamed or removed on
  the base branch, one from a branch never merged) makes every command fail with "Revision … referenced from
  … is not present".
- Django: a dependency on a migration of one of the repository's apps that no file of that app defines
  (removed, renamed, or still on another branch) makes every `migrate` fail with `NodeNotFoundError`
  ("dependencies reference nonexistent parent node").

Dependencies Django resolves elsewhere are not flagged: on apps the repository does not hold (installed
packages, `django.contrib`), on `__first__` / `__latest__`, on `settings.AUTH_USER_MODEL`
(`swappable_dependency`), and on migrations a squashed migration of the app replaces.

## Use instead
Name the revision or migration the base branch has at the end of that history (`alembic heads`,
`manage.py showmigrations APP`), and check the migration still applies after it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.frameworks import migration_graph as graph
from bot.model.changeset import Tree
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._new_migration import ALEMBIC_TREE, alembic_example, trees_of_added
from bot.rules.context import Context

RULE = Rule(
    id="migration-parent-missing",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Make the migration follow one that exists: the current end of its history.",
    bad=(
        alembic_example(
            doc="Add a note to orders (after ffe9, a revision the repository does not have).",
            rev="c3d4",
            down='"ffe9"',
            call='add_column("orders", sa.Column("note", sa.Text()))',
        ),
    ),
    good=(
        alembic_example(
            doc="Add a note to orders, after the current head.",
            rev="c3d4",
            down='"b2c3"',
            call='add_column("orders", sa.Column("note", sa.Text()))',
        ),
    ),
)
EXAMPLE_PATH = "migrations/versions/c3d4_add_note.py"
EXAMPLE_TREE = ALEMBIC_TREE


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    trees = trees_of_added(migration, context)
    if trees is None:
        return
    merged = trees[1]
    if migration.framework == "alembic":
        yield from _alembic(migration, merged)
    elif migration.framework == "django":
        yield from _django(migration, merged)


def _alembic(migration: Migration, head: Tree) -> Iterator[Finding]:
    revisions = graph.alembic_revisions(head, migration.path)
    mine = next((r for r in revisions if r.path == migration.path), None)
    known = {r.revision for r in revisions}
    if mine is None or not mine.down or len(known) < 2:
        return
    for down in mine.down:
        if down not in known:
            yield RULE.finding(
                migration.path,
                mine.line,
                f"Revision `{mine.revision}` follows `{down}`, which no revision of the repository declares.",
                blast_radius=f'Every Alembic command builds the history first and stops ("Revision {down} referenced from '
                f'… {mine.revision} is not present"): the deploy fails.',
                fix="Set `down_revision` to the revision it should follow: the current head of the base branch.",
            )


def _django(migration: Migration, head: Tree) -> Iterator[Finding]:
    folders = graph.django_folders(head)
    nodes = graph.django_app(head, migration.path.rsplit("/", 1)[0])
    mine = (nodes or {}).get(migration.path.rsplit("/", 1)[-1].removesuffix(".py"))
    if mine is None:
        return
    for app, name, line in mine.dependencies:
        if (
            name in ("__first__", "__latest__")
            or app not in folders
            or _exists(head, folders[app], app, name)
        ):
            continue
        yield RULE.finding(
            migration.path,
            line,
            f"`{migration.path}` depends on `('{app}', '{name}')`, which no migration of app `{app}` defines.",
            blast_radius="`manage.py migrate` builds the graph of every migration first and stops with NodeNotFoundError "
            '("dependencies reference nonexistent parent node"): the deploy fails.',
            fix=f"Depend on a migration app `{app}` has: its latest one on the base branch.",
        )


def _exists(head: Tree, folders: list[str], app: str, name: str) -> bool:
    for folder in folders:
        nodes = graph.django_app(head, folder)
        if nodes is None or name in nodes or any((app, name) in n.replaces for n in nodes.values()):
            return True  # an app the review cannot read is given the benefit of the doubt
    return False
