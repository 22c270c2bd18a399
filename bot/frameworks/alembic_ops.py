"""Alembic's `op.*` directives (and `batch_op.*` inside `batch_alter_table`) as operations."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Collection
from functools import lru_cache

from bot.frameworks import python_source as py
from bot.frameworks import seed_rows
from bot.frameworks.column_types import sqlalchemy_type
from bot.frameworks.origin import Origin
from bot.frameworks.sqlfile import parse_sql
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    CreateTable,
    DataInsert,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from bot.sql.names import calls_volatile


@lru_cache(maxsize=16)
def _constants(text: str) -> dict[str, ast.expr]:
    """The module-level constants of a revision's text, parsed once for its upgrade and its downgrade
    (never handed out: each reader takes copies)."""
    try:
        return py.constants(ast.parse(text))
    except SyntaxError:
        return {}


def _rewritten(node: ast.expr, names: Collection[str]) -> bool:
    """Would inlining the constants `names` and folding f-strings change the expression?"""
    return any(
        isinstance(n, ast.JoinedStr)
        or (isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load))
        for n in ast.walk(node)
    )


class Directives:
    """Reads `op.add_column(…)`; inside `batch_alter_table("t")` the table is given and omitted from calls."""

    def __init__(self, text: str, path: str, dialect: str, module: dict[str, ast.expr] | None = None) -> None:
        """`module`: the revision's module-level constants when the caller has read them (`python_source.
        constants`), else read from `text` here."""
        self.text, self.path, self.dialect = text, path, dialect
        self.module = module if module is not None else _constants(text)
        # the module-level constants this reader placed in calls: its own copies, changed there
        self.constants: dict[str, ast.expr] = {}
        # names the function being read binds to a string before this call (`sql = """UPDATE …"""`)
        self.locals: dict[str, ast.expr] = {}
        # names it binds to an enum type (`status = postgresql.ENUM("a", "b", name="status")`), for `type_=status`
        self.enum_types: dict[str, ast.expr] = {}

    def read(self, call: ast.Call, table: str = "") -> list[Operation] | None:
        handler = _HANDLERS.get(py.name(call))
        if handler is None:
            return None
        return handler(self, self._with_constants(call), table)

    def _constant(self, name: str) -> ast.expr | None:
        """The expression bound to `name`: a local string, else a module-level constant (copied once)."""
        if name in self.locals:
            return self.locals[name]
        if name in self.enum_types:
            return self.enum_types[name]
        if name not in self.constants:
            found = self.module.get(name)
            if found is None:
                return None
            self.constants[name] = copy.deepcopy(found)
        return self.constants[name]

    def _with_constants(self, call: ast.Call) -> ast.Call:
        """The call with the revision's module-level constants in place of their names
        (`op.create_index(INDEX_NAME, …)`)."""
        names = self.module.keys() | self.locals.keys() | self.enum_types.keys()
        if not names:
            return call
        if not any(_rewritten(a, names) for a in (*call.args, *(k.value for k in call.keywords))):
            return call  # no name to replace, no f-string to fold: the copies would be the same nodes
        constant = self._constant

        class _Inline(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.expr:
                found = constant(node.id) if isinstance(node.ctx, ast.Load) else None
                return ast.copy_location(found, node) if found is not None else node

        arguments = [py.folded(_Inline().visit(copy.deepcopy(a))) for a in call.args]
        keywords = [
            ast.keyword(k.arg, py.folded(_Inline().visit(copy.deepcopy(k.value)))) for k in call.keywords
        ]
        inlined = ast.Call(func=call.func, args=arguments, keywords=keywords)
        return ast.copy_location(inlined, call)

    def base(self, node: ast.AST) -> Origin:
        assert isinstance(node, ast.expr | ast.stmt)
        return {
            "location": Location(self.path, node.lineno),
            "end_line": node.end_lineno or node.lineno,
            "sql": py.segment(self.text, node),
        }

    def column(self, node: ast.expr) -> ColumnSpec | None:
        """`sa.Column("name", sa.String(50), nullable=False, server_default="x")`."""
        if not isinstance(node, ast.Call) or py.name(node) != "Column":
            return None
        name = py.text_argument(node, 0, "name")
        type_node = next(
            (
                a
                for a in node.args
                if isinstance(a, ast.Call | ast.Attribute | ast.Name)
                and py.name(a) not in ("ForeignKey", "Identity", "Computed")
            ),
            None,
        )
        kwargs = {k: py.literal(v) for k, v in py.keywords(node).items()}
        default = _server_default(py.keywords(node).get("server_default"), self.text)
        primary = kwargs.get("primary_key") is True
        key = next((_foreign_key_target(a) for a in node.args if py.name(a) == "ForeignKey"), None)
        return ColumnSpec(
            name=name,
            type=self.type_of(type_node),
            nullable=kwargs.get("nullable", not primary) is not False,
            default=default,
            volatile_default=calls_volatile(default),
            primary_key=primary,
            unique=kwargs.get("unique") is True,
            identity=any(py.name(a) == "Identity" for a in node.args),
            generated=any(py.name(a) == "Computed" for a in node.args),
            references=key[0] if key else None,
            on_delete=key[2] if key else "",
        )

    def constraint(self, node: ast.expr, table: str) -> AddConstraint | None:
        """`sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE")`,
        `sa.PrimaryKeyConstraint("id")`, `sa.UniqueConstraint("email", name=…)` and `sa.CheckConstraint("…")`
        in a `create_table`."""
        if not isinstance(node, ast.Call):
            return None
        kind = _KEYS.get(py.name(node))
        if kind is not None:
            names = [py.literal(a) for a in node.args]
            name = py.text_argument(node, len(node.args) + 1, "name")  # `op.f("…")` is its text
            if kind == "check":
                expression = _sql_text(node.args[0] if node.args else py.keywords(node).get("sqltext"))
                if not expression:
                    return None
                return AddConstraint(
                    table=table, name=name, constraint=kind, expression_sql=expression, **self.base(node)
                )
            if not names or not all(isinstance(n, str) for n in names):
                return None
            keyed = tuple(str(n) for n in names)
            return AddConstraint(table=table, name=name, constraint=kind, columns=keyed, **self.base(node))
        if py.name(node) != "ForeignKeyConstraint":
            return None
        columns, targets = (
            py.literal(py.argument(node, 0, "columns")),
            py.literal(py.argument(node, 1, "refcolumns")),
        )
        if not isinstance(columns, list | tuple) or not isinstance(targets, list | tuple) or not targets:
            return None
        referenced = [str(t).rsplit(".", 1) for t in targets]
        if any(len(parts) != 2 for parts in referenced):
            return None
        options = py.keywords(node)
        return AddConstraint(
            table=table,
            name=py.text_argument(node, len(node.args) + 1, "name"),
            constraint="foreign_key",
            columns=tuple(str(c) for c in columns),
            references=referenced[0][0],
            referenced_columns=tuple(parts[1] for parts in referenced),
            on_delete=str(py.literal(options.get("ondelete")) or "").lower(),
            on_update=str(py.literal(options.get("onupdate")) or "").lower(),
            **self.base(node),
        )

    def type_of(self, node: ast.expr | None) -> str:
        if node is None:
            return ""
        native = self.native_enum(node)
        if native is not None:
            return native.name
        labels = _mysql_enum(node, self.dialect)
        if labels:  # MySQL keeps the labels in the column's own ENUM type
            return "enum(" + ",".join("'" + label.replace("'", "''") + "'" for label in labels) + ")"
        if isinstance(node, ast.Call):
            args = tuple(py.literal(a) for a in node.args)
            options = {k: py.literal(v) for k, v in py.keywords(node).items()}
            return sqlalchemy_type(py.name(node), args, options)
        return sqlalchemy_type(py.name(node), (), {})

    def native_enum(self, node: ast.expr | None) -> CreateEnum | None:
        """`sa.Enum("a", "b", name="status")` (or `postgresql.ENUM`) on PostgreSQL: the enum type its column
        has, which `create_table` creates first unless `create_type=False`; None for another type, or for
        one stored as a string (`native_enum=False`)."""
        if (
            not isinstance(node, ast.Call)
            or py.name(node) not in ("Enum", "ENUM")
            or self.dialect != "postgres"
        ):
            return None
        options = {k: py.literal(v) for k, v in py.keywords(node).items()}
        name = options.get("name")
        if not isinstance(name, str) or not name or options.get("native_enum") is False:
            return None
        labels = tuple(v for a in node.args if isinstance(v := py.literal(a), str))
        return CreateEnum(name=name, values=labels, **self.base(node))


def _mysql_enum(node: ast.expr, dialect: str) -> list[str]:
    """The labels of `sa.Enum("a", "b", …)` on MySQL or MariaDB; none for another type or database."""
    if (
        not isinstance(node, ast.Call)
        or py.name(node) not in ("Enum", "ENUM")
        or dialect not in ("mysql", "mariadb")
    ):
        return []
    if py.literal(py.keywords(node).get("native_enum")) is False:
        return []
    return [v for a in node.args if isinstance(v := py.literal(a), str)]


def _foreign_key_target(node: ast.expr) -> tuple[str, str, str] | None:
    """`sa.ForeignKey("users.id", ondelete="CASCADE")` → ("users", "id", "cascade"); None for a target
    that is no "table.column" text (`ForeignKey(User.id)`)."""
    if not isinstance(node, ast.Call):
        return None
    target = py.literal(py.argument(node, 0, "column"))
    if not isinstance(target, str) or "." not in target:
        return None
    table, column = target.rsplit(".", 1)
    return table, column, str(py.literal(py.keywords(node).get("ondelete")) or "").lower()


def _server_default(node: ast.expr | None, text: str) -> str | None:
    if node is None:
        return None
    value = py.literal(node)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    inner = node.args[0] if isinstance(node, ast.Call) and node.args else None
    if inner is not None and isinstance(py.literal(inner), str):
        return str(py.literal(inner))  # sa.text("now()")
    called = py.name(node.func).rsplit(".", 1)[-1] if isinstance(node, ast.Call) and not node.args else ""
    if called in ("true", "false"):
        return called  # `sa.false()`, `sa.sql.expression.true()`: SQLAlchemy's boolean constants
    return py.segment(text, node) or None


def _table(
    d: Directives,
    call: ast.Call,
    table: str,
    index: int = 0,
    keyword: str = "table_name",
    schema: str = "schema",
) -> tuple[str, int]:
    """The table (in the call's `schema=`, when it names one) and the index of the next positional argument."""
    if table:
        return table, index
    return in_schema(call, py.text_argument(call, index, keyword), schema), index + 1


def in_schema(call: ast.Call, table: str, keyword: str = "schema") -> str:
    """`op.add_column("sessions", …, schema="events")` → `events.sessions`: the table as SQL would name it."""
    schema = py.literal(py.keywords(call).get(keyword))
    if isinstance(schema, str) and schema and table and "." not in table:
        return f"{schema}.{table}"
    return table


def _add_column(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    table, i = _table(d, call, table)
    spec = d.column(py.argument(call, i, "column") or ast.Constant(None))
    if spec is None:
        return [Unparsed(error="the column is built at run time", **d.base(call))]
    guarded = py.literal(py.keywords(call).get("if_not_exists")) is True
    return [
        AddColumn(
            table=table, column=spec, if_not_exists=guarded, enum_type=_enum_of(d, call, i), **d.base(call)
        )
    ]


def _enum_of(d: Directives, call: ast.Call, i: int) -> str:
    """The enum type of the `sa.Column` an add_column adds: SQLAlchemy creates it for `create_table`, not here."""
    column = py.argument(call, i, "column")
    if not isinstance(column, ast.Call):
        return ""
    found = next((d.native_enum(a) for a in column.args if d.native_enum(a) is not None), None)
    return found.name if found is not None else ""


def _drop_column(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    table, i = _table(d, call, table)
    guarded = py.literal(py.keywords(call).get("if_exists")) is True
    return [
        DropColumn(
            table=table, column=py.text_argument(call, i, "column_name"), if_exists=guarded, **d.base(call)
        )
    ]


def _alter_column(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    table, i = _table(d, call, table)
    column = py.text_argument(call, i, "column_name")
    kwargs = py.keywords(call)
    base = d.base(call)
    ops: list[Operation] = []
    if "type_" in kwargs:
        ops.append(
            AlterColumnType(
                table=table,
                column=column,
                new_type=d.type_of(kwargs["type_"]),
                using=str(py.literal(kwargs.get("postgresql_using")) or "") or None,
                old_type=d.type_of(kwargs["existing_type"]) if "existing_type" in kwargs else "",
                enum_type=native.name if (native := d.native_enum(kwargs["type_"])) is not None else "",
                **base,
            )
        )
    if "nullable" in kwargs:
        kind = SetNotNull if py.literal(kwargs["nullable"]) is False else DropNotNull
        ops.append(kind(table=table, column=column, **base))
    if "server_default" in kwargs:
        default = _server_default(kwargs["server_default"], d.text)
        default = None if default in ("None", None) else default
        ops.append(
            SetDefault(
                table=table,
                column=column,
                default=default,
                volatile=calls_volatile(default),
                **base,
            )
        )
    if "new_column_name" in kwargs:
        ops.append(
            RenameColumn(
                table=table, column=column, new_name=str(py.literal(kwargs["new_column_name"])), **base
            )
        )
    return ops


_KEYS = {"PrimaryKeyConstraint": "primary_key", "UniqueConstraint": "unique", "CheckConstraint": "check"}


def _create_table(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = in_schema(call, py.text_argument(call, 0, "table_name"))
    columns = tuple(spec for a in call.args[1:] if (spec := d.column(a)) is not None)
    keys = tuple(key for a in call.args[1:] if (key := d.constraint(a, name)) is not None)
    return [
        *_enum_types(d, call),
        CreateTable(
            table=name,
            columns=columns,
            constraints=keys,
            if_not_exists=py.literal(py.keywords(call).get("if_not_exists")) is True,
            **d.base(call),
        ),
    ]


def _enum_types(d: Directives, call: ast.Call) -> list[Operation]:
    """The enum types a `create_table` creates before the table (SQLAlchemy's create event, once each)."""
    found: dict[str, Operation] = {}
    for column in call.args[1:]:
        if not isinstance(column, ast.Call) or py.name(column) != "Column":
            continue
        for node in column.args:
            made = d.native_enum(node)
            if made is None or not made.values or not isinstance(node, ast.Call):
                continue
            if py.literal(py.keywords(node).get("create_type")) is not False:
                found.setdefault(made.name, made)
    return list(found.values())


def _drop_table(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    return [DropTable(table=in_schema(call, py.text_argument(call, 0, "table_name")), **d.base(call))]


def _rename_table(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    return [
        RenameTable(
            table=in_schema(call, py.text_argument(call, 0, "old_table_name")),
            new_name=py.text_argument(call, 1, "new_table_name"),
            **d.base(call),
        )
    ]


def _create_index(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = py.text_argument(call, 0, "index_name")
    table, i = _table(d, call, table, 1)
    columns = _index_columns(py.argument(call, i, "columns"))
    kwargs = {k: py.literal(v) for k, v in py.keywords(call).items()}
    where = _sql_text(py.keywords(call).get("postgresql_where"))
    return [
        AddIndex(
            table=table,
            name=name,
            columns=columns,
            where=where,
            unique=kwargs.get("unique") is True,
            concurrently=kwargs.get("postgresql_concurrently") is True,
            if_not_exists=kwargs.get("if_not_exists") is True,
            **d.base(call),
        )
    ]


def _index_columns(node: ast.expr | None) -> tuple[str, ...]:
    """`["email", sa.literal_column("lower(name)")]` → `("email", "lower(name)")`: names and the SQL of
    expressions."""
    if not isinstance(node, ast.List | ast.Tuple):
        value = py.literal(node)
        return (value,) if isinstance(value, str) else ()
    found = []
    for element in node.elts:
        value = py.literal(element)
        text = value if isinstance(value, str) else _sql_text(element)
        if text:
            found.append(text)
    return tuple(found)


def _sql_text(node: ast.expr | None) -> str:
    """The SQL of `sa.text("…")`, `sa.literal_column("…")` or a plain string; "" for anything else."""
    if isinstance(node, ast.Call) and py.name(node) in ("text", "literal_column") and node.args:
        value = py.literal(node.args[0])
        return value if isinstance(value, str) else ""
    value = py.literal(node)
    return value if isinstance(value, str) else ""


def _drop_index(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    kwargs = {k: py.literal(v) for k, v in py.keywords(call).items()}
    return [
        DropIndex(
            name=py.text_argument(call, 0, "index_name"),
            table=table or in_schema(call, str(kwargs.get("table_name") or "")),
            concurrently=kwargs.get("postgresql_concurrently") is True,
            if_exists=kwargs.get("if_exists") is True,
            **d.base(call),
        )
    ]


def _foreign_key(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = py.text_argument(call, 0, "constraint_name")
    source, i = _table(d, call, table, 1, "source_table", "source_schema")
    columns = py.literal(py.argument(call, i + 1, "local_cols"))
    remote = py.literal(py.argument(call, i + 2, "remote_cols"))
    options = py.keywords(call)
    return [
        AddConstraint(
            table=source,
            name=name,
            constraint="foreign_key",
            references=in_schema(call, py.text_argument(call, i, "referent_table"), "referent_schema"),
            columns=tuple(columns) if isinstance(columns, list | tuple) else (),
            referenced_columns=tuple(str(c) for c in remote) if isinstance(remote, list | tuple) else (),
            on_delete=str(py.literal(options.get("ondelete")) or "").lower(),
            not_valid=py.literal(py.keywords(call).get("postgresql_not_valid")) is True,
            **d.base(call),
        )
    ]


def _unique(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = py.text_argument(call, 0, "constraint_name")
    table, i = _table(d, call, table, 1)
    columns = py.literal(py.argument(call, i, "columns"))
    kind = "primary_key" if py.name(call) == "create_primary_key" else "unique"
    return [
        AddConstraint(
            table=table,
            name=name,
            constraint=kind,
            columns=tuple(columns) if isinstance(columns, list | tuple) else (),
            **d.base(call),
        )
    ]


def _check(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = py.text_argument(call, 0, "constraint_name")
    table, i = _table(d, call, table, 1)
    condition = py.literal(py.argument(call, i, "condition"))
    return [
        AddConstraint(
            table=table,
            name=name,
            constraint="check",
            expression_sql=condition if isinstance(condition, str) else "",
            not_valid=py.literal(py.keywords(call).get("postgresql_not_valid")) is True,
            **d.base(call),
        )
    ]


def _drop_constraint(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    name = py.text_argument(call, 0, "constraint_name")
    table, _ = _table(d, call, table, 1)
    return [DropConstraint(table=table, name=name, **d.base(call))]


def _execute(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    strings = py.sql_strings(call.args[0] if call.args else None)
    if strings is None:
        return [Unparsed(error="the SQL is built at run time, so it could not be read", **d.base(call))]
    ops: list[Operation] = []
    for sql in strings:
        ops.extend(parse_sql(d.path, sql.text, d.dialect, first_line=sql.line))
    return ops


def _bulk_insert(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    """`op.bulk_insert(sa.table("plans", …), [{"id": 1, "code": "free"}, …])`; the table may be a name
    bound to `sa.table(…)` earlier in the revision."""
    target = call.args[0] if call.args else None
    if isinstance(target, ast.Name):
        target = _bound_table(d.text, target.id)
    name = in_schema(target, py.text_argument(target, 0, "name")) if isinstance(target, ast.Call) else ""
    listed = py.argument(call, 1, "rows")
    records = [
        [
            (str(k.value), _row_value(v))
            for k, v in zip(item.keys, item.values, strict=True)
            if isinstance(k, ast.Constant)
        ]
        for item in (listed.elts if isinstance(listed, ast.List | ast.Tuple) else [])
        if isinstance(item, ast.Dict)
    ]
    columns, rows = seed_rows.values_rows(records)
    return [DataInsert(table=name, columns=columns, rows=rows, **d.base(call))]


def _bound_table(text: str, variable: str) -> ast.Call | None:
    """The `sa.table(…)` call a name is bound to in the revision, or the `op.create_table(…)` whose table it
    holds (`accounts = op.create_table("accounts", …)` then `op.bulk_insert(accounts, […])`)."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets)
            and isinstance(node.value, ast.Call)
            and py.name(node.value) in ("table", "Table", "create_table")
        ):
            return node.value
    return None


def _row_value(node: ast.expr) -> str:
    value = py.literal(node)
    literal = None if isinstance(value, py.Code) else seed_rows.sql_literal(value)
    return literal if literal is not None else ast.unparse(node)


def _nothing(d: Directives, call: ast.Call, table: str) -> list[Operation]:
    return []


_HANDLERS: dict[str, Callable[[Directives, ast.Call, str], list[Operation]]] = {
    "add_column": _add_column,
    "drop_column": _drop_column,
    "alter_column": _alter_column,
    "create_table": _create_table,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "create_foreign_key": _foreign_key,
    "create_unique_constraint": _unique,
    "create_primary_key": _unique,
    "create_check_constraint": _check,
    "drop_constraint": _drop_constraint,
    "execute": _execute,
    "bulk_insert": _bulk_insert,
    "create_table_comment": _nothing,
    "drop_table_comment": _nothing,
    "get_bind": _nothing,
}
