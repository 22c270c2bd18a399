"""From parsed statements to typed operations: one dispatch on the statement type, then a look inside.

Statements that sqlglot keeps as an opaque `Command` (and those we never parse) are classified from their
first words in `bot/sql/commands.py`, so none of them silently vanishes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlglot import exp

from bot.model.findings import Location
from bot.model.migration import (
    MAX_ROWS,
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateEnum,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropSchema,
    DropTable,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    SetTimeout,
    Transaction,
    Truncate,
    Unparsed,
)
from bot.sql import commands, mysql_objects
from bot.sql.data_changes import case_mappings, is_batched, reads
from bot.sql.names import column_spec, column_type, identifier, on_delete_action, table_name
from bot.sql.statements import Statement, alter_clauses, render, split

Base = dict[str, Any]


def operations(statement: Statement, path: str, dialect: str) -> list[Operation]:
    base: Base = {
        "location": Location(path, statement.line),
        "end_line": statement.end_line,
        "sql": statement.text,
        "expression": statement.expression,
    }
    expression = statement.expression
    if dialect in ("mysql", "mariadb", "sqlite") and statement.head[:1] == ("CREATE",):
        objects = _database_code(statement, base, dialect)
        if objects is not None:
            return objects
    if dialect in ("mysql", "mariadb") and (
        statement.error is not None or isinstance(expression, exp.Command)
    ):
        optioned = _index_options(statement, base, path, dialect)
        if optioned is not None:
            return optioned
    if statement.error is not None:
        return [Unparsed(error=statement.error, **base)]
    if expression is None or isinstance(expression, exp.Command):
        if dialect in ("mysql", "mariadb") and statement.head[:2] == ("ALTER", "TABLE"):
            converted = _convert_clause(statement, base, path, dialect)
            if converted is not None:
                return converted
        return commands.classify(statement, base)
    handler = _HANDLERS.get(type(expression))
    if handler is None:
        return [RawSQL(category=type(expression).__name__.lower(), **base)]
    return list(handler(expression, base, dialect))


# MySQL's online DDL options after `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX … ON t (…)` or `DROP INDEX i ON t`
# (`… LOCK = NONE`, `ALGORITHM=INPLACE LOCK=NONE`), which sqlglot does not read there
_INDEX_HEAD = re.compile(r"^\s*(?:CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\b", re.I)
_INDEX_OPTIONS = re.compile(r"(?:\s*,?\s*\b(ALGORITHM|LOCK)\s*=?\s*(\w+))+\s*;?\s*$", re.I)
_ONE_OPTION = re.compile(r"\b(ALGORITHM|LOCK)\s*=?\s*(\w+)", re.I)


def _index_options(statement: Statement, base: Base, path: str, dialect: str) -> list[Operation] | None:
    """An index statement with MySQL's ALGORITHM/LOCK options, read without them and given them as options;
    None when it has none (or is still not read without them)."""
    if not _INDEX_HEAD.match(statement.text):
        return None
    trailing = _INDEX_OPTIONS.search(statement.text)
    if trailing is None:
        return None
    options = tuple((k.upper(), v.upper()) for k, v in _ONE_OPTION.findall(trailing.group(0)))
    rest = split(statement.text[: trailing.start()], dialect)
    if len(rest) != 1 or rest[0].error is not None or isinstance(rest[0].expression, exp.Command):
        return None
    return [
        dataclasses.replace(
            op, location=base["location"], end_line=base["end_line"], sql=base["sql"], options=options
        )
        for op in operations(rest[0], path, dialect)
    ]


_CONVERT = re.compile(r"CONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+[`'\"]?(\w+)", re.I)


def _convert_clause(statement: Statement, base: Base, path: str, dialect: str) -> list[Operation] | None:
    """MySQL's `ALTER TABLE t ENGINE=InnoDB, CONVERT TO CHARACTER SET x COLLATE y, MODIFY …`: sqlglot reads
    no `CONVERT TO` clause, wherever it stands among the others. The clause becomes its own operation (the
    table's text columns move to `x`, by a table copy) and the other clauses are read as the `ALTER TABLE`
    they make without it; None when the statement has no such clause."""
    clauses = alter_clauses(statement.text, dialect)
    if clauses is None:
        return None
    prefix, parts = clauses
    converts = [c for c in parts if _CONVERT.match(c)]
    if not converts:
        return None
    table = table_name(exp.to_table(prefix.split(None, 2)[2].strip(), dialect=dialect))
    charset = _CONVERT.match(converts[0])
    found: list[Operation] = [
        RawSQL(
            category="convert-charset", table=table, name=charset.group(1).lower() if charset else "", **base
        )
    ]
    others = [c for c in parts if not _CONVERT.match(c)]
    if not others:
        return found
    rest = split(f"{prefix} {', '.join(others)}", dialect)
    if len(rest) != 1 or rest[0].expression is None or isinstance(rest[0].expression, exp.Command):
        return [*found, Unparsed(error=rest[0].error if rest and rest[0].error else "not read", **base)]
    for op in operations(rest[0], path, dialect):
        if isinstance(op, RawSQL) and op.category == "alter-table-options":
            continue  # ENGINE=…, ROW_FORMAT=… beside the conversion: the conversion's copy rebuilds anyway
        found.append(
            dataclasses.replace(op, location=base["location"], end_line=base["end_line"], sql=base["sql"])
        )
    return found


def _database_code(statement: Statement, base: Base, dialect: str) -> list[Operation] | None:
    """A MySQL or MariaDB view, trigger, procedure, function or event, or a SQLite view or trigger, with
    the tables and columns it uses. SQLite checks its views and triggers: it refuses to drop a column
    one of them names, and renames the column in them."""
    found = mysql_objects.read(statement.text)
    if found is None or (dialect == "sqlite" and found.kind not in ("view", "trigger")):
        return None
    sqlite = dialect == "sqlite"
    return [
        RawSQL(
            category=found.kind,
            table=found.table or found.name,
            name=found.name,
            relations=found.relations,
            columns=found.columns,
            tracked=sqlite,
            engine="SQLite" if sqlite else "",
            **base,
        )
    ]


def _create(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    kind = str(e.args.get("kind") or "").upper()
    target = e.this
    if kind == "TABLE":
        schema = target if isinstance(target, exp.Schema) else None
        table = schema.this if schema is not None else target
        items = schema.expressions if schema else []
        specs = tuple(column_spec(c, dialect) for c in items if isinstance(c, exp.ColumnDef))
        name = table_name(table)
        constraints = tuple(
            op
            for c in items
            if not isinstance(c, exp.ColumnDef)
            for op in [_constraint(c, name, base, dialect, False)]
            if isinstance(op, AddConstraint)
        ) + tuple(_column_checks(items, name, base, dialect))
        like = e.find(exp.LikeProperty)
        source = like.this if like is not None else None
        # MySQL's `CREATE TABLE t LIKE s` copies the whole definition but the foreign keys
        copied = (table_name(source), frozenset({"defaults", "identity", "constraints", "indexes"}))
        yield CreateTable(
            like=(copied,) if isinstance(source, exp.Table) else (),
            table=name,
            columns=specs,
            constraints=constraints,
            if_not_exists=bool(e.args.get("exists")),
            as_select=e.expression is not None,
            temporary=e.find(exp.TemporaryProperty) is not None,
            charset=_table_charset(e),
            **base,
        )
        yield from _inline_indexes(items, name, base, dialect)
    elif kind == "INDEX" and isinstance(target, exp.Index):
        params = target.args.get("params")
        columns = (
            tuple(_index_column(c, dialect) for c in (params.args.get("columns") or [])) if params else ()
        )
        yield AddIndex(
            table=table_name(target.args.get("table")),
            name=identifier(target.this),
            columns=columns,
            unique=bool(e.args.get("unique")),
            concurrently=bool(e.args.get("concurrently")),
            if_not_exists=bool(e.args.get("exists")),
            **base,
        )
    elif (
        kind == "TYPE"
        and isinstance(e.expression, exp.DataType)
        and e.expression.this == exp.DataType.Type.ENUM
    ):
        values = tuple(v.name for v in e.expression.expressions)
        yield CreateEnum(name=table_name(target), values=values, **base)
    else:
        yield RawSQL(category=f"create-{kind.lower() or 'object'}", **base)


def _column_checks(
    items: list[exp.Expression], table: str, base: Base, dialect: str
) -> Iterator[AddConstraint]:
    """The CHECKs written on column definitions (`id tinyint PRIMARY KEY CHECK (id = 1)`), named after the
    column, as MariaDB names them."""
    for column in items:
        if not isinstance(column, exp.ColumnDef):
            continue
        for check in column.find_all(exp.CheckColumnConstraint):
            if check.this is not None:
                yield AddConstraint(
                    table=table,
                    name=identifier(column.this),
                    constraint="check",
                    columns=(identifier(column.this),),
                    expression_sql=render(check.this, dialect),
                    on_column=True,
                    **base,
                )


def _inline_indexes(items: list[exp.Expression], table: str, base: Base, dialect: str) -> Iterator[AddIndex]:
    """MySQL's `KEY name (columns)` / `INDEX name (columns)` inside CREATE TABLE: an index of the new table,
    which `DROP INDEX name` drops and a foreign key's checks use (not FULLTEXT or SPATIAL ones)."""
    for item in items:
        if not isinstance(item, exp.IndexColumnConstraint) or item.args.get("kind"):
            continue
        columns = tuple(_index_column(c, dialect) for c in item.expressions)
        if columns:
            yield AddIndex(
                table=table, name=identifier(item.this) if item.this else "", columns=columns, **base
            )


def _table_charset(e: exp.Expression) -> str:
    """MySQL: the default character set a CREATE TABLE states, or the one its collation belongs to
    (`COLLATE latin1_swedish_ci` is latin1's); "" when it states neither (the database's default)."""
    properties = e.args.get("properties")
    found = properties.find(exp.CharacterSetProperty) if properties is not None else None
    if found is not None:
        return str(found.name).lower()
    collation = properties.find(exp.CollateProperty) if properties is not None else None
    return str(collation.name).lower().partition("_")[0] if collation is not None else ""


def _drop(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    kind = str(e.args.get("kind") or "").upper()
    exists = bool(e.args.get("exists"))
    for target in e.args.get("tables") or e.expressions or [e.this]:
        if kind in ("SCHEMA", "DATABASE"):
            parts = [identifier(p) for p in target.find_all(exp.Identifier)]
            yield DropSchema(
                name=".".join(p for p in parts if p),
                kind=kind.lower(),
                if_exists=exists,
                cascade=bool(e.args.get("cascade")),
                **base,
            )
        elif kind == "TABLE":
            yield DropTable(
                table=table_name(target), if_exists=exists, cascade=bool(e.args.get("cascade")), **base
            )
        elif kind == "INDEX":
            # `DROP INDEX i ON t` (MySQL): sqlglot gives the table bare, or inside an ON property
            on = e.args.get("cluster")
            on = on.this if isinstance(on, exp.OnProperty) else on
            on = on if isinstance(on, exp.Table) else None
            yield DropIndex(
                name=table_name(target),
                table=table_name(on) if on is not None else "",
                concurrently=bool(e.args.get("concurrently")),
                if_exists=exists,
                **base,
            )
        else:
            yield RawSQL(category=f"drop-{kind.lower() or 'object'}", table=table_name(target), **base)


def _alter(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    if str(e.args.get("kind") or "TABLE").upper() != "TABLE":
        yield RawSQL(category=f"alter-{str(e.args.get('kind')).lower()}", **base)
        return
    table = table_name(e.this)
    options = tuple(
        (type(o).__name__.removesuffix("Property").upper(), o.name.upper())
        for o in e.args.get("options") or []
    )
    base = {**base, "options": options}
    not_valid = bool(e.args.get("not_valid"))
    if not e.args.get("actions"):  # table options only: ENGINE=…, ROW_FORMAT=…
        yield RawSQL(category="alter-table-options", table=table, **base)
    for action in e.args.get("actions") or []:
        yield from _alter_action(action, table, base, dialect, not_valid)


def _alter_action(
    action: exp.Expression, table: str, base: Base, dialect: str, not_valid: bool
) -> Iterator[Operation]:
    b: dict[str, Any] = base
    if isinstance(action, exp.ColumnDef):
        yield AddColumn(
            table=table,
            column=column_spec(action, dialect),
            if_not_exists=bool(action.args.get("exists")),
            **b,
        )
    elif isinstance(action, exp.Drop):
        kind = str(action.args.get("kind") or "").upper()
        for target in action.args.get("tables") or action.expressions or [action.this]:
            name = identifier(target.this if isinstance(target, exp.Column | exp.Table) else target)
            if kind == "COLUMN":
                yield DropColumn(table=table, column=name, if_exists=bool(action.args.get("exists")), **b)
            elif kind == "INDEX":
                yield DropIndex(name=name, table=table, **b)
            else:
                yield DropConstraint(table=table, name=name, if_exists=bool(action.args.get("exists")), **b)
    elif isinstance(action, exp.RenameColumn):
        yield RenameColumn(
            table=table, column=identifier(action.this), new_name=identifier(action.args["to"]), **b
        )
    elif isinstance(action, exp.AlterRename):
        yield RenameTable(table=table, new_name=table_name(action.this), **b)
    elif isinstance(action, exp.AlterColumn):
        yield from _alter_column(action, table, b, dialect)
    elif isinstance(action, exp.ModifyColumn):
        yield from _modify_column(action, table, b, dialect)
    elif isinstance(action, exp.AddConstraint):
        for constraint in action.expressions:
            yield _constraint(constraint, table, b, dialect, not_valid)
    else:
        yield RawSQL(category=f"alter-table-{type(action).__name__.lower()}", table=table, **b)


def _alter_column(action: exp.AlterColumn, table: str, b: Base, dialect: str) -> Iterator[Operation]:
    column = identifier(action.this)
    if action.args.get("dtype") is not None:
        using = action.args.get("using")
        yield AlterColumnType(
            table=table,
            column=column,
            new_type=column_type(action.args["dtype"], dialect),
            using=render(using, dialect) if isinstance(using, exp.Expression) else None,
            **b,
        )
    elif action.args.get("allow_null") is False:
        yield SetNotNull(table=table, column=column, **b)
    elif action.args.get("allow_null") is True:
        yield DropNotNull(table=table, column=column, **b)
    elif action.args.get("default") is not None:
        default = action.args["default"]
        spec = column_spec(
            exp.ColumnDef(
                this=action.this,
                constraints=[exp.ColumnConstraint(kind=exp.DefaultColumnConstraint(this=default))],
            ),
            dialect,
        )
        yield SetDefault(
            table=table, column=column, default=spec.default, volatile=spec.volatile_default, **b
        )
    elif action.args.get("drop"):
        yield SetDefault(table=table, column=column, default=None, **b)
    else:
        yield RawSQL(category="alter-column", table=table, **b)


def _modify_column(action: exp.ModifyColumn, table: str, b: Base, dialect: str) -> Iterator[Operation]:
    spec = column_spec(action.this, dialect)
    old = action.args.get("rename_from")
    if old is not None and identifier(old) != spec.name:
        yield RenameColumn(table=table, column=identifier(old), new_name=spec.name, **b)
    if spec.type:
        charset = action.this.find(exp.CharacterSetColumnConstraint)
        named = f" CHARACTER SET {charset.this.sql(dialect)}" if charset is not None else ""
        yield AlterColumnType(
            table=table,
            column=spec.name,
            new_type=spec.type + named,
            restated=True,
            charset=spec.charset,
            on_update=spec.on_update,
            collation=spec.collation,
            **b,
        )
    # MODIFY and CHANGE restate the whole column: what they do not say, the column loses
    if not spec.nullable:
        yield SetNotNull(table=table, column=spec.name, restated=True, **b)
    else:
        said = any(c.args.get("allow_null") for c in action.this.find_all(exp.NotNullColumnConstraint))
        # `DEFAULT NULL` says it too: MySQL refuses it on a NOT NULL column ("Invalid default value")
        said = said or (spec.default or "").upper() == "NULL"
        yield DropNotNull(table=table, column=spec.name, implied=not said, **b)
    if spec.default is not None:
        yield SetDefault(
            table=table, column=spec.name, default=spec.default, volatile=spec.volatile_default, **b
        )
    else:
        yield SetDefault(table=table, column=spec.name, default=None, implied=True, **b)


def _constraint(c: exp.Expression, table: str, b: Base, dialect: str, not_valid: bool) -> Operation:
    name = identifier(c.this) if isinstance(c, exp.Constraint) else ""
    inner = c.expressions[0] if isinstance(c, exp.Constraint) and c.expressions else c
    if isinstance(inner, exp.ColumnConstraint):
        inner = inner.args.get("kind") or inner
    kind, references, check, on_delete = "other", None, "", ""
    columns: tuple[str, ...] = ()
    referenced: tuple[str, ...] = ()
    if isinstance(inner, exp.ForeignKey):
        kind = "foreign_key"
        columns = tuple(identifier(x) for x in inner.expressions)
        ref = inner.args.get("reference")
        target = ref.find(exp.Table) if ref is not None else None
        references = table_name(target) if target is not None else None
        on_delete = on_delete_action(ref)
        schema = ref.this if ref is not None else None
        if isinstance(schema, exp.Schema):  # `REFERENCES users (id)`: the key's columns, when written
            referenced = tuple(identifier(x) for x in schema.expressions)
    elif isinstance(inner, exp.CheckColumnConstraint):
        kind, check = "check", render(inner.this, dialect) if inner.this is not None else ""
    elif isinstance(inner, exp.UniqueColumnConstraint):
        kind = "unique"
        schema = inner.this
        columns = tuple(identifier(x) for x in (schema.expressions if isinstance(schema, exp.Schema) else []))
        if not name and isinstance(schema, exp.Schema) and schema.this is not None:
            name = identifier(schema.this)  # MySQL `UNIQUE KEY users_email (email)`
    elif isinstance(inner, exp.PrimaryKey | exp.PrimaryKeyColumnConstraint):
        kind, columns = "primary_key", tuple(identifier(x) for x in inner.expressions)
    elif isinstance(inner, exp.IndexColumnConstraint):
        kind = str(inner.args.get("kind") or "").lower()  # MySQL FULLTEXT / SPATIAL
        return AddIndex(
            table=table,
            name=identifier(inner.this),
            columns=tuple(identifier(x) for x in inner.expressions),
            method=kind if kind in ("fulltext", "spatial") else "",
            **b,
        )
    elif isinstance(inner, exp.ExcludeColumnConstraint):
        kind = "exclusion"
    return AddConstraint(
        table=table,
        name=name,
        constraint=kind,
        columns=columns,
        not_valid=not_valid,
        references=references,
        referenced_columns=referenced,
        expression_sql=check,
        on_delete=on_delete,
        **b,
    )


def _update(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    assignments = tuple(
        (identifier(a.this), render(a.expression, dialect)) for a in e.expressions if isinstance(a, exp.EQ)
    )
    where = e.args.get("where")
    yield DataUpdate(
        table=table_name(e.this),
        assignments=assignments,
        where=render(where.this, dialect) if where is not None else None,
        batched=is_batched(e),
        case_mappings=case_mappings(e, dialect, int(base["location"].line)),
        reads=reads(e),
        **base,
    )


def _delete(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    where = e.args.get("where")
    yield DataDelete(
        table=table_name(e.this),
        where=render(where.this, dialect) if where is not None else None,
        batched=is_batched(e),
        **base,
    )


def _insert(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    target = e.this
    columns: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        columns = tuple(identifier(c) for c in target.expressions)
        target = target.this
    values = e.expression if isinstance(e.expression, exp.Values) else None
    rows = tuple(
        tuple(render(value, dialect) for value in row.expressions)
        for row in (values.expressions if values is not None else ())[:MAX_ROWS]
        if isinstance(row, exp.Tuple)
    )
    yield DataInsert(
        table=table_name(target),
        columns=columns,
        # SQLite's `INSERT OR REPLACE`: a row with the same key is deleted, then the new one inserted
        replaces=str(e.args.get("alternative") or "").upper() == "REPLACE",
        from_select=e.find(exp.Select) is not None,
        rows=rows,
        case_mappings=case_mappings(e, dialect, int(base["location"].line)),
        **base,
    )


def _truncate(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    cascade = str(e.args.get("option") or "").upper() == "CASCADE"
    for target in e.expressions:
        yield Truncate(table=table_name(target), cascade=cascade, **base)


def _set(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    for item in e.expressions:
        assignment = item.this if isinstance(item, exp.SetItem) else item
        if isinstance(assignment, exp.EQ):
            setting = assignment.this.name.lower()
            value = assignment.expression.name if assignment.expression is not None else ""
            local = str(item.args.get("kind") or "").upper() == "LOCAL"
            if setting.endswith("timeout") or setting in commands.TIMEOUT_SETTINGS:
                yield SetTimeout(setting=setting, value=value, local=local, **base)
                continue
        yield RawSQL(category="set", **base)


def _transaction(action: str) -> Callable[[exp.Expression, Base, str], Iterator[Operation]]:
    def handle(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
        yield Transaction(action=action, **base)

    return handle


def _select(e: exp.Expression, base: Base, dialect: str) -> Iterator[Operation]:
    yield from commands.classify_select(e, base)


_HANDLERS: dict[type[exp.Expression], Callable[[exp.Expression, Base, str], Iterator[Operation]]] = {
    exp.Create: _create,
    exp.Drop: _drop,
    exp.Alter: _alter,
    exp.Update: _update,
    exp.Delete: _delete,
    exp.Insert: _insert,
    exp.TruncateTable: _truncate,
    exp.Set: _set,
    exp.Transaction: _transaction("begin"),
    exp.Commit: _transaction("commit"),
    exp.Rollback: _transaction("rollback"),
    exp.Select: _select,
}


def _index_column(node: exp.Expression, dialect: str) -> str:
    """A plain column of an index as its name (a quoted `key` is key); an expression or a sort order as SQL."""
    inner = node.this if isinstance(node, exp.Ordered) else node
    if isinstance(inner, exp.Column) and render(node, dialect) == render(inner, dialect):
        return identifier(inner)
    return render(node, dialect)
