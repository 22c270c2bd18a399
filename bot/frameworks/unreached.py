"""Migrations their runner never finds: a file in a subfolder of a runner that reads one folder, or named so
that the runner passes over it.

Each runner lists its migrations its own way, and a file it does not list is never run, without an error:
- one folder, not its subfolders: Django (the `migrations` package's modules), Alembic (unless
  `recursive_version_locations`), Knex, Sequelize, golang-migrate, goose, dbmate, Ecto, Laravel, and db-migrate,
  whose subfolders are scopes run only by `db-migrate up:<scope>` (or `up:all`), apart from `sqls/`;
- a name of its pattern: Flyway `V<version>__<description>.sql` (two underscores), golang-migrate
  `<version>_<title>.up.sql`, Rails `<digits>_<name>.rb`, Ecto `<digits>_<name>.exs`, Prisma and Diesel one
  folder per migration holding `migration.sql` (Prisma) or `up.sql` (Diesel);
- what a master changelog includes: Liquibase (bot.frameworks.liquibase_includes).

A subfolder is judged only when the folder above it holds the runner's other migrations, and a project that
points its runner at the subfolder says so in its code or configuration (`migrations/tenant` in a knexfile,
`app.migrations.legacy` in Django's `MIGRATION_MODULES`, `up:all` in a script): such a mention anywhere outside
the migrations keeps the file unflagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.frameworks import liquibase_includes
from bot.model.changeset import Tree, read_ahead

# runners that read the files of one folder, not of its subfolders
_ONE_FOLDER = {
    "alembic",
    "db-migrate",
    "dbmate",
    "django",
    "ecto",
    "golang-migrate",
    "goose",
    "knex",
    "laravel",
    "node-pg-migrate",
    "sequelize",
}
# a migration's name of these runners (a version first)
_VERSIONED = re.compile(r"^(?:\d|[0-9a-f]{8,}_)", re.I)
# folders below a migrations folder that hold something other than migrations
_HELPER_FOLDERS = {"sqls", "__pycache__", "down", "rollback"}
_CONFIG = re.compile(
    r"(?:\.(?:json|js|cjs|mjs|ts|mts|cts|ya?ml|ini|toml|cfg|py|rb|php|exs|ex|go|env|conf|properties|xml|sh)"
    r"|(?:^|/)(?:Makefile|Dockerfile|Procfile|Rakefile))$"
)
_MOST_READ = 1000  # configuration files read for a mention of the subfolder
_SETUP = re.compile(r"migrat|knexfile|sequelize|database|settings|config|alembic|\bdb\b|^db[._-]", re.I)
_SIBLINGS = 2  # migrations of a kind beside a file that tell which runner reads the folder


@dataclass(frozen=True)
class _Naming:
    runner: str
    kind: re.Pattern[str]  # what the runner's files of the folder look like
    runs: re.Pattern[str]  # every name it runs (or reads as one of its own files)
    shape: str
    looks: re.Pattern[str] = re.compile(r"^\d")  # a file meant as one of its migrations


_RAILS_NAMING = _Naming(
    "Rails",
    re.compile(r"^\d+_[_a-z0-9]*(?:\.[_a-z0-9]*)?\.rb$"),  # what Rails can read a version and a name from
    # what its glob `[0-9]*_*.rb` lists: a name it lists and cannot read is refused, not passed over
    re.compile(r"^\d.*_.*\.rb$|\.(?!rb$)\w+$"),
    "`<timestamp>_<name>.rb`",
)
_NAMINGS = (
    _Naming(
        "Flyway",
        re.compile(r"^V\d[\d._]*__.+\.sql$"),
        re.compile(r"^(?:[VUB]\d[\d._]*__.+|R__.+|(?:before|after)\w*(?:__.+)?)\.sql$"),
        "`V<version>__<description>.sql` (two underscores after the version)",
        re.compile(r"^(?:[VUvu]\d|R_)"),
    ),
    _Naming(
        "golang-migrate",
        re.compile(r"^\d+_.+\.(?:up|down)\.sql$"),
        re.compile(r"^\d+_.+\.(?:up|down)\.sql$|^[^.]*$|\.(?!sql$)\w+$"),
        "`<version>_<title>.up.sql`",
    ),
    _RAILS_NAMING,
    _Naming(
        "Ecto",
        re.compile(r"^\d+_.+\.exs$"),
        re.compile(r"^\d+_.+\.exs$|\.(?!exs$)\w+$"),
        "`<timestamp>_<name>.exs`",
    ),
)
_RUNNERS = {
    "alembic": "Alembic (without `recursive_version_locations`)",
    "django": "Django",
    "knex": "Knex",
    "sequelize": "Sequelize",
    "node-pg-migrate": "node-pg-migrate (without `--use-glob`)",
    "golang-migrate": "golang-migrate",
    "goose": "goose",
    "dbmate": "dbmate",
    "ecto": "Ecto",
    "laravel": "Laravel",
}


def reason(
    path: str,
    tree: Tree,
    folders: dict[str, list[str]],
    beside: Callable[[str], str | None],
    framework: str = "",
) -> str:
    """Why the runner of the migrations around `path` never runs it, or "" when it does (or may).

    `folders` (filled on first use, kept by the caller) maps each folder of the tree to its files; `beside`
    gives the framework of the migrations a file at a path would sit beside (None when there are none);
    `framework` is the one that read the file."""
    if not folders:
        for other in tree.paths():
            folders.setdefault(other.rpartition("/")[0], []).append(other)
    if framework == "liquibase":
        return liquibase_includes.not_included(path, tree, folders)
    folder, _, name = path.rpartition("/")
    named = _misnamed(folder, name, folders)
    if named or "/" not in folder or not _VERSIONED.match(name):
        return named
    parent, _, sub = folder.rpartition("/")
    if sub in _HELPER_FOLDERS:
        return ""
    runner = beside(f"{parent}/{name}")
    if runner not in _ONE_FOLDER:
        return ""
    suffix = name[name.rfind(".") :] if "." in name else ""
    above = [
        p for p in folders.get(parent, ()) if p.endswith(suffix) and _VERSIONED.match(p.rpartition("/")[2])
    ]
    if len(above) < _SIBLINGS or _pointed_at(str(runner), parent, sub, tree, folders):
        return ""
    if runner == "db-migrate":
        return (
            f"db-migrate runs the files of `{parent}/`; its subfolder `{sub}/` is a scope, run only by"
            f" `db-migrate up:{sub}` (or `up:all`), which nothing in the repository calls"
        )
    return f"{_RUNNERS[str(runner)]} reads the migrations of `{parent}/`, not of its subfolder `{sub}/`"


def _misnamed(folder: str, name: str, folders: dict[str, list[str]]) -> str:
    """A file named otherwise than the migrations beside it, which their runner lists by name."""
    names = [p.rpartition("/")[2] for p in folders.get(folder, ()) if p.rpartition("/")[2] != name]
    rails = _RAILS_NAMING
    if (
        rails.runs.match(name)
        and name.endswith(".rb")
        and not rails.kind.match(name)
        and sum(1 for n in names if rails.kind.match(n)) >= _SIBLINGS
    ):
        return (
            f"Rails lists `{name}` (its glob is `[0-9]*_*.rb`) but cannot read a version and a lower-case name from"
            " it: every `db:migrate` stops with ActiveRecord::IllegalMigrationNameError before it runs any"
            " migration"
        )
    for naming in _NAMINGS:
        if (
            naming.looks.match(name)
            and not naming.runs.match(name)
            and sum(1 for n in names if naming.kind.match(n)) >= _SIBLINGS
        ):
            return f"{naming.runner} runs only files named {naming.shape}; it passes over `{name}` without an error"
    if name.endswith(".sql") and "/" in folder:
        for runner, own in (("Prisma Migrate", "migration.sql"), ("Diesel", "up.sql")):
            if name not in (own, "down.sql") and _in_folders_of(folder, own, folders):
                return f"{runner} runs only `{own}` in a folder of its own per migration; it passes over `{name}`"
    return ""


def _in_folders_of(folder: str, own: str, folders: dict[str, list[str]]) -> bool:
    """Is `folder` the folder of a runner's migrations, one folder each holding `own`, or one of those?"""
    for root in (folder, folder.rpartition("/")[0]):
        kept = [f for f, paths in folders.items() if f.rpartition("/")[0] == root and f"{f}/{own}" in paths]
        if len(kept) >= _SIBLINGS:
            return True
    return False


