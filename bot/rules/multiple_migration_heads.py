"""After the change, one history of migrations has two ends: Alembic finds two heads, Django two leaf
migrations in one app, and both refuse to upgrade until they are merged.

## Why is this bad?
Two branches each added a migration on top of the same one; the second to merge still follows the old end
of the history. Nothing conflicts in git, and each branch's tests passed on their own.

- Alembic: two revisions name the same `down_revision`, so the history has two heads. `alembic upgrade
  head` (and Flask-Migrate's `flask db upgrade`) stops with "Multiple head revisions are present", and
  `alembic revision --autogenerate` refuses to add the next one: the deploy fails.
- Django: two migrations of one app are leaves (no migration of the app depends on them). `migrate` and
  `makemigrations` stop with "Conflicting migrations detected; multiple leaf nodes in the migration graph"
  until a merge migration joins them.

Only what the change brings is flagged: a history that already had several heads in the base branch (a
project that runs `alembic upgrade heads`, or keeps labelled branches) is the project's choice, and a
revision that declares `branch_labels` starts a branch on purpose.

## Use instead
Make the new migration follow the current end of the history: set `down_revision` to the head the base
branch has now (Django: depend on the app's latest migration and renumber after it), and check that its
changes still apply after that one. Where both must stay as they are (already deployed elsewhere), add a
merge: `alembic merge heads` writes a revision whose `down_revision` names both; `manage.py makemigrations
--merge` writes a migration depending on both leaves.
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
    id="multiple-migration-heads",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Make the new migration follow the current head of the history, or add a merge migration.",
    bad=(
        alembic_example(
            doc="Add a note to orders (the base branch's head is now b2c3, which also follows a1b2).",
            rev="c3d4",
            down='"a1b2"',
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
        alembic_example(
            doc="Merge the two heads.",
            rev="c3d4",
            down='("a1b2", "b2c3")',
            call='execute("SELECT 1")',
        ),
    ),
)
EXAMPLE_PATH = "migrations/versions/c3d4_add_note.py"
EXAMPLE_TREE = ALEMBIC_TREE


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    trees = trees_of_added(migration, context)
    if trees is None:
        return
    base, merged = trees
    if migration.framework == "alembic":
        yield from _alembic(migration, merged, base)
    elif migration.framework == "django":
        yield from _django(migration, merged, base)


def _alembic(migration: Migration, head: Tree, base: Tree) -> Iterator[Finding]:
    revisions = graph.alembic_revisions(head, migration.path)
    mine = next((r for r in revisions if r.path == migration.path), None)
    if mine is None or mine.labelled or not mine.down:
        return
    after = graph.heads(revisions, mine.revision)
    if after is None or len(after) < 2 or mine not in after:
        return
    before = graph.heads(graph.alembic_revisions(base, migration.path), mine.down[0])
    if before is None or len(before) != 1:
        return  # the base branch's history already had several heads (or none the review can read)
    others = [r for r in after if r is not mine]
    other = others[0]
    yield RULE.finding(
        migration.path,
        mine.line,
        f"Revision `{mine.revision}` follows `{'`, `'.join(mine.down)}`, which the history had already moved "
        f"past: after this change it has {len(after)} heads, `{mine.revision}` and "
        + ", ".join(f"`{r.revision}` (`{r.path}`)" for r in others)
        + ".",
        blast_radius="`alembic upgrade head` stops with \"Multiple head revisions are present for given argument 'head'\" "
        "(so does `flask db upgrade`), and the next `alembic revision` refuses to be generated: the deploy "
        "fails until the heads are merged.",
        fix=f'Set `down_revision = "{other.revision}"` (the base branch\'s head) and check the upgrade still '
        f'applies after it, or add a merge revision (`alembic merge -m "merge" {mine.revision} {other.revision}`).',
    )


def _django(migration: Migration, head: Tree, base: Tree) -> Iterator[Finding]:
    folder = migration.path.rsplit("/", 1)[0]
    app = graph.app_label(head, folder)
    name = migration.path.rsplit("/", 1)[-1].removesuffix(".py")
    nodes = graph.django_app(head, folder)
    before_nodes = graph.django_app(base, folder)
    if nodes is None or before_nodes is None:
        return
    after = graph.leaves(nodes, app)
    if len(after) < 2 or name not in {n.name for n in after} or _follows_a_missing(nodes[name], nodes, app):
        return
    if len(graph.leaves(before_nodes, app)) > 1:
        return  # the base branch already had the conflict: not this change's
    others = [n.name for n in after if n.name != name]
    line = next((line for _, _, line in nodes[name].dependencies), 1)
    yield RULE.finding(
        migration.path,
        line,
        f"App `{app}` has {len(after)} leaf migrations after this change: `{name}` and "
        + ", ".join(f"`{o}`" for o in others)
        + f". `{name}` depends on a migration that `{others[0]}` already follows.",
        blast_radius='`manage.py migrate` (and `makemigrations`) stop with "Conflicting migrations detected; multiple leaf '
        'nodes in the migration graph": the deploy fails until a merge migration joins them.',
        fix=f"Make `{name}` depend on `('{app}', '{others[0]}')` and renumber it after that one, or add a merge "
        "migration (`manage.py makemigrations --merge`).",
    )


def _follows_a_missing(node: graph.Node, nodes: dict[str, graph.Node], app: str) -> bool:
    """It depends on a migration of its app that does not exist: Django stops on that first
    (migration-parent-missing), before it counts leaves."""
    replaced = {name for n in nodes.values() for a, name in n.replaces if a == app}
    return any(a == app and n not in nodes and n not in replaced for a, n, _ in node.dependencies)
