"""SQL that the database version production runs does not have: the statement fails there.

## Why is this bad?
Migrations are written and tested against the developer's database, often newer than production's.
`ALTER TABLE users RENAME COLUMN name TO full_name` works on MySQL 8 and fails with a syntax error on MySQL 5.7
(MariaDB before 10.5); `DEFAULT gen_random_uuid()` needs PostgreSQL 13 (or the pgcrypto extension);
`NULLS NOT DISTINCT` and `MERGE` need PostgreSQL 15; `RETURNING` needs SQLite 3.35. The deploy stops at that
statement on production only. MySQL before 8.0.16 is worse: it parses a CHECK constraint and ignores it, so
nothing fails and nothing is checked.

The rule speaks only when the production version is known: the `database_version` of the configuration, the
version a production probe read, or a version the repository pins for its database.

## Use instead
Write the statement for the oldest version the migration must run on (`ALTER TABLE users CHANGE name
full_name varchar(100) …` on MySQL 5.7, `uuid_generate_v4()` from `uuid-ossp` or pgcrypto's
`gen_random_uuid()` after `CREATE EXTENSION pgcrypto`), or upgrade the server first and say so in the
configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.config import Config
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules.context import Context

RULE = Rule(
    id="needs-newer-server",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Write the statement for the version production runs, or upgrade the server first.",
    bad=("CREATE TABLE api_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);",),
    good=(
        "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
        "CREATE TABLE api_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)


EXAMPLE_CONFIG = Config(database_version="12")  # the examples run against production on PostgreSQL 12


@dataclass(frozen=True)
class _Feature:
    dialect: str
    pattern: re.Pattern[str]
    since: tuple[int, ...]
    what: str
    instead: str
    ignored: bool = False  # accepted and silently ignored rather than refused


def _f(
    dialect: str, pattern: str, since: tuple[int, ...], what: str, instead: str, ignored: bool = False
) -> _Feature:
    return _Feature(dialect, re.compile(pattern, re.I | re.S), since, what, instead, ignored)


_FEATURES = (
    _f("mysql", r"\bALTER\s+TABLE\b.*\bRENAME\s+COLUMN\b", (8, 0), "`RENAME COLUMN`",
       "`CHANGE old_name new_name <full column definition>`"),
    _f("mariadb", r"\bALTER\s+TABLE\b.*\bRENAME\s+COLUMN\b", (10, 5), "`RENAME COLUMN`",
       "`CHANGE old_name new_name <full column definition>`"),
    _f("mysql", r"\bDEFAULT\s*\(", (8, 0, 13), "an expression default `DEFAULT (…)`",
       "a constant default, and the value set by the application or a trigger"),
    _f("mysql", r"\bINDEX\b[^;]*\(\s*\(", (8, 0, 13), "a functional index key `((expression))`",
       "an index on a generated column that computes the expression"),
    _f("mysql", r"\bCHECK\s*\(", (8, 0, 16), "CHECK constraints (parsed and ignored before 8.0.16)",
       "a trigger that refuses the rows, or the check in the application", ignored=True),
    _f("postgres", r"\bgen_random_uuid\s*\(", (13,), "`gen_random_uuid()` without the pgcrypto extension",
       "`CREATE EXTENSION IF NOT EXISTS pgcrypto;` first, or `uuid_generate_v4()` from uuid-ossp"),
    _f("postgres", r"\bNULLS\s+NOT\s+DISTINCT\b", (15,), "`NULLS NOT DISTINCT`",
       "a unique index on `coalesce(column, <sentinel>)`, or a partial unique index for the NULL rows"),
    _f("postgres", r"^\s*MERGE\s+INTO\b", (15,), "`MERGE`", "`INSERT … ON CONFLICT … DO UPDATE`"),
    _f("postgres", r"\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED\b", (12,), "stored generated columns",
       "a plain column filled by a trigger"),
    _f("postgres", r"\bDETACH\s+PARTITION\b.*\bCONCURRENTLY\b", (14,), "`DETACH PARTITION … CONCURRENTLY`",
       "a plain `DETACH PARTITION` in a quiet window"),
    _f("postgres", r"\bREINDEX\b.*\bCONCURRENTLY\b", (12,), "`REINDEX … CONCURRENTLY`",
       "`CREATE INDEX CONCURRENTLY` of a copy, then drop the old index and rename"),
    _f("postgres", r"\bCREATE\s+OR\s+REPLACE\s+TRIGGER\b", (14,), "`CREATE OR REPLACE TRIGGER`",
       "`DROP TRIGGER IF EXISTS …;` then `CREATE TRIGGER …`"),
    _f("sqlite", r"\bRETURNING\b", (3, 35), "`RETURNING`", "a separate SELECT after the write"),
    _f("sqlite", r"\)\s*STRICT\s*;?\s*$", (3, 37), "STRICT tables", "an ordinary table with CHECKs on the types"),
    _f("sqlite", r"\bGENERATED\s+ALWAYS\s+AS\b|\bAS\s*\([^)]*\)\s*(?:STORED|VIRTUAL)\b", (3, 31),
       "generated columns", "a plain column kept by a trigger"),
    _f("sqlite", r"\bON\s+CONFLICT\s*\([^)]*\)\s*DO\s+(?:UPDATE|NOTHING)\b", (3, 24), "upsert `ON CONFLICT … DO`",
       "`INSERT OR REPLACE` / `INSERT OR IGNORE`"),
)  # fmt: skip

_CREATES_PGCRYPTO = re.compile(r"\bCREATE\s+EXTENSION\b[^;]*\bpgcrypto\b", re.I)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    version = context.production_version
    if version is None:
        return  # the version production runs is not known: the newest of each line is assumed elsewhere
    full = context.version
    for op in migration.up:
        if not op.spelled_out:
            continue  # a framework's own operation is written for the server it connects to
        for feature in _FEATURES:
            if (
                feature.dialect != context.dialect
                or full >= feature.since
                or not feature.pattern.search(op.sql)
            ):
                continue
            if "gen_random_uuid" in feature.what and _pgcrypto(migration, context):
                continue
            since = ".".join(str(n) for n in feature.since)
            server = f"{_name(context.dialect)} {'.'.join(str(n) for n in version)}"
            yield op.finding(
                RULE,
                f"{feature.what[0].upper()}{feature.what[1:]} needs {_name(context.dialect)} {since}, and production "
                f"runs {server}"
                + (
                    ": the server accepts the statement and enforces nothing."
                    if feature.ignored
                    else ": the statement fails there."
                ),
                severity=Severity.WARNING if feature.ignored else None,
                blast_radius=(
                    "Rows that break the constraint go in unchecked on production, while newer test databases "
                    "refuse them."
                    if feature.ignored
                    else "The deploy stops at this statement on production, though it ran on every newer "
                    "development and test database."
                ),
                fix=f"Use {feature.instead}, or upgrade production to {since} first and set `database_version`.",
            )
            break


def _pgcrypto(migration: Migration, context: Context) -> bool:
    """`gen_random_uuid()` comes with pgcrypto before PostgreSQL 13: created here or by an earlier migration."""
    if any(_CREATES_PGCRYPTO.search(op.sql) for op in migration.up):
        return True
    # an earlier migration or the schema dump created it: read only when the function is met (rarely)
    return any(
        _CREATES_PGCRYPTO.search(context.tree.read(path) or "")
        for path in context.tree.paths()
        if any(word in path.lower() for word in ("migrat", "schema", "structure", "changelog"))
    )


def _name(dialect: str) -> str:
    return {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}[dialect]
