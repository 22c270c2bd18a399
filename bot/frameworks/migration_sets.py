"""Which migrations share a database: the folder a folder-based runner is pointed at.

A runner that applies the files of one folder (sqlx's `migrate!("./migrations")`, golang-migrate's `-path`,
goose's `-dir`, dbmate's `--migrations-dir`, Diesel, Prisma Migrate, drizzle-kit, a project's own SQL tool)
keeps one history per folder. A repository with several such folders for one database engine runs several
databases: atuin's client, AI and server crates each migrate a SQLite file of their own, Temporal keeps its
`temporal` and `visibility` schemas apart. Their migrations are replayed apart, so one's `sessions` table is
not another's (it was "already exists", or a `CREATE TABLE IF NOT EXISTS` said to be skipped). Frameworks whose
migrations share one database whatever their folder (Django's apps, Rails engines, Flyway's locations,
Liquibase's includes, Alembic's version paths) keep one history: their root is "".
"""

from __future__ import annotations

from bot.frameworks.plain import SQL_CHANGE_FOLDERS

# runners that apply the files of one folder; Diesel and Prisma keep a folder per migration inside it
FOLDER_RUNNERS = frozenset({"sql", "golang-migrate", "goose", "dbmate", "diesel", "drizzle", "prisma"})
_FOLDER_PER_MIGRATION = frozenset({"diesel", "prisma"})
# how the review reads sqlx's files (`<version>_<name>.sql`, reversible ones `.up.sql`/`.down.sql`)
SQLX_FRAMEWORKS = frozenset({"sql", "golang-migrate"})


def root(path: str, framework: str) -> str:
    """The folder whose history the migration belongs to; "" for a framework whose folders share one."""
    if framework not in FOLDER_RUNNERS:
        return ""
    parts = path.split("/")[:-1]
    if framework in _FOLDER_PER_MIGRATION:
        return "/".join(parts[:-1])
    if framework == "sql":  # release folders below the migrations folder are one history (`0.31/`, `v1.19/`)
        found = [i for i, part in enumerate(parts) if part.lower() in SQL_CHANGE_FOLDERS]
        if found:
            return "/".join(parts[: found[-1] + 1])
    return "/".join(parts)


def key(dialect: str, folder: str) -> str:
    """The name of one schema: its database's dialect, and the folder of its history when it has its own."""
    return f"{dialect}:{folder}" if folder else dialect


def split(schema: str) -> tuple[str, str]:
    dialect, _, folder = schema.partition(":")
    return dialect, folder


def near(dump: str, folder: str) -> bool:
    """A schema dump beside the history or above it (`db/schema.sql` for `db/migrations/`), not one of another
    history's folders (`visibility/schema.sql` for `temporal/versioned/`)."""
    parent = dump.rpartition("/")[0]
    return not parent or folder == parent or folder.startswith(parent + "/")
