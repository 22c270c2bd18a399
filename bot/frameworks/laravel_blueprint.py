"""Laravel Blueprint closures: `Schema::create('t', function (Blueprint $table) { … })` and `Schema::table`.

`Schema::create` becomes one CreateTable with its columns, and the indexes and foreign keys the closure
declares; `Schema::table` becomes one operation per `$table->…` statement, at the statement's own line:
column methods add a column (or redefine it with `->change()`), commands (`dropColumn`, `renameColumn`,
`index`, `foreign`, `dropForeign`, …) do what their SQL does. Index and key names follow Laravel's own
convention (`orders_user_id_foreign`), so a later `dropIndex(['x'])` names the index an earlier one made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from tree_sitter import Node

from bot.frameworks import php
from bot.frameworks.laravel_columns import COLUMN_METHODS, MODIFIERS, Declared, declared, key_action
from bot.frameworks.naming import key_table
from bot.frameworks.origin import Origin, origin
from bot.frameworks.syntax_tree import descendants
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
)

# Table options that change no column: no operation of their own.
_QUIET = frozenset({"engine", "charset", "collation", "comment", "temporary", "after"})
_INDEX_KINDS = {"index": "index", "unique": "unique", "fullText": "fulltext", "fulltext": "fulltext"}
_INDEX_KINDS |= {"spatialIndex": "spatialindex", "rawIndex": "index"}


def index_name(table: str, columns: tuple[str, ...], kind: str) -> str:
    """Laravel's name for an index or key: `orders_user_id_foreign`."""
    name = f"{table}_{'_'.join(columns)}_{kind}".lower()
    return name.replace("-", "_").replace(".", "_")


def closure(c: php.Call) -> tuple[Node | None, str]:
    """The body of the Blueprint closure given to `c`, and the name of its parameter (`table`): written in the
    call, or held in a variable assigned before it in the same function (`$add = fn (Blueprint $t) => …;
    Schema::table('books', $add);`)."""
    for arg in c.args[1:]:
        if arg.type == "variable_name":
            arg = _assigned_closure(c.node, php.text_of(arg)) or arg
        if arg.type not in ("anonymous_function", "arrow_function"):
            continue
        parameters = arg.child_by_field_name("parameters")
        first = parameters.named_children[0] if parameters is not None and parameters.named_children else None
        variable = first.child_by_field_name("name") if first is not None else None
        return arg.child_by_field_name("body"), php.text_of(variable).lstrip("$")
    return None, ""


def _unread(c: php.Call, path: str) -> list[Operation]:
    """A Blueprint given to `c` that `closure` cannot find (a closure built elsewhere, a method's answer): what
    it changes is a statement the review could not read, never nothing."""
    if len(c.args) < 2 or closure(c)[0] is not None:
        return []
    given = php.text_of(c.args[1])
    error = f"the Blueprint is given as `{given[:60]}`, built where the review cannot follow, so what it changes could not be read"
    return [Unparsed(error=error, **origin(path, c.line, c.end_line, php.text_of(c.node)))]


def _assigned_closure(node: Node, variable: str) -> Node | None:
    """The closure last assigned to `variable` before `node`, in the function that holds `node`."""
    scope = node.parent
    while scope is not None and scope.type not in ("method_declaration", "function_definition", "program"):
        scope = scope.parent
    found = None
    for assignment in descendants(scope, "assignment_expression") if scope is not None else ():
        if assignment.start_byte >= node.start_byte:
            break
        left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if left is not None and right is not None and php.text_of(left) == variable:
            found = right if right.type in ("anonymous_function", "arrow_function") else None
    return found


def blueprint_calls(body: Node | None, variable: str) -> Iterator[tuple[Node, list[php.Call] | None]]:
    """Each statement of the closure, with its call chain on the Blueprint (None for other code)."""
    if body is None:
        return
    expressions = [body] if body.type != "compound_statement" else list(php.statements(body))
    for expression in expressions:
        root, calls = php.chain(expression)
        mine = root is not None and root.type == "variable_name" and php.text_of(root).lstrip("$") == variable
        # PHP method names are case-insensitive: `$table->dateTime()` and `$table->datetime()` are one method
        canonical = [dataclasses.replace(c, name=CANONICAL.get(c.name.lower(), c.name)) for c in calls]
        yield expression, canonical if mine and calls else None


Code = Callable[[Node], list[Operation]]  # reads a statement that is not a Blueprint call (DB::table, …)


def create(c: php.Call, table: str, path: str, dialect: str, code: Code) -> list[Operation]:
    body, variable = closure(c)
    columns: list[ColumnSpec] = []
    extra: list[Operation] = []
    for expression, calls in blueprint_calls(body, variable):
        if calls is None:
            extra.extend(code(expression))
        elif calls[0].name in COLUMN_METHODS:
            base = _origin(expression, path)
            for column in declared(calls, dialect):
                columns.append(column.spec)
                extra.extend(_column_extras(table, column, base))
        elif calls[0].name not in _QUIET:
            extra.extend(_command(calls, table, _origin(expression, path)))
    table_op = CreateTable(
        table=table, columns=tuple(columns), **origin(path, c.line, c.end_line, php.text_of(c.node))
    )
    return [table_op, *extra, *_unread(c, path)]


