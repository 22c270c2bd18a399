"""The dialect of each migration file, and where it comes from.

In order: the configuration's `dialects` globs, its `dialect`, the command line's `--dialect`, the file's own
name (`*.postgres.up.sql`, a `mysql/` folder), Liquibase `dbms` attributes, the repository's settings
(bot.frameworks.settings), and only when nothing in the repository says, SQL that only one dialect accepts,
read outside comments and strings from the tree's migrations (so every pull request gets the same answer).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import re
from collections.abc import Iterable

from bot.frameworks.settings import Settings, read_settings
from bot.frameworks.settings.found import dialect_of, family
from bot.model.changeset import Tree
from bot.model.config import Config
from bot.model.database import Database

_SUFFIX = re.compile(r"\.([a-z0-9]+)(?:\.autocommit)?(?:\.(?:up|down))?\.sql$", re.I)
# pop/fizz (Ory, Buffalo): `<version>_<name>[.<database>][.autocommit].<up|down>.sql`
_POP = re.compile(r"^(?P<stem>.+?)(?:\.autocommit)?\.(?:up|down)\.sql$", re.I)
_FALLBACK_ORDER = ("postgres", "sqlite", "mysql")
_XML_CHANGE_SET = re.compile(r"<changeSet\b[^>]*>")
_CHANGE_SETS = re.compile(r"^\s*-?\s*changeSet\s*:|^\s*--\s*changeset\s", re.M | re.I)
_DBMS = re.compile(r"""\bdbms\s*[=:]\s*["']?([!\w, ]+)""")
_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$", re.S)
_MYSQL = re.compile(r"\bAUTO_INCREMENT\b|\bENGINE\s*=|\bUNSIGNED\b|\bMODIFY\s+COLUMN\b", re.I)
# SQLite accepts MySQL's backquoted names too: they say MySQL only when nothing says SQLite
_BACKQUOTED = re.compile(r"`\w+`")
_SQLITE = re.compile(r"\bAUTOINCREMENT\b|\bPRAGMA\b|\bWITHOUT\s+ROWID\b", re.I)
_POSTGRES = re.compile(r"\$\w*\$|::\w|\bSERIAL\b|\bBIGSERIAL\b|\bCONCURRENTLY\b|\bJSONB\b", re.I)
_SAMPLE = 2_000_000
# What each pattern cannot match without, in lower case: ASCII text that holds none of these is not searched
# (IGNORECASE folds no other ASCII letter onto these; a whole history's SQL took 50 ms to search)
_MYSQL_WORDS = ("auto_increment", "engine", "unsigned", "modify")
_SQLITE_WORDS = ("autoincrement", "pragma", "without")
OTHER_DATABASES = {
    "h2": "H2", "hsqldb": "HSQLDB", "oracle": "Oracle", "sqlserver": "SQL Server", "mssql": "SQL Server",
    "db2": "Db2", "derby": "Derby", "clickhouse": "ClickHouse", "snowflake": "Snowflake",
    # pop/fizz's `x.cockroach.up.sql` beside `x.postgres.up.sql`: CockroachDB's own copy, in its own syntax
    # (`ADD CONSTRAINT IF NOT EXISTS`), with its own online schema changes rather than PostgreSQL's locks
    "cockroach": "CockroachDB", "cockroachdb": "CockroachDB",
}  # fmt: skip


