"""Knex's table builder as operations: the statements inside `createTable`/`alterTable`/`table` callbacks.

`t.string('code', 40).notNullable().defaultTo('x')` declares a column (added, in `alterTable`), and with
`.alter()` changes an existing one: Knex then sets the type, the nullability and the default all at once.
`t.dropColumn`, `t.renameColumn`, `t.index`, `t.unique`, `t.foreign(…).references(…)`, `t.primary`,
`t.setNullable`/`t.dropNullable` and their `drop…` counterparts are read; other calls are Unparsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import node_migration as nm
from bot.frameworks.node_columns import KNEX_TYPES, key_action, knex_type
from bot.frameworks.node_migration import Source
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateEnum,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    Operation,
    RenameColumn,
    SetDefault,
    SetNotNull,
)
from bot.sql.names import calls_volatile

_IGNORED = frozenset({"comment", "engine", "charset", "collate", "inherits", "queryContext", "check"})


@dataclass
class Table:
    """What one builder callback does to `name`; `created`: inside `createTable`."""

    name: str
    created: bool
    src: Source
    columns: list[ColumnSpec] = field(default_factory=list)
    ops: list[Operation] = field(default_factory=list)
    types: list[Operation] = field(default_factory=list)  # the enum types `createTable` creates first

    def read(self, function: js.Function) -> None:
        builder = function.params[0] if function.params else "table"
        for statement in js.statements(function.body, self.src.dialect):
            start, calls = js.chain(statement)
            if not calls or js.text_of(start) != builder:
                if calls:
                    self.ops.extend(nm.awaited_code(statement, self.src))
                continue
            self._calls(calls, statement)

    def _calls(self, calls: list[js.Call], statement: Node) -> None:
        first, modifiers = calls[0], {c.name: c for c in calls[1:]}
        args = tuple(js.value(a) for a in first.args)
        at = nm.origin_of(statement, self.src)
        if first.name in KNEX_TYPES or first.name == "timestamps":
            self._column(first, args, modifiers, statement)
        elif first.name in ("dropColumn", "dropColumns"):
            for name in (a for a in args if isinstance(a, str)):
                self.ops.append(DropColumn(table=self.name, column=name, **at))
        elif first.name == "renameColumn" and len(args) == 2 and all(isinstance(a, str) for a in args):
            self.ops.append(RenameColumn(table=self.name, column=str(args[0]), new_name=str(args[1]), **at))
        elif first.name in ("index", "unique", "primary", "foreign"):
            self._key(first, calls, statement)
        elif first.name in ("dropIndex", "dropUnique", "dropForeign", "dropPrimary"):
            self._drop_key(first, statement)
        elif first.name in ("setNullable", "dropNullable") and args and isinstance(args[0], str):
            kind = SetNotNull if first.name == "dropNullable" else DropNotNull
            self.ops.append(kind(table=self.name, column=args[0], **at))
        elif first.name not in _IGNORED:
            self.ops.append(
                nm.unparsed(statement, self.src, f"`{first.name}` of the Knex table builder is not read")
            )

    def _column(
        self, first: js.Call, args: tuple[js.Value, ...], modifiers: dict[str, js.Call], node: Node
    ) -> None:
        if first.name == "timestamps":
            # `timestamps(useTimestamps, defaultToNow, useCamelCase)`: with defaultToNow both are NOT NULL
            # and default to the current time
            now = len(args) > 1 and args[1] is True
            camel = len(args) > 2 and args[2] is True
            for name in ("createdAt", "updatedAt") if camel else ("created_at", "updated_at"):
                spec = ColumnSpec(
                    name=name,
                    type=knex_type("timestamp", (), self.src.dialect),
                    nullable=not now,
                    default="CURRENT_TIMESTAMP" if now else None,
                )
                self._declare(spec, {}, node)
            return
        if not args and first.name in ("increments", "bigIncrements"):
            args = ("id",)  # Knex's default name for the key column
        if not args or not isinstance(args[0], str):
            self.ops.append(
                nm.unparsed(node, self.src, f"the column of `{first.name}` is computed at run time")
            )
            return
        default = modifiers.get("defaultTo")
        default_sql = _default(default) if default is not None else None
        native = self._native_enum(first.name, args[1:], node)
        spec = ColumnSpec(
            name=args[0],
            type=native or knex_type(first.name, args[1:], self.src.dialect),
            nullable="notNullable" not in modifiers
            and "primary" not in modifiers
            and first.name not in ("increments", "bigIncrements"),
            default=default_sql,
            volatile_default=calls_volatile(default_sql),
            primary_key="primary" in modifiers or first.name in ("increments", "bigIncrements"),
            unique="unique" in modifiers,
            references=_referenced(modifiers),
            on_delete=_action(modifiers, "onDelete"),
        )
        self._declare(spec, modifiers, node)

    def _native_enum(self, method: str, args: tuple[js.Value, ...], node: Node) -> str:
        """`t.enu('status', ['a', 'b'], { useNative: true, enumName: 'status' })` on PostgreSQL: a column of
        the enum type `status`, which Knex creates first unless `existingType: true` says it exists."""
        settings = args[1] if len(args) > 1 else None
        if method not in ("enu", "enum") or self.src.dialect != "postgres" or not isinstance(settings, dict):
            return ""
        name = settings.get("enumName")
        if settings.get("useNative") is not True or not isinstance(name, str) or not name:
            return ""
        values = args[0] if args else None
        labels = tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()
        if settings.get("existingType") is not True and labels:
            made = CreateEnum(name=name, values=labels, **nm.origin_of(node, self.src))
            (self.types if self.created else self.ops).append(made)
        return name

    def _declare(self, spec: ColumnSpec, modifiers: dict[str, js.Call], node: Node) -> None:
        at = nm.origin_of(node, self.src)
        if self.created:
            self.columns.append(spec)
        elif "alter" in modifiers:
            self.ops.append(AlterColumnType(table=self.name, column=spec.name, new_type=spec.type, **at))
            # what `.alter()` does not say, the column loses: NOT NULL without `.notNullable()`, the default
            # without `.defaultTo()`
            if spec.nullable:
                said = "nullable" in modifiers
                self.ops.append(DropNotNull(table=self.name, column=spec.name, implied=not said, **at))
            else:
                self.ops.append(SetNotNull(table=self.name, column=spec.name, **at))
            implied = spec.default is None and "defaultTo" not in modifiers
            self.ops.append(
                SetDefault(table=self.name, column=spec.name, default=spec.default, implied=implied, **at)
            )
        else:
            self.ops.append(AddColumn(table=self.name, column=spec, **at))
        if "index" in modifiers and not self.created:
            columns = (spec.name,)
            self.ops.append(
                AddIndex(table=self.name, name=f"{self.name}_{spec.name}_index", columns=columns, **at)
            )

    def _key(self, first: js.Call, calls: list[js.Call], node: Node) -> None:
        columns = nm.names(first.args[0]) if first.args else ()
        if not columns:
            self.ops.append(
                nm.unparsed(node, self.src, f"the columns of `{first.name}` are computed at run time")
            )
            return
        named = _index_name(first)
        at = nm.origin_of(node, self.src)
        suffix = {"index": "index", "unique": "unique", "primary": "pkey", "foreign": "foreign"}[first.name]
        name = named or f"{self.name}_{'_'.join(columns)}_{suffix}"
        if first.name == "index":
            self.ops.append(AddIndex(table=self.name, name=name, columns=columns, **at))
        elif first.name == "foreign":
            modifiers = {c.name: c for c in calls[1:]}
            self.ops.append(
                AddConstraint(
                    table=self.name,
                    name=name,
                    constraint="foreign_key",
                    columns=columns,
                    references=_referenced(modifiers),
                    on_delete=_action(modifiers, "onDelete"),
                    on_update=_action(modifiers, "onUpdate"),
                    **at,
                )
            )
        else:
            kind = "unique" if first.name == "unique" else "primary_key"
            self.ops.append(AddConstraint(table=self.name, name=name, constraint=kind, columns=columns, **at))

    def _drop_key(self, first: js.Call, node: Node) -> None:
        columns = nm.names(first.args[0]) if first.args else ()
        named = nm.name(first.args[1]) if len(first.args) > 1 else ""
        suffix = {
            "dropIndex": "index",
            "dropUnique": "unique",
            "dropForeign": "foreign",
            "dropPrimary": "pkey",
        }
        name = named or f"{self.name}_{'_'.join(columns)}_{suffix[first.name]}"
        at = nm.origin_of(node, self.src)
        if first.name == "dropIndex":
            self.ops.append(DropIndex(name=name, table=self.name, **at))
        else:
            self.ops.append(DropConstraint(table=self.name, name=name, **at))


def _default(call: js.Call) -> str | None:
    if not call.args:
        return None
    inner = js.call(call.args[0])
    if inner is not None and inner.name == "raw" and inner.args:
        found = js.value(inner.args[0])
        return found if isinstance(found, str) else js.text_of(inner.args[0])
    if (inner is not None and inner.name == "fn") or js.text_of(call.args[0]).endswith(".fn.now()"):
        return "now()"
    return nm.literal(js.value(call.args[0]))


def _referenced(modifiers: dict[str, js.Call]) -> str | None:
    """`.references('id').inTable('users')` or `.references('users.id')`: the referenced table."""
    table = modifiers.get("inTable")
    if table is not None and table.args:
        return nm.name(table.args[0]) or None
    reference = modifiers.get("references")
    target = nm.name(reference.args[0]) if reference is not None and reference.args else ""
    return target.rsplit(".", 1)[0] if "." in target else None


def _action(modifiers: dict[str, js.Call], method: str) -> str:
    """`.onDelete('CASCADE')` → `cascade`: the key's action, "" when the chain does not set it."""
    call = modifiers.get(method)
    return key_action(js.value(call.args[0])) if call is not None and call.args else ""


def _index_name(first: js.Call) -> str:
    if len(first.args) < 2:
        return ""
    second = js.value(first.args[1])
    if isinstance(second, str):
        return second
    if isinstance(second, dict):
        found = second.get("indexName") or second.get("keyName")
        return found if isinstance(found, str) else ""
    return ""
