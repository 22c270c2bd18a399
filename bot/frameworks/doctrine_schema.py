"""Doctrine's schema API in a migration, written as the SQL the platform would run for it.

`up(Schema $schema)` may change the `$schema` object instead of calling `addSql`: Doctrine compares it with
the database's schema once `up()` returns and runs the difference. Each call is read as the statement it
makes, at its line: `$schema->getTable('orders')->addColumn('note', 'string', ['notnull' => false])` is
`ALTER TABLE orders ADD note VARCHAR(255) DEFAULT NULL`, and a table made with `$schema->createTable('x')`
is one `CREATE TABLE` holding every column added to it in the method (its indexes and keys after it).

DBAL's defaults hold: a column is NOT NULL unless `'notnull' => false`, a string is 255 characters long.
A call the review does not know, or a table whose name is computed, is a statement it could not read.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import php
from bot.frameworks.origin import origin
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import Operation, Unparsed

# `Types::STRING`, `Types::DATETIME_MUTABLE`, `Type::getType('string')`: the type's name
_TYPES_CONSTANT = re.compile(r"Types?::(\w+)$")
_POSTGRES = {
    "string": "VARCHAR({length})", "ascii_string": "VARCHAR({length})", "text": "TEXT", "integer": "INT",
    "smallint": "SMALLINT", "bigint": "BIGINT", "boolean": "BOOLEAN", "decimal": "NUMERIC({precision}, {scale})",
    "float": "DOUBLE PRECISION", "date": "DATE", "datetime": "TIMESTAMP(0) WITHOUT TIME ZONE",
    "datetimetz": "TIMESTAMP(0) WITH TIME ZONE", "time": "TIME(0) WITHOUT TIME ZONE", "json": "JSON",
    "guid": "UUID", "binary": "BYTEA", "blob": "BYTEA", "array": "TEXT", "simple_array": "TEXT",
    "object": "TEXT", "dateinterval": "VARCHAR(255)",
}  # fmt: skip
_MYSQL = {
    **_POSTGRES, "text": "LONGTEXT", "boolean": "TINYINT(1)", "datetime": "DATETIME", "datetimetz": "DATETIME",
    "time": "TIME", "guid": "CHAR(36)", "binary": "VARBINARY({length})", "blob": "LONGBLOB",
    "array": "LONGTEXT", "simple_array": "LONGTEXT", "object": "LONGTEXT",
}  # fmt: skip
_SQLITE = {
    **_POSTGRES, "text": "CLOB", "datetime": "DATETIME", "datetimetz": "DATETIME", "time": "TIME",
    "json": "CLOB", "guid": "CHAR(36)", "binary": "BLOB", "blob": "BLOB", "array": "CLOB",
}  # fmt: skip
_READS = frozenset(
    {"hasTable", "hasColumn", "hasIndex", "hasForeignKey", "hasPrimaryKey", "getColumns", "getIndexes"}
    | {"getForeignKeys", "getName", "getColumn", "getIndex", "getPrimaryKey", "hasSequence", "getTables"}
    | {"hasOption", "getOption", "getTableNames", "hasNamespace", "getForeignKey", "getPrimaryKeyColumns"}
)
_QUIET = frozenset({"addOption", "setComment", "createNamespace"})  # no change a rule reads
_COLUMN_SETTERS = frozenset({"setNotnull", "setDefault", "setType", "setLength", "setOptions"})


@dataclass
class _Created:
    """A table `$schema->createTable('x')` makes: one CREATE TABLE, with what the method adds to it."""

    name: str
    line: int
    end_line: int
    position: int  # where its statements go among the method's operations
    columns: list[str] = field(default_factory=list)
    primary: list[str] = field(default_factory=list)
    after: list[tuple[str, int, int]] = field(default_factory=list)  # indexes and keys: (sql, line, end)


@dataclass
class SchemaReader:
    """Reads the schema calls of one method; `ops` in the order of their lines once `finish()` is called."""

    path: str
    dialect: str
    ops: list[Operation]
    tables: dict[str, str] = field(default_factory=dict)  # `$table` → the table it holds
    created: dict[str, _Created] = field(default_factory=dict)

    def is_schema(self, root: Node | None, calls: list[php.Call]) -> bool:
        """Is this chain a call on `$schema` or on a variable holding one of its tables?"""
        if root is None or not calls:
            return False
        name = php.text_of(root)
        return name == "$schema" or name in self.tables

    def assign(self, variable: str, root: Node | None, calls: list[php.Call]) -> bool:
        """`$table = $schema->createTable('x')` / `getTable('x')`: the variable holds the table from here on."""
        if root is None or php.text_of(root) != "$schema" or len(calls) != 1:
            return False
        call = calls[0]
        if call.name not in ("createTable", "getTable"):
            return False
        name = _name(call.arg(0))
        self.tables[variable] = name
        if call.name == "createTable" and name:
            self._create(call, name)
        return True

    def read(self, root: Node | None, calls: list[php.Call], node: Node) -> None:
        table = self.tables.get(php.text_of(root), "") if root is not None else ""
        if php.text_of(root) == "$schema":
            first, calls = calls[0], calls[1:]
            if first.name in ("getTable", "createTable"):
                table = _name(first.arg(0))
                if first.name == "createTable" and table:
                    self._create(first, table)
                if not calls:
                    return
            else:
                self._on_schema(first, node)
                return
        self._on_table(table, calls, node)

    def finish(self) -> None:
        for made in sorted(self.created.values(), key=lambda m: -m.position):
            parts = [*made.columns]
            if made.primary:
                parts.append(f"PRIMARY KEY ({', '.join(made.primary)})")
            body = ", ".join(parts) or "id INT"
            made_ops = self._parsed(f"CREATE TABLE {made.name} ({body})", made.line, made.end_line)
            for sql, line, end in made.after:
                made_ops += self._parsed(sql, line, end)
            self.ops[made.position : made.position] = made_ops
        self.created.clear()

    def _create(self, call: php.Call, name: str) -> None:
        if name not in self.created:
            self.created[name] = _Created(name, call.line, call.end_line, len(self.ops))

    def _on_schema(self, call: php.Call, node: Node) -> None:
        name = _name(call.arg(0))
        if call.name in _READS or call.name in _QUIET:
            return
        if call.name == "dropTable" and name:
            self._sql(f"DROP TABLE {name}", call.line, call.end_line)
        elif call.name == "renameTable" and name and (new := _name(call.arg(1))):
            self._sql(f"ALTER TABLE {name} RENAME TO {new}", call.line, call.end_line)
        elif call.name == "createSequence" and name:
            self._sql(f"CREATE SEQUENCE {name}", call.line, call.end_line)
        elif call.name == "dropSequence" and name:
            self._sql(f"DROP SEQUENCE {name}", call.line, call.end_line)
        else:
            self._unread(node, f"`$schema->{call.name}(…)`")

    def _on_table(self, table: str, calls: list[php.Call], node: Node) -> None:
        if not calls or (calls[0].name in _READS and not any(c.name in _COLUMN_SETTERS for c in calls)):
            return
        if not table:
            self._unread(node, "a schema call on a table whose name is computed when the migration runs")
            return
        call = calls[0]
        made = self.created.get(table)
        if call.name in _QUIET:
            return
        if call.name == "addColumn" and (column := _name(call.arg(0))):
            definition = f"{column} {self._column(call.arg(1), php.value(call.arg(2)))}"
            if made is not None:
                made.columns.append(definition)
            else:
                self._sql(f"ALTER TABLE {table} ADD {definition}", call.line, call.end_line)
        elif call.name == "setPrimaryKey" and made is not None:
            made.primary = list(php.names(php.value(call.arg(0))))
        elif call.name in ("addIndex", "addUniqueIndex", "setPrimaryKey", "addUniqueConstraint"):
            self._index(table, call, made)
        elif call.name == "addForeignKeyConstraint":
            self._foreign_key(table, call, made)
        elif call.name == "dropColumn" and (column := _name(call.arg(0))):
            self._sql(f"ALTER TABLE {table} DROP COLUMN {column}", call.line, call.end_line)
        elif call.name == "dropIndex" and (index := _name(call.arg(0))):
            on = f" ON {table}" if self.dialect in ("mysql", "mariadb") else ""
            self._sql(f"DROP INDEX {index}{on}", call.line, call.end_line)
        elif call.name in ("removeForeignKey", "dropForeignKey") and (key := _name(call.arg(0))):
            drop = "FOREIGN KEY" if self.dialect in ("mysql", "mariadb") else "CONSTRAINT"
            self._sql(f"ALTER TABLE {table} DROP {drop} {key}", call.line, call.end_line)
        elif call.name == "renameIndex" and (old := _name(call.arg(0))) and (new := _name(call.arg(1))):
            sql = (
                f"ALTER TABLE {table} RENAME INDEX {old} TO {new}"
                if self.dialect in ("mysql", "mariadb")
                else f"ALTER INDEX {old} RENAME TO {new}"
            )
            self._sql(sql, call.line, call.end_line)
        elif call.name in ("changeColumn", "modifyColumn") and (column := _name(call.arg(0))):
            self._change(table, column, _options(php.value(call.arg(1))), call)
        elif call.name == "getColumn" and (column := _name(call.arg(0))) and len(calls) > 1:
            for setter in calls[1:]:
                self._setter(table, column, setter)
        else:
            self._unread(node, f"`{call.name}(…)` of Doctrine's schema API")

    def _setter(self, table: str, column: str, call: php.Call) -> None:
        argument = php.value(call.arg(0))
        keys = {"setNotnull": "notnull", "setDefault": "default", "setType": "type", "setLength": "length"}
        given: object = call.arg(0) if call.name == "setType" else argument
        options = {keys[call.name]: given} if call.name in keys else _options(argument)
        self._change(table, column, options, call)

    def _change(self, table: str, column: str, options: dict[str, object], call: php.Call) -> None:
        """`changeColumn('x', ['notnull' => false])`, `getColumn('x')->setNotnull(true)`: what it changes, one
        statement per attribute. DBAL compares the whole column and restates it (MySQL's `CHANGE x x …`) with what
        it keeps of it, which the review does not know here: each attribute changed is read on its own, in the
        form every reader takes (`ALTER x TYPE …`, `ALTER x SET NOT NULL`), and nothing else of the column changes."""
        if "type" in options or "length" in options:
            kind = (
                self._type(options.get("type"), options)
                if "type" in options
                else f"VARCHAR({options['length']})"
            )
            self._sql(f"ALTER TABLE {table} ALTER {column} TYPE {kind}", call.line, call.end_line)
        if "notnull" in options:
            verb = "SET" if options["notnull"] is not False else "DROP"
            self._sql(f"ALTER TABLE {table} ALTER {column} {verb} NOT NULL", call.line, call.end_line)
        if "default" in options:
            default = options["default"]
            sql = "DROP DEFAULT" if default is None else f"SET DEFAULT {self._literal(default)}"
            self._sql(f"ALTER TABLE {table} ALTER {column} {sql}", call.line, call.end_line)

    def _index(self, table: str, call: php.Call, made: _Created | None) -> None:
        columns = php.names(php.value(call.arg(0)))
        if not columns:
            self._unread(call.node, f"`{call.name}(…)` on columns named when the migration runs")
            return
        if call.name == "setPrimaryKey":
            sql = f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(columns)})"
        else:
            name = _name(call.arg(1)) or f"idx_{table}_{'_'.join(columns)}"
            unique = "UNIQUE " if call.name != "addIndex" else ""
            sql = f"CREATE {unique}INDEX {name} ON {table} ({', '.join(columns)})"
        self._after(sql, call, made)

    def _foreign_key(self, table: str, call: php.Call, made: _Created | None) -> None:
        target = call.arg(0)
        held = self.tables.get(php.text_of(target)) if target is not None else None
        foreign = held or _name(target)
        local, remote = php.names(php.value(call.arg(1))), php.names(php.value(call.arg(2)))
        if not foreign or not local or len(local) != len(remote):
            self._unread(call.node, "`addForeignKeyConstraint(…)` on a table or columns named at run time")
            return
        name = _name(call.arg(4)) or f"fk_{table}_{'_'.join(local)}"
        options = _options(php.value(call.arg(3)))
        sql = (
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(local)}) "
            f"REFERENCES {foreign} ({', '.join(remote)})"
        )
        if isinstance(options.get("onDelete"), str):
            sql += f" ON DELETE {options['onDelete']}"
        if isinstance(options.get("onUpdate"), str):
            sql += f" ON UPDATE {options['onUpdate']}"
        self._after(sql, call, made)

    def _after(self, sql: str, call: php.Call, made: _Created | None) -> None:
        if made is not None:
            made.after.append((sql, call.line, call.end_line))
        else:
            self._sql(sql, call.line, call.end_line)

    def _column(self, kind: Node | object, given: object) -> str:
        options = _options(given)
        sql = self._type(kind, options)
        if options.get("autoincrement") is True:
            if self.dialect in ("mysql", "mariadb"):
                sql += " AUTO_INCREMENT"
            elif self.dialect == "postgres":
                sql = "BIGSERIAL" if sql == "BIGINT" else "SERIAL"
        if "default" in options:
            sql += f" DEFAULT {self._literal(options['default'])}"
        elif options.get("notnull") is False:
            sql += " DEFAULT NULL"
        if options.get("notnull") is not False:
            sql += " NOT NULL"
        return sql

    def _type(self, kind: Node | object, options: dict[str, object]) -> str:
        name = _type_name(kind)
        table = {"postgres": _POSTGRES, "sqlite": _SQLITE}.get(self.dialect, _MYSQL)
        if name == "json" and options.get("jsonb") is True and self.dialect == "postgres":
            return "JSONB"
        pattern = table.get(name)
        if pattern is None:
            return name.upper() if self.dialect == "postgres" and name.isidentifier() else "TEXT"
        if options.get("fixed") is True and name == "string":
            pattern = "CHAR({length})"
        return pattern.format(
            length=_number(options.get("length"), 255),
            precision=_number(options.get("precision"), 10),
            scale=_number(options.get("scale"), 0),
        )

    def _literal(self, value: object) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return ("true" if value else "false") if self.dialect == "postgres" else str(int(value))
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return "NULL"

    def _sql(self, sql: str, line: int, end_line: int) -> None:
        self.ops.extend(self._parsed(sql, line, end_line))

    def _parsed(self, sql: str, line: int, end_line: int) -> list[Operation]:
        return [_at(op, end_line) for op in parse_sql(self.path, sql + ";", self.dialect, first_line=line)]

    def _unread(self, node: Node, what: str) -> None:
        base = origin(self.path, php.line_of(node), node.end_point[0] + 1, php.text_of(node))
        self.ops.append(Unparsed(error=f"{what}: the review does not read it", **base))


def _at(op: Operation, end_line: int) -> Operation:
    if not hasattr(op, "end_line"):
        return op
    return dataclasses.replace(op, end_line=max(end_line, op.location.line))


def _name(node: Node | None) -> str:
    found = php.value(node)
    return found if isinstance(found, str) and re.fullmatch(r"[\w.]+|\"\w+\"|`\w+`", found) else ""


def _type_name(kind: Node | object) -> str:
    if isinstance(kind, str):
        return kind.lower()
    if not isinstance(kind, Node):
        return "string"  # MySQL's MODIFY of a column whose options give no type
    found = php.value(kind)
    if isinstance(found, str):
        return found.lower()
    text = php.text_of(kind)
    inner = php.call(kind)
    if inner is not None and inner.name == "getType" and inner.args:
        return _type_name(inner.args[0])
    constant = _TYPES_CONSTANT.search(text)
    if constant:
        return constant.group(1).lower().removesuffix("_mutable")
    return "text"


def _options(found: object) -> dict[str, object]:
    return {str(k): v for k, v in found.items()} if isinstance(found, dict) else {}


def _number(found: object, default: int) -> int:
    return found if isinstance(found, int) and not isinstance(found, bool) else default
