"""Statements that add, drop, rename and retype columns, and tighten them with constraints."""

from __future__ import annotations

from corpus_schema import Check, Column, Index, fill
from corpus_writer import Block, Writer, alter, check_for, default_for, new_column


def add_column(writer: Writer) -> Block | None:
    table = writer.table()
    if table is None:
        return None
    actions, names = [], []
    for _ in range(writer.rng.choice((1, 1, 1, 2, 3))):
        column = new_column(writer, table)
        if column is None:
            break
        actions.append(
            f"ADD COLUMN {_if_not_exists(writer)}{column.name} {column.type}{_add_tail(writer, column)}"
        )
        table.columns[column.name] = column
        names.append(column.name)
    if not actions:
        return None
    down = [f"ALTER TABLE {table.name} DROP COLUMN IF EXISTS {name};" for name in names]
    return Block(alter(table.name, *actions), f"add_{'_'.join(names[:2])}_to_{table.name}", down)


def _if_not_exists(writer: Writer) -> str:
    return "IF NOT EXISTS " if writer.chance(0.25) else ""


def _add_tail(writer: Writer, column: Column) -> str:
    """Nullable, or NOT NULL with a default (volatile defaults too: they rewrite the table)."""
    if column.choices or column.pool or (column.kind != "json" and writer.chance(0.35)):
        column.nullable, column.has_default, column.unique_ok = False, True, False
        return f" NOT NULL DEFAULT {default_for(column, writer.schema)}"
    if column.kind in ("uuid", "ts") and writer.chance(0.3):
        column.has_default = True
        column.unique_ok = column.kind == "uuid"
        return " DEFAULT gen_random_uuid()" if column.kind == "uuid" else " DEFAULT now()"
    return ""


