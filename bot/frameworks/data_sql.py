"""A data change an ORM writes, read as the SQL statement it sends.

Rails' `update_all("total = price * qty")`, Laravel's `->update(['total' => DB::raw('price * qty')])`, Knex,
Sequelize, TypeORM, Ecto and Liquibase give a data change as its table, its assignments and its condition,
each a piece of SQL. Put together (`UPDATE users SET total = price * qty WHERE id >= 1 AND id < 1000`) and
parsed, the statement gets the same tree a SQL migration's has, so the rules that read what a data change
computes for every row (NULL propagation, crossed values, sub-queries) read the ORM's forms too. A change
whose pieces do not make a statement the SQL reader accepts (code computed at run time) is kept as it was.
"""

from __future__ import annotations

from dataclasses import replace

from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import DataDelete, DataUpdate, Migration, Operation
from bot.sql.names import quote, quote_column


def read_as_sql(migration: Migration) -> Migration:
    """The migration, its data changes without a tree given the tree of the statement they send."""
    if not any(_lacks_tree(op) for op in (*migration.up, *(migration.down or ()))):
        return migration
    down = tuple(_with_tree(op, migration) for op in migration.down) if migration.down is not None else None
    return replace(migration, up=tuple(_with_tree(op, migration) for op in migration.up), down=down)


def _lacks_tree(op: Operation) -> bool:
    return (
        isinstance(op, DataUpdate | DataDelete)
        and op.expression is None
        and bool(op.table)
        and (isinstance(op, DataDelete) or bool(op.assignments))
    )


def _with_tree(op: Operation, migration: Migration) -> Operation:
    if not _lacks_tree(op):
        return op
    assert isinstance(op, DataUpdate | DataDelete)
    dialect = migration.dialect
    table = ".".join(quote(part, dialect) for part in op.table.split("."))
    where = f" WHERE {op.where}" if op.where else ""
    if isinstance(op, DataDelete):
        sql = f"DELETE FROM {table}{where}"
    else:
        sets = ", ".join(f"{quote_column(column, dialect)} = {value}" for column, value in op.assignments)
        sql = f"UPDATE {table} SET {sets}{where}"
    parsed = parse_sql(migration.path, sql, dialect)
    if len(parsed) != 1 or type(parsed[0]) is not type(op) or parsed[0].expression is None:
        return op
    found = parsed[0]
    if isinstance(op, DataUpdate) and isinstance(found, DataUpdate):
        return replace(
            op,
            expression=found.expression,
            case_mappings=op.case_mappings or found.case_mappings,
            reads=op.reads or found.reads,
        )
    return replace(op, expression=found.expression)
