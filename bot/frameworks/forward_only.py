"""Frameworks with no down migrations by design, and the way back each one offers instead.

Prisma Migrate never writes a down migration, `prisma db push` applies a schema with no migration at all, the
Supabase CLI applies `supabase/migrations` forward only, and Flyway's undo scripts exist only in its paid editions:
for them a missing down is how the tool works, not a gap in the pull request. Their way back is a forward
fix: a new migration that reverses this one. Sqitch is not among them: every change has a revert script.
"""

from __future__ import annotations

import re
import weakref

from bot.frameworks import supabase
from bot.model.changeset import Tree
from bot.model.migration import Migration

FORWARD_FIX = {
    "prisma": (
        "Prisma Migrate has no down migrations: roll back with a forward fix. Generate the reverse with "
        "`npx prisma migrate diff --from-schema-datasource prisma/schema.prisma --to-schema-datamodel "
        "<the previous schema.prisma> --script`, save it as a new migration, and apply it with "
        "`npx prisma migrate deploy` (a migration that failed half-way is first marked with "
        "`npx prisma migrate resolve --rolled-back <name>`)."
    ),
    "prisma-push": (
        "`prisma db push` has no down migrations: roll back by pushing the previous schema. Check out the base "
        "branch's `.prisma` files and run `npx prisma db push` (it asks for `--accept-data-loss` before dropping "
        "what this change added); a column or table this change dropped comes back empty, its rows only from a "
        "backup."
    ),
    "supabase": (
        "The Supabase CLI has no down migrations: roll back with a forward fix, a new migration (`supabase "
        "migration new revert_…`) that reverses this one, applied with `supabase db push`; a dropped column or "
        "table comes back empty, its rows only from a backup (the project's daily backups or point-in-time "
        "recovery)."
    ),
    "flyway": (
        "Flyway Community has no undo: roll back with a corrective version, a new `V<next>__revert_…sql` "
        "that reverses this one, applied with `flyway migrate` (a failed migration is first cleared with "
        "`flyway repair`)."
    ),
}


_NAMES = {"supabase": "the Supabase CLI", "prisma-push": "prisma db push"}


def _runner(migration: Migration) -> str:
    if supabase.migration_file(migration):  # plain SQL files the CLI only ever applies forward
        return "supabase"
    return migration.framework


def forward_fix(migration: Migration) -> str:
    """How to go back from a migration whose framework has no down by design; empty when it has one."""
    return FORWARD_FIX.get(_runner(migration), "") if migration.down is None else ""


def runner_name(migration: Migration) -> str:
    """The runner's name as a reviewer says it (`the Supabase CLI`, `prisma db push`, `flyway`)."""
    return _NAMES.get(_runner(migration), migration.framework)


def way_back_words(migration: Migration) -> str:
    """What a migration without a down that runs has: none that runs at all, or one that runs and restores nothing
    (an empty method, or none where the runner runs nothing in its place)."""
    if migration.down_does_nothing:
        return f"has a way back that restores nothing ({migration.irreversible_reason or 'an empty down'})"
    return f"has no way back ({migration.irreversible_reason or 'no down migration'})"


# a file or folder name that holds a way back: `0003.down.sql`, `down/0003.sql`, `0003_rollback.sql`
_DOWN = re.compile(r"(?:^|[._/-])(?:down|undo|rollback|revert|downgrade)(?:[._/-]|$)", re.I)
_VERSION_FOLDER = re.compile(r"^v?\d+(?:[._]\d+)*$", re.I)
_ROOTS: weakref.WeakKeyDictionary[Tree, dict[str, int]] = weakref.WeakKeyDictionary()
MIN_HISTORY = 5  # fewer files say nothing of a convention


def forward_only_history(migration: Migration, tree: Tree) -> int:
    """Plain SQL migrations of a repository that keeps no way back for any of them (a runner that only ever
    applies files forward, as many applications' own migrators do): the number of migration files in that
    folder, or 0 when one of them has a down, or the folder holds too few to tell."""
    if migration.framework != "sql" or migration.down is not None:
        return 0
    folder, _, _ = migration.path.rpartition("/")
    parent, _, name = folder.rpartition("/")
    if parent and _VERSION_FOLDER.match(name):  # release folders: `…/postgres/0.31/02__x.sql`
        folder = parent
    try:
        known = _ROOTS.setdefault(tree, {})
    except TypeError:
        known = {}
    if folder not in known:
        known[folder] = _count_without_downs(tree, folder)
    return known[folder]


def _count_without_downs(tree: Tree, folder: str) -> int:
    prefix = f"{folder}/" if folder else ""
    files = [p for p in tree.paths() if p.startswith(prefix) and p.endswith(".sql")]
    if any(_DOWN.search(p[len(prefix) :]) for p in files) or len(files) < MIN_HISTORY:
        return 0
    return len(files)