class Dialects:
    """Answers `database(path, text)` for one review; reads the tree's settings once."""

    def __init__(
        self, tree: Tree, config: Config, *, config_path: str = "", requested: str | None = None
    ) -> None:
        self.tree, self.config, self.config_path, self.requested = tree, config, config_path, requested
        self.settings: Settings = read_settings(tree)
        self._syntax: Database | None = None

    def database(self, path: str, text: str = "") -> Database:
        for entry in self.config.dialects:
            if fnmatch.fnmatch(path, entry.glob):
                version = str(entry.database_version or self.config.database_version or "")
                detail = f"`dialects: {entry.glob}`"
                return Database(entry.dialect, version, self.config_path, detail, declared=bool(version))
        if self.config.dialect:
            version = str(self.config.database_version or "")
            detail = f"`dialect: {self.config.dialect}`"
            return Database(self.config.dialect, version, self.config_path, detail, declared=bool(version))
        if self.requested:
            return Database(self.requested, source="--dialect")
        detected = self._detected(path, text)
        if self.config.database_version is not None and family(detected.dialect) != "sqlite":
            return dataclasses.replace(detected, version=str(self.config.database_version), declared=True)
        return detected

    def _detected(self, path: str, text: str) -> Database:
        named = named_database(path) or _liquibase(path, text) or self._fallback(path)
        settled = self.settings.database_for(path)
        guarded = _doctrine_guard(path, text, self.tree) if named is None else None
        if guarded is not None:  # a Doctrine migration's guard runs it on one database only
            same = settled is not None and family(settled.dialect) == guarded
            return (
                settled
                if same and settled is not None
                else Database(
                    guarded, source=path, detail="its guard on the database platform (`abortIf`, `skipIf`)"
                )
            )
        if named is not None:
            return _versioned(named, settled)
        return settled or self._from_framework or self._from_syntax()

    def _fallback(self, path: str) -> Database | None:
        """A file without a database in its name beside files of the same migration that have one
        (`x.up.sql` beside `x.postgres.up.sql` and `x.mysql.up.sql`): the runner takes it for the databases
        none of them is for, so it is read in the first of those (PostgreSQL, SQLite, MySQL)."""
        found = _POP.match(path)
        if found is None or named_database(path) is not None:
            return None
        covered = self._dialect_files.get(pop_stem(path) or "", set())
        if not covered:
            return None
        for dialect in _FALLBACK_ORDER:
            if dialect not in covered:
                named = ", ".join(f"`.{d}.`" for d in sorted(covered))
                return Database(
                    dialect,
                    source=path,
                    detail=f"the file for the databases that {named} files beside it are not for",
                )
        return None

    @functools.cached_property
    def _dialect_files(self) -> dict[str, set[str]]:
        return dialect_files(self.tree.paths())

    @functools.cached_property
    def _from_framework(self) -> Database | None:
        """The same for every file of the tree: worked out once (it walks the tree's configuration files)."""
        from bot.frameworks import framework_dialect  # the package imports this module lazily

        found = framework_dialect(self.tree)
        return Database(found[0], source=found[1]) if found is not None else None

    def _from_syntax(self) -> Database:
        if self._syntax is None:
            self._syntax = syntax_database(_migration_texts(self.tree))
            several = several_drivers(self.tree) if self._syntax.detail.startswith("assumed:") else None
            if several is not None:
                names, where = several
                self._syntax = dataclasses.replace(
                    self._syntax,
                    detail=f"assumed: the project runs on several databases ({', '.join(names)}: the drivers "
                    f"`{where}` depends on); name the one to review with `dialect:` in the configuration",
                )
        return self._syntax


def dialect_files(paths: Iterable[str]) -> dict[str, set[str]]:
    """Per migration (its path without database and direction), the databases its own files are for
    (families: MariaDB's file counts as MySQL's)."""
    found: dict[str, set[str]] = {}
    for each in paths:
        stem = pop_stem(each)
        named = named_database(each) if stem is not None else None
        if stem is None or named is None or named.detail.endswith("folder's name"):
            continue
        found.setdefault(stem, set()).add(family(named.dialect))
    return found


def for_another_file(path: str, dialect: str, covered: dict[str, set[str]]) -> bool:
    """A file without a database in its name (`x.up.sql`) whose migration has a file of its own for
    `dialect`'s database (`x.mysql.up.sql`): the runner runs that one there instead (pop/fizz)."""
    stem = pop_stem(path)
    return stem is not None and named_database(path) is None and family(dialect) in covered.get(stem, ())


