"""A column narrowed below the length the application's own validation lets through.

## Why is this bad?
`ALTER TABLE users ALTER COLUMN name TYPE varchar(50)` while the model still says
`validates :name, length: { maximum: 100 }` (or a Django `max_length=100`, a zod `.max(100)`, a
`@MaxLength(100)`, a JSON schema's `"maxLength": 100`): every value of 51 to 100 characters passes the
application's validation and is then refused by the database. The user sees a server error instead of a
validation message, on a form that worked the day before; MySQL outside strict mode truncates the value
instead, silently. Nothing in the migration's own tests shows it, because the limits live in two places.

## Use instead
Lower the limit in the code to the new length first (or in the same release, deployed before the
migration), or narrow the column only to a length that still fits what the code allows. The finding
names each place in the code and the limit it enforces.

## Framework notes
Limits are read from Rails `validates … length:` (`maximum`, `is`, `in`/`within` ranges) and
`validates_length_of`, Django and Django REST framework fields and pydantic `Field`/`constr` with
`max_length=` or a `MaxLengthValidator(n)` among their validators (wherever in the field's call, on its
first line or a later one), zod `z.string().max(n)` (a chain over several lines too), class-validator
`@MaxLength(n)` and `@Length(min, max)`, and
`maxLength` in JSON schemas (files with `schema` in their path), and Bean Validation's `@Size(max = n)` and
`@Length(max = n)` on Java and Kotlin fields. A limit given by a constant (`max_length=NAME_MAX_LENGTH`,
`maximum: TITLE_MAX`, `.max(MAX_TITLE)`, `@Size(max = Limits.MAX)`) has the value of the constant of that
name in the same file, else in the module the file imports it from, else of every constant of that name in
the repository when they agree; otherwise it is left out. A limit counts for a table when it is
declared on the table's model or on a form, serializer, DTO or schema named after it (`OrderSerializer`,
`CreateOrderDto`, `orderSchema`, `order.schema.json`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AlterColumnType, Migration
from bot.references.code_values import where
from bot.rules.context import Context

RULE = Rule(
    id="length-below-code-limit",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Lower the code's length limit to the new length first, or keep the column as long as the code allows.",
    bad=(
        "-- app/models/user.rb: validates :name, length: { maximum: 100 }\n"
        "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(255));\n"
        "-- migration\n"
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);",
    ),
    good=(
        "-- app/models/user.rb: validates :name, length: { maximum: 100 }\n"
        "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(255));\n"
        "-- migration\n"
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(120);",
    ),
)
# The code the examples are reviewed with
EXAMPLE_HEAD = {
    "app/models/user.rb": "class User < ApplicationRecord\n  validates :name, length: { maximum: 100 }\nend\n"
}

_LENGTH = re.compile(
    r"^\s*(?:character\s+varying|varchar2?|nvarchar2?|national\s+character\s+varying|character|n?char|string)"
    r"\s*\(\s*(\d+)",
    re.I,
)


def length_of(type_sql: str) -> int | None:
    """The maximum length of a character type (`varchar(50)` → 50); None for `text` and non-strings."""
    found = _LENGTH.match(type_sql)
    return int(found.group(1)) if found else None


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AlterColumnType):
            continue
        new = length_of(op.new_type)
        if new is None:
            continue
        before = context.before(op).column(op.table, op.column)
        old_type = op.old_type or (before.type if before is not None else "")
        old = length_of(old_type) if old_type else None
        if old is not None and old <= new:
            continue  # a widening, or no change: whatever the code allows did not fit before either
        limits = [
            d for d in context.values.length_limits(op.table, op.column) if int(d.members[0].value) > new
        ]
        if not limits:
            continue
        places = "; ".join(
            f"`{d.path}:{d.line}` (`{d.name}`{f' on `{d.owner}`' if d.owner else ''})" for d in limits[:4]
        )
        longest = max(int(d.members[0].value) for d in limits)
        yield op.finding(
            RULE,
            f"`{op.table}.{op.column}` is narrowed to {new} characters, but the code accepts up to {longest}: "
            f"{places}.",
            references=tuple(where(d) for d in limits[:4]),
            blast_radius=f"Every value of {new + 1} to {longest} characters passes the application's validation "
            "and is then refused by the database (an error instead of a validation message); MySQL outside "
            "strict mode truncates it instead, silently.",
            fix=f"Lower the code's limit to {new} in a release deployed before this migration, or narrow "
            f"`{op.table}.{op.column}` to no less than {longest}.",
        )