def alter(
    c: php.Call, table: str, path: str, dialect: str, code: Code, *, drops_default: bool = False
) -> list[Operation]:
    """`Schema::table(…)`; with `drops_default` (Laravel 11+), a `->change()` without `->default()` drops the
    column's default, as Laravel then redefines the column with only the modifiers written."""
    body, variable = closure(c)
    ops: list[Operation] = _unread(c, path)
    for expression, calls in blueprint_calls(body, variable):
        base = _origin(expression, path)
        if calls is None:
            ops.extend(code(expression))
        elif calls[0].name in COLUMN_METHODS:
            for column in declared(calls, dialect):
                ops.extend(
                    _changed(table, column, base, drops_default=drops_default)
                    if column.change
                    else [AddColumn(table=table, column=column.spec, **base)]
                )
                ops.extend(_column_extras(table, column, base))
        elif calls[0].name not in _QUIET:
            ops.extend(_command(calls, table, base))
    return ops


def _changed(table: str, column: Declared, base: Origin, *, drops_default: bool = False) -> list[Operation]:
    """`->change()` redefines the whole column: its type, and NULL / NOT NULL as now declared (and, from
    Laravel 11 on, its default: one not repeated is gone)."""
    name = column.spec.name
    ops: list[Operation] = [AlterColumnType(table=table, column=name, new_type=column.spec.type, **base)]
    if column.spec.nullable:
        ops.append(DropNotNull(table=table, column=name, **base))
    else:
        ops.append(SetNotNull(table=table, column=name, restated=True, **base))
    if column.default_given:
        ops.append(
            SetDefault(
                table=table,
                column=name,
                default=column.spec.default,
                volatile=column.spec.volatile_default,
                **base,
            )
        )
    elif drops_default:
        ops.append(SetDefault(table=table, column=name, default=None, implied=True, **base))
    return ops


def _column_extras(table: str, column: Declared, base: Origin) -> list[Operation]:
    name = column.spec.name
    ops: list[Operation] = []
    # Blueprint's `addFluentIndexes` takes the first modifier in this order, whatever the order of the calls
    first = sorted(column.indexes, key=lambda each: ("primary", "unique", "index").index(each[0]))[:1]
    for kind, given in first:
        if kind in ("index", "unique"):
            ops.append(
                AddIndex(
                    table=table,
                    name=given or index_name(table, (name,), kind),
                    columns=(name,),
                    unique=kind == "unique",
                    concurrently=column.online,
                    **base,
                )
            )
        elif kind == "primary":
            ops.append(
                AddConstraint(
                    table=table,
                    name=index_name(table, (name,), "primary"),
                    constraint="primary_key",
                    columns=(name,),
                    **base,
                )
            )
    if column.together:
        ops.append(
            AddIndex(
                table=table, name=index_name(table, column.together, "index"), columns=column.together, **base
            )
        )
    if column.foreign:
        ops.append(
            _foreign_key(
                table, (name,), column.foreign, base, on_delete=column.on_delete, on_update=column.on_update
            )
        )
    return ops


def _foreign_key(
    table: str,
    columns: tuple[str, ...],
    target: str,
    base: Origin,
    name: str = "",
    *,
    on_delete: str = "",
    on_update: str = "",
) -> AddConstraint:
    return AddConstraint(
        table=table,
        name=name or index_name(table, columns, "foreign"),
        constraint="foreign_key",
        columns=columns,
        references=target,
        on_delete=on_delete,
        on_update=on_update,
        **base,
    )