def drop_column(writer: Writer) -> Block | None:
    table = writer.table(lambda t: bool(t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: True)
    assert column is not None
    table.forget_column(column.name)
    exists = "IF EXISTS " if writer.chance(0.5) else ""
    lines = [
        f"-- {column.name} is no longer written by the application.",
        *alter(table.name, f"DROP COLUMN {exists}{column.name}"),
    ]
    return Block(lines, f"drop_{column.name}_from_{table.name}")


def rename_column(writer: Writer) -> Block | None:
    table = writer.table(lambda t: bool(t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: True)
    assert column is not None
    new = f"{column.name}_{writer.rng.choice(('old', 'v2', 'legacy', 'raw', 'value'))}"
    if new in table.columns:
        return None
    old = column.name
    table.rename_column(old, new)
    return Block(
        alter(table.name, f"RENAME COLUMN {old} TO {new}"),
        f"rename_{table.name}_{old}",
        [f"ALTER TABLE {table.name} RENAME COLUMN {new} TO {old};"],
    )


_WIDER = {
    "integer": ("bigint", ""),
    "varchar(16)": ("varchar(64)", ""),
    "varchar(32)": ("text", ""),
    "varchar(64)": ("varchar(255)", ""),
    "varchar(120)": ("text", ""),
    "varchar(200)": ("text", ""),
    "text": ("varchar(255)", ""),
    "numeric(10,2)": ("numeric(14,2)", ""),
    "numeric(6,4)": ("numeric(8,4)", ""),
    "timestamp": ("timestamptz", " USING {c} AT TIME ZONE 'UTC'"),
    "date": ("timestamptz", " USING {c}::timestamptz"),
    "boolean": ("smallint", " USING CASE WHEN {c} THEN 1 ELSE 0 END"),
}


def change_type(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(c.type in _WIDER for c in t.changeable()))
    if table is None:
        return None
    indexed = {name for index in table.indexes for name in index.columns}
    column = writer.column(
        table,
        lambda c: c.type in _WIDER and not c.has_default and not (c.type == "boolean" and c.name in indexed),
    )
    if column is None:
        return None
    new_type, using = _WIDER[column.type]
    old_type = column.type
    column.type = new_type
    if old_type == "date":
        column.kind = "ts"
    if old_type == "boolean":
        column.kind = "smallint"
    action = f"ALTER COLUMN {column.name} TYPE {new_type}{using.format(c=column.name)}"
    return Block(alter(table.name, action), f"change_{table.name}_{column.name}_to_{new_type.split('(')[0]}")


def widen_id(writer: Writer) -> Block | None:
    table = writer.table(
        lambda t: t.id_kind == "integer" and not t.protected and not writer.schema.views_on(t.name)
    )
    if table is None:
        return None
    table.id_kind = "bigint"
    lines = [
        f"-- {table.name}.id is close to the integer limit.",
        *alter(table.name, "ALTER COLUMN id TYPE bigint"),
    ]
    return Block(lines, f"widen_{table.name}_id")


def set_default(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(c.kind != "json" for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: c.kind != "json" and c.type != "smallint" and not c.unique_ok)
    if column is None:
        return None
    if column.has_default and writer.chance(0.5):
        column.has_default = False
        return Block(
            alter(table.name, f"ALTER COLUMN {column.name} DROP DEFAULT"), f"drop_default_{column.name}"
        )
    column.has_default = True
    value = default_for(column, writer.schema)
    return Block(
        alter(table.name, f"ALTER COLUMN {column.name} SET DEFAULT {value}"),
        f"default_{column.name}_on_{table.name}",
    )


def set_not_null(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(c.nullable for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: c.nullable and c.type != "smallint")
    if column is None:
        return None
    value = fill(column, writer.schema, writer.rng)
    column.nullable = False
    lines = [f"UPDATE {table.name} SET {column.name} = {value} WHERE {column.name} IS NULL;"]
    if writer.chance(0.5):
        lines += alter(table.name, f"ALTER COLUMN {column.name} SET NOT NULL")
    else:
        check = writer.schema.claim(table.name, column.name, "not_null")
        lines += [
            f"ALTER TABLE {table.name} ADD CONSTRAINT {check} CHECK ({column.name} IS NOT NULL) NOT VALID;",
            f"ALTER TABLE {table.name} VALIDATE CONSTRAINT {check};",
            f"ALTER TABLE {table.name} ALTER COLUMN {column.name} SET NOT NULL;",
            f"ALTER TABLE {table.name} DROP CONSTRAINT {check};",
        ]
    down = [f"ALTER TABLE {table.name} ALTER COLUMN {column.name} DROP NOT NULL;"]
    return Block(lines, f"require_{table.name}_{column.name}", down)


def add_check(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(check_for(c) for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: check_for(c) is not None and c.type != "smallint")
    if column is None:
        return None
    name = writer.schema.claim(table.name, column.name, "check")
    table.checks.append(Check(name, column.name))
    add = f"ADD CONSTRAINT {name} CHECK ({check_for(column)})"
    if writer.chance(0.3):
        return Block(alter(table.name, add), f"check_{table.name}_{column.name}")
    lines = [
        f"ALTER TABLE {table.name} {add} NOT VALID;",
        f"ALTER TABLE {table.name} VALIDATE CONSTRAINT {name};",
    ]
    return Block(
        lines, f"check_{table.name}_{column.name}", [f"ALTER TABLE {table.name} DROP CONSTRAINT {name};"]
    )


def add_foreign_key(writer: Writer) -> Block | None:
    schema = writer.schema
    table = writer.table()
    if table is None:
        return None
    parent = writer.table(lambda t: t is not table and f"{t.singular}_id" not in table.columns)
    if parent is None:
        return None
    column = f"{parent.singular}_id"
    table.columns[column] = Column(column, parent.id_kind, "fk", True, True, references=parent.name)
    name = schema.claim("fk", table.name, column)
    lines = alter(table.name, f"ADD COLUMN {column} {parent.id_kind}")
    if writer.chance(0.7):
        lines += [
            f"ALTER TABLE {table.name}",
            f"    ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {parent.name} (id) NOT VALID;",
            f"ALTER TABLE {table.name} VALIDATE CONSTRAINT {name};",
        ]
    else:
        lines += alter(
            table.name, f"ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {parent.name} (id)"
        )
    if writer.chance(0.6):
        index = schema.claim("idx", table.name, column)
        table.indexes.append(Index(index, (column,)))
        lines.append(f"CREATE INDEX {writer.concurrently()}{index} ON {table.name} ({column});")
    return Block(lines, f"link_{table.name}_to_{parent.name}")


def comment_column(writer: Writer) -> Block | None:
    table = writer.table(lambda t: bool(t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: True)
    assert column is not None
    text = f"{column.name.replace('_', ' ').capitalize()} as shown in the admin UI; see {table.name} docs."
    return Block(
        [f"COMMENT ON COLUMN {table.name}.{column.name} IS '{text}';"], f"document_{table.name}_{column.name}"
    )
