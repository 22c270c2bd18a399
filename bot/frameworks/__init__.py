"""Migration frameworks: each module knows its files (`detect`), its runner and how to `parse` them.

Every module has the same shape: NAME, detect(path, text), is_down(path), version(path) and
parse(path, text, tree, dialect) -> Migration. Order matters: the most specific layout is tried first.
They import `bot.model` and `bot.sql` only.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from bot.frameworks import (
    data_sql,
    dbmate,
    diesel,
    drizzle,
    flyway,
    golang_migrate,
    goose,
    kysely_project,
    node_config,
    plain,
    prisma,
    sqitch,
    unknown,
)
from bot.frameworks.not_run import test_only
from bot.frameworks.settings.found import family
from bot.model.changeset import Tree
from bot.model.config import Config
from bot.model.findings import Location
from bot.model.migration import Migration, Operation, Unparsed


class _Lazy(ModuleType):
    """A framework whose parser loads on first use: a review of SQL files never imports the Ruby, Python
    and XML readers. It answers `detect` with False, unloaded, for files it cannot be about."""

    def __init__(
        self,
        name: str,
        extensions: tuple[str, ...],
        hint: Callable[[str, str], bool] | None = None,
        framework: str = "",
    ) -> None:
        super().__init__(f"bot.frameworks.{name}")
        self.NAME = framework or name  # the framework's own name, where it is no module name (db-migrate)
        self.EXTENSIONS = extensions
        self._hint = hint
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self.__name__)
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self._load(), attribute)

    def detect(self, path: str, text: str) -> bool:
        if not path.endswith(self.EXTENSIONS) and not (self._hint is not None and self._hint(path, text)):
            return False
        return bool(self._load().detect(path, text))

    def candidate(self, path: str) -> bool:
        load = self._load()
        return bool(load.candidate(path)) if hasattr(load, "candidate") else True


def _pgm_sql(path: str, text: str) -> bool:
    """A node-pg-migrate SQL migration (`-- Up Migration`): only a SQL file saying so loads its reader."""
    return path.endswith(".sql") and _UP_MIGRATION.search(text) is not None


_UP_MIGRATION = re.compile(r"\bup\s+migration\b", re.I)


def _formatted_sql(path: str, text: str) -> bool:
    return path.endswith(".sql") and text.lstrip()[:40].lower().replace(" ", "").startswith(
        "--liquibaseformatted"
    )


rails = _Lazy("rails", (".rb",))
django = _Lazy("django", (".py",))
alembic = _Lazy("alembic", (".py",))
liquibase = _Lazy("liquibase", (".xml", ".yaml", ".yml"), _formatted_sql)
_NODE = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
mikroorm = _Lazy("mikroorm", _NODE)
typeorm = _Lazy("typeorm", _NODE)
sequelize = _Lazy("sequelize", _NODE)
knex = _Lazy("knex", _NODE)
kysely = _Lazy("kysely", _NODE)
node_pg_migrate = _Lazy("node_pg_migrate", _NODE, _pgm_sql, framework="node-pg-migrate")
db_migrate = _Lazy("db_migrate", _NODE, framework="db-migrate")
laravel = _Lazy("laravel", (".php",))
doctrine = _Lazy("doctrine", (".php",))
ecto = _Lazy("ecto", (".exs",))
goose_go = _Lazy("goose_go", (".go",))
flyway_java = _Lazy("flyway_java", (".java", ".kt"))

FRAMEWORKS: tuple[ModuleType, ...] = (
    goose,
    dbmate,
    flyway,
    golang_migrate,
    prisma,
    diesel,
    sqitch,
    rails,
    django,
    alembic,
    liquibase,
    mikroorm,
    typeorm,
    sequelize,
    kysely,
    node_pg_migrate,
    knex,
    db_migrate,
    drizzle,
    laravel,
    doctrine,
    ecto,
    goose_go,
    flyway_java,
    plain,
)
BY_NAME = {module.NAME: module for module in FRAMEWORKS}


def suffixes() -> tuple[str, ...]:
    """The file endings some framework reads: SQL, and those of the frameworks written in code."""
    found = {".sql", *(s for module in FRAMEWORKS for s in getattr(module, "EXTENSIONS", ()))}
    return tuple(sorted(found))


_EXTENSIONS = (".sql",)


def register(module: ModuleType, *, before: str | None = None) -> None:
    """Add a framework module (Rails, Django, …) to the registry, ahead of `before` when given."""
    global FRAMEWORKS
    if module.NAME in BY_NAME:
        return
    items = list(FRAMEWORKS)
    index = next((i for i, m in enumerate(items) if before == m.NAME), len(items))
    items.insert(index, module)
    FRAMEWORKS = tuple(items)
    BY_NAME[module.NAME] = module


def is_candidate(path: str) -> bool:
    """Could this path be a migration of some framework (cheap: by name only)?

    A module may narrow its EXTENSIONS with `candidate(path)` (Django: `<app>/migrations/NNNN_*.py`), so the
    schema replay does not read every Python or Ruby file of a repository.
    """
    if path.endswith(_EXTENSIONS):
        return True
    every, extensions = _extensions()
    if not path.endswith(every):
        return False  # most paths of a tree: no framework's extension
    for module, own in zip(FRAMEWORKS, extensions, strict=True):
        if path.endswith(own):
            candidate = getattr(module, "candidate", None)
            if candidate is None or candidate(path):
                return True
    return False


_EXTENSIONS_OF: tuple[tuple[ModuleType, ...], tuple[str, ...], tuple[tuple[str, ...], ...]] | None = None


def _extensions() -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Every framework's extensions, and each framework's, gathered once for the registry as it is (asked
    for every path of a tree: 11,000 on a large one)."""
    global _EXTENSIONS_OF
    if _EXTENSIONS_OF is None or _EXTENSIONS_OF[0] is not FRAMEWORKS:
        own = tuple(tuple(getattr(module, "EXTENSIONS", ())) for module in FRAMEWORKS)
        _EXTENSIONS_OF = (FRAMEWORKS, tuple(sorted({e for found in own for e in found})), own)
    return _EXTENSIONS_OF[1], _EXTENSIONS_OF[2]


