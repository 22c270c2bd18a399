"""The repository's `.github/migration-review.yml`, validated, with errors that name the key and the file.

Anything that grants something (rule severities that gate merges, which tables count as small) is read
from the base branch, never from the pull request's head: the caller decides where the text comes from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.findings import Severity

DEFAULT_PATH = ".github/migration-review.yml"
Dialect = Literal["postgres", "mysql", "mariadb", "sqlite"]
FRAMEWORK_NAMES = (
    "sql",
    "flyway",
    "golang-migrate",
    "goose",
    "dbmate",
    "prisma",
    "diesel",
    "sqitch",
    "rails",
    "django",
    "alembic",
    "liquibase",
)


class ConfigError(Exception):
    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path, self.key, self.message = path, key, message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MigrationPath(_Strict):
    glob: str
    framework: str = "sql"

    @field_validator("framework")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FRAMEWORK_NAMES:
            raise ValueError(f"unknown framework {value!r}; one of {', '.join(FRAMEWORK_NAMES)}")
        return value


class RulesConfig(_Strict):
    select: list[str] | None = None
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)


class ReferencesConfig(_Strict):
    exclude: list[str] = Field(default_factory=list)


class Config(_Strict):
    dialect: Dialect | None = None
    database_version: str | None = None
    migrations: list[MigrationPath] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    small_tables: list[str] = Field(default_factory=list)
    large_tables: list[str] = Field(default_factory=list)
    timeouts_set_by_runner: bool = False
    assume_in_transaction: bool | None = None
    references: ReferencesConfig = Field(default_factory=ReferencesConfig)

    @field_validator("database_version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @property
    def version(self) -> tuple[int, ...] | None:
        if not self.database_version:
            return None
        parts = []
        for part in self.database_version.split("."):
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
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(path, key, first["msg"]) from None
    if known_rules:
        _check_rule_ids(config, path, known_rules)
    return config


def load_config(path: Path, known_rules: frozenset[str] = frozenset()) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(path), "", f"cannot be read: {error.strerror}") from None
    return parse_config(text, str(path), known_rules)


def _check_rule_ids(config: Config, path: str, known: frozenset[str]) -> None:
    for key, ids in (
        ("rules.select", config.rules.select or []),
        ("rules.ignore", config.rules.ignore),
        ("rules.severity", list(config.rules.severity)),
    ):
        for rule_id in ids:
            if rule_id not in known:
                raise ConfigError(path, key, f"unknown rule {rule_id!r} (see `migration-review rules`)")
