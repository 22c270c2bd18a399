"""Every SQL statement a review made by the test suite prints runs on the real databases.

A pytest plugin (loaded by conftest.py). While the suite runs, each review made through the public entry
points (`bot.review.review`, which the CLI, the app and the tests call, in this process and in the CLI's and
the app's subprocesses) is recorded: its validation queries and rollback-plan statements, and the schema the
review's catalog knows (the tables before the change with what the change adds). The recording wraps the
entry point and keeps what it returns; nothing is changed. At the end of the session every recorded
statement runs on a scratch schema holding exactly those tables: PostgreSQL for postgres, MariaDB for
mysql/mariadb, SQLite for sqlite. A statement that fails fails the session, with its test, path and line.

A table the review's catalog does not hold (a test's repository with only the change in it) is created from
what the review's own statements say of it (tests/inferred_schema.py: the columns they use, typed by use),
and the statements run on such tables are counted and listed apart. A statement that cannot run for a known
reason (a dialect with no server here) is counted and listed, never dropped silently. Columns whose declared type the database does not know are
created as text and counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.inferred_schema import inferred_tables

RECORD_DIR = "MIGRATION_REVIEW_SQL_RECORD"
PLACEHOLDER = "interp_value"  # bot.model.migration.PLACEHOLDER, not imported: nothing of bot loads early
_SQL = re.compile(
    r"^\s*(?:SELECT|WITH|CREATE\s+TABLE|INSERT|UPDATE|DELETE|MERGE|REPLACE|ALTER|DROP|TRUNCATE)\b", re.I
)
_SYSTEM = re.compile(r"\b(?:pg_\w+|information_schema|sqlite_master|performance_schema|mysql\.\w+)\b", re.I)
_TYPE_ERROR = re.compile(
    r"operator does not exist|invalid input syntax|cannot be matched|Incorrect \w+ value", re.I
)
_SERVERS = {"postgres": "postgres", "mysql": "mariadb", "mariadb": "mariadb", "sqlite": "sqlite"}


# ---------------------------------------------------------------- recording (in every process)


def install() -> None:
    """Wrap `bot.review.review` (and every module's binding of it) so each review's SQL is recorded."""
    import sys

    import bot.review as entry

    original = entry.review
    if getattr(original, "_records_sql", False):
        return

    def review(changeset: Any, **options: Any) -> Any:
        prepared = options.get("prepared")
        if prepared is None:
            given = {k: options[k] for k in ("config", "dialect", "lint") if k in options}
            prepared = entry.prepare(changeset, **given)
            options["prepared"] = prepared
        schemas = _schemas(prepared)
        result = original(changeset, **options)
        with contextlib.suppress(Exception):  # a record that cannot be written never changes a review
            _record(prepared, schemas, result)
        return result

    review._records_sql = True  # type: ignore[attr-defined]
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "review", None) is original:
            module.review = review  # type: ignore[attr-defined]


def _schemas(prepared: Any) -> dict[str, dict[str, Any]]:
    """Per parsing dialect: the tables (schema_of) and the enum types with their labels, before and after."""
    from bot.plan.runnable import schema_of
    from bot.sql.spelling import DIALECTS, written

    ops = [op for m in prepared.migrations for op in m.up]
    catalogs = dict(prepared.catalogs) or {_family(prepared.dialect): prepared.catalog}
    found = {}
    for syntax, catalog in catalogs.items():
        after = catalog.snapshot()
        for op in ops:
            after.apply(op)
        enums = {name: list(labels) for name, labels in catalog.enums.items()}
        for name, labels in after.enums.items():
            enums[name] = list(dict.fromkeys([*enums.get(name, []), *labels]))
        tables = schema_of(catalog, ops)
        family = _family(syntax)  # the statements' key: MariaDB's run on the MySQL server
        if syntax in DIALECTS:  # MySQL keeps a table's name as the migration writes it: so does the copy
            names = written(op for m in prepared.migrations if _family(m.dialect) == family for op in m.up)
            tables = {names.get(t, t): columns for t, columns in tables.items()}
        found[family] = {"tables": tables, "enums": enums}
    return found


def _family(dialect: str) -> str:
    return "mysql" if dialect == "mariadb" else dialect


def _record(prepared: Any, schemas: dict[str, Any], result: Any) -> None:
    folder = os.environ.get(RECORD_DIR)
    if not folder:
        return
    paths = [m.path for m in result.migrations]

    def dialect_of(path: str) -> str:
        database = prepared.databases.get(path)
        return _family(database.dialect if database is not None else prepared.dialect)

    statements = [
        {
            "sql": q.sql,
            "kind": "validation query",
            "path": q.path,
            "line": q.line,
            "dialect": dialect_of(q.path),
        }
        for q in result.verification_queries
    ]
    statements += [
        {
            "sql": step.command,
            "kind": f"rollback step {number}",
            "path": ", ".join(paths),
            "line": 0,
            "dialect": dialect_of(paths[0] if paths else ""),
        }
        for number, step in enumerate(result.rollback_plan, 1)
        if step.command and _SQL.match(step.command)
    ]
    if not statements:
        return
    entry = {
        "test": os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0],
        "schemas": schemas,
        "statements": statements,
    }
    with open(Path(folder) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------- running (at the end of the session)


@dataclass
class Outcome:
    ran: Counter[str] = field(default_factory=Counter)  # server → statements run
    failed: list[str] = field(default_factory=list)
    not_run: list[tuple[str, str]] = field(default_factory=list)  # (reason, statement and where)
    as_text: Counter[str] = field(default_factory=Counter)  # declared type → columns created as text
    inferred: Counter[str] = field(default_factory=Counter)  # server → statements run on inferred tables
    on_inferred: list[str] = field(default_factory=list)  # those statements and where
    reviews: int = 0


def run_recorded(folder: Path) -> Outcome:
    outcome = Outcome()
    seen: set[str] = set()
    groups: dict[str, list[tuple[dict[str, Any], list[dict[str, Any]]]]] = {}
    for file in sorted(folder.glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            outcome.reviews += 1
            by_dialect: dict[str, list[dict[str, Any]]] = {}
            for statement in entry["statements"]:
                by_dialect.setdefault(statement["dialect"], []).append(statement)
            for dialect, statements in by_dialect.items():
                known = entry["schemas"].get(dialect) or {}
                schema, enums = known.get("tables", {}), known.get("enums", {})
                digest = hashlib.sha1(
                    json.dumps([dialect, known, [s["sql"] for s in statements]], sort_keys=True).encode()
                ).hexdigest()
                if digest in seen:
                    continue
                seen.add(digest)
                server = _SERVERS.get(dialect)
                if server is None:
                    outcome.not_run += [
                        (
                            f"no {dialect} server",
                            f"{entry['test']}: {s['kind']} ({s['path']}:{s['line']}): {s['sql']}",
                        )
                        for s in statements
                    ]
                    continue
                groups.setdefault(server, []).append(
                    ({"test": entry["test"], "schema": schema, "enums": enums}, statements)
                )
    for server, reviews in groups.items():
        with _connection(server) as connection:
            for about, statements in reviews:
                _run_one(connection, server, about, statements, outcome)
    return outcome


def _run_one(
    connection: _Scratch,
    server: str,
    about: dict[str, Any],
    statements: list[dict[str, Any]],
    outcome: Outcome,
) -> None:
    with connection.scratch() as execute:
        for name, labels in about["enums"].items() if server == "postgres" else ():
            values = ", ".join("'" + label.replace("'", "''") + "'" for label in labels)
            execute(f"CREATE TYPE {connection.quote_table(name)} AS ENUM ({values})")
        for table, columns in about["schema"].items():
            _create(execute, connection, table, columns, outcome)
        known = {t.lower() for t in about["schema"]}
        unknown: set[str] = set()
        for statement in statements:
            known.update(_created(statement["sql"]))
            unknown.update(_unknown_tables(statement["sql"], statement["dialect"], known))
        inferred, conflicting = inferred_tables(
            ((s["sql"], s["dialect"]) for s in statements), unknown, about["schema"]
        )
        for table, columns in inferred.items():
            _create(execute, connection, table, columns, outcome)
        known = {t.lower() for t in about["schema"]}
        for statement in statements:
            sql = statement["sql"]
            where = f"{about['test']}: {statement['kind']} ({statement['path']}:{statement['line']})"
            known.update(_created(sql))
            guessed = _unknown_tables(sql, statement["dialect"], known)
            error = execute(sql)
            if PLACEHOLDER in sql:  # runs, but compares with the stand-in for a value code fills in
                error = f"`{PLACEHOLDER}` (a value the migration's code fills in) is in the SQL"
            if error and conflicting & set(guessed) and _TYPE_ERROR.search(error):
                reason = "a column of a table inferred from the SQL is used as two types by the review's statements"
                outcome.not_run.append(
                    (reason, f"{where}: {sorted(conflicting & set(guessed))}: {error}: {sql}")
                )
                continue
            if error:
                schema = f" (on tables inferred from the SQL: {guessed})" if guessed else ""
                outcome.failed.append(f"{where} on {server}{schema}: {error.strip()}\n    {sql}")
            elif guessed:
                outcome.inferred[server] += 1
                outcome.on_inferred.append(f"{where}: {guessed}: {sql}")
            else:
                outcome.ran[server] += 1


def _unknown_tables(sql: str, dialect: str, known: set[str]) -> list[str]:
    """The tables a statement names that the review's catalog does not hold (nor an earlier statement of
    the same review creates), other than the database's own catalogs."""
    import sqlglot
    from sqlglot import exp

    from bot.sql.names import table_name

    try:
        tree = sqlglot.parse_one(sql, dialect=dialect)
    except Exception:
        return []  # the database says why
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    named = {table_name(t) for t in tree.find_all(exp.Table) if t.name}
    return sorted(
        n for n in named if n.lower() not in known and n.lower() not in ctes and not _SYSTEM.search(n)
    )


