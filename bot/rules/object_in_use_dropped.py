"""A type, domain, sequence, function, extension or view is dropped while the schema still uses it.

## Why is this bad?
PostgreSQL records what depends on what. `DROP TYPE order_status` while `orders.status` is of that type,
`DROP SEQUENCE invoice_no_seq` while a column's default calls `nextval('invoice_no_seq')`, `DROP FUNCTION
touch_updated_at()` while a trigger runs it, `DROP EXTENSION citext` while `users.email` is a `citext`, `DROP
VIEW active_users` while another view reads it: each is refused ("cannot drop … because other objects depend
on it"), so the deploy stops there on every database but an empty one. Written with `CASCADE` to get past that
refusal, the statement drops every dependent without a word: the columns of that type with every row's value,
the defaults (inserts that leave the column out now get NULL or fail), the triggers (their work stops), the
views (every query of them fails).

## Use instead
Move what uses the object off it first, in the same migration: change the column's type (`ALTER TABLE orders
ALTER COLUMN status TYPE text`), drop or replace the default, the trigger or the view; then drop the object
without CASCADE, so that PostgreSQL refuses if anything was missed. When the columns really are meant to go,
drop them by name with their own `ALTER TABLE … DROP COLUMN`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.catalog import Catalog, base_type
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL, SetDefault
from bot.rules.context import Context
from bot.sql.pg_extensions import EXTENSION_FUNCTIONS, EXTENSION_TYPES

RULE = Rule(
    id="object-in-use-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Move what uses it off it first (column types, defaults, triggers, views), then drop it without CASCADE.",
    bad=(
        "CREATE TYPE order_status AS ENUM ('new', 'paid');\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL);\n"
        "-- migration\n"
        "DROP TYPE order_status CASCADE;",
        "CREATE SEQUENCE invoice_no_seq;\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, number bigint DEFAULT nextval('invoice_no_seq'));\n"
        "-- migration\n"
        "DROP SEQUENCE invoice_no_seq;",
    ),
    good=(
        "CREATE TYPE order_status AS ENUM ('new', 'paid');\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL);\n"
        "-- migration\n"
        "ALTER TABLE orders ALTER COLUMN status TYPE text;\n"
        "DROP TYPE order_status;",
        "CREATE SEQUENCE invoice_no_seq;\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, number bigint DEFAULT nextval('invoice_no_seq'));\n"
        "-- migration\n"
        "ALTER TABLE invoices ALTER COLUMN number DROP DEFAULT;\n"
        "DROP SEQUENCE invoice_no_seq;",
    ),
    dialects=("postgres",),
)

_KINDS = {
    "drop-type": "type",
    "drop-domain": "domain",
    "drop-sequence": "sequence",
    "drop-function": "function",
    "drop-extension": "extension",
    "drop-view": "view",
}
_NEXTVAL = re.compile(r"nextval\s*\(\s*'([^']+)'", re.I)


@dataclass(frozen=True)
class _Dependent:
    what: str  # "column `orders.status`", "the default of `invoices.number`", "trigger `touch` on `users`"
    loses: str  # what CASCADE does to it


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    # serial columns whose default the migration drops: their sequence, owned by the column, is used by
    # nothing else (an identity column refuses DROP DEFAULT, so these are never identity columns)
    freed: set[tuple[str, str]] = set()
    for op in migration.up:
        if isinstance(op, SetDefault) and op.default is None and not op.implied:
            freed.add((base_type(op.table), op.column.lower()))
        if not isinstance(op, RawSQL) or op.category not in _KINDS or not op.table:
            continue
        kind = _KINDS[op.category]
        name = op.table.strip().strip('"')
        dependents = _dependents(context.before(op), kind, name, freed)
        if not dependents:
            continue
        listed = ", ".join(d.what for d in dependents[:6]) + (
            f" and {len(dependents) - 6} more" if len(dependents) > 6 else ""
        )
        if op.cascade:
            lost = "; ".join(dict.fromkeys(f"{d.what}: {d.loses}" for d in dependents[:6]))
            yield op.finding(
                RULE,
                f"`DROP {kind.upper()} {name} CASCADE` also drops what uses it: {listed}.",
                blast_radius=f"PostgreSQL drops them without a word: {lost}.",
                fix=f"Move {listed} off `{name}` first, by name, in this migration; then drop `{name}` without "
                "CASCADE, so that anything missed stops the deploy instead of going with it.",
            )
            continue
        yield op.finding(
            RULE,
            f"PostgreSQL refuses `DROP {kind.upper()} {name}`: {listed} still "
            f"use{'s' if len(dependents) == 1 else ''} it (`cannot drop {kind} {name} because other objects "
            "depend on it`).",
            blast_radius="The deploy stops at this statement on every database that has them; in a transaction "
            "the statements before it roll back, outside one the migration is left half applied.",
            fix=f"Move {listed} off `{name}` first, in this migration (change the column's type, drop the "
            "default, the trigger or the view), then drop it.",
        )


def _dependents(catalog: Catalog, kind: str, name: str, freed: set[tuple[str, str]]) -> list[_Dependent]:
    bare = base_type(name)
    if kind in ("type", "domain"):
        return _typed(catalog, {bare})
    if kind == "extension":
        return _typed(catalog, EXTENSION_TYPES.get(bare, frozenset())) + _calling(
            catalog, EXTENSION_FUNCTIONS.get(bare, frozenset())
        )
    if kind == "sequence":
        return _sequence_users(catalog, bare, freed)
    if kind == "function":
        return _calling(catalog, frozenset({bare}), triggers=True)
    views = {obj.name: obj for obj, _ in catalog.dependents(name) if obj.tracked and "view" in obj.kind}
    return [
        _Dependent(f"view `{v}`", "every query of it fails from then on")
        for v in sorted(views)
        if base_type(v) != bare
    ]


def _typed(catalog: Catalog, types: frozenset[str] | set[str]) -> list[_Dependent]:
    return [
        _Dependent(f"column `{table.name}.{column.name}`", "the column and every row's value in it are gone")
        for table in catalog.tables.values()
        for column in table.columns.values()
        if types and base_type(column.type) in types
    ]


def _calling(catalog: Catalog, functions: frozenset[str], *, triggers: bool = False) -> list[_Dependent]:
    if not functions:
        return []
    called = re.compile(r"\b(?:\w+\.)?(?:" + "|".join(map(re.escape, sorted(functions))) + r")\s*\(", re.I)
    found = [
        _Dependent(
            f"the default of `{table.name}.{column.name}`",
            "rows inserted without the column get NULL, or fail where it is NOT NULL",
        )
        for table in catalog.tables.values()
        for column in table.columns.values()
        if column.default and called.search(column.default)
    ]
    found += [
        _Dependent(f"check `{check_name}` on `{check.table}`", "the rule it enforced is no longer checked")
        for check_name, check in catalog.checks.items()
        if called.search(check.expression)
    ]
    found += [
        _Dependent(f"index `{index}` on `{definition.table}`", "queries that used it scan the table")
        for index, definition in catalog.index_definitions.items()
        if any(called.search(c) for c in definition.columns) or called.search(definition.where)
    ]
    for obj in catalog.objects.values():
        if triggers and obj.kind == "trigger" and base_type(obj.function) in functions:
            found.append(
                _Dependent(f"trigger `{obj.name}` on `{obj.table}`", "the work it did on every write stops")
            )
        elif "view" in obj.kind and obj.tracked and called.search(obj.sql):
            found.append(_Dependent(f"view `{obj.name}`", "every query of it fails from then on"))
    return found


def _sequence_users(catalog: Catalog, sequence: str, freed: set[tuple[str, str]]) -> list[_Dependent]:
    found = []
    for table in catalog.tables.values():
        for column in table.columns.values():
            named = {base_type(m) for m in _NEXTVAL.findall(column.default or "")}
            owned = (
                column.identity
                and (base_type(table.name), column.name.lower()) not in freed
                and base_type(f"{table.name}_{column.name}_seq") == sequence
            )
            if sequence in named or owned:
                found.append(
                    _Dependent(
                        f"the default of `{table.name}.{column.name}`",
                        "rows inserted without the column get NULL, or fail where it is NOT NULL",
                    )
                )
    return found
