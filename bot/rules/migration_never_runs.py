"""A new migration sits where its runner never looks, or is named so that the runner passes over it: it never
runs, and nothing fails to say so.

## Why is this bad?
Runners list their migrations by folder and by name, and skip every other file without an error:

- one folder, not its subfolders: Django, Alembic (unless `recursive_version_locations`), Knex, Sequelize,
  golang-migrate, goose, dbmate, Ecto and Laravel; db-migrate runs a subfolder only as a scope
  (`db-migrate up:<scope>`), never in a plain `up`;
- one pattern of name: Flyway's `V<version>__<description>.sql` (a single underscore, `V3_add_note.sql`, is
  passed over), golang-migrate's `<version>_<title>.up.sql`, Rails' `<timestamp>_<name>.rb`, Ecto's
  `<timestamp>_<name>.exs`, Prisma's `migration.sql` and Diesel's `up.sql` in a folder of their own;
- what the master changelog includes: Liquibase runs the changelog it is given and those it includes, so a
  new changelog that no changelog includes (an `<include>` forgotten in `changelog-master.xml`) never runs.
  A changelog the build, the settings or the code names (`spring.liquibase.change-log`, a file name the code
  completes with a version) is not flagged.

The deploy succeeds, the migration is recorded nowhere, and what it was written to do never happens on any
database: the released code meets the schema as it was, a data fix is never applied, and the file stays in
the repository as if it had run. A subfolder the project points its runner at (a path or module named in its
configuration, a db-migrate `up:<scope>` or `up:all` in a script) is not flagged.

## Use instead
Put the migration in the folder its runner reads, named as the runner's other migrations are
(`V3__add_note.sql`, not `V3_add_note.sql`); include a new Liquibase changelog from the master changelog.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context

_STATEMENT = "ALTER TABLE orders ADD COLUMN note text;\n"
RULE = Rule(
    id="migration-never-runs",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Put the migration where its runner reads it, named as the runner's other migrations are.",
    bad=(f"-- db/migration/V3_add_note.sql: one underscore after the version\n{_STATEMENT}",),
    good=(f"-- db/migration/V3__add_note.sql\n{_STATEMENT}",),
)
EXAMPLE_PATHS = {("bad", 0): "db/migration/V3_add_note.sql", ("good", 0): "db/migration/V3__add_note.sql"}
EXAMPLE_TREE = {
    "db/migration/V1__create_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
    "db/migration/V2__add_total.sql": "ALTER TABLE orders ADD COLUMN total integer;\n",
}

_RAILS = re.compile(r"^(\d+)[^A-Za-z0-9]*(.*)\.rb$")
_FLYWAY_SINGLE = re.compile(r"^([VUB]\d+(?:[._]\d+)*)_(?!_)(.+\.sql)$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not migration.unreached:
        return
    folder, _, name = migration.path.rpartition("/")
    refused = "stops with" in migration.unreached
    yield RULE.finding(
        migration.path,
        1,
        f"`{migration.path}` is never run: {migration.unreached}.",
        blast_radius=(
            "Every deploy fails at its migrations until the file is renamed: no migration after it runs either."
            if refused
            else "The deploy succeeds and nothing it changes happens on any database: the released code meets the "
            "schema and data as they were, and the file stays in the repository as if it had run."
        ),
        fix=_fix(migration, folder, name),
    )


def _fix(migration: Migration, folder: str, name: str) -> str:
    single = _FLYWAY_SINGLE.match(name) if migration.unreached.startswith("Flyway") else None
    if single:
        return f"Rename it `{single.group(1)}__{single.group(2)}`."
    rails = _RAILS.match(name) if migration.unreached.startswith("Rails") else None
    if rails and rails.group(2):
        words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", rails.group(2))
        return f"Rename it `{rails.group(1)}_{re.sub(r'[^a-z0-9]+', '_', words.lower()).strip('_')}.rb`."
    if migration.unreached.startswith("no changelog includes it"):
        master = migration.unreached.split("`")[1]
        relative = posixpath.relpath(migration.path, master.rpartition("/")[0] or ".")
        return f'Add `<include file="{relative}" relativeToChangelogFile="true"/>` (or its YAML form) to `{master}`.'
    if "subfolder" in migration.unreached:
        parent = folder.rpartition("/")[0]
        return f"Move it to `{parent}/`, beside the other migrations, or point the runner at `{folder}/`."
    return "Rename it as the runner's other migrations are named, in the folder they are in."
