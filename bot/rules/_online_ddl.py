"""What MySQL and MariaDB can do for an ALTER TABLE that asks for `ALGORITHM=` or `LOCK=`, and the clause
they refuse when the change needs more (online-ddl-refused reports it; the rules that would say the table is
copied or locked stay quiet then: the server refuses rather than copies)."""

from __future__ import annotations

from bot.model.catalog import Catalog
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DropColumn,
    DropNotNull,
    Migration,
    Operation,
    RawSQL,
    RenameColumn,
    SetDefault,
    SetNotNull,
)
from bot.rules._costs import column_change
from bot.rules.context import Context
from bot.sql import mysql_ddl
from bot.sql.conversions import COERCIBLE

_ORDER = {mysql_ddl.INSTANT: 0, mysql_ddl.INPLACE: 1, mysql_ddl.REBUILD: 2, mysql_ddl.COPY: 3}
_ASKED = {"INSTANT": mysql_ddl.INSTANT, "INPLACE": mysql_ddl.REBUILD, "NOCOPY": mysql_ddl.INPLACE}
_COPIED_RAW = {
    "convert-charset": "converting the table's character set",
    "alter-table-dropprimarykey": "dropping the primary key",
    "partitioning": "partitioning the table",
}


_NAME = {
    mysql_ddl.INSTANT: "INSTANT",
    mysql_ddl.INPLACE: "INPLACE",
    mysql_ddl.REBUILD: "INPLACE",
    mysql_ddl.COPY: "COPY",
}


def _refused(asked: dict[str, str], algorithm: str, lock: str) -> str | None:
    """The clause the server refuses, as written, or None when it can do what is asked."""
    wanted = asked.get("ALGORITHM", "")
    if wanted in _ASKED and _ORDER[algorithm] > _ORDER[_ASKED[wanted]]:
        return f"ALGORITHM={wanted}"
    if asked.get("LOCK") == "NONE" and (algorithm == mysql_ddl.COPY or lock == "SHARED"):
        return "LOCK=NONE"
    return None


def _needs(op: Operation, catalog: Catalog, context: Context) -> tuple[str, str, str] | None:
    """The least algorithm and lock the operation can have, with what it does; None when not known."""
    mariadb = context.dialect == "mariadb" or context.version[:1] >= (10,)
    column = (
        catalog.column(op.table, getattr(op, "column", ""))
        if isinstance(op, SetNotNull | DropNotNull)
        else None
    )
    if isinstance(op, AlterColumnType):
        return _type_change(op, catalog, context, mariadb)
    if isinstance(op, SetNotNull):
        changed = column is not None and column.nullable
        return (mysql_ddl.REBUILD, "NONE", f"making `{op.column}` NOT NULL") if changed else None
    if isinstance(op, DropNotNull):
        changed = column is not None and not column.nullable
        return (mysql_ddl.REBUILD, "NONE", f"letting `{op.column}` hold NULL") if changed else None
    if isinstance(op, SetDefault | RenameColumn):
        return None  # instant on every version these clauses exist on
    if isinstance(op, AddColumn):
        spec = op.column
        if spec.generated and not spec.virtual:
            return mysql_ddl.COPY, "NONE", f"adding the STORED generated column `{spec.name}`"
        if spec.identity:
            return mysql_ddl.COPY, "NONE", f"adding the AUTO_INCREMENT column `{spec.name}`"
        if spec.default is not None and (spec.default.startswith("(") or spec.volatile_default):
            return mysql_ddl.COPY, "NONE", f"adding `{spec.name}` with an expression default"
        how = mysql_ddl.add_column(context.version, mariadb, bool(spec.position))
        return how, "NONE", f"adding column `{spec.name}`" + (" at a position" if spec.position else "")
    if isinstance(op, DropColumn):
        return mysql_ddl.drop_column(context.version, mariadb), "NONE", f"dropping column `{op.column}`"
    if isinstance(op, AddIndex):
        if op.method in ("fulltext", "spatial"):
            return mysql_ddl.INPLACE, "SHARED", f"building the {op.method.upper()} index"
        return mysql_ddl.INPLACE, "NONE", "adding an index"
    if isinstance(op, AddConstraint):
        if op.constraint == "check":
            return mysql_ddl.COPY, "NONE", "adding a CHECK constraint (every row is checked)"
        if op.constraint == "primary_key":
            return mysql_ddl.REBUILD, "NONE", "adding a primary key"
        if op.constraint == "unique":
            return mysql_ddl.INPLACE, "NONE", "adding a unique key"
        return None  # a foreign key: in place only with foreign_key_checks off, which the session may set
    if isinstance(op, RawSQL) and op.category in _COPIED_RAW:
        return mysql_ddl.COPY, "NONE", _COPIED_RAW[op.category]
    return None


def _type_change(
    op: AlterColumnType, catalog: Catalog, context: Context, mariadb: bool
) -> tuple[str, str, str] | None:
    column = catalog.column(op.table, op.column)
    if column is None or not column.type:
        return None
    members = mysql_ddl.member_change(column.type, op.new_type)
    what = f"changing `{op.column}` from `{column.type}` to `{op.new_type}`"
    if members is not None:
        return members, "NONE", what
    if column_change(op, column.type, context).cost == COERCIBLE:
        if column.type.strip().lower() == op.new_type.strip().lower():
            return None  # the type restated as it is (a MODIFY for another attribute)
        return (mysql_ddl.INSTANT if mariadb else mysql_ddl.INPLACE), "NONE", what
    return mysql_ddl.COPY, "NONE", what


def refusal(op: Operation, migration: Migration, context: Context) -> tuple[str, str, str] | None:
    """(the clause refused as written, the ALGORITHM the change needs, what the change does) for the statement
    of `op` on MySQL or MariaDB; None when it asks for nothing, or for what the change can have."""
    if not context.mysql or not getattr(op, "table", ""):
        return None
    asked = mysql_ddl.written(op.options, op.sql)
    if not asked:
        return None
    catalog = context.before(migration.same_statement(op)[0])
    if catalog.is_new(str(getattr(op, "table", ""))):
        return None
    needs = [n for each in migration.same_statement(op) if (n := _needs(each, catalog, context))]
    if not needs:
        return None
    algorithm, lock, reason = max(needs, key=lambda n: (_ORDER[n[0]], n[1] == "SHARED"))
    clause = _refused(asked, algorithm, lock)
    return (clause, _NAME[algorithm], reason) if clause else None