def pop_stem(path: str) -> str | None:
    """`a/1_x.mysql.autocommit.up.sql` → `a/1_x`; None for a file not named as a pop/fizz migration."""
    whole = _POP.match(path)
    if whole is None:
        return None
    stem = whole.group("stem")
    head, dot, word = stem.rpartition(".")
    return head if dot and "/" not in word and database_word(word) else stem


def database_word(word: str) -> bool:
    """Does the word name a database (`mysql`, `postgresql`, `sqlite3`, `h2`, …), as a folder or a file's name may?"""
    return dialect_of(word) is not None or word.lower() in OTHER_DATABASES


def syntax_database(texts: Iterable[str]) -> Database:
    """A dialect from SQL that only it accepts, outside comments and strings; PostgreSQL when none does."""
    code = _NOISE.sub(" ", "\n".join(texts)[:_SAMPLE])
    lowered = code.lower() if code.isascii() else None
    for dialect, pattern, words in (
        ("mysql", _MYSQL, _MYSQL_WORDS),
        ("sqlite", _SQLITE, _SQLITE_WORDS),
        ("mysql", _BACKQUOTED, ("`",)),
    ):
        if lowered is not None and not any(word in lowered for word in words):
            continue
        match = pattern.search(code)
        if match:
            return Database(dialect, detail=f"read from the migrations' SQL, which uses `{match.group(0)}`")
    return Database("postgres", detail="assumed: nothing in the repository names a database")


def other_database(path: str) -> str | None:
    """The name of a database the review does not read (H2, Oracle, …) that a file's name or folder is for."""
    match = _SUFFIX.search(path)
    words = [match.group(1)] if match else []
    for word in [*words, *reversed(path.split("/")[:-1])]:
        # Rails keeps the migrations of a second database in `db/<name>_migrate/` (`db/clickhouse_migrate/`)
        for name in (word.lower(), word.lower().removesuffix("_migrate")):
            if name in OTHER_DATABASES:
                return OTHER_DATABASES[name]
    return None


def named_database(path: str) -> Database | None:
    """The dialect a file's own name (`*.mysql.up.sql`) or folder (`postgres/`) gives it."""
    match = _SUFFIX.search(path)
    dialect = dialect_of(match.group(1)) if match and match.group(1).lower() not in OTHER_DATABASES else None
    if match and dialect:
        return Database(dialect, source=path, detail=f"the file's name: `.{match.group(1)}.`")
    parts = path.split("/")[:-1]
    for index in range(len(parts) - 1, -1, -1):
        word = _folder_word(parts[index].lower())
        dialect = dialect_of(word) if word != "pg" and word not in OTHER_DATABASES else None
        if dialect:
            return Database(dialect, source="/".join(parts[: index + 1]) + "/", detail="the folder's name")
    return None


# words that name a folder of migrations beside the database's name (Wiki.js' `server/db/migrations-sqlite/`)
_MIGRATION_WORDS = frozenset({"migrations", "migration", "migrate", "db", "schema"})


def _folder_word(name: str) -> str:
    """The database a folder's name gives: the name itself (`sqlite/`), the one word beside a word for
    migrations (`migrations-sqlite/`, `sqlite_migrations/`), or the last word of a package's name
    (`atuin-server-sqlite/`)."""
    words = [w for w in re.split(r"[-_.]", name) if w]
    rest = [w for w in words if w not in _MIGRATION_WORDS]
    if len(words) == 2 and len(rest) == 1:
        return rest[0]
    # a package named for the database its migrations are for, its last word (atuin's
    # `crates/atuin-server-sqlite/migrations/` beside `crates/atuin-server-postgres/migrations/`)
    if len(words) > 1 and words[-1] in _ENGINE_WORDS and not any(w in _ENGINE_WORDS for w in words[:-1]):
        return words[-1]
    return name