def _created(sql: str) -> list[str]:
    return [m.lower() for m in re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?[`\"]?([\w.]+)", sql, re.I)]


def _create(
    execute: Callable[..., str], connection: _Scratch, table: str, columns: dict[str, str], outcome: Outcome
) -> None:
    owner, _, bare = table.rpartition(".")
    if owner:
        execute(connection.create_owner(owner))
    name = connection.quote_table(table)
    first = True
    for column, declared in columns.items():
        declared_sql = _declared(declared)
        column_sql = f"{connection.quote(column)} {declared_sql}"
        create = (
            f"CREATE TABLE {name} ({column_sql})" if first else f"ALTER TABLE {name} ADD COLUMN {column_sql}"
        )
        if declared_sql == "text" or execute(create):
            if declared_sql != "text":
                outcome.as_text[declared] += 1
            fallback = f"{connection.quote(column)} {connection.text}"
            execute(
                f"CREATE TABLE {name} ({fallback})" if first else f"ALTER TABLE {name} ADD COLUMN {fallback}"
            )
        first = False
    del bare


def _declared(declared: str) -> str:
    """The declared type as the catalog knows it; a framework's own type name falls back to text."""
    text = (declared or "text").strip()
    if not re.fullmatch(r"[\w ().,'\[\]]+", text):
        return "text"
    return text


class _Scratch:
    text = "text"

    def scratch(self) -> contextlib.AbstractContextManager[Callable[..., str]]:
        raise NotImplementedError

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def quote_table(self, table: str) -> str:
        owner, _, bare = table.rpartition(".")
        return f"{self.quote(owner)}.{self.quote(bare)}" if owner and owner != "public" else self.quote(bare)

    def create_owner(self, owner: str) -> str:
        return f"CREATE SCHEMA IF NOT EXISTS {self.quote(owner)}"


class _Postgres(_Scratch):
    """One transaction per review, rolled back: the tables never outlive it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.schema = f"mr_generated_{os.getpid()}"

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Callable[..., str]]:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        cursor.execute(f"CREATE SCHEMA {self.schema}")
        cursor.execute(f"SET LOCAL search_path TO {self.schema}")
        cursor.execute("SET LOCAL statement_timeout = '10s'")
        counter = iter(range(1_000_000))

        def execute(sql: str) -> str:
            point = f"s{next(counter)}"
            cursor.execute(f"SAVEPOINT {point}")
            try:
                cursor.execute(sql)
            except Exception as error:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {point}")
                return str(error).splitlines()[0] if str(error) else type(error).__name__
            cursor.execute(f"RELEASE SAVEPOINT {point}")
            return ""

        try:
            yield execute
        finally:
            cursor.execute("ROLLBACK")


class _MariaDB(_Scratch):
    """A database per review, dropped after it (MariaDB's DDL commits)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.database = f"mr_generated_{os.getpid()}"

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def create_owner(self, owner: str) -> str:
        return f"CREATE DATABASE IF NOT EXISTS {self.quote(owner)}"

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Callable[..., str]]:
        cursor = self.connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS {self.database}")
        cursor.execute(f"CREATE DATABASE {self.database}")
        cursor.execute(f"USE {self.database}")
        owners: set[str] = set()

        def execute(sql: str) -> str:
            match = re.match(r"CREATE DATABASE IF NOT EXISTS `(\w+)`", sql)
            if match:
                owners.add(match.group(1))
            return _attempt(lambda: (cursor.execute(sql), cursor.fetchall()))

        try:
            yield execute
        finally:
            cursor.execute(f"DROP DATABASE IF EXISTS {self.database}")
            for owner in owners:
                cursor.execute(f"DROP DATABASE IF EXISTS {self.quote(owner)}")


class _SQLite(_Scratch):
    """An in-memory database per review."""

    def __init__(self, connection: Any) -> None:
        del connection

    def create_owner(self, owner: str) -> str:
        return f"ATTACH DATABASE ':memory:' AS {self.quote(owner)}"

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Callable[..., str]]:
        database = sqlite3.connect(":memory:", isolation_level=None)

        def execute(sql: str) -> str:
            return _attempt(lambda: database.execute(sql).fetchall())

        try:
            yield execute
        finally:
            database.close()


def _attempt(run: Callable[[], object]) -> str:
    """ "" when the statement ran; the database's error otherwise."""
    try:
        run()
    except Exception as error:
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    return ""


@contextlib.contextmanager
def _connection(server: str) -> Iterator[_Scratch]:
    from tests.conftest import PG_DSN

    if server == "postgres":
        import psycopg

        with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3) as connection:
            yield _Postgres(connection)
    elif server == "mariadb":
        from tests.conftest import connect_mariadb

        connection = connect_mariadb()
        try:
            yield _MariaDB(connection)
        finally:
            connection.close()
    else:
        yield _SQLite(None)


# ---------------------------------------------------------------- the plugin


_STARTUP = Path(__file__).parent / "startup"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(RECORD_DIR) or getattr(config, "workerinput", None) is not None:
        return
    folder = tempfile.mkdtemp(prefix="generated-sql-")
    os.environ[RECORD_DIR] = folder
    root = str(Path(__file__).parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_STARTUP), root, os.environ.get("PYTHONPATH", "")) if p
    )
    config.stash[_FOLDER] = Path(folder)
    install()


_FOLDER = pytest.StashKey[Path]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = session.config.stash.get(_FOLDER, None)
    if folder is None or os.environ.get("MIGRATION_REVIEW_SKIP_GENERATED_SQL"):
        return
    try:
        outcome = run_recorded(folder)
    except Exception as error:  # a database that is not there: said, and failed under CI
        session.config.stash[_REPORT] = [f"generated SQL not run: {error}"]
        if os.environ.get("CI") == "true":
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    lines = [
        f"generated SQL: {outcome.reviews} reviews recorded; ran "
        + ", ".join(f"{n} on {server}" for server, n in sorted((outcome.ran + outcome.inferred).items()))
        + f"; {len(outcome.failed)} failed; {len(outcome.not_run)} not run"
    ]
    if outcome.inferred:
        listing = session.config.rootpath / ".pytest_cache" / "generated-sql-on-inferred-tables.txt"
        listing.parent.mkdir(exist_ok=True)
        listing.write_text("".join(f"{item}\n" for item in outcome.on_inferred), encoding="utf-8")
        lines.append(
            "of those, ran on tables inferred from the SQL (the review's catalog did not hold them): "
            + ", ".join(f"{n} on {server}" for server, n in sorted(outcome.inferred.items()))
            + f" (each listed in {listing})"
        )
    if outcome.as_text:
        lines.append(
            "columns created as text (a type the database does not know): "
            + ", ".join(f"{t} ×{n}" for t, n in outcome.as_text.most_common())
        )
    if outcome.not_run:
        listing = session.config.rootpath / ".pytest_cache" / "generated-sql-not-run.txt"
        listing.parent.mkdir(exist_ok=True)
        listing.write_text("".join(f"{why}: {item}\n" for why, item in outcome.not_run), encoding="utf-8")
        reasons = Counter(why for why, _ in outcome.not_run)
        lines.append(
            "not run, by reason: "
            + "; ".join(f"{reason}: {n}" for reason, n in reasons.most_common())
            + f" (each listed in {listing})"
        )
    lines += [f"FAILED {item}" for item in outcome.failed]
    session.config.stash[_REPORT] = lines
    if outcome.failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    for file in folder.glob("*.jsonl"):
        file.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


_REPORT = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, None)
    if lines:
        terminalreporter.section("generated SQL on the real databases")
        for line in lines:
            terminalreporter.write_line(line)
