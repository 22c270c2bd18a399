"""Sequelize migrations (sequelize-cli, umzug): `module.exports = { up(queryInterface, Sequelize), down(…) }`.

- `queryInterface.addColumn/removeColumn/changeColumn/renameColumn/addIndex/removeIndex/addConstraint/
  removeConstraint/createTable/dropTable/dropAllTables/renameTable` become operations; `bulkUpdate/bulkDelete/bulkInsert`
  data changes; `queryInterface.sequelize.query(sql)` is read as SQL.
- Sequelize runs a migration outside any transaction; `sequelize.transaction(async (t) => …)` around the
  body opens one, and the review reads what runs inside it.
"""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import javascript_module as jsm
from bot.frameworks import node_migration as nm
from bot.frameworks.node_columns import key_action, sequelize_type
from bot.frameworks.node_migration import Source
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Transaction,
    Unparsed,
)
from bot.sql.names import calls_volatile

NAME = "sequelize"
EXTENSIONS = js.SOURCE
_READS = frozenset({"describeTable", "showAllTables", "tableExists", "showIndex", "getForeignKeysForTables"})


def candidate(path: str) -> bool:
    return "migration" in path.lower() and not path.endswith(".d.ts")


def detect(path: str, text: str) -> bool:
    words = ("queryInterface", "QueryInterface", "Sequelize", "DataTypes")
    return candidate(path) and any(word in text for word in words) and jsm.exports_up(path, text)


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return nm.leading_version(path)


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    src = Source(path, dialect)
    root = js.parse(path, text)
    functions = jsm.exported_functions(root)
    if "up" not in functions:
        op = Unparsed(location=Location(path, 1), error="no exported `up` function")
        return Migration(
            path, NAME, dialect, (op,), None, False, "Sequelize runs a migration without a transaction"
        )
    walker = _Walker(src, functions["up"])
    # package.json is read only for a migration that changes a column: not once per file of the history
    walker.restates = "changeColumn" in text and not _sequelize_core(tree, path)
    with (
        jsm.bound(jsm.constants(root, path, tree)),
        js.reading(dialect),
    ):  # a table named by a constant of the code
        up = nm.syntax_error(root, src) + walker.walk(functions["up"].body)
        down = nm.way_back(
            functions.get("down"), lambda f: _Walker(src, f).walk(f.body), "no exported `down` function"
        )
    note = (
        "the migration opens a transaction (`sequelize.transaction`)"
        if walker.in_transaction
        else "Sequelize runs a migration without a transaction"
    )
    return nm.build(src, NAME, text, up, down, (walker.in_transaction, note), version(path))


def _sequelize_core(tree: Tree, path: str) -> bool:
    """Does the application run Sequelize 7 (`@sequelize/core`), whose `changeColumn` changes only what it is
    given? Read from the package.json of each folder above the migration."""
    parts = path.split("/")[:-1]
    for depth in range(len(parts), -1, -1):
        text = tree.read("/".join([*parts[:depth], "package.json"]))
        if text and '"@sequelize/core"' in text:
            return True
    return False


