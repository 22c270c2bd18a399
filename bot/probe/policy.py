"""Where the probe may connect and what it may read: a server-side YAML file named by PROBE_CONFIG.

Never read from a repository: a pull request cannot grant itself a connection or widen a policy.

```yaml
repositories:
  - repository: acme/shop          # owner/name
    paths: [db/migrate]            # optional: only migrations under these directories
    name: shop-replica             # shown in reviews instead of the DSN
    dsn: postgresql://probe@replica.internal:5432/shop
    dialect: postgres              # postgres | mysql | mariadb
    policy:
      schemas: [public]            # empty: the connection's default schema only
      tables: []                   # empty: every table of those schemas
      exact_counts: true           # exact GROUP BY within row_budget, sampling above it
      row_budget: 1000000
      statement_timeout: 5s
      lock_timeout: 1s
      time_budget: 60s             # the whole probe; questions left after it stay "not verified"
      show_values:
        columns: [orders.status]   # always shown
        sensitive: [email, token]  # added to the built-in patterns
        max_distinct: 50
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SENSITIVE = (
    "email",
    "name",
    "token",
    "phone",
    "mobile",
    "address",
    "street",
    "zip",
    "postcode",
    "password",
    "passwd",
    "secret",
    "ssn",
    "iban",
    "card",
    "cvv",
    "birth",
    "salt",
    "hash",
    "api_key",
    "ip",
)
DIALECTS = ("postgres", "mysql", "mariadb")


class ProbeConfigError(Exception):
    """The probe configuration is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Policy:
    schemas: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    exact_counts: bool = True
    row_budget: int = 1_000_000
    statement_timeout_ms: int = 5_000
    lock_timeout_ms: int = 1_000
    time_budget_ms: int = 60_000  # the whole probe: questions left when it is spent stay unverified
    show_columns: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = SENSITIVE
    max_distinct: int = 50

    def allows(self, schema: str, table: str, default: str) -> bool:
        """Listed schemas (or, when none are listed, the connection's default one) and listed tables."""
        if schema not in (self.schemas or (default,)):
            return False
        return not self.tables or table in self.tables or f"{schema}.{table}" in self.tables

    def shows(self, table: str, column: str, distinct: float) -> bool:
        """May the values of this column appear in a review? Listed, or low-cardinality and not sensitive."""
        if column in self.show_columns or f"{table}.{column}" in self.show_columns:
            return True
        name = column.lower()
        words = set(re.split(r"[_\W]+", name)) | {name}
        if any(p in words or ("_" in p and p in name) for p in self.sensitive):
            return False
        return 0 < distinct <= self.max_distinct


@dataclass(frozen=True)
class Target:
    """One database the probe may read, and how."""

    name: str
    dsn: str = field(repr=False)
    dialect: str
    policy: Policy = Policy()
    paths: tuple[str, ...] = ()

    def covers(self, path: str) -> bool:
        return not self.paths or any(path.startswith(p.rstrip("/") + "/") for p in self.paths)


def target_for_dsn(dsn: str, policy: Policy | None = None) -> Target:
    """A target given on the command line: its name is the DSN without the password."""
    parts = urlsplit(dsn)
    scheme = parts.scheme.split("+")[0]
    dialect = (
        "postgres"
        if scheme in ("postgres", "postgresql")
        else "mysql"
        if scheme in ("mysql", "mariadb")
        else ""
    )
    if not dialect:
        raise ProbeConfigError(f"--probe-dsn: unsupported scheme {scheme!r} (postgresql:// or mysql://)")
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return Target(
        f"{scheme}://{user}{parts.hostname or ''}{port}{parts.path}", dsn, dialect, policy or Policy()
    )


class _ShowValues(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: list[str] = []
    sensitive: list[str] = []
    max_distinct: int = Field(default=50, ge=0)


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schemas: list[str] = []
    tables: list[str] = []
    exact_counts: bool = True
    row_budget: int = Field(default=1_000_000, ge=0)
    statement_timeout: int | str = "5s"
    lock_timeout: int | str = "1s"
    time_budget: int | str = "60s"
    show_values: _ShowValues = _ShowValues()

    @field_validator("statement_timeout", "lock_timeout", "time_budget")
    @classmethod
    def _duration(cls, value: int | str) -> int | str:
        _milliseconds(value)
        return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    paths: list[str] = []
    name: str = ""
    dsn: str = Field(min_length=1)
    dialect: str = "postgres"
    policy: _Policy = _Policy()

    @field_validator("dialect")
    @classmethod
    def _dialect(cls, value: str) -> str:
        if value not in DIALECTS:
            raise ValueError(f"must be one of {', '.join(DIALECTS)}")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repositories: list[_Entry] = []


@dataclass(frozen=True)
class ProbeConfig:
    targets: tuple[tuple[str, Target], ...] = ()  # (owner/name, target)

    def for_repository(self, repository: str, paths: list[str] | None = None) -> Target | None:
        """The first target configured for the repository that covers one of the paths (or any, without paths)."""
        for name, target in self.targets:
            if name.lower() == repository.lower() and (not paths or any(target.covers(p) for p in paths)):
                return target
        return None


def load_probe_config(path: Path) -> ProbeConfig:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ProbeConfigError(f"{path}: cannot read: {error}") from error
    try:
        parsed = _File.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in first["loc"])
        raise ProbeConfigError(f"{path}: {key.replace('.[', '[')}: {first['msg']}") from error
    return ProbeConfig(tuple((e.repository, _target(e)) for e in parsed.repositories))


def _target(entry: _Entry) -> Target:
    p = entry.policy
    policy = Policy(
        schemas=tuple(p.schemas),
        tables=tuple(t.lower() for t in p.tables),
        exact_counts=p.exact_counts,
        row_budget=p.row_budget,
        statement_timeout_ms=_milliseconds(p.statement_timeout),
        lock_timeout_ms=_milliseconds(p.lock_timeout),
        time_budget_ms=_milliseconds(p.time_budget),
        show_columns=tuple(p.show_values.columns),
        sensitive=SENSITIVE + tuple(s.lower() for s in p.show_values.sensitive),
        max_distinct=p.show_values.max_distinct,
    )
    dialect = "mysql" if entry.dialect == "mariadb" else entry.dialect
    return Target(entry.name or entry.repository, entry.dsn, dialect, policy, tuple(entry.paths))


def _milliseconds(value: int | str) -> int:
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("must be a positive duration")
        return value
    match = re.fullmatch(r"\s*(\d+)\s*(ms|s|min)?\s*", value)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError("must be a positive duration such as 500ms, 5s or 1min")
    return int(match.group(1)) * {"ms": 1, "s": 1000, "min": 60_000}[match.group(2) or "ms"]
