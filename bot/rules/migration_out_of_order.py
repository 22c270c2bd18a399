"""A new migration's version is lower than one the base branch already has: runners that go by the newest
version applied skip it or refuse to go on.

## Why is this bad?
A branch started before another migration landed keeps its older number (a sequence, or the timestamp it
was written at). On databases that already ran the newer migration of the base branch:

- golang-migrate records one number, the current version, and only runs files numbered above it: the
  migration never runs there, and nothing says so. New installs and CI run every file in order, so every
  test passes while production lacks the change.
- goose (since 3.3) compares every file with its table of applied versions and stops with an error on a
  "missing" migration lower than the newest applied one, unless it runs with `-allow-missing`
  (`goose.WithAllowMissing()`): the deploy fails.
- Flyway finds an unapplied migration below the newest applied version; validation (run before every
  `migrate` by default) fails unless `outOfOrder` is set: the deploy fails.
- Kysely's Migrator runs migrations in the order of their names and refuses a pending one named before the
  last executed, unless built with `allowUnorderedMigrations: true`: the deploy fails.

Runners that record every migration by name or version and run whatever is pending (Rails, Django, Ecto,
dbmate, Diesel, Knex, Prisma, and pop/fizz, whose `<version>_<name>.up.sql` files golang-migrate's names fit:
a `go.mod` that requires pop and not golang-migrate says which runs them) run it, so they are not flagged.

## Use instead
Renumber the migration (and its down file) to a version after the newest one of the base branch, so every
database runs it after what it already has. With Flyway, `outOfOrder=true` (and with goose,
`-allow-missing`) is the alternative when running migrations out of order is the team's intent; the rule
reads those settings from the repository (Flyway and Spring settings, `.env` and compose files, Makefiles,
Jenkinsfiles, migration scripts, a Flyway configuration class written `outOfOrder(true)`) and stays quiet
where they are on. A setting read at run time (`setOutOfOrder(config.isEnabled(…))`) is Flyway's default, off,
until an environment turns it on.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.frameworks import migration_graph as graph
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._new_migration import trees_of_added
from bot.rules.context import Context

RULE = Rule(
    id="migration-out-of-order",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Renumber the migration after the newest version of the base branch.",
    bad=(
        "-- db/migrations/000002_add_note.up.sql, while the base branch already has 000003_add_total.up.sql\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
    good=(
        "-- db/migrations/000004_add_note.up.sql: after 000003_add_total.up.sql\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
)
EXAMPLE_PATH = "db/migrations/000002_add_note.up.sql"
EXAMPLE_PATHS = {("good", 0): "db/migrations/000004_add_note.up.sql"}
EXAMPLE_TREE = {
    "db/migrations/000001_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);",
    "db/migrations/000003_add_total.up.sql": "ALTER TABLE orders ADD COLUMN total numeric;",
}

_WHAT_BREAKS = {
    "golang-migrate": (
        "golang-migrate records only the current version and runs the files above it: databases already at "
        "{newest} never run this migration, and report no error (new installs and CI run it, so tests pass)."
    ),
    "goose": (
        'goose stops with an error on a migration lower than the newest one applied ("found 1 missing '
        'migrations before current version") unless it runs with `-allow-missing`: the deploy fails on every '
        "database already at {newest}."
    ),
    "flyway": (
        "Flyway's validation (run before every `migrate` unless `validateOnMigrate` is off) fails on a "
        "resolved migration below the newest applied version unless `outOfOrder` is set: the deploy fails on "
        "every database already at {newest}."
    ),
    "kysely": (
        "Kysely's Migrator stops with an error on a pending migration named before the last one executed "
        '("corrupted migrations: expected previously executed migration … to be at index …") unless it is built '
        "with `allowUnorderedMigrations: true`: the deploy fails on every database already at {newest}."
    ),
}
_ALLOWED_BY = {
    "goose": "allow_missing",
    "goose_go": "allow_missing",
    "flyway": "out_of_order",
    "kysely": "allow_unordered",
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    runner = "goose" if migration.framework == "goose_go" else migration.framework
    trees = trees_of_added(migration, context) if runner in _WHAT_BREAKS else None
    new = graph.versioned(migration.framework, migration.path) if trees is not None else None
    if trees is None or new is None:
        return
    base = trees[0]
    setting = _ALLOWED_BY.get(migration.framework)
    if setting is not None and context.runner.get(setting) is not None:
        return  # the repository runs them out of order on purpose
    if runner == "golang-migrate" and context.runner.get("pop") is not None:
        return  # pop records every version it ran and runs each pending one, whatever its number
    group = graph.folder(migration.framework, migration.path)
    applied = graph.versions(base, migration.framework, group)
    if any(v.version == new.version for v in applied):
        return  # the same version as an applied one: duplicate-migration-version says so
    newest = max(applied, key=lambda v: v.version, default=None)
    if newest is None or newest.version < new.version:
        return
    name = newest.path.rsplit("/", 1)[-1]
    yield RULE.finding(
        migration.path,
        1,
        f"`{migration.path}` has version {new.written}, lower than `{name}` ({newest.written}), which the "
        "base branch already has: the branch was started before that migration landed.",
        blast_radius=_WHAT_BREAKS[runner].format(newest=newest.written),
        fix=f"Renumber it (and its down file) to a version after {newest.written}{_next(newest.written)}.",
    )


def _next(written: str) -> str:
    """The next sequence number in the same width, for a sequence (not a timestamp, to be taken anew)."""
    if not written.isdigit():
        return ""
    if len(written) >= 12:
        return " (a new timestamp)"
    return f" (`{int(written) + 1:0{len(written)}d}_…`)"
