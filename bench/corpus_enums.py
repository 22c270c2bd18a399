"""Statements that create enum types, add values to them and move text columns onto them."""

from __future__ import annotations

from corpus_schema import Column, quote
from corpus_words import ENUMS
from corpus_writer import Block, Writer, alter


def create_enum(writer: Writer) -> Block | None:
    schema = writer.schema
    free = [entry for entry in ENUMS if entry[0] not in schema.names]
    table = writer.table(lambda t: not t.protected)
    if not free or table is None:
        return None
    name, values, _ = writer.rng.choice(free)
    if name in table.columns:
        return None
    schema.names.add(name)
    schema.enums[name] = list(values)
    listed = ", ".join(quote(value) for value in values)
    if writer.chance(0.3):
        lines = [
            "DO $$",
            "BEGIN",
            f"    IF to_regtype('{name}') IS NULL THEN",
            f"        CREATE TYPE {name} AS ENUM ({listed});",
            "    END IF;",
            "END",
            "$$;",
        ]
    else:
        lines = [f"CREATE TYPE {name} AS ENUM ({listed});"]
    column = Column(name, name, "enum", enum=name)
    table.columns[name] = column
    if writer.chance(0.5):
        column.nullable, column.has_default = False, True
        lines += alter(table.name, f"ADD COLUMN {name} {name} NOT NULL DEFAULT {quote(values[0])}")
    else:
        lines += alter(table.name, f"ADD COLUMN {name} {name}")
    return Block(
        lines, f"add_{name}", [f"ALTER TABLE {table.name} DROP COLUMN {name};", f"DROP TYPE {name};"]
    )


def add_enum_value(writer: Writer) -> Block | None:
    schema = writer.schema
    options = [
        (name, value)
        for name, _, extra in ENUMS
        if name in schema.enums
        for value in extra
        if value not in schema.enums[name]
    ]
    if not options:
        return None
    name, value = writer.rng.choice(options)
    position = ""
    if writer.chance(0.3):
        position = f" BEFORE {quote(schema.enums[name][0])}"
    elif writer.chance(0.3):
        position = f" AFTER {quote(schema.enums[name][-1])}"
    if position.startswith(" BEFORE"):
        schema.enums[name].insert(0, value)
    else:
        schema.enums[name].append(value)
    schema.fresh_values.append((name, value))
    exists = "IF NOT EXISTS " if writer.chance(0.6) else ""
    return Block([f"ALTER TYPE {name} ADD VALUE {exists}{quote(value)}{position};"], f"add_{value}_to_{name}")


def convert_to_enum(writer: Writer) -> Block | None:
    """A status-like text column becomes an enum: drop the default and check, retype, restore."""
    schema = writer.schema
    table = writer.table(lambda t: any(c.choices for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: bool(c.choices))
    assert column is not None
    name = schema.claim(table.singular, column.name)
    schema.enums[name] = list(column.choices)
    listed = ", ".join(quote(value) for value in column.choices)
    lines = [f"CREATE TYPE {name} AS ENUM ({listed});"]
    lines += [
        f"ALTER TABLE {table.name} DROP CONSTRAINT {check.name};"
        for check in table.checks
        if check.column == column.name
    ]
    table.checks = [check for check in table.checks if check.column != column.name]
    actions = []
    if column.has_default:
        actions.append(f"ALTER COLUMN {column.name} DROP DEFAULT")
    actions.append(f"ALTER COLUMN {column.name} TYPE {name} USING {column.name}::{name}")
    if column.has_default:
        actions.append(f"ALTER COLUMN {column.name} SET DEFAULT {quote(column.choices[0])}")
    lines += alter(table.name, *actions)
    column.type, column.kind, column.enum, column.choices = name, "enum", name, ()
    return Block(lines, f"use_enum_for_{table.name}_{column.name}")
