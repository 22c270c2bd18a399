"""An index or a generated column computed with a function that is not IMMUTABLE: PostgreSQL refuses it.

## Why is this bad?
An index stores values computed once, and PostgreSQL must be sure the same row always gives the same value;
so must a generated column. It accepts only IMMUTABLE functions there and refuses anything else, on every
database, empty or not: "functions in index expression must be marked IMMUTABLE" (or "… index predicate
…", "generation expression is not immutable"). The deploy stops at that statement.

What is not IMMUTABLE is often not obvious: `now()` and `CURRENT_DATE` in a partial index's `WHERE`;
`date_trunc('day', created_at)`, `created_at::date` and `extract(… FROM created_at)` when `created_at` is a
`timestamptz` (the result depends on the session's TimeZone); a cast of text to a date or timestamp, and of
a date or timestamp to text (DateStyle); `to_char`, `concat`, `format`; the unaccent extension's `unaccent`;
`to_tsvector(body)` without a text search configuration; a function of the repository's own (PL/pgSQL and the
like) created without `IMMUTABLE` (PostgreSQL's default is VOLATILE) or declared `STABLE`. (A plain `LANGUAGE
sql` function is inlined and judged by its body, whatever it declares.)

MySQL refuses a built-in that does not always return the same value (`NOW()`, `CURDATE()`, `UUID()`,
`RAND()`, `CONNECTION_ID()`, `USER()`) in a generated column ("contains a disallowed function"); MariaDB in a
stored (or indexed) one ("Function or expression 'curdate()' cannot be used in the GENERATED ALWAYS AS
clause").

## Use instead
Compute the value with IMMUTABLE functions only: fix the time zone (`date_trunc('day', created_at AT TIME
ZONE 'UTC')`, `(created_at AT TIME ZONE 'UTC')::date`), name the configuration (`to_tsvector('english',
body)`), compare a partial index's column with a constant rather than `now()`. Declare a function of your own
IMMUTABLE only when it really is.

```sql
CREATE INDEX events_day ON events (date_trunc('day', created_at AT TIME ZONE 'UTC'));
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddIndex, Call, ColumnSpec, CreateTable, Migration, Operation
from bot.rules.context import Context
from bot.sql.names import nondeterministic
from bot.sql.pg_volatility import not_immutable

RULE = Rule(
    id="expression-not-immutable",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Compute the index (or generated column) with IMMUTABLE functions only: fix the time zone with "
    "`AT TIME ZONE 'UTC'`, name the text search configuration, compare with a constant instead of now().",
    bad=(
        "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);\n-- migration\n"
        "CREATE INDEX events_day ON events (date_trunc('day', created_at));",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, run_at timestamptz);\n-- migration\n"
        "CREATE INDEX jobs_due ON jobs (run_at) WHERE run_at > now();",
    ),
    good=(
        "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);\n-- migration\n"
        "CREATE INDEX events_day ON events (date_trunc('day', created_at AT TIME ZONE 'UTC'));",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, run_at timestamptz);\n-- migration\n"
        "CREATE INDEX jobs_due ON jobs (run_at) WHERE run_at IS NOT NULL;",
    ),
    dialects=("postgres", "mysql", "mariadb"),
)

_ZONE_FIX = (
    "Fix the time zone: `… AT TIME ZONE 'UTC'` gives a timestamp without time zone, whose `date_trunc`, "
    "`extract` and `::date` are IMMUTABLE."
)
_STYLE_FIX = (
    "Keep the value in a column of its own type (written by the application or a trigger) and index that "
    "column, or index the value as it is stored."
)
_DECLARED_FIX = (
    "Declare the function IMMUTABLE (`CREATE OR REPLACE FUNCTION … IMMUTABLE`) only if it always returns the "
    "same result for the same arguments; otherwise store its value in a column and index that."
)
_TEXT_SEARCH_FIX = "Name the text search configuration: `to_tsvector('english', body)`."
_TEXT_SEARCH = ("to_ts", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery")
_NOW = ("now", "current_date", "current_timestamp", "localtimestamp", "statement_timestamp")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.mysql:
        yield from _nondeterministic(migration, context.dialect == "mariadb")
        return
    if not context.postgres:
        return
    for op in migration.up:
        for where, call, reason in _refused(op, context.before(op)):
            yield op.finding(
                RULE,
                f"PostgreSQL refuses this statement: {reason}, and {where} may call only IMMUTABLE functions.",
                blast_radius="The migration fails at this statement on every database, empty or not; the deploy "
                "stops.",
                fix=_fix(call, reason, where, call.function in context.before(op).functions),
            )


def _nondeterministic(migration: Migration, mariadb: bool) -> Iterator[Finding]:
    """MySQL refuses a nondeterministic built-in in any generated column; MariaDB in a stored one."""
    database = "MariaDB" if mariadb else "MySQL"
    for op in migration.up:
        if not isinstance(op, CreateTable | AddColumn):
            continue
        for spec in op.columns if isinstance(op, CreateTable) else (op.column,):
            call = next((c for c in spec.generated_calls if nondeterministic(c)), None)
            if call is None or (mariadb and not spec.generated):
                continue
            kind = "stored generated column" if mariadb else "generated column"
            yield op.finding(
                RULE,
                f"{database} refuses this statement: `{call.function}()` does not always return the same value, "
                f"and the {kind} `{spec.name}` may call only deterministic functions.",
                blast_radius="The migration fails at this statement on every database, empty or not; the deploy "
                "stops.",
                fix="Store the value in a plain column written by the application (or a default, for the "
                "moment a row is inserted); a generated column can only derive from the row's own values.",
            )


def _refused(op: Operation, catalog: Catalog) -> Iterator[tuple[str, Call, str]]:
    """(where, call, why) of each call of `op` PostgreSQL refuses as not IMMUTABLE, once per reason."""
    if isinstance(op, AddIndex):
        groups = [("an index expression", op.calls), ("an index predicate", op.predicate_calls)]
        types = _types(catalog, op.table, ())
    elif isinstance(op, CreateTable | AddColumn):
        specs = op.columns if isinstance(op, CreateTable) else (op.column,)
        groups = [(f"the generated column `{s.name}`", s.generated_calls) for s in specs if s.generated]
        types = _types(catalog, op.table, specs)
    else:
        return
    # a LANGUAGE sql function whose body PostgreSQL inlines is judged by its body: not judged here
    declared = {n: "" if n in catalog.sql_functions else v for n, v in catalog.functions.items()}
    for where, calls in groups:
        seen = set()
        for call in calls:
            reason = not_immutable(call, types, declared)
            if reason and reason not in seen:
                seen.add(reason)
                yield where, call, reason


def _types(catalog: Catalog, table: str, specs: tuple[ColumnSpec, ...]) -> Callable[[str], str]:
    written = {s.name: s.type for s in specs}

    def column_type(column: str) -> str:
        if column in written:
            return written[column]
        known = catalog.column(table, column)
        return known.type if known is not None else ""

    return column_type


def _fix(call: Call, reason: str, where: str, declared: bool) -> str:
    if call.function in _NOW and "predicate" in where:
        return (
            "Compare the column with a constant (a fixed date written in the migration), or leave the "
            'predicate out: an index cannot hold "the rows of today".'
        )
    if declared:
        return _DECLARED_FIX
    if call.function.startswith(_TEXT_SEARCH):
        return _TEXT_SEARCH_FIX
    if "DateStyle" in reason:
        return _STYLE_FIX
    return _ZONE_FIX if "TimeZone" in reason else RULE.help
