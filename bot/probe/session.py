"""The probe's connection: the only place that connects to a user's database.

A session is one read-only transaction with a statement timeout and a lock timeout set by us, whatever
the DSN says: PostgreSQL `SET TRANSACTION READ ONLY`, MySQL and
MariaDB `START TRANSACTION READ ONLY`. It is rolled back at the end. Every query is recorded with its
timing; a failed query is rolled back to a savepoint so the next one can run.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.model.facts import Query

if TYPE_CHECKING:  # the policy (pydantic, yaml) is loaded by whoever builds a Target, not by every review
    from bot.probe.policy import Target

CONNECT_TIMEOUT = 5  # seconds


_log = logging.getLogger("migration_review.probe")


class ProbeError(Exception):
    """A query or the connection failed; the message is the reason shown as "not verified: …"."""


class Session:
    def __init__(self, connection: Any, dialect: str, mariadb: bool = False) -> None:
        self._connection = connection
        self.dialect = dialect
        self.mariadb = mariadb
        self.queries: list[Query] = []

    def fetch(self, sql: str, purpose: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        start = time.perf_counter()
        try:
            rows = self._run(sql, params)
        except Exception as error:
            reason = _reason(error)
            self.queries.append(Query(sql, purpose, _since(start), 0, reason))
            raise ProbeError(reason) from error
        self.queries.append(Query(sql, purpose, _since(start), len(rows)))
        return rows

    def _run(self, sql: str, params: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        if self.dialect != "postgres":
            with self._connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        self._connection.execute("SAVEPOINT probe_query")
        try:
            rows = list(self._connection.execute(sql, params).fetchall())
        except Exception:
            self._connection.execute("ROLLBACK TO SAVEPOINT probe_query")
            raise
        self._connection.execute("RELEASE SAVEPOINT probe_query")
        return rows


@contextmanager
def read_only(target: Target) -> Iterator[Session]:
    """Open a read-only, time-limited transaction on the target; always rolled back and closed."""
    try:
        session = _postgres(target) if target.dialect == "postgres" else _mysql(target)
    except ProbeError:
        raise
    except ImportError as error:
        raise ProbeError(
            f"the database driver is missing ({error}): install migration-review[probe]"
        ) from error
    except Exception as error:
        _log.warning(
            "probe connection to %s failed: %s", target.name, _reason(error)
        )  # the detail: logs only
        raise ProbeError(f"cannot connect to {target.name}: {connection_failure(error)}") from error
    try:
        yield session
    finally:
        try:
            session._connection.rollback()
        finally:
            session._connection.close()


def _postgres(target: Target) -> Session:
    import psycopg

    policy = target.policy
    connection = psycopg.connect(
        target.dsn,
        connect_timeout=CONNECT_TIMEOUT,
        autocommit=False,
        application_name="migration-review probe",
    )
    connection.execute("SET TRANSACTION READ ONLY")  # the first statement of the transaction
    connection.execute(
        "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true),"
        " set_config('idle_in_transaction_session_timeout', %s, true)",
        (
            f"{policy.statement_timeout_ms}ms",
            f"{policy.lock_timeout_ms}ms",
            f"{policy.statement_timeout_ms * 4}ms",
        ),
    )
    return Session(connection, "postgres")


def _mysql(target: Target) -> Session:
    from urllib.parse import unquote, urlsplit

    import pymysql  # type: ignore[import-untyped]

    parts = urlsplit(target.dsn)
    policy = target.policy
    seconds = max(1, -(-policy.statement_timeout_ms // 1000))
    connection = pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=parts.path.lstrip("/") or None,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=seconds * 4,
        autocommit=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        mariadb = "mariadb" in str(cursor.fetchone()[0]).lower()
        if mariadb:  # seconds, fractional
            cursor.execute("SET SESSION max_statement_time = %s", (policy.statement_timeout_ms / 1000,))
        else:  # milliseconds, for SELECT
            cursor.execute("SET SESSION max_execution_time = %s", (policy.statement_timeout_ms,))
        lock = max(1, policy.lock_timeout_ms // 1000)
        cursor.execute("SET SESSION lock_wait_timeout = %s", (lock,))
        cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", (lock,))
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        cursor.execute("START TRANSACTION READ ONLY")
    return Session(connection, "mysql", mariadb)


def _since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


# What a failed connection is called in a review. The driver's text names hosts, ports, roles and
# databases of the production network: it goes to the server's logs, never into a pull request.
_CONNECTION_FAILURES = (
    (("timeout", "timed out"), "the connection timed out"),
    (("refused",), "the connection was refused"),
    (("password", "authentication", "access denied", "role"), "the login was refused"),
    (
        ("resolve", "name or service", "nodename", "host name", "unknown host"),
        "the host name did not resolve",
    ),
    (("ssl", "tls", "certificate"), "the TLS handshake failed"),
    (("does not exist", "unknown database"), "the database was not found"),
)


def connection_failure(error: Exception) -> str:
    """A generic reason for a failed connection, without a host, a role or a database name."""
    text = str(error).lower()
    for words, reason in _CONNECTION_FAILURES:
        if any(word in text for word in words):
            return reason
    return f"the connection failed ({type(error).__name__})"


# Parts of a driver's message that name the network or the login: MySQL's 'user'@'host', addresses, ports.
_INTERNAL = re.compile(
    r"'[^']*'@'[^']*'|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?"
    r"|\b(?:host|hostaddr|port|user)\s*=\s*\S+|\bconnection to server at \S+(?: \([^)]*\))?(?:, port \d+)?",
    re.IGNORECASE,
)


def _reason(error: Exception) -> str:
    """A failed query's reason, with the login and the addresses taken out."""
    text = " ".join(str(error).split()) or type(error).__name__
    return _INTERNAL.sub("(withheld)", text)[:300]
