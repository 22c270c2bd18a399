"""The schema a generated migration history has built so far, and the values that fit it.

The corpus generator keeps this model in step with every statement it writes, so each migration only
names tables, columns, types and indexes that exist at that point of the history, and every data
statement (seed rows, backfills, constraint validation) succeeds against the rows already there.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_IDENTIFIER = 63


@dataclass
class Column:
    name: str
    type: str
    kind: str  # int | bigint | numeric | text | bool | ts | date | json | uuid | enum
    nullable: bool = True
    protected: bool = False  # ids, timestamps, foreign keys and view columns are never changed
    unique_ok: bool = False  # every row holds a distinct value (or NULL), so a unique index can be built
    choices: tuple[str, ...] = ()  # the only values a status-like text column ever holds
    pool: tuple[str, ...] = ()  # short values for short columns (locale, timezone)
    enum: str | None = None
    references: str | None = None  # the parent table of a foreign key column
    has_default: bool = False


@dataclass
class Index:
    name: str
    columns: tuple[str, ...]  # every column the index reads, its predicate included


@dataclass
class Check:
    name: str
    column: str


@dataclass
class Table:
    name: str
    singular: str
    id_kind: str  # integer | bigint | uuid
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: list[Index] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    has_rows: bool = False
    protected: bool = False  # tables that trigger functions write to are never renamed or dropped

    def changeable(self) -> list[Column]:
        return [column for column in self.columns.values() if not column.protected]

    def forget_column(self, name: str) -> None:
        del self.columns[name]
        self.indexes = [index for index in self.indexes if name not in index.columns]
        self.checks = [check for check in self.checks if check.column != name]

    def rename_column(self, old: str, new: str) -> None:
        column = self.columns.pop(old)
        column.name = new
        self.columns[new] = column
        for index in self.indexes:
            index.columns = tuple(new if name == old else name for name in index.columns)
        for check in self.checks:
            if check.column == old:
                check.column = new


@dataclass
class View:
    name: str
    table: str
    materialized: bool


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    views: list[View] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # relation, type and constraint names ever used
    fresh_values: list[tuple[str, str]] = field(default_factory=list)  # enum values added in this file
    counter: int = 0

    def next_number(self) -> int:
        self.counter += 1
        return self.counter

    def claim(self, *parts: str) -> str:
        """A new identifier made of parts, unique in the schema and within PostgreSQL's length limit."""
        base = _fit("_".join(part for part in parts if part))
        name, suffix = base, 2
        while name in self.names:
            name = _fit(f"{base}_{suffix}")
            suffix += 1
        self.names.add(name)
        return name

    def children(self, table: str) -> list[Table]:
        return [
            other
            for other in self.tables.values()
            if any(column.references == table for column in other.columns.values())
        ]

    def views_on(self, table: str) -> list[View]:
        return [view for view in self.views if view.table == table]

    def usable_values(self, enum: str) -> list[str]:
        return [value for value in self.enums[enum] if (enum, value) not in self.fresh_values]


def _fit(name: str) -> str:
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = format(zlib.crc32(name.encode()), "08x")
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def literal(column: Column, schema: Schema, rng: random.Random) -> str:
    """A SQL value that fits the column, its checks and its uniqueness."""
    n = schema.next_number()
    if column.references is not None:
        return _parent_id(column, schema)
    if column.choices:
        return quote(rng.choice(column.choices))
    if column.pool:
        return quote(rng.choice(column.pool))
    if column.kind == "enum" and column.enum is not None:
        return quote(rng.choice(schema.usable_values(column.enum)))
    return _SCALARS[column.kind](column.name, n, rng)


def fill(column: Column, schema: Schema, rng: random.Random) -> str:
    """A value for an UPDATE of many rows: row by row distinct where the column must stay unique."""
    if not column.unique_ok:
        return literal(column, schema, rng)
    if column.kind == "uuid":
        return "gen_random_uuid()"
    if column.kind == "text":
        return f"'{column.name.split('_')[0][:8]}-' || left(md5(id::text), 12)"
    return "abs(hashtext(id::text))"


def _parent_id(column: Column, schema: Schema) -> str:
    parent = schema.tables.get(column.references or "")
    if parent is None or not parent.has_rows:
        return "NULL"
    return f"(SELECT id FROM {parent.name} ORDER BY id LIMIT 1)"


def _text(name: str, n: int, rng: random.Random) -> str:
    if "email" in name:
        return quote(f"user{n}@example.com")
    if "url" in name:
        return quote(f"https://example.com/r/{n}")
    if "phone" in name:
        return quote(f"+1555{n:07d}")
    return quote(f"{name.split('_')[0]}-{n}")


_SCALARS: dict[str, Callable[[str, int, random.Random], str]] = {
    "int": lambda name, n, rng: str(n),
    "bigint": lambda name, n, rng: str(n * 100),
    "smallint": lambda name, n, rng: str(n % 2),
    "numeric": lambda name, n, rng: f"{n % 90 + 1}.{n % 100:02d}",
    "text": _text,
    "bool": lambda name, n, rng: rng.choice(("true", "false")),
    "ts": lambda name, n, rng: f"now() - interval '{n % 400} days'",
    "date": lambda name, n, rng: f"current_date + {n % 60}",
    "json": lambda name, n, rng: quote(f'{{"version": {n}, "source": "seed"}}'),
    "uuid": lambda name, n, rng: "gen_random_uuid()",
}


def can_seed(table: Table, schema: Schema) -> bool:
    """Whether rows can be inserted: every NOT NULL foreign key needs a parent row to point at."""
    for column in table.columns.values():
        if column.references is None or column.nullable:
            continue
        parent = schema.tables.get(column.references)
        if parent is None or not parent.has_rows:
            return False
    return True


def seed_columns(table: Table) -> list[Column]:
    """The columns a seed row names: all but the generated id and the bookkeeping timestamps."""
    return [
        column for column in table.columns.values() if column.name not in ("id", "created_at", "updated_at")
    ]
