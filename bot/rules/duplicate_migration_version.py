"""A new migration takes a version (or an Alembic revision id) that another migration of the repository
already has: the runner refuses the whole set, or keeps one of the two and never runs the other.

## Why is this bad?
Two branches each numbered their migration after the same newest one; after both merge, two files share a
version. The runner reads every file first and:

- Rails raises `DuplicateMigrationVersionError` ("Multiple migrations have the version number …");
- Flyway fails ("Found more than one migration with version …");
- golang-migrate fails to read its source ("duplicate migration file");
- goose fails ("duplicate version … detected"), whether the two are SQL or Go migrations;
- Ecto raises `Ecto.MigrationError` ("migration version … is duplicated");
- Alembic only warns ("Revision … is present more than once") and keeps one of the two files under that
  id: the other never runs, and the history the runner follows is not the one the files describe.

Every deploy fails from then on (Alembic's: one migration silently left out). Only a duplicate the change
brings is flagged, not one the base branch already had. One migration's files for several databases
(pop/fizz: `1_users.up.sql`, `1_users.mysql.up.sql`, `1_users.sqlite3.up.sql`) share their version on
purpose: the runner reads the one for its database.
A migration for a database the review does not read (ClickHouse's goose or golang-migrate files beside
PostgreSQL's) is checked for this too: its SQL is left unread, but its runner refuses the duplicate all the same.
Alembic revisions kept in folders named for different databases (`versions/postgresql/`, `versions/sqlite/`,
each the location of its own environment) are separate histories: the same change written for each database
may share its revision id.

## Use instead
Give the new migration the next free version after the newest one of the base branch (a new timestamp,
or the next number; for Alembic, a new revision id, as `alembic revision` generates).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.frameworks import migration_graph as graph
from bot.frameworks.dialect import pop_stem
from bot.model.changeset import Tree
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._new_migration import ALEMBIC_TREE, alembic_example, trees_of_added
from bot.rules.context import Context

RULE = Rule(
    id="duplicate-migration-version",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Give the new migration a version (or revision id) no other migration has.",
    bad=(
        alembic_example(
            doc="Add a note to orders (b2c3 is the id of the base branch's add_total revision).",
            rev="b2c3",
            down='"a1b2"',
            call='add_column("orders", sa.Column("note", sa.Text()))',
        ),
    ),
    good=(
        alembic_example(
            doc="Add a note to orders.",
            rev="c3d4",
            down='"b2c3"',
            call='add_column("orders", sa.Column("note", sa.Text()))',
        ),
    ),
)
EXAMPLE_PATH = "migrations/versions/c3d4_add_note.py"
EXAMPLE_TREE = ALEMBIC_TREE

_REFUSED = {
    "rails": 'Rails raises DuplicateMigrationVersionError ("Multiple migrations have the version number {v}")',
    "flyway": 'Flyway fails ("Found more than one migration with version {v}")',
    "golang-migrate": 'golang-migrate fails to read its migrations ("duplicate migration file")',
    "goose": 'goose fails ("duplicate version {v} detected")',
    "goose_go": 'goose fails ("duplicate version {v} detected")',
    "ecto": 'Ecto raises Ecto.MigrationError ("migration version {v} is duplicated")',
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    trees = trees_of_added(migration, context)
    if trees is None:
        return
    base, merged = trees
    if migration.framework == "alembic":
        yield from _alembic(migration, merged, base)
    elif migration.framework in _REFUSED:
        yield from _versioned(migration, merged, base)


def _versioned(migration: Migration, head: Tree, base: Tree) -> Iterator[Finding]:
    new = graph.versioned(migration.framework, migration.path)
    if new is None:
        return
    group = graph.folder(migration.framework, migration.path)
    twins = [v for v in graph.versions(head, migration.framework, group) if v.version == new.version]
    others = [v for v in twins if _migration(v.path) != _migration(migration.path)]
    already = {
        _migration(v.path)
        for v in graph.versions(base, migration.framework, group)
        if v.version == new.version
    }
    if not others or len(already) > 1:
        return  # no other, or the base branch already had the duplicate
    newest = max(graph.versions(head, migration.framework, group), key=lambda v: v.version)
    refused = _REFUSED[migration.framework].format(v=new.written)
    yield RULE.finding(
        migration.path,
        1,
        f"`{migration.path}` has version {new.written}, which `{others[0].path}` already has.",
        blast_radius=f"{refused} on every run: the deploy fails until one of them is renumbered.",
        fix=f"Renumber `{migration.path.rsplit('/', 1)[-1]}` after {newest.written}, the newest version.",
    )


def _migration(path: str) -> str:
    """One migration's files for several databases (pop/fizz: `1_x.up.sql`, `1_x.mysql.up.sql`,
    `1_x.sqlite3.up.sql`) share a version: the runner reads only the file for its database."""
    return pop_stem(path) or path


def _alembic(migration: Migration, head: Tree, base: Tree) -> Iterator[Finding]:
    revisions = graph.alembic_revisions(head, migration.path)
    mine = next((r for r in revisions if r.path == migration.path), None)
    if mine is None:
        return
    others = [r for r in revisions if r.revision == mine.revision and r is not mine]
    already = [r for r in graph.alembic_revisions(base, migration.path) if r.revision == mine.revision]
    if not others or len(already) > 1:
        return
    yield RULE.finding(
        migration.path,
        1,
        f"Revision id `{mine.revision}` is also the id of `{others[0].path}`.",
        blast_radius=f'Alembic warns ("Revision {mine.revision} is present more than once") and keeps only one of the two '
        "files: the other never runs, and revisions that follow the id follow whichever it kept.",
        fix="Give the new revision an id of its own (`alembic revision` generates one) and point the revisions "
        "that follow it at that id.",
    )
