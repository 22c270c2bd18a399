"""Which migrations share a database: the folder a folder-based runner is pointed at.

A runner that applies the files of one folder (sqlx's `migrate!("./migrations")`, golang-migrate's `-path`,
goose's `-dir`, dbmate's `--migrations-dir`, Diesel, Prisma Migrate, drizzle-kit, a project's own SQL tool)
keeps one history per folder. A repository with several such folders for one database engine runs several
databases: atuin's client, AI and server crates each migrate a SQLite file of their own, Temporal keeps its
`temporal` and `visibility` schemas apart. Their migrations are replayed apart, so one's `sessions` table is
not another's (it was "already exists", or a `CREATE TABLE IF NOT EXISTS` said to be skipped). Frameworks whose
migrations share one database whatever their folder (Django's apps, Rails engines, Flyway's locations,
Liquibase's includes, Alembic's version paths) keep one history: their root is "". Only folders in sibling
packages are told apart (`parallel`).
"""

from __future__ import annotations

from bot.frameworks.plain import SQL_CHANGE_FOLDERS

# runners that apply the files of one folder; Diesel and Prisma keep a folder per migration inside it
FOLDER_RUNNERS = frozenset({"sql", "golang-migrate", "goose", "dbmate", "diesel", "drizzle", "prisma"})
_FOLDER_PER_MIGRATION = frozenset({"diesel", "prisma"})
# how the review reads sqlx's files (`<version>_<name>.sql`, reversible ones `.up.sql`/`.down.sql`)
SQLX_FRAMEWORKS = frozenset({"sql", "golang-migrate"})


def root(path: str, framework: str) -> str:
    """The history the migration belongs to, `<framework>@<folder>`; "" for a framework whose folders share
    one. Only one framework's folders are told apart: two runners' folders (`db/migrations/` of plain SQL beside
    `prisma/migrations/`) may well migrate one database, and are read as one schema as before."""
    if framework not in FOLDER_RUNNERS:
        return ""
    parts = path.split("/")[:-1]
    if framework in _FOLDER_PER_MIGRATION:
        return f"{framework}@{'/'.join(parts[:-1])}"
    if framework == "sql":  # release folders below the migrations folder are one history (`0.31/`, `v1.19/`)
        found = [i for i, part in enumerate(parts) if part.lower() in SQL_CHANGE_FOLDERS]
        if found:
            return f"{framework}@{'/'.join(parts[: found[-1] + 1])}"
    return f"{framework}@{'/'.join(parts)}"


def parallel(one: str, other: str) -> bool:
    """Two histories of one runner in sibling packages: folders of the same depth and name, apart above it
    (`crates/atuin-client/migrations/` and `crates/atuin-ai/migrations/`; Temporal's `temporal/versioned/` and
    `visibility/versioned/`): each package migrates a database of its own. Folders of other shapes
    (`db/migrations/` beside `migrations/`) are taken for one database, as a runner pointed at either would be."""
    if one == other or framework_of(one) != framework_of(other):
        return False
    a, b = one.partition("@")[2].split("/"), other.partition("@")[2].split("/")
    return len(a) == len(b) and len(a) > 1 and a[-1] == b[-1]


def framework_of(history: str) -> str:
    return history.partition("@")[0]


def key(dialect: str, history: str) -> str:
    """The name of one schema: its database's dialect, and the history of its own (`root`) when it has one."""
    return f"{dialect}:{history}" if history else dialect


def split(schema: str) -> tuple[str, str]:
    dialect, _, history = schema.partition(":")
    return dialect, history


def near(dump: str, history: str) -> bool:
    """A schema dump beside the history's folder or above it (`db/schema.sql` for `db/migrations/`), not one of
    another history's folders (`visibility/schema.sql` for `temporal/versioned/`)."""
    folder = history.partition("@")[2]
    parent = dump.rpartition("/")[0]
    return not parent or folder == parent or folder.startswith(parent + "/")