def _pointed_at(framework: str, parent: str, sub: str, tree: Tree, folders: dict[str, list[str]]) -> bool:
    """Does a file outside the migrations that may set the runner up name the subfolder (a path, a dotted
    module, a db-migrate scope), or turn on Alembic's recursive reading?"""
    base = parent.rpartition("/")[2]
    mentions = [f"{base}/{sub}", f"{base}.{sub}"]
    if framework == "db-migrate":
        mentions += [f"up:{sub}", "up:all", f"down:{sub}", f"reset:{sub}"]
    if framework == "alembic":
        mentions.append("recursive_version_locations")
    for path in read_ahead(tree, _configuration(folders, parent)):
        text = tree.read(path)
        if text and (
            any(m in text for m in mentions) or (framework == "db-migrate" and _scope_call(text, sub))
        ):
            return True
    return False


def _scope_call(text: str, sub: str) -> bool:
    """A db-migrate instance run for the scope in code (`dbm.up(undefined, 'tenant')`, `.up('all')`)."""
    return (
        re.search(rf"""\.(?:up|down|reset|sync)\([^)]*['"](?:{re.escape(sub)}|all)['"]""", text) is not None
    )


def _configuration(folders: dict[str, list[str]], migrations: str) -> list[str]:
    """Files that may say where the runner reads: those near the top of the repository (its package,
    settings and scripts), its CI workflows, and any named for migrations, databases or settings."""
    found = []
    for folder, paths in folders.items():
        if folder == migrations or folder.startswith(migrations + "/"):
            continue
        near_top = folder.count("/") < 1 or folder.startswith(".github/")
        found += [p for p in paths if _CONFIG.search(p) and (near_top or _SETUP.search(p.rpartition("/")[2]))]
    return found[:_MOST_READ]
