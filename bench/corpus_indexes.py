"""Statements that create and drop indexes, with and without CONCURRENTLY."""

from __future__ import annotations

from corpus_schema import Column, Index, Table
from corpus_writer import Block, Writer

_INDEXABLE = ("int", "bigint", "numeric", "text", "bool", "ts", "date", "uuid", "enum", "fk", "smallint")


def _index_name(writer: Writer, table: Table, columns: list[str]) -> str:
    style = writer.rng.choice(("idx", "suffix", "rails"))
    if style == "idx":
        return writer.schema.claim("idx", table.name, *columns)
    if style == "suffix":
        return writer.schema.claim(table.name, *columns, "idx")
    return writer.schema.claim("index", table.name, "on", "_and_".join(columns))


def create_index(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(c.kind in _INDEXABLE for c in t.columns.values()))
    if table is None:
        return None
    if "metadata" in table.columns and writer.chance(0.3):
        return _gin_index(writer, table, table.columns["metadata"])
    candidates = [c for c in table.columns.values() if c.kind in _INDEXABLE and c.name != "id"]
    if not candidates:
        return None
    columns = writer.rng.sample(candidates, k=min(len(candidates), writer.rng.choice((1, 1, 2))))
    names = [column.name for column in columns]
    unique = all(column.unique_ok for column in columns) and writer.chance(0.5)
    name = _index_name(writer, table, names)
    concurrently = writer.concurrently()
    exists = "IF NOT EXISTS " if writer.chance(0.2) else ""
    head = f"CREATE {'UNIQUE ' if unique else ''}INDEX {concurrently}{exists}{name}"
    key = ", ".join(f"{n} DESC" if n.endswith("_at") and writer.chance(0.3) else n for n in names)
    if len(names) == 1 and "email" in names[0] and writer.chance(0.5):
        key = f"lower({names[0]})"
    predicate = _predicate(writer, table, names)
    table.indexes.append(Index(name, tuple(names) + predicate[1]))
    lines = [f"{head} ON {table.name} ({key}){predicate[0]};"]
    drop = f"DROP INDEX {'CONCURRENTLY ' if concurrently else ''}IF EXISTS {name};"
    return Block(lines, f"index_{table.name}_on_{'_'.join(names)}", [drop])


def _predicate(writer: Writer, table: Table, names: list[str]) -> tuple[str, tuple[str, ...]]:
    if "deleted_at" in table.columns and "deleted_at" not in names and writer.chance(0.5):
        return " WHERE deleted_at IS NULL", ("deleted_at",)
    flag = next((c.name for c in table.columns.values() if c.kind == "bool" and c.name not in names), None)
    if flag is not None and writer.chance(0.3):
        return f" WHERE {flag}", (flag,)
    return "", ()


def _gin_index(writer: Writer, table: Table, column: Column) -> Block:
    name = writer.schema.claim("idx", table.name, column.name, "gin")
    table.indexes.append(Index(name, (column.name,)))
    concurrently = writer.concurrently()
    lines = [
        "-- Speeds up the containment filters used by the search API.",
        f"CREATE INDEX {concurrently}{name} ON {table.name} USING gin ({column.name} jsonb_path_ops);",
    ]
    return Block(lines, f"gin_index_{table.name}_{column.name}")


def drop_index(writer: Writer) -> Block | None:
    table = writer.table(
        lambda t: any(i.name.startswith(("idx_", "index_")) or i.name.endswith("_idx") for i in t.indexes)
    )
    if table is None:
        return None
    index = writer.rng.choice(
        [i for i in table.indexes if i.name.startswith(("idx_", "index_")) or i.name.endswith("_idx")]
    )
    table.indexes.remove(index)
    concurrently = writer.concurrently()
    lines = [
        f"-- {index.name} is unused according to pg_stat_user_indexes.",
        f"DROP INDEX {concurrently}IF EXISTS {index.name};",
    ]
    return Block(lines, f"drop_{index.name}")


def unique_constraint(writer: Writer) -> Block | None:
    """A unique constraint built the online way: the index first, concurrently, then the constraint."""
    if writer.in_transaction:
        return None
    table = writer.table(lambda t: any(c.unique_ok and c.name != "id" for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: c.unique_ok)
    assert column is not None
    name = writer.schema.claim(table.name, column.name, "unique")
    table.indexes.append(Index(name, (column.name,)))
    lines = [
        f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table.name} ({column.name});",
        f"ALTER TABLE {table.name} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};",
    ]
    return Block(
        lines, f"unique_{table.name}_{column.name}", [f"ALTER TABLE {table.name} DROP CONSTRAINT {name};"]
    )