def detect(path: str, text: str, config: Config) -> ModuleType | None:
    if any(fnmatch.fnmatch(path, pattern) for pattern in config.exclude):
        return None
    for entry in config.migrations:
        if fnmatch.fnmatch(path, entry.glob):
            return BY_NAME.get(entry.framework, plain)
    if test_only(path):
        return None  # a fixture of the project's tests (OpenMRS's src/test/resources/…/testLiquibase.xml)
    for module in FRAMEWORKS:
        if module.detect(path, text):
            return None if module.is_down(path) else module
    return None


# For files given directly (`lint`), whose paths say nothing: what their content says they are.
_CONTENT = (
    (re.compile(r"<\s*ActiveRecord::Migration\b"), "rails"),
    (re.compile(r"\bmigrations\.Migration\b"), "django"),
    (re.compile(r"@mikro-orm/migrations"), "mikroorm"),
    (re.compile(r"\bimplements\s+MigrationInterface\b"), "typeorm"),
    (re.compile(r"\bqueryInterface\.\w+\("), "sequelize"),
    (re.compile(r"\bKysely\s*<|[\"']kysely[\"']"), "kysely"),
    (re.compile(r"\bknex\.schema\b"), "knex"),
    (re.compile(r"node-pg-migrate|\bpgm\.\w+\("), "node-pg-migrate"),
    (re.compile(r"\bdb\.runSql\s*\(|options\.dbmigrate"), "db-migrate"),
    (re.compile(r"\bextends\s+Migration\b"), "laravel"),
    (re.compile(r"\bextends\s+AbstractMigration\b"), "doctrine"),
    (re.compile(r"\buse\s+Ecto\.Migration\b"), "ecto"),
)


