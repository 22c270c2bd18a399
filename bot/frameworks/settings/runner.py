"""What the repository's migration runner already does for every migration, read from its settings.

Timeouts: strong_migrations' initializer, online_migrations' lock retrier, an Alembic or Django `env.py`/settings that sets them on the
connection, Flyway's `initSql`, golang-migrate's `x-statement-timeout`/`x-lock-timeout` URL options, and a
role's or database's defaults in a schema dump. Transactions: runners configured to wrap every file
(Flyway `group`, TypeORM `migrationsTransactionMode`, node-pg-migrate, Knex). Migration locks: runners
that lock against concurrent runs (Rails' advisory lock unless disabled, an `env.py` that takes one). The
runner itself where file names leave it open: pop/fizz, whose files golang-migrate's names fit, and sqlx,
whose plain `<version>_<name>.sql` files say nothing of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.frameworks.settings.found import uncomment
from bot.model.changeset import Tree
from bot.model.database import Runner, RunnerSetting

_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (kind, pattern, what it is) — searched in the files _FILES selects, outside whole-line comments
    ("lock_timeout", re.compile(r"^[ \t]*StrongMigrations\.lock_timeout\s*=\s*(\S+)", re.M), "strong_migrations"),
    ("statement_timeout", re.compile(r"^[ \t]*StrongMigrations\.statement_timeout\s*=\s*(\S+)", re.M),
     "strong_migrations"),
    # online_migrations retries each statement (or the migration's transaction) under a short lock_timeout
    ("lock_timeout", re.compile(r"^[ \t]*config\.lock_retrier\s*=\s*(OnlineMigrations::\w*LockRetrier)\.new\b",
                                re.M), "online_migrations lock retries"),
    ("lock_timeout", re.compile(r"\bSET\s+(?:LOCAL\s+|SESSION\s+)?(?:lock_timeout|lock_wait_timeout)\s*(?:=|TO)\s*'?(\w+)",
                                re.I), "SET lock_timeout"),
    ("statement_timeout", re.compile(r"\bSET\s+(?:LOCAL\s+|SESSION\s+)?statement_timeout\s*(?:=|TO)\s*'?(\w+)", re.I),
     "SET statement_timeout"),
    ("lock_timeout", re.compile(r"-c\s*lock_timeout\s*=\s*(\w+)"), "connection option lock_timeout"),
    ("statement_timeout", re.compile(r"-c\s*statement_timeout\s*=\s*(\w+)"), "connection option statement_timeout"),
    ("lock_timeout", re.compile(r"[?&]x-lock-timeout=(\w+)"), "golang-migrate x-lock-timeout"),
    ("statement_timeout", re.compile(r"[?&]x-statement-timeout=(\w+)"), "golang-migrate x-statement-timeout"),
    ("lock_timeout", re.compile(r"\bALTER\s+(?:ROLE|USER|DATABASE)\s+\S+\s+SET\s+lock_timeout\s+(?:=|TO)\s*'?(\w+)",
                                re.I), "a role default"),
    ("statement_timeout", re.compile(
        r"\bALTER\s+(?:ROLE|USER|DATABASE)\s+\S+\s+SET\s+statement_timeout\s+(?:=|TO)\s*'?(\w+)", re.I),
     "a role default"),
    ("transaction", re.compile(r"^[ \t]*(?:spring\.)?flyway\.group\s*=\s*(true)", re.M), "Flyway group"),
    ("transaction", re.compile(r"migrationsTransactionMode\s*:\s*[\"'](all|each)[\"']"), "TypeORM"),
    ("migration_lock", re.compile(r"\b(pg_advisory_lock|pg_advisory_xact_lock|GET_LOCK)\s*\("), "an advisory lock"),
    # Flyway's `outOfOrder` (flyway.conf, TOML, Spring's `spring.flyway.out-of-order`, FLYWAY_OUT_OF_ORDER, the
    # fluent `.outOfOrder(true)`); goose's `-allow-missing` flag and `WithAllowMissing()` option
    ("out_of_order", re.compile(r"(?<![a-z])out[-_]?of[-_]?order[\"']?\s*[=:(]\s*[\"']?(true)\b", re.I), "Flyway outOfOrder"),
    ("allow_missing", re.compile(r"(-allow-missing(?!=false)(?:=\w+)?|\bWithAllowMissing\(\))"), "goose allow-missing"),
    # Kysely's Migrator (or kysely-ctl's configuration) with `allowUnorderedMigrations: true`
    ("allow_unordered", re.compile(r"\ballowUnorderedMigrations\s*:\s*(true)\b"), "Kysely allowUnorderedMigrations"),
    # pop/fizz (Buffalo's, or Ory's fork and popx) runs `<version>_<name>.up.sql` files as golang-migrate names
    # them, but records every version it ran and runs each pending one: a go.mod that requires it and not
    # golang-migrate says which of the two runs them
    ("pop", re.compile(r"\A(?![\s\S]*golang-migrate/migrate)[\s\S]*?^\s*(?:require\s+)?(github\.com/(?:gobuffalo|ory)/pop)\b",
                       re.M), "pop"),
    # sqlx (Rust) runs `<version>_<name>.sql` files (`.up.sql`/`.down.sql` when reversible) each in a transaction
    # unless it starts with `-- no-transaction`, and keeps the checksum of every one it applied
    # the Supabase CLI applies `supabase/migrations/<timestamp>_<name>.sql`, each file in its own transaction
    ("supabase", re.compile(r"^\[(db)\][ \t]*$", re.M), "Supabase CLI"),
    ("sqlx", re.compile(r"^[ \t]*(?:\[(?:workspace\.)?dependencies\.)?(sqlx)(?:\]|\s*=|\.workspace\s*=)", re.M), "sqlx"),
)  # fmt: skip
_FILES = re.compile(
    r"(^|/)(config/initializers/[\w-]+\.rb|env\.py|settings[\w-]*\.py|settings/[\w-]+\.py|"
    r"(structure|schema)\.sql|flyway[\w-]*\.(conf|properties|toml)|application[\w-]*\.(properties|ya?ml)|"
    r"Makefile|[\w-]*\.mk|\.env[\w.-]*|(docker-)?compose[\w.-]*\.ya?ml|ormconfig\.\w+|data-?source\.[jt]s|"
    r"[\w-]*migrat[\w-]*\.(sh|ya?ml|toml|go)|(?:migrat(?:e|or|ions?)|kysely[\w.-]*)\.[cm]?[jt]s|go\.mod|Cargo\.toml|"
    r"supabase/config\.toml|\w*[Ff]lyway\w*\.(java|kt)|[Jj]enkinsfile[\w.-]*|jenkinsfiles/[\w.-]+)$"
)
_SKIP = {"node_modules", "vendor", "test", "tests", "spec", "testdata", "fixtures", "examples", "docs"}


def runner_settings(tree: Tree) -> Runner:
    settings: dict[str, RunnerSetting] = {}
    for path in tree.paths():
        if not _FILES.search(path) or _SKIP.intersection(path.split("/")[:-1]):
            continue
        for setting in _read(path, tree.read(path) or ""):
            settings.setdefault(setting.kind, setting)
    return Runner(tuple(settings[k] for k in sorted(settings)))


def _read(path: str, text: str) -> Iterator[RunnerSetting]:
    if len(text) > 2_000_000:
        return
    code = uncomment(text) if not path.endswith(".sql") else text
    for kind, pattern, what in _PATTERNS:
        match = next((m for m in pattern.finditer(code) if not _disabled(m.group(1))), None)
        if match is not None:
            # a pattern that reads the whole file up to its value (pop's: go.mod without golang-migrate) quotes
            # the value's line, not the file's first
            start = match.start(1) if "\n" in match.group(0) else match.start()
            end = code.find("\n", start)
            quoted = (
                code[start : end if end >= 0 else len(code)] if "\n" in match.group(0) else match.group(0)
            )
            line = code.count("\n", 0, start) + 1
            yield RunnerSetting(kind, path, line, f"{what} ({quoted.strip()[:80]})")


def _disabled(value: str) -> bool:
    return value.strip("'\"").lower() in ("0", "false", "off", "none", "nil")
