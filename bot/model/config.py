"""The repository's `.github/migration-review.yml`, validated, with errors that name the key and the file.

Anything that grants something (rule severities that gate merges, which tables count as small) is read
from the base branch, never from the pull request's head: the caller decides where the text comes from.
The settings are plain frozen dataclasses; pydantic validates them only when there is a file to read, so
a command that needs no configuration does not pay for importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from bot.model.findings import Severity

DEFAULT_PATH = ".github/migration-review.yml"
Dialect = Literal["postgres", "mysql", "mariadb", "sqlite"]
FRAMEWORK_NAMES = (
    "sql", "flyway", "golang-migrate", "goose", "dbmate", "prisma", "diesel", "sqitch",
    "rails", "django", "alembic", "liquibase",
)  # fmt: skip
_STRICT: dict[str, Any] = {"extra": "forbid", "frozen": True}


class ConfigError(Exception):
    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path, self.key, self.message = path, key, message


@dataclass(frozen=True)
class MigrationPath:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    glob: str
    framework: Literal[
        "sql", "flyway", "golang-migrate", "goose", "dbmate", "prisma", "diesel", "sqitch",
        "rails", "django", "alembic", "liquibase",
    ] = "sql"  # fmt: skip


@dataclass(frozen=True)
class DialectPath:
    """The dialect (and version) of the migrations under a glob, for a repository with several databases."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    glob: str
    dialect: Dialect
    database_version: str | int | float | None = None


@dataclass(frozen=True)
class RulesConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferencesConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuppressionsConfig:
    """Who may turn a finding into an accepted risk, in a pull request (read from the base branch)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    allow: tuple[str, ...] | None = None  # rules an in-file suppression may cover; None: every rule
    # suppressions (and the author's evidence) that count only once someone else with write access accepts
    need_acceptance: Literal["critical", "all", "none"] | tuple[str, ...] = "critical"


@dataclass(frozen=True)
class ShadowConfig:
    """Limits of the shadow run (docs/shadow.md) for this repository: they may lower the server's, never
    raise them."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    timeout_seconds: float | None = None  # the whole run
    statement_timeout_seconds: float | None = None  # one statement
    rows_per_table: int | None = None  # synthetic rows per table without the probe's counts
    max_rows_per_table: int | None = None  # with them


# key → (lowest, highest, unit) of each shadow limit
SHADOW_BOUNDS: dict[str, tuple[float, float, str]] = {
    "timeout_seconds": (1, 3600, "seconds"),
    "statement_timeout_seconds": (0.1, 3600, "seconds"),
    "rows_per_table": (1, 100_000, "rows"),
    "max_rows_per_table": (1, 1_000_000, "rows"),
}


def shadow_bound_error(key: str, value: float) -> str:
    """Why a shadow limit is out of bounds ("" when it is not)."""
    low, high, unit = SHADOW_BOUNDS[key]
    return "" if low <= value <= high else f"must be from {low:g} to {high:g} {unit}, not {value:g}"


@dataclass(frozen=True)
class Config:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    dialect: Dialect | None = None
    database_version: str | int | float | None = None
    dialects: tuple[DialectPath, ...] = ()
    migrations: tuple[MigrationPath, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: RulesConfig = field(default_factory=RulesConfig)
    small_tables: tuple[str, ...] = ()
    large_tables: tuple[str, ...] = ()
    timeouts_set_by_runner: bool = False
    assume_in_transaction: bool | None = None
    # online: migrations run while the previous release serves traffic (the default); offline: the
    # application is stopped while they run (self-hosted upgrades, maintenance windows)
    deployment: Literal["online", "offline"] = "online"
    references: ReferencesConfig = field(default_factory=ReferencesConfig)
    suppressions: SuppressionsConfig = field(default_factory=SuppressionsConfig)
    shadow: ShadowConfig = field(default_factory=ShadowConfig)

    @property
    def version(self) -> tuple[int, ...] | None:
        if self.database_version is None or self.database_version == "":
            return None
        parts = []
        for part in str(self.database_version).split("."):
            digits = "".join(ch for ch in part if ch.isdigit())
            if not digits:
                break
            parts.append(int(digits))
        return tuple(parts) or None


def parse_config(
    text: str | None, path: str = DEFAULT_PATH, known_rules: frozenset[str] = frozenset()
) -> Config:
    if text is None or not text.strip():
        return Config()
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise ConfigError(path, "", f"not valid YAML ({where}): {getattr(error, 'problem', error)}") from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(path, "", "the top level must be a mapping of keys")
    config = _validate(data, path)
    for key in SHADOW_BOUNDS:
        value = getattr(config.shadow, key)
        if value is not None and (problem := shadow_bound_error(key, value)):
            raise ConfigError(path, f"shadow.{key}", problem)
    if known_rules:
        _check_rule_ids(config, path, known_rules)
    return config


def load_config(path: Path, known_rules: frozenset[str] = frozenset()) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(path), "", f"cannot be read: {error.strerror}") from None
    return parse_config(text, str(path), known_rules)


def _validate(data: dict[str, Any], path: str) -> Config:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Config).validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(path, key, first["msg"]) from None


def _check_rule_ids(config: Config, path: str, known: frozenset[str]) -> None:
    for key, ids in (
        ("rules.select", config.rules.select or ()),
        ("rules.ignore", config.rules.ignore),
        ("rules.severity", tuple(config.rules.severity)),
        ("suppressions.allow", config.suppressions.allow or ()),
        ("suppressions.need_acceptance", _named(config.suppressions.need_acceptance)),
    ):
        for rule_id in ids:
            if rule_id not in known:
                raise ConfigError(path, key, f"unknown rule {rule_id!r} (see `migration-review rules`)")


def _named(need: str | tuple[str, ...]) -> tuple[str, ...]:
    return need if isinstance(need, tuple) else ()