def sniff(path: str, text: str) -> ModuleType:
    """The framework of a file given directly, by its content when its path is no guide; plain SQL else."""
    for module in FRAMEWORKS:
        if module.detect(path, text) and not module.is_down(path):
            return module
    for pattern, name in _CONTENT:
        if name in BY_NAME and pattern.search(text):
            return BY_NAME[name]
    return plain


_DOWN_NAMES = re.compile(r"(?:^|[._-])down\.sql$|^U\d[\w.]*__.+\.sql$", re.I)


# A migration's file name starts with its version (`0117_`, `20240101120000-`, `2023_12_02_`, `V3__`) or, for
# Alembic, its revision (`a1b2c3d4e5f6_`)
_VERSIONED_NAME = re.compile(r"^(?:V?\d|[0-9a-f]{8,}_)", re.I)
_NEIGHBOURS_READ = 3


def by_neighbours(path: str, tree: Tree, config: Config, folders: dict[str, list[str]]) -> ModuleType | None:
    """The framework of the migrations beside a file that no framework recognised, when it is named as they
    are: a migration cut off or broken so that its `up` cannot be found (`module.exports = { up: … ` with no
    end) is still a migration, and its framework says what cannot be read, never "no migration changed".
    `folders` (filled on first use, kept by the caller) maps each folder of the tree to its files."""
    folder, _, name = path.rpartition("/")
    if not _VERSIONED_NAME.match(name) or "." not in name:
        return None
    if not folders:
        for other in tree.paths():
            folders.setdefault(other.rpartition("/")[0], []).append(other)
    suffix = name[name.rfind(".") :]
    names = sorted({p for p in folders.get(folder, ()) if p.endswith(suffix)} | {path})
    at = names.index(path)
    # the migrations just before and after it by name
    nearest = sorted(range(len(names)), key=lambda i: abs(i - at))[1 : _NEIGHBOURS_READ + 1]
    for other in (names[i] for i in nearest):
        if not _VERSIONED_NAME.match(other.rpartition("/")[2]):
            continue
        text = tree.read(other)
        module = detect(other, text, config) if text is not None else None
        if module is not None and not module.is_down(other):
            candidate = getattr(module, "candidate", None)
            return module if candidate is None or candidate(path) else None
    return None


def maybe_migration(path: str) -> bool:
    """Could this changed file be a migration the review must see (cheap: by name only)? A candidate of some
    framework, or a versioned code file in a migrations folder of a runner the review does not read, which is
    reported unreadable rather than passed over."""
    return is_candidate(path) or unknown.detect(path, "")


def unread_migration(path: str, text: str, config: Config) -> bool:
    """A versioned code file in a migrations folder that no framework of the review reads (`unknown`), and
    that the configuration does not exclude nor a test fixture explains."""
    if any(fnmatch.fnmatch(path, pattern) for pattern in config.exclude) or test_only(path):
        return False
    return unknown.detect(path, text)


def is_down_file(path: str, text: str) -> bool:
    """Is this file the way back of another migration (a golang-migrate `.down.sql`, a Flyway `U…` undo,
    Diesel's `down.sql`, a Sqitch revert or verify script), never a forward migration of its own?"""
    for module in FRAMEWORKS:
        if module.detect(path, text) and module.is_down(path):
            return True
    parts = path.split("/")
    return bool(_DOWN_NAMES.search(parts[-1])) or (
        len(parts) > 1 and parts[-2] in ("down", "revert", "verify", "rollback") and path.endswith(".sql")
    )


def parse(
    module: ModuleType, path: str, text: str, tree: Tree, dialect: str, *, replayed: bool = False
) -> Migration:
    """Parse a migration; a framework error becomes an Unparsed operation, never a crash.

    `replayed`: the migration is an earlier one, replayed for the schema before the change, which only its
    `up` builds: a framework that reads its down apart (Alembic's `downgrade()`) may leave it unread
    (its module's `replayed`, beside `parse`)."""
    read = (getattr(module, "replayed", None) if replayed else None) or module.parse
    try:
        migration: Migration = data_sql.read_as_sql(read(path, text, tree, dialect))
    except Exception as error:  # a parser bug must not stop the review of the other files
        op = Unparsed(location=Location(path, 1), error=f"{type(error).__name__}: {error}")
        return Migration(path, module.NAME, dialect, (op,), None, False, "could not be read")
    return _named(migration)


