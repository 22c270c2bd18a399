"""The scratch server: create, drop and sweep `mr_shadow_` databases, and sessions that run statements.

PostgreSQL through psycopg, MariaDB and MySQL through PyMySQL, behind the same few methods. Every session
runs with a statement timeout so a runaway statement cannot outlive the run's time limit.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.shadow.target import ShadowTarget

PREFIX = "mr_shadow_"
CONNECT_TIMEOUT = 5
ADMIN_TIMEOUT_MS = 120_000
_NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")


ROWS, MISSING = "rows", "missing"


class ShadowError(Exception):
    """A statement or the connection failed; the message is the server's. `cause`: "rows" when the rows
    made it fail (a constraint, a value the type rejects), "missing" when it names a table, column,
    type, function or schema the scratch database does not have, "" otherwise."""

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


# MariaDB/MySQL errors about the rows, not the statement: NULL, duplicate, foreign key, check, truncation,
# range, invalid value for the type; and errors naming something the database does not have.
_MYSQL_DATA = {1048, 1062, 1138, 1264, 1265, 1292, 1366, 1406, 1451, 1452, 1586, 3819, 4025}
_MYSQL_MISSING = {1005, 1049, 1054, 1091, 1146, 1176, 1305, 1824}
# PostgreSQL: undefined table, column, object, function; invalid schema name
_PG_MISSING = {"42P01", "42703", "42704", "42883", "3F000"}


def cause(error: BaseException) -> str:
    """Why a statement failed, as far as the error's code tells (see ShadowError)."""
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        return ROWS if state[:2] in ("22", "23") else MISSING if state in _PG_MISSING else ""
    args: tuple[object, ...] = tuple(getattr(error, "args", ()))
    code = args[0] if args and isinstance(args[0], int) else None
    return ROWS if code in _MYSQL_DATA else MISSING if code in _MYSQL_MISSING else ""


def scratch_name(now: float | None = None) -> str:
    """`mr_shadow_<unix seconds>_<random>`: the name carries its age, so a sweep needs no bookkeeping."""
    return f"{PREFIX}{int(now if now is not None else time.time())}_{secrets.token_hex(4)}"


def age_seconds(name: str, now: float | None = None) -> float | None:
    match = _NAME.match(name)
    if match is None:
        return None
    return (now if now is not None else time.time()) - int(match.group(1))


def reason(error: BaseException) -> str:
    """The server's message, first line, without the driver's wrapping."""
    args: tuple[object, ...] = tuple(getattr(error, "args", ()))
    if len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        return f"{args[1]} (error {args[0]})"
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:500]


