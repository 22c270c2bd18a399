"""Which database a migration runs on, and what its runner already does, with where the repository says so."""

from __future__ import annotations

from dataclasses import dataclass

LABELS = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}


@dataclass(frozen=True)
class Database:
    """A dialect (postgres, mysql, mariadb, sqlite), its version when known, and the file that says so."""

    dialect: str
    version: str = ""  # "15", "10.11"; empty when nothing says
    source: str = ""  # the repository file (or setting) that decided, empty when nothing did
    detail: str = ""  # what in it decided: "adapter: postgresql", "image postgres:15"
    version_source: str = ""  # where the version came from, when not from `source`
    # The version is the one the repository's configuration declares for production (`database_version`),
    # not one read off a development or CI container, whose minor version says nothing of production's.
    declared: bool = False

    @property
    def label(self) -> str:
        name = LABELS.get(self.dialect, self.dialect)
        return f"{name} {self.version}" if self.version else name

    @property
    def explanation(self) -> str:
        """ "PostgreSQL 15, from `config/database.yml`", or why it is a default."""
        if not self.source:
            return f"{self.label}, {self.detail or 'assumed: nothing in the repository names a database'}"
        text = f"{self.label}, from `{self.source}`" + (f" ({self.detail})" if self.detail else "")
        if self.version_source and self.version_source != self.source:
            text += f"; version from `{self.version_source}`"
        return text

    @property
    def version_tuple(self) -> tuple[int, ...] | None:
        return version_tuple(self.version)


def version_tuple(text: str) -> tuple[int, ...] | None:
    """`15.19 (Debian 15.19-0+deb12u1)` → (15, 19); `10.11.19-MariaDB` → (10, 11, 19); "" → None."""
    parts = []
    for part in text.split(" ")[0].split("-")[0].split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts) or None


@dataclass(frozen=True)
class DatabaseUse:
    """One database of a review and the migrations reviewed in it (several in a multi-dialect repository)."""

    database: Database
    paths: tuple[str, ...]


@dataclass(frozen=True)
class RunnerSetting:
    """Something the repository's runner does for every migration: `lock_timeout`, `statement_timeout`,
    `transaction` (wraps every file in one) or `migration_lock` (takes its own lock against concurrent runs)."""

    kind: str
    source: str
    line: int
    detail: str

    @property
    def where(self) -> str:
        return f"`{self.source}`" + (f" line {self.line}" if self.line else "")


@dataclass(frozen=True)
class Runner:
    settings: tuple[RunnerSetting, ...] = ()

    def get(self, kind: str) -> RunnerSetting | None:
        return next((s for s in self.settings if s.kind == kind), None)