def _named(migration: Migration) -> Migration:
    """An operation on a table whose name the code computes when it runs (`op.drop_table(name)` in a loop
    over a function's answer, `remove_column table, :x` with a variable) is a statement the review could
    not read: no rule can judge a change to a table it cannot name."""
    if not any(_nameless(op) for op in (*migration.up, *(migration.down or ()))):
        return migration

    def named(ops: tuple[Operation, ...]) -> tuple[Operation, ...]:
        return tuple(
            Unparsed(
                error="the table it changes is named when the code runs, so what it changes could not be read",
                location=op.location,
                end_line=op.end_line,
                sql=op.sql,
            )
            if _nameless(op)
            else op
            for op in ops
        )

    down = named(migration.down) if migration.down is not None else None
    return dataclasses.replace(migration, up=named(migration.up), down=down)


def _nameless(op: Operation) -> bool:
    """A `table` the operation's kind requires (not one it may leave empty, as `DROP INDEX name` does) that
    was not read."""
    if getattr(op, "table", None) != "":
        return False
    declared = next((f for f in dataclasses.fields(op) if f.name == "table"), None)
    return declared is not None and declared.default is dataclasses.MISSING


def reparse(migration: Migration, text: str, tree: Tree) -> Migration | None:
    """Another version of a migration's file (the base branch's) read by the same framework in the same
    dialect; None for a framework this package does not know."""
    module = next((m for m in FRAMEWORKS if migration.framework == m.NAME), None)
    if module is None:
        return None
    return parse(module, migration.path, text, tree, family(migration.dialect))


def order_key(path: str, module: ModuleType) -> tuple[tuple[int, ...], str]:
    ordered = module.order_numbers(path) if hasattr(module, "order_numbers") else None
    if ordered is not None:
        return ordered, path
    version = module.version(path) if hasattr(module, "version") else ""
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)) if version else (10**20,)
    return numbers, path


def detect_dialect(tree: Tree, texts: list[str]) -> str:
    """The repository's dialect from its own settings, else from the SQL (outside comments and strings)."""
    from bot.frameworks.settings import read_settings

    found = read_settings(tree).default
    if found is not None:
        return "mysql" if found.dialect == "mariadb" else found.dialect
    named = framework_dialect(tree)
    if named is not None:
        return named[0]
    from bot.frameworks.dialect import syntax_database

    return syntax_database(texts).dialect


def framework_dialect(tree: Tree) -> tuple[str, str] | None:
    """(dialect, where) from a framework's own configuration, read by its module: the Node ORMs' configs,
    Laravel's `DB_CONNECTION` / `config/database.php`, Ecto's repository adapter."""
    found = node_config.dialect(tree)
    if found:
        return found, "the Node ORM's configuration"
    constructed = kysely_project.dialect(tree)
    if constructed is not None:
        return constructed[0], f"the Kysely dialect in `{constructed[1]}`"
    manifest = node_config.depends_on(tree, "node-pg-migrate")
    if manifest:
        return "postgres", f"`{manifest}`, which depends on node-pg-migrate (a runner for PostgreSQL only)"
    if tree.read("artisan") is not None or tree.read("config/database.php") is not None:
        found = str(laravel.dialect(tree))
        if found:
            return found, "Laravel's database configuration"
    if any(tree.read(p) is not None for p in ("config/packages/doctrine.yaml", "app/config/config.yml")):
        found = str(doctrine.dialect(tree))
        if found:
            return found, "DoctrineBundle's configuration"
    if ecto.mix_project(tree):
        found = str(ecto.dialect(tree))
        if found:
            return found, "the Ecto repository's adapter"
    return None
