"""What every statement generator shares: the block it returns and the state it writes against."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from corpus_schema import Column, Schema, Table, quote
from corpus_words import CHOICE_COLUMNS, COLUMNS

AUDIT_TABLE = "audit_log"  # written by the audit trigger; no other statement touches it


@dataclass
class Block:
    """The lines one change adds to a migration file, the words of its slug and how to undo it."""

    lines: list[str]
    slug: str
    down: list[str] = field(default_factory=list)


@dataclass
class Writer:
    rng: random.Random
    schema: Schema
    in_transaction: bool  # the file wraps its statements in BEGIN … COMMIT

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def concurrently(self) -> str:
        """CONCURRENTLY where the file allows it (most of the time, as careful teams do)."""
        return "CONCURRENTLY " if not self.in_transaction and self.chance(0.6) else ""

    def table(self, accept: Callable[[Table], bool] = lambda table: True) -> Table | None:
        candidates = [t for t in self.schema.tables.values() if t.name != AUDIT_TABLE and accept(t)]
        return self.rng.choice(candidates) if candidates else None

    def column(self, table: Table, accept: Callable[[Column], bool]) -> Column | None:
        candidates = [column for column in table.changeable() if accept(column)]
        return self.rng.choice(candidates) if candidates else None


Generator = Callable[[Writer], Block | None]


def new_column(writer: Writer, table: Table) -> Column | None:
    """A column from the vocabulary that the table does not have yet."""
    rng = writer.rng
    if rng.random() < 0.2:
        free = [(name, values) for name, values in CHOICE_COLUMNS if name not in table.columns]
        if free:
            name, values = rng.choice(free)
            return Column(name, rng.choice(("text", "varchar(32)")), "text", choices=values)
    options = [entry for entry in COLUMNS if entry[0] not in table.columns]
    if not options:
        return None
    name, sql_type, kind, distinct, pool = rng.choice(options)
    return Column(name, sql_type, kind, unique_ok=distinct, pool=pool)


def default_for(column: Column, schema: Schema) -> str:
    """A constant default that satisfies the column's checks."""
    if column.choices:
        return quote(column.choices[0])
    if column.pool:
        return quote(column.pool[0])
    if column.kind == "enum" and column.enum is not None:
        return quote(schema.usable_values(column.enum)[0])
    return _DEFAULTS[column.kind]


_DEFAULTS = {
    "int": "0",
    "bigint": "0",
    "numeric": "0",
    "text": "'unknown'",
    "bool": "false",
    "ts": "now()",
    "date": "current_date",
    "json": "'{}'::jsonb",
    "uuid": "gen_random_uuid()",
}


def check_for(column: Column) -> str | None:
    """A CHECK expression that every value this generator writes into the column satisfies."""
    if column.choices:
        return f"{column.name} IN ({', '.join(quote(value) for value in column.choices)})"
    if column.kind in ("int", "bigint", "numeric"):
        return f"{column.name} >= 0"
    if column.kind == "text" and not column.pool:
        return f"char_length({column.name}) BETWEEN 1 AND 500"
    return None


def alter(table: str, *actions: str) -> list[str]:
    if len(actions) == 1:
        return [f"ALTER TABLE {table} {actions[0]};"]
    body = [f"    {action}," for action in actions]
    body[-1] = body[-1][:-1] + ";"
    return [f"ALTER TABLE {table}", *body]