class Session:
    """One connection to one database. `execute` runs a statement and returns its rows (if any)."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.pid = 0
        if dialect == "postgres":
            self.pid = int(self.rows("SELECT pg_backend_pid()")[0][0])
        else:
            self.pid = int(self.rows("SELECT CONNECTION_ID()")[0][0])

    def rows(self, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        try:
            if self.dialect == "postgres":
                cursor = self.connection.execute(sql, params, prepare=False)
                return list(cursor.fetchall()) if cursor.description else []
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall()) if cursor.description else []
        except Exception as error:
            raise ShadowError(reason(error), cause(error)) from error

    def execute(self, sql: str) -> int:
        """A statement of the migration, as written: no parameters, so `%` stays what it is. Returns the
        number of rows it changed as the server counts them (-1 when it does not say)."""
        try:
            if self.dialect == "postgres":
                cursor = self.connection.execute(sql.encode(), prepare=False)  # bytes: no placeholders
                return int(cursor.rowcount)
            with self.connection.cursor() as cursor:
                cursor.execute(sql)
                return int(cursor.rowcount)
        except Exception as error:
            raise ShadowError(reason(error), cause(error)) from error

    def copy(self, table: str, columns: list[str], rows: list[tuple[str | None, ...]]) -> None:
        """PostgreSQL's COPY FROM STDIN, in one transaction: every row or none."""
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        quoted = ".".join('"' + p.replace('"', '""') + '"' for p in table.split("."))
        try:
            with (
                self.connection.transaction(),
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {quoted} ({names}) FROM STDIN".encode()) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except Exception as error:
            raise ShadowError(reason(error), cause(error)) from error

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection: nothing left to do
            self.connection.close()


class Server:
    """The server of the shadow DSN, through an administrative session on the DSN's own database."""

    def __init__(self, target: ShadowTarget, statement_timeout_ms: int) -> None:
        self.target = target
        self.dialect = target.dialect
        self.statement_timeout_ms = statement_timeout_ms
        # creating and dropping a database is the server's own work, not the migration's: it gets a
        # timeout of its own, never shorter than a statement's
        self.admin = self._connect(None, max(statement_timeout_ms, ADMIN_TIMEOUT_MS))
        version = str(self.admin.rows("SELECT version()")[0][0])
        if self.dialect == "postgres":
            self.engine = "PostgreSQL"
            self.version = str(self.admin.rows("SHOW server_version")[0][0]).split()[0]
            self.version_number = int(self.admin.rows("SHOW server_version_num")[0][0])
        else:
            self.engine = "MariaDB" if "mariadb" in version.lower() else "MySQL"
            self.version = version.split("-")[0]
            self.version_number = 0

    def _connect(self, database: str | None, timeout_ms: int | None = None) -> Session:
        timeout = self.statement_timeout_ms if timeout_ms is None else timeout_ms
        try:
            if self.dialect == "postgres":
                import psycopg

                conninfo = self.target.dsn
                kwargs: dict[str, Any] = {"dbname": database} if database else {}
                connection = psycopg.connect(
                    conninfo,
                    autocommit=True,
                    connect_timeout=CONNECT_TIMEOUT,
                    application_name="migration-review shadow",
                    options=f"-c statement_timeout={timeout}",
                    **kwargs,
                )
                return Session(connection, "postgres")
            import pymysql  # type: ignore[import-untyped]

            parts = urlsplit(self.target.dsn)
            connection = pymysql.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 3306,
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                database=database or (parts.path.lstrip("/") or None),
                connect_timeout=CONNECT_TIMEOUT,
                autocommit=True,
                charset="utf8mb4",
            )
            session = Session(connection, "mysql")
            if "mariadb" in str(session.rows("SELECT version()")[0][0]).lower():
                session.rows(f"SET SESSION max_statement_time = {timeout / 1000:.3f}")
            return session
        except ShadowError:
            raise
        except ImportError as error:
            raise ShadowError(
                f"the database driver is missing ({error}): install migration-review[probe]"
            ) from error
        except Exception as error:
            raise ShadowError(f"cannot connect to {self.target.name}: {reason(error)}") from error

    def create(self, name: str) -> None:
        quoted = f'"{name}"' if self.dialect == "postgres" else f"`{name}`"
        self.admin.execute(f"CREATE DATABASE {quoted}")

    def open(self, name: str) -> Session:
        return self._connect(name)

    def drop(self, name: str) -> None:
        if not name.startswith(PREFIX):  # never anything but our own scratch databases
            raise ShadowError(f"refusing to drop {name!r}: not a scratch database")
        if self.dialect == "postgres":
            force = " WITH (FORCE)" if self.version_number >= 130000 else ""
            if not force:
                self.admin.rows(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
        else:
            self.admin.execute(f"DROP DATABASE IF EXISTS `{name}`")

    def scratch_databases(self) -> list[str]:
        if self.dialect == "postgres":
            found = self.admin.rows("SELECT datname FROM pg_database WHERE datname LIKE 'mr\\_shadow\\_%'")
        else:
            found = self.admin.rows("SHOW DATABASES LIKE 'mr\\_shadow\\_%'")
        return sorted(str(row[0]) for row in found)

    def sweep(self, older_than_seconds: float) -> list[str]:
        """Drop the scratch databases left behind by runs that crashed (older than the given age)."""
        dropped = []
        for name in self.scratch_databases():
            age = age_seconds(name)
            if age is not None and age > older_than_seconds:
                try:
                    self.drop(name)
                    dropped.append(name)
                except ShadowError:
                    continue  # another run's sweep got there first, or it is still in use
        return dropped

    def close(self) -> None:
        self.admin.close()
