"""The scratch server a shadow run may create and drop databases on, never the probe's."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


class ShadowConfigError(Exception):
    """The shadow DSN cannot be used; the message says why."""


@dataclass(frozen=True)
class ShadowTarget:
    dsn: str
    dialect: str  # postgres | mysql (MariaDB and MySQL alike)
    name: str  # the DSN without its password, for the report

    @property
    def server(self) -> tuple[str, int]:
        return _server(self.dsn, self.dialect)


def shadow_target(dsn: str, probe_dsns: tuple[str, ...] = ()) -> ShadowTarget:
    """The target of `--shadow-dsn`. A DSN on the same server as a probe DSN is refused: the probe reads
    production, and a shadow run creates and drops databases on its server."""
    parts = urlsplit(dsn)
    scheme = parts.scheme.split("+")[0]
    dialect = {"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}.get(
        scheme, ""
    )
    if not dialect:
        raise ShadowConfigError(f"--shadow-dsn: unsupported scheme {scheme!r} (postgresql:// or mysql://)")
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    target = ShadowTarget(dsn, dialect, f"{scheme}://{user}{parts.hostname or ''}{port}{parts.path}")
    for probe in probe_dsns:
        if probe and _same_server(target, probe):
            raise ShadowConfigError(
                "--shadow-dsn names the production probe's server: a shadow run creates and drops "
                "databases, so it needs a scratch server of its own"
            )
    return target


def _same_server(target: ShadowTarget, probe_dsn: str) -> bool:
    if probe_dsn.strip() == target.dsn.strip():
        return True
    parts = urlsplit(probe_dsn)
    scheme = parts.scheme.split("+")[0]
    if scheme not in ("postgres", "postgresql", "mysql", "mariadb"):
        return False
    return _server(probe_dsn, "postgres" if scheme.startswith("postgres") else "mysql") == target.server


def _server(dsn: str, dialect: str) -> tuple[str, int]:
    """(host, port); a Unix socket directory (`?host=/run/postgresql`) is its own host."""
    parts = urlsplit(dsn)
    socket = parse_qs(parts.query).get("host", [""])[0]
    default = 5432 if dialect == "postgres" else 3306
    return (socket or _host(parts.hostname), parts.port or default)


def _host(name: str | None) -> str:
    host = (name or "localhost").lower()
    return "localhost" if host in ("127.0.0.1", "::1", "localhost", "") else host