def _command(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    handler = _COMMANDS.get(calls[0].name)
    if handler is None:
        return [RawSQL(category=f"Blueprint::{calls[0].name}", table=table, **base)]
    return handler(calls, table, base)


def _columns(c: php.Call) -> tuple[str, ...]:
    """The column names of `dropColumn('a', 'b')`, `dropColumn(['a', 'b'])`, `index(['a'])`."""
    found: list[str] = []
    for arg in c.args:
        found.extend(php.names(php.value(arg)))
    return tuple(found)


def _drop_columns(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    return [DropColumn(table=table, column=name, **base) for name in _columns(calls[0])]


def _drop_named(*columns: str) -> Callable[[list[php.Call], str, Origin], list[Operation]]:
    def handler(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
        given = _columns(calls[0])
        if columns == ("deleted_at",) and given:
            return [DropColumn(table=table, column=given[0], **base)]
        return [DropColumn(table=table, column=name, **base) for name in columns]

    return handler


def _drop_morphs(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    name = (_columns(calls[0]) or ("morphable",))[0]
    return [DropColumn(table=table, column=f"{name}_{part}", **base) for part in ("type", "id")]


def _rename_column(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    old, new = (php.value(calls[0].arg(i)) for i in (0, 1))
    return [RenameColumn(table=table, column=str(old), new_name=str(new), **base)]


def _index(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    c = calls[0]
    columns = php.names(php.value(c.arg(0, "columns")))
    given = php.value(c.arg(1, "name"))
    kind = _INDEX_KINDS.get(c.name, "index")
    name = given if isinstance(given, str) else index_name(table, columns, kind)
    online = any(modifier.name == "online" for modifier in calls[1:])
    return [
        AddIndex(
            table=table,
            name=name,
            columns=columns,
            unique=c.name == "unique",
            concurrently=online,
            method=_METHODS.get(c.name, ""),
            **base,
        )
    ]


# MySQL's kinds of index the Blueprint's methods make (FULLTEXT is built with writes waiting)
_METHODS = {"fullText": "fulltext", "fulltext": "fulltext", "spatialIndex": "spatial"}


def _primary(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    columns = php.names(php.value(calls[0].arg(0, "columns")))
    given = php.value(calls[0].arg(1, "name"))
    name = given if isinstance(given, str) else index_name(table, columns, "primary")
    return [AddConstraint(table=table, name=name, constraint="primary_key", columns=columns, **base)]


def _drop_index(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    c = calls[0]
    given = php.value(c.arg(0, "index"))
    kind = {"dropUnique": "unique", "dropFullText": "fulltext", "dropSpatialIndex": "spatialindex"}
    name = given if isinstance(given, str) else index_name(table, php.names(given), kind.get(c.name, "index"))
    return [DropIndex(name=name, table=table, **base)]


def _drop_key(kind: str) -> Callable[[list[php.Call], str, Origin], list[Operation]]:
    def handler(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
        given = php.value(calls[0].arg(0, "index"))
        if kind == "primary" and not isinstance(given, str):
            name = f"{table.rsplit('.', 1)[-1]}_pkey"  # the grammars drop the table's primary key, whatever its name
        else:
            name = given if isinstance(given, str) else index_name(table, php.names(given), kind)
        return [DropConstraint(table=table, name=name, **base)]

    return handler


def _drop_constrained(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    column = (_columns(calls[0]) or ("",))[0]
    return [
        DropConstraint(table=table, name=index_name(table, (column,), "foreign"), **base),
        DropColumn(table=table, column=column, **base),
    ]


def _foreign(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    columns = php.names(php.value(calls[0].arg(0, "columns")))
    given = php.value(calls[0].arg(1, "name"))
    target = ""
    actions: dict[str, str] = {}
    for modifier in calls[1:]:
        found = php.value(modifier.arg(0))
        if modifier.name == "on" and isinstance(found, str):
            target = found
        elif (action := key_action(modifier.name, found)) is not None:
            actions[action[0]] = action[1]
    name = given if isinstance(given, str) else ""
    target = target or key_table(columns[0] if columns else "")
    return [_foreign_key(table, columns, target, base, name, **actions)]


def _rename_table(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    return [RenameTable(table=table, new_name=str(php.value(calls[0].arg(0, "to"))), **base)]


def _drop_table(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    return [DropTable(table=table, if_exists=calls[0].name == "dropIfExists", **base)]


def _rename_index(calls: list[php.Call], table: str, base: Origin) -> list[Operation]:
    return [RawSQL(category="rename_index", table=table, **base)]


_Handler = Callable[[list[php.Call], str, Origin], list[Operation]]
_COMMANDS: dict[str, _Handler] = {
    "dropColumn": _drop_columns,
    "dropColumns": _drop_columns,
    "dropTimestamps": _drop_named("created_at", "updated_at"),
    "dropTimestampsTz": _drop_named("created_at", "updated_at"),
    "dropDatetimes": _drop_named("created_at", "updated_at"),
    "dropSoftDeletes": _drop_named("deleted_at"),
    "dropSoftDeletesTz": _drop_named("deleted_at"),
    "dropRememberToken": _drop_named("remember_token"),
    "dropMorphs": _drop_morphs,
    "renameColumn": _rename_column,
    "index": _index,
    "unique": _index,
    "fullText": _index,
    "fulltext": _index,
    "spatialIndex": _index,
    "rawIndex": _index,
    "primary": _primary,
    "dropIndex": _drop_index,
    "dropUnique": _drop_index,
    "dropFullText": _drop_index,
    "dropSpatialIndex": _drop_index,
    "dropPrimary": _drop_key("primary"),
    "dropForeign": _drop_key("foreign"),
    "dropConstrainedForeignId": _drop_constrained,
    "foreign": _foreign,
    "rename": _rename_table,
    "drop": _drop_table,
    "dropIfExists": _drop_table,
    "renameIndex": _rename_index,
}


def _origin(node: Node, path: str) -> Origin:
    return origin(path, php.line_of(node), node.end_point[0] + 1, php.text_of(node))


CANONICAL = {name.lower(): name for name in (*COLUMN_METHODS, *_COMMANDS, *MODIFIERS, *_QUIET)}
