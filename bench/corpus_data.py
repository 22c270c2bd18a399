"""Data changes in migrations: seed rows, CASE backfills, batched updates and deletes."""

from __future__ import annotations

from corpus_schema import Column, Table, can_seed, fill, literal, quote, seed_columns
from corpus_words import CHOICE_COLUMNS
from corpus_writer import Block, Writer, alter, default_for, new_column


def seed_rows(writer: Writer) -> Block | None:
    schema = writer.schema
    table = writer.table(lambda t: can_seed(t, schema))
    if table is None:
        return None
    columns = seed_columns(table)
    if not columns:
        return None
    rows = []
    for _ in range(writer.rng.randint(2, 8)):
        values = ", ".join(literal(column, schema, writer.rng) for column in columns)
        rows.append(f"    ({values}),")
    rows[-1] = rows[-1][:-1]
    conflict = " ON CONFLICT DO NOTHING" if writer.chance(0.4) else ""
    table.has_rows = True
    lines = [f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)})", "VALUES", *rows]
    lines[-1] += f"{conflict};"
    return Block(lines, f"seed_{table.name}")


def backfill_case(writer: Writer) -> Block | None:
    """A new status-like column filled from an existing one with a CASE mapping."""
    table = writer.table(lambda t: any(_mappable(c) for c in t.changeable()))
    if table is None:
        return None
    source = writer.column(table, _mappable)
    free = [(name, values) for name, values in CHOICE_COLUMNS if name not in table.columns]
    if source is None or not free:
        return None
    name, values = writer.rng.choice(free)
    target = Column(name, writer.rng.choice(("text", "varchar(32)")), "text", choices=values)
    table.columns[target.name] = target
    lines = alter(table.name, f"ADD COLUMN {target.name} {target.type}")
    case, has_else = _case(writer, source, target)
    where = f"\nWHERE {target.name} IS NULL" if writer.chance(0.5) else ""
    lines += [f"UPDATE {table.name}", f"SET {target.name} = {case}{where};"]
    if has_else and writer.chance(0.5):
        target.nullable = False
        lines += alter(table.name, f"ALTER COLUMN {target.name} SET NOT NULL")
    return Block(lines, f"backfill_{table.name}_{target.name}")


def _mappable(column: Column) -> bool:
    return bool(column.choices) or column.kind in ("bool", "int", "bigint", "numeric", "enum")


def _case(writer: Writer, source: Column, target: Column) -> tuple[str, bool]:
    """CASE … END mapping source values onto the target's choices; sometimes without an ELSE."""
    rng, values = writer.rng, target.choices
    if source.choices or source.kind == "enum":
        inputs = source.choices or tuple(writer.schema.usable_values(source.enum or ""))
        arms = [f"    WHEN {quote(value)} THEN {quote(rng.choice(values))}" for value in inputs]
        head = f"CASE {source.name}"
        if rng.random() < 0.3 and len(arms) > 2:
            arms = arms[:-1]
    elif source.kind == "bool":
        arms = [f"    WHEN {source.name} THEN {quote(values[0])}"]
        head = "CASE"
    else:
        arms = [
            f"    WHEN {source.name} >= {limit} THEN {quote(value)}"
            for limit, value in zip((1000, 100, 10), values, strict=False)
        ]
        head = "CASE"
    has_else = rng.random() < 0.6
    if has_else:
        arms.append(f"    ELSE {quote(values[-1])}")
    return "\n".join([head, *arms, "END"]), has_else


def backfill_batched(writer: Writer) -> Block | None:
    """Add a column, fill it batch by batch, then require it."""
    table = writer.table(lambda t: not t.protected)
    if table is None:
        return None
    column = new_column(writer, table)
    if column is None or column.kind == "json":
        return None
    table.columns[column.name] = column
    value = fill(column, writer.schema, writer.rng)
    lines = alter(table.name, f"ADD COLUMN {column.name} {column.type}")
    if writer.chance(0.5):
        lines += _loop(table, column, value)
    else:
        lines.append("-- Run repeatedly until it updates no rows.")
        lines += _batch(table, column, value)
    if writer.chance(0.5):
        column.nullable = False
        lines += alter(table.name, f"ALTER COLUMN {column.name} SET NOT NULL")
    return Block(lines, f"backfill_{table.name}_{column.name}")


def _batch(table: Table, column: Column, value: str) -> list[str]:
    return [
        f"UPDATE {table.name}",
        f"SET {column.name} = {value}",
        "WHERE id IN (",
        f"    SELECT id FROM {table.name}",
        f"    WHERE {column.name} IS NULL",
        "    ORDER BY id",
        "    LIMIT 1000",
        ");",
    ]


def _loop(table: Table, column: Column, value: str) -> list[str]:
    return [
        "DO $$",
        "DECLARE",
        "    batch_size integer := 1000;",
        "    updated integer;",
        "BEGIN",
        "    LOOP",
        f"        UPDATE {table.name}",
        f"        SET {column.name} = {value}",
        "        WHERE id IN (",
        f"            SELECT id FROM {table.name}",
        f"            WHERE {column.name} IS NULL",
        "            LIMIT batch_size",
        "        );",
        "        GET DIAGNOSTICS updated = ROW_COUNT;",
        "        EXIT WHEN updated = 0;",
        "    END LOOP;",
        "END",
        "$$;",
    ]


def update_constant(writer: Writer) -> Block | None:
    """A one-off data fix: set a column for the rows that match a condition."""
    table = writer.table(lambda t: any(not c.unique_ok and c.kind != "json" for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: not c.unique_ok and c.kind not in ("json", "smallint"))
    if column is None:
        return None
    value = (
        default_for(column, writer.schema)
        if writer.chance(0.5)
        else literal(column, writer.schema, writer.rng)
    )
    condition = f"{column.name} IS NULL" if column.nullable else "created_at < now() - interval '1 year'"
    lines = [f"UPDATE {table.name}", f"SET {column.name} = {value}", f"WHERE {condition};"]
    return Block(lines, f"fix_{table.name}_{column.name}")


def delete_old_rows(writer: Writer) -> Block | None:
    table = writer.table(lambda t: not writer.schema.children(t.name) and "created_at" in t.columns)
    if table is None:
        return None
    days = writer.rng.choice((90, 180, 365, 730))
    lines = [
        f"-- Retention: {table.name} older than {days} days is no longer needed.",
        f"DELETE FROM {table.name}",
        f"WHERE created_at < now() - interval '{days} days';",
    ]
    return Block(lines, f"purge_old_{table.name}")