class _Walker:
    def __init__(self, src: Source, function: js.Function) -> None:
        self.src = src
        self.qi = function.params[0] if function.params else "queryInterface"
        self.types = function.params[1] if len(function.params) > 1 else "Sequelize"
        self.in_transaction = False
        self.restates = True  # `changeColumn` restates the whole column (Sequelize 6; not @sequelize/core 7)

    def walk(self, body: Node | None) -> list[Operation]:
        return [
            op for statement in js.statements(body, self.src.dialect) for op in self._statement(statement)
        ]

    def _statement(self, node: Node) -> list[Operation]:
        c = js.call(node)
        if c is None or node.type == "throw_statement":
            return []
        receiver = js.text_of(c.receiver)
        if c.name == "transaction" and c.args and (js.function(c.args[-1]) is not None):
            self.in_transaction = True
            inner = js.function(c.args[-1])
            return self.walk(inner.body if inner is not None else None)
        if c.name == "transaction" and receiver.endswith("sequelize"):  # `const t = await ….transaction()`
            return [Transaction(action="begin", **nm.origin_of(c.node, self.src))]
        if (
            c.name in ("commit", "rollback")
            and not c.args
            and c.receiver is not None
            and c.receiver.type == "identifier"
        ):
            return [Transaction(action=c.name, **nm.origin_of(c.node, self.src))]
        if c.name == "all" and receiver == "Promise" and c.args:
            return [op for item in js.unwrap(c.args[0]).named_children for op in self._statement(item)]
        if c.name == "query" and receiver.endswith("sequelize"):
            filled = len(c.args) > 1 and "replacements" in js.text_of(c.args[1])  # `:name` / `?` are values
            return nm.sql(
                c.node, c.args[0] if c.args else None, self.src, "sequelize.query", replacements=filled
            )
        if receiver != self.qi:
            return [] if receiver in ("console", "logger") else nm.awaited_code(node, self.src)
        handler = getattr(self, f"_{c.name}", None)
        if handler is not None:
            return list(handler(c))
        if c.name in _READS:
            return []
        return [nm.unparsed(c.node, self.src, f"`{self.qi}.{c.name}` is not read by the review")]

    def _table(self, c: js.Call) -> str:
        if not c.args:
            return ""
        found = js.value(c.args[0])
        if isinstance(found, dict):
            found = found.get("tableName")
        return found if isinstance(found, str) else ""

    def _column(self, name: str, node: Node | None) -> ColumnSpec:
        attributes = js.pairs(node)
        type_node = attributes.get("type") if attributes else node
        values = {key: js.value(item) for key, item in attributes.items()}
        default = nm.expression(attributes["defaultValue"]) if "defaultValue" in attributes else None
        if default is not None and "NOW" in default.upper() and "Sequelize" in default:
            default = "now()"
        references = values.get("references")
        model = references.get("model") if isinstance(references, dict) else None
        return ColumnSpec(
            name=name,
            type=sequelize_type(type_node, self.src.dialect),
            nullable=values.get("allowNull") is not False and values.get("primaryKey") is not True,
            default=default,
            volatile_default=calls_volatile(default),
            primary_key=values.get("primaryKey") is True,
            unique=values.get("unique") is True,
            identity=values.get("autoIncrement") is True,
            references=model if isinstance(model, str) else None,
            on_delete=key_action(values.get("onDelete")) if isinstance(model, str) else "",
        )

    def _unread(self, c: js.Call) -> list[Operation]:
        return [nm.unparsed(c.node, self.src, f"the table or column of `{c.name}` is computed at run time")]

    def _addColumn(self, c: js.Call) -> list[Operation]:
        table, column = self._table(c), nm.name(c.args[1]) if len(c.args) > 1 else ""
        if not (table and column):
            return self._unread(c)
        spec = self._column(column, c.args[2] if len(c.args) > 2 else None)
        made = self._enum(c, table, column, c.args[2] if len(c.args) > 2 else None)
        types = [made] if made is not None else []
        added = AddColumn(table=table, column=_typed(spec, types, table), **nm.origin_of(c.node, self.src))
        return [*types, added]

    def _removeColumn(self, c: js.Call) -> list[Operation]:
        table, column = self._table(c), nm.name(c.args[1]) if len(c.args) > 1 else ""
        if not (table and column):
            return self._unread(c)
        return [DropColumn(table=table, column=column, **nm.origin_of(c.node, self.src))]

    def _renameColumn(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        old, new = (nm.name(c.args[i]) if len(c.args) > i else "" for i in (1, 2))
        if not (table and old and new):
            return self._unread(c)
        return [RenameColumn(table=table, column=old, new_name=new, **nm.origin_of(c.node, self.src))]

    def _changeColumn(self, c: js.Call) -> list[Operation]:
        table, column = self._table(c), nm.name(c.args[1]) if len(c.args) > 1 else ""
        if not (table and column):
            return self._unread(c)
        spec = self._column(column, c.args[2] if len(c.args) > 2 else None)
        at = nm.origin_of(c.node, self.src)
        found = js.value(c.args[2]) if len(c.args) > 2 else None
        said = found if isinstance(found, dict) else {}
        if spec.references:
            # with `references`, Sequelize adds the foreign key instead of changing the type (and leaves NULL
            # and the default alone unless `allowNull: false` is given)
            key: list[Operation] = [SetNotNull(table=table, column=column, **at)] if not spec.nullable else []
            key.append(
                AddConstraint(
                    table=table,
                    name=f"{table}_{column}_fkey",
                    constraint="foreign_key",
                    columns=(column,),
                    references=spec.references,
                    on_delete=key_action(said.get("onDelete")),
                    on_update=key_action(said.get("onUpdate")),
                    **at,
                )
            )
            return key
        # an ENUM on PostgreSQL: Sequelize creates the type `enum_<table>_<column>` (with no check that it exists)
        # and casts the column to it
        made = self._enum(c, table, column, c.args[2] if len(c.args) > 2 else None)
        types: list[Operation] = [made] if made is not None else []
        new_type, using = (made.name, f"{column}::{made.name}") if made is not None else (spec.type, None)
        ops: list[Operation] = [
            *types,
            AlterColumnType(table=table, column=column, new_type=new_type, using=using, **at),
        ]
        # Sequelize restates the whole column: without `allowNull: false` it drops NOT NULL, without
        # `defaultValue` the default (PostgreSQL's ALTER COLUMN … DROP NOT NULL / DROP DEFAULT, MySQL's CHANGE),
        # except for a column that references another table
        restated = self.restates and "references" not in said
        if not spec.nullable:
            ops.append(SetNotNull(table=table, column=column, **at))
        else:
            ops.append(
                DropNotNull(table=table, column=column, implied=restated and "allowNull" not in said, **at)
            )
        if "defaultValue" in said:
            ops.append(SetDefault(table=table, column=column, default=spec.default, **at))
        elif restated and found is not None:
            ops.append(SetDefault(table=table, column=column, default=None, implied=True, **at))
        return ops

    def _addIndex(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        second = js.value(c.args[1]) if len(c.args) > 1 else None
        found = second if isinstance(second, dict) else {}
        third = js.value(c.args[2]) if len(c.args) > 2 else None
        found = {**found, **(third if isinstance(third, dict) else {})}
        fields = second if isinstance(second, list) else found.get("fields")
        columns = tuple(
            f if isinstance(f, str) else str(f.get("name"))
            for f in (fields if isinstance(fields, list) else [])
            if isinstance(f, str | dict)
        )
        if not table or not columns:
            return self._unread(c)
        name = found.get("name") if isinstance(found.get("name"), str) else f"{table}_{'_'.join(columns)}"
        return [
            AddIndex(
                table=table,
                name=str(name),
                columns=columns,
                unique=found.get("unique") is True,
                concurrently=found.get("concurrently") is True,
                **nm.origin_of(c.node, self.src),
            )
        ]

    def _removeIndex(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        index = js.value(c.args[1]) if len(c.args) > 1 else None
        name = index if isinstance(index, str) else f"{table}_{'_'.join(nm.strings(index))}"
        options = js.value(c.args[2]) if len(c.args) > 2 else None
        concurrently = isinstance(options, dict) and options.get("concurrently") is True
        return [
            DropIndex(
                name=str(name), table=table, concurrently=concurrently, **nm.origin_of(c.node, self.src)
            )
        ]

    def _addConstraint(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        found = js.value(c.args[-1]) if len(c.args) > 1 else None
        if not table or not isinstance(found, dict):
            return self._unread(c)
        fields = found.get("fields")
        columns = tuple(str(f) for f in fields if isinstance(f, str)) if isinstance(fields, list) else ()
        kind = str(found.get("type") or "").lower().replace(" ", "_")
        references = found.get("references")
        referenced = references.get("table") if isinstance(references, dict) else None
        name = (
            found.get("name") if isinstance(found.get("name"), str) else f"{table}_{'_'.join(columns)}_{kind}"
        )
        return [
            AddConstraint(
                table=table,
                name=str(name),
                constraint={"primary_key": "primary_key", "foreign_key": "foreign_key"}.get(kind, kind),
                columns=columns,
                references=referenced if isinstance(referenced, str) else None,
                on_delete=key_action(found.get("onDelete")),
                on_update=key_action(found.get("onUpdate")),
                **nm.origin_of(c.node, self.src),
            )
        ]

    def _removeConstraint(self, c: js.Call) -> list[Operation]:
        table, name = self._table(c), nm.name(c.args[1]) if len(c.args) > 1 else ""
        if not (table and name):
            return self._unread(c)
        return [DropConstraint(table=table, name=name, **nm.origin_of(c.node, self.src))]

    def _createTable(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        attributes = js.pairs(c.args[1]) if len(c.args) > 1 else {}
        if not table or not attributes:
            return self._unread(c)
        columns = tuple(self._column(name, node) for name, node in attributes.items())
        types = [
            e for name, node in attributes.items() if (e := self._enum(c, table, name, node)) is not None
        ]
        columns = tuple(_typed(spec, types, table) for spec in columns)
        return [*types, CreateTable(table=table, columns=columns, **nm.origin_of(c.node, self.src))]

    def _enum(self, c: js.Call, table: str, column: str, node: Node | None) -> CreateEnum | None:
        """`Sequelize.ENUM('a', 'b')` (or `{ type: Sequelize.ENUM, values: [...] }`) on PostgreSQL: the enum
        type `enum_<table>_<column>` Sequelize creates for the column before adding it."""
        attributes = js.pairs(node)
        type_node = attributes.get("type") if attributes else node
        if self.src.dialect != "postgres" or type_node is None:
            return None
        found = js.call(type_node)
        member = found.node.child_by_field_name("function") if found is not None else None
        if js.text_of(js.unwrap(member or type_node)).rsplit(".", 1)[-1] != "ENUM":
            return None
        if "values" in attributes:
            listed = js.value(attributes["values"])
        else:
            listed = [js.value(a) for a in found.args] if found is not None else []
        labels = tuple(v for v in listed if isinstance(v, str)) if isinstance(listed, list) else ()
        if not labels:
            return None
        return CreateEnum(name=f"enum_{table}_{column}", values=labels, **nm.origin_of(c.node, self.src))

    def _dropTable(self, c: js.Call) -> list[Operation]:
        """Sequelize's query generators write `DROP TABLE IF EXISTS` for `dropTable`, on every database."""
        table = self._table(c)
        if not table:
            return self._unread(c)
        return [DropTable(table=table, if_exists=True, **nm.origin_of(c.node, self.src))]

    def _dropAllTables(self, c: js.Call) -> list[Operation]:
        """Every table of the database: which ones is the schema's business, so the rules read the catalog."""
        return [RawSQL(category="drop-all-tables", **nm.origin_of(c.node, self.src))]

    def _renameTable(self, c: js.Call) -> list[Operation]:
        old, new = self._table(c), nm.name(c.args[1]) if len(c.args) > 1 else ""
        if not (old and new):
            return self._unread(c)
        return [RenameTable(table=old, new_name=new, **nm.origin_of(c.node, self.src))]

    def _bulkUpdate(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        if not table:
            return self._unread(c)
        where = nm.condition(c.args[2]) if len(c.args) > 2 else None
        return [nm.update(c.node, self.src, table, c.args[1] if len(c.args) > 1 else None, where)]

    def _bulkDelete(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        if not table:
            return self._unread(c)
        where = nm.condition(c.args[1]) if len(c.args) > 1 else None
        return [nm.delete(c.node, self.src, table, where)]

    def _bulkInsert(self, c: js.Call) -> list[Operation]:
        table = self._table(c)
        if not table:
            return self._unread(c)
        return [nm.insert(c.node, self.src, table, c.args[1] if len(c.args) > 1 else None)]


def _typed(spec: ColumnSpec, types: list[CreateEnum], table: str) -> ColumnSpec:
    """The column with the enum type Sequelize made for it, if it made one."""
    name = f"enum_{table}_{spec.name}"
    return replace(spec, type=name) if any(t.name == name for t in types) else spec