_ENGINE_WORDS = frozenset({"postgres", "postgresql", "mysql", "mariadb", "sqlite", "sqlite3"})


def _liquibase(path: str, text: str) -> Database | None:
    if not path.endswith((".xml", ".yaml", ".yml", ".sql")) or "dbms" not in text:
        return None
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    # Only when every changeSet names its databases: one without a `dbms` runs on every database.
    if path.endswith(".xml"):
        tags = _XML_CHANGE_SET.findall(text)
        values = [m.group(1) for tag in tags if (m := _DBMS.search(tag))]
        if len(values) < len(tags) or not tags:
            return None
    else:
        values = [m.group(1) for m in _DBMS.finditer(text)]
        if len(values) < len(_CHANGE_SETS.findall(text)):
            return None
    names = {n.strip().lower() for value in values for n in value.split(",")}
    dialects = {dialect_of(n) for n in names if n and not n.startswith("!")}
    known = {d for d in dialects if d is not None}
    if not known or len(known) != len(dialects) or len({family(d) for d in known}) != 1:
        return None
    return Database(
        sorted(known)[0], source=path, detail=f"its changesets' `dbms: {', '.join(sorted(names))}`"
    )


def _doctrine_guard(path: str, text: str, tree: Tree) -> str | None:
    """The one database a Doctrine migration's guards (or those of its project's base class) let it run on."""
    if not path.endswith(".php") or not path.rsplit("/", 1)[-1].startswith("Version"):
        return None
    from bot.frameworks.doctrine_platform import own_family

    return own_family(text, tree)


def _versioned(named: Database, settled: Database | None) -> Database:
    """A folder's or file's database with the version the repository's settings give the same database.
    MariaDB and MySQL number their releases apart: a MariaDB 11 container says nothing of a `mysql/` folder."""
    if settled is not None and settled.dialect == named.dialect and settled.version:
        source = settled.version_source or settled.source
        return Database(named.dialect, settled.version, named.source, named.detail, source)
    return named


# a build's dependency on a database's driver: the project can run on that database
_DRIVERS = (
    (re.compile(r"\bcom\.h2database\b|\bh2database\b"), "H2"),
    (re.compile(r"\bmysql-connector|\"mysql2?\"\s*:"), "MySQL"),
    (re.compile(r"\bmariadb-java-client\b|\"mariadb\"\s*:"), "MariaDB"),
    (re.compile(r"\borg\.postgresql\b|\"pg\"\s*:|\"postgres\"\s*:"), "PostgreSQL"),
    (re.compile(r"\bmssql-jdbc\b|\"(?:tedious|mssql)\"\s*:"), "SQL Server"),
    (re.compile(r"\bojdbc\d*\b|\"oracledb\"\s*:"), "Oracle"),
    (re.compile(r"\bsqlite-jdbc\b|\"(?:better-)?sqlite3\"\s*:"), "SQLite"),
)
_BUILD_FILES = re.compile(r"^(?:pom\.xml|build\.gradle(?:\.kts)?|package\.json)$")


def several_drivers(tree: Tree) -> tuple[list[str], str] | None:
    """The databases a build at the top of the repository depends on drivers for, when it names more than one
    (traccar's `build.gradle`: H2, MySQL, MariaDB, PostgreSQL, SQL Server), and that build's path."""
    for path in (p for p in tree.paths() if _BUILD_FILES.match(p)):
        text = tree.read(path) or ""
        names = [name for pattern, name in _DRIVERS if pattern.search(text)]
        if len(names) > 1:
            return names, path
    return None


def _migration_texts(tree: Tree) -> Iterable[str]:
    size = 0
    for path in tree.paths():
        if not path.endswith(".sql") or size > _SAMPLE or named_database(path) or other_database(path):
            continue
        text = tree.read(path) or ""
        size += len(text)
        yield text
