"""Migration helper libraries, their helpers read as the Rails statements they send.

The online_migrations gem:

An application with `gem "online_migrations"` in its Gemfile (or the gem in its Gemfile.lock) writes
`add_not_null_constraint :users, :email` and gets `add_check_constraint :users, "email IS NOT NULL", validate:
false` then `validate_check_constraint`; `add_reference_concurrently :projects, :user` gets the column, an index
built concurrently and, with `foreign_key: true`, a key added NOT VALID and validated apart;
`update_column_in_batches` and the `…_in_background` backfills are batched updates; `initialize_column_rename`
renames the table and leaves a view of the old name with both column names, which `finalize_column_rename`
drops before renaming the column. Each helper is read as those statements, and reversed under `change` as the
gem reverses it. The gem's own `add_column`, `add_index` and `remove_index` skip what is already done (and
rebuild an invalid index), so a retry after a partial failure goes through. The helpers whose statements depend on the database at run time (type changes, background
schema migrations) are listed as statements the review could not read, never taken for nothing.

GitLab's migration helpers, and the copies applications keep of them (`include Mastodon::MigrationHelpers`):
`add_concurrent_index` builds the index concurrently, `add_concurrent_foreign_key` adds the key NOT VALID (with
`ON DELETE CASCADE` unless told otherwise) and validates it, `add_column_with_default` adds the column, sets the
default, backfills it in batches and then sets NOT NULL (unless `allow_null: true`), and
`cleanup_concurrent_column_rename` drops the old column. They are read where the migration includes a
`…::MigrationHelpers` module (or is a `Gitlab::Database::Migration`) and the online_migrations gem is not used.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import ruby
from bot.frameworks.rails_common import plural
from bot.frameworks.rails_schema import check_name
from bot.model.changeset import Tree
from bot.model.migration import AddColumn, AddIndex, DropConstraint, DropIndex, Operation
from bot.sql.names import scalar_sql

GEM = "online_migrations"
GITLAB = "gitlab"
_INCLUDED = re.compile(r"^\s*include\s+(?:\w+::)*MigrationHelpers\b|<\s*Gitlab::Database::Migration\b", re.M)
_GEMFILE = re.compile(r"""^\s*gem\s*\(?\s*["']online_migrations["']""", re.M)
_LOCKED = re.compile(r"^\s{4}online_migrations \(", re.M)
# options the helpers take for their batches, which no statement carries
_BATCH_OPTIONS = frozenset(("batch_size", "batch_column_name", "progress", "pause_ms", "sub_batch_size"))


@dataclass(frozen=True)
class Translation:
    """What a helper call sends, as Rails statements (Ruby source), and what `change` runs to undo it:
    `back` None reverses each statement as Rails would; "" makes the migration irreversible."""

    up: str
    back: str | None = None
    batched: bool = False  # its updates run in batches (outside any transaction)
    unread: str = ""  # the helper sends statements the review does not read: why


# The tree asked about last and the answer (a history replay asks once per migration of the same tree)
_last: list[tuple[Tree, bool]] = []


def used(tree: Tree) -> bool:
    """Is the gem in the application's Gemfile or Gemfile.lock?"""
    if _last and _last[0][0] is tree:
        return _last[0][1]
    gemfile, lock = tree.read("Gemfile") or "", tree.read("Gemfile.lock") or ""
    answer = _GEMFILE.search(gemfile) is not None or _LOCKED.search(lock) is not None
    _last[:] = [(tree, answer)]
    return answer


def style(tree: Tree, text: str) -> str:
    """Whose helpers the migration `text` calls: the gem's (`GEM`), GitLab's (`GITLAB`), or none ("")."""
    if used(tree):
        return GEM
    return GITLAB if _INCLUDED.search(text) else ""


def idempotent(ops: list[Operation]) -> list[Operation]:
    """Rails statements as the gem runs them: its `add_column` skips a column that exists, its `add_index` an
    index that exists and is valid, rebuilding an invalid one (dropped first), its `remove_index`,
    `remove_foreign_key` and `remove_check_constraint` one that is gone. A retry of the migration after a
    partial failure goes through."""
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, AddColumn):
            out.append(dataclasses.replace(op, if_not_exists=True))
        elif isinstance(op, AddIndex) and op.name and op.concurrently:  # only a concurrent build leaves one
            out.append(
                DropIndex(
                    name=op.name,
                    table=op.table,
                    concurrently=op.concurrently,
                    if_exists=True,
                    location=op.location,
                    end_line=op.end_line,
                    sql=op.sql,
                )
            )
            out.append(dataclasses.replace(op, if_not_exists=True))
        elif isinstance(op, AddIndex):
            out.append(dataclasses.replace(op, if_not_exists=True))
        elif isinstance(op, DropIndex | DropConstraint):
            out.append(dataclasses.replace(op, if_exists=True))
        else:
            out.append(op)
    return out


def translate(c: ruby.Call, helpers: str = GEM) -> Translation | None:
    """The statements of a helper of the library; None for a call that is no helper of it."""
    if c.receiver is not None or not helpers:
        return None
    if helpers == GITLAB:
        found = _GITLAB.get(c.name)
        return found(c) if found is not None else None
    handler = _HELPERS.get(c.name)
    if handler is not None:
        return handler(c)
    if c.name in _UNREAD:
        return Translation("", unread=f"online_migrations' `{c.name}`: {_UNREAD[c.name]}")
    return None


def _arg(c: ruby.Call, index: int) -> str:
    return ruby.text_of(c.args[index]) if len(c.args) > index else "nil"


def _name(c: ruby.Call, index: int) -> str:
    """A table or column argument as a plain name (`:users`, `"users"`)."""
    found = ruby.value(c.args[index]) if len(c.args) > index else None
    return found if isinstance(found, str) else ""


def _options(c: ruby.Call, *left_out: str) -> str:
    """The call's options as Ruby source (`, null: false, limit: 64`), without those named or the batches'."""
    kept = [
        f"{key}: {ruby.text_of(node)}"
        for key, node in c.options.items()
        if key not in left_out and key not in _BATCH_OPTIONS
    ]
    return "".join(f", {option}" for option in kept)


def _sql_value(node: Node | None) -> str | None:
    """A value given to a backfill as SQL (`false`, `"active"`, `Arel.sql("name")`); None when computed."""
    if node is None:
        return None
    found = ruby.value(node)
    scalar = scalar_sql(found)
    if scalar is not None:
        return scalar
    inner = ruby.call(node)
    if inner is not None and inner.name == "sql" and inner.args:
        text = ruby.value(inner.args[0])
        return text if isinstance(text, str) else None
    return None


def _execute(sql: str) -> str:
    return "execute " + '"' + sql.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _volatile(node: Node | None) -> bool:
    """A default computed at each insert (`-> { "now()" }`): the gem adds the column without it and backfills."""
    return node is not None and ruby.text_of(node).lstrip().startswith(("->", "lambda", "proc"))


def _add_column_with_default(c: ruby.Call) -> Translation:
    table, column = _arg(c, 0), _arg(c, 1)
    back = f"remove_column {table}, {column}"
    default = c.options.get("default")
    if not _volatile(default):
        return Translation(f"add_column {table}, {column}, {_arg(c, 2)}{_options(c)}", back)
    assert default is not None
    expression = re.sub(r"^\s*(?:->|lambda|proc)\s*\{\s*|\s*\}\s*$", "", ruby.text_of(default))
    lines = [
        f"add_column {table}, {column}, {_arg(c, 2)}{_options(c, 'default', 'null')}, null: true",
        f"change_column_default {table}, {column}, -> {{ {expression} }}",
    ]
    value = ruby.value(ruby.parse(expression).named_children[0]) if expression else None
    if isinstance(value, str):
        lines.append(_execute(f"UPDATE {_name(c, 0)} SET {_name(c, 1)} = {value}"))
    if c.option("null") is False:
        name = check_name(_name(c, 0), f"{_name(c, 1)}_not_null")
        lines += [
            f'add_check_constraint {table}, "{_name(c, 1)} IS NOT NULL", name: "{name}", validate: false',
            f'validate_check_constraint {table}, name: "{name}"',
            f"change_column_null {table}, {column}, false",
            f'remove_check_constraint {table}, name: "{name}"',
        ]
    return Translation("\n".join(lines), back, batched=True)


def _constraint(
    suffix: str, expression: Callable[[ruby.Call], str], validated: bool = True
) -> Callable[..., Translation]:
    """`add_not_null_constraint` and `add_text_limit_constraint`: a CHECK added NOT VALID, then validated."""

    def read(c: ruby.Call) -> Translation:
        table = _arg(c, 0)
        given = c.option("name")
        name = given if isinstance(given, str) else check_name(_name(c, 0), f"{_name(c, 1)}_{suffix}")
        lines = [f'add_check_constraint {table}, "{expression(c)}", name: "{name}", validate: false']
        if validated and c.option("validate") is not False:
            lines.append(f'validate_check_constraint {table}, name: "{name}"')
        return Translation("\n".join(lines), f'remove_check_constraint {table}, name: "{name}"')

    return read


def _named_check(suffix: str, verb: str) -> Callable[[ruby.Call], Translation]:
    """`validate_…` and `remove_…` of the gem's CHECK constraints, by their name."""

    def read(c: ruby.Call) -> Translation:
        given = c.option("name")
        name = given if isinstance(given, str) else check_name(_name(c, 0), f"{_name(c, 1)}_{suffix}")
        return Translation(f'{verb} {_arg(c, 0)}, name: "{name}"')

    return read


def _add_reference_concurrently(c: ruby.Call) -> Translation:
    table, reference = _arg(c, 0), _name(c, 1)
    column = f"{reference}_id"
    kind = ruby.text_of(c.options["type"]) if "type" in c.options else ":bigint"
    null = ruby.text_of(c.options["null"]) if "null" in c.options else "true"
    lines = [f"add_column {table}, :{column}, {kind}, null: {null}"]
    columns = [f":{column}"]
    if c.option("polymorphic"):
        lines.append(f"add_column {table}, :{reference}_type, :string")
        columns.insert(0, f":{reference}_type")
    if c.option("index", True) is not False:
        lines.append(f"add_index {table}, [{', '.join(columns)}], algorithm: :concurrently")
    key = c.option("foreign_key")
    if key:
        options = key if isinstance(key, dict) else {}
        target = options.get("to_table")
        parent = f":{target}" if isinstance(target, str) else f":{plural(reference)}"
        lines.append(f"add_foreign_key {table}, {parent}, column: :{column}, validate: false")
        if options.get("validate") is not False:
            lines.append(f"validate_foreign_key {table}, {parent}, column: :{column}")
    return Translation("\n".join(lines), f"remove_reference {table}, :{reference}")


def _update_in_batches(c: ruby.Call) -> Translation:
    """`update_column_in_batches :users, :admin, false` and the background backfill of the same shape."""
    value = _sql_value(c.args[2] if len(c.args) > 2 else None)
    table, column = _name(c, 0), _name(c, 1)
    if value is None or not table or not column:
        return Translation("", unread=f"online_migrations' `{c.name}` with a value computed at run time")
    return Translation(_execute(f"UPDATE {table} SET {column} = {value}"), "", batched=True)


def _copy_in_background(c: ruby.Call) -> Translation:
    table, source, target = _name(c, 0), _name(c, 1), _name(c, 2)
    if not (table and source and target):
        return Translation("", unread="online_migrations' `copy_column_in_background` of computed names")
    return Translation(_execute(f"UPDATE {table} SET {target} = {source}"), "", batched=True)


def _rename_table_name(table: str) -> str:
    return f"{table[: 63 - len('_column_rename')]}_column_rename"


def _initialize_column_rename(c: ruby.Call) -> Translation:
    table, old, new = _name(c, 0), _name(c, 1), _name(c, 2)
    temporary = _rename_table_name(table)
    up = f"rename_table :{table}, :{temporary}\n" + _execute(
        f"CREATE VIEW {table} AS SELECT *, {old} AS {new} FROM {temporary}"
    )
    back = _execute(f"DROP VIEW {table}") + f"\nrename_table :{temporary}, :{table}"
    return Translation(up, back)


def _finalize_column_rename(c: ruby.Call) -> Translation:
    table, old, new = _name(c, 0), _name(c, 1), _name(c, 2)
    temporary = _rename_table_name(table)
    up = (
        _execute(f"DROP VIEW {table}")
        + f"\nrename_table :{temporary}, :{table}\nrename_column :{table}, :{old}, :{new}"
    )
    back = f"rename_column :{table}, :{new}, :{old}\nrename_table :{table}, :{temporary}\n" + _execute(
        f"CREATE VIEW {table} AS SELECT *, {old} AS {new} FROM {temporary}"
    )
    return Translation(up, back)


def _text_limit(c: ruby.Call) -> str:
    return f"char_length({_name(c, 1)}) <= {_arg(c, 2)}"


_HELPERS: dict[str, Callable[[ruby.Call], Translation]] = {
    "add_column_with_default": _add_column_with_default,
    "add_not_null_constraint": _constraint("not_null", lambda c: f"{_name(c, 1)} IS NOT NULL"),
    "validate_not_null_constraint": _named_check("not_null", "validate_check_constraint"),
    "remove_not_null_constraint": _named_check("not_null", "remove_check_constraint"),
    "add_text_limit_constraint": _constraint("max_length", _text_limit),
    "validate_text_limit_constraint": _named_check("max_length", "validate_check_constraint"),
    "remove_text_limit_constraint": _named_check("max_length", "remove_check_constraint"),
    "add_reference_concurrently": _add_reference_concurrently,
    "update_column_in_batches": _update_in_batches,
    "backfill_column_in_background": _update_in_batches,
    "copy_column_in_background": _copy_in_background,
    "initialize_column_rename": _initialize_column_rename,
    "finalize_column_rename": _finalize_column_rename,
}
_UNREAD = {
    name: "its statements depend on the database at run time and are not read"
    for name in (
        "update_columns_in_batches",
        "initialize_columns_rename",
        "finalize_columns_rename",
        "revert_initialize_column_rename",
        "revert_finalize_column_rename",
        "initialize_table_rename",
        "finalize_table_rename",
        "revert_initialize_table_rename",
        "revert_finalize_table_rename",
        "swap_column_names",
        "initialize_column_type_change",
        "initialize_columns_type_change",
        "backfill_column_for_type_change",
        "backfill_columns_for_type_change",
        "finalize_column_type_change",
        "finalize_columns_type_change",
        "cleanup_column_type_change",
        "cleanup_columns_type_change",
        "change_column_type_in_background",
        "backfill_column_for_type_change_in_background",
        "delete_orphaned_records_in_background",
        "delete_associated_records_in_background",
        "perform_action_on_relation_in_background",
        "reset_counters_in_background",
        "enqueue_background_data_migration",
        "enqueue_background_migration",
        "add_index_in_background",
        "remove_index_in_background",
        "enqueue_background_schema_migration",
        "remove_foreign_keys",
    )
}


def _add_concurrent_index(c: ruby.Call) -> Translation:
    return Translation(
        f"add_index {_arg(c, 0)}, {_arg(c, 1)}{_options(c, 'algorithm')}, algorithm: :concurrently"
    )


def _remove_concurrent_index(c: ruby.Call) -> Translation:
    return Translation(
        f"remove_index {_arg(c, 0)}, column: {_arg(c, 1)}{_options(c, 'algorithm')}, algorithm: :concurrently"
    )


def _remove_concurrent_index_by_name(c: ruby.Call) -> Translation:
    name = (
        _arg(c, 1) if len(c.args) > 1 else ruby.text_of(c.options["name"]) if "name" in c.options else "nil"
    )
    return Translation(f"remove_index {_arg(c, 0)}, name: {name}, algorithm: :concurrently")


def _add_concurrent_foreign_key(c: ruby.Call) -> Translation:
    source, target = _arg(c, 0), _arg(c, 1)
    on_delete = ruby.text_of(c.options["on_delete"]) if "on_delete" in c.options else ":cascade"
    named = f", name: {ruby.text_of(c.options['name'])}" if "name" in c.options else ""
    column = f", column: {ruby.text_of(c.options['column'])}" if "column" in c.options else ""
    lines = [f"add_foreign_key {source}, {target}{column}, on_delete: {on_delete}{named}, validate: false"]
    if c.option("validate") is not False:
        lines.append(f"validate_foreign_key {source}, {target}{column}{named}")
    return Translation("\n".join(lines))


def _classic_column_with_default(c: ruby.Call) -> Translation:
    """GitLab's classic helper: the column, its default, a batched backfill, then NOT NULL unless allowed."""
    table, column = _arg(c, 0), _arg(c, 1)
    limit = f", limit: {ruby.text_of(c.options['limit'])}" if "limit" in c.options else ""
    default = c.options.get("default")
    lines = [
        f"add_column {table}, {column}, {_arg(c, 2)}, default: nil{limit}",
        f"change_column_default {table}, {column}, {ruby.text_of(default) if default is not None else 'nil'}",
    ]
    value = _sql_value(default)
    if value is not None and _name(c, 0) and _name(c, 1):
        lines.append(_execute(f"UPDATE {_name(c, 0)} SET {_name(c, 1)} = {value}"))
    if c.option("allow_null") is not True:
        lines.append(f"change_column_null {table}, {column}, false")
    return Translation("\n".join(lines), f"remove_column {table}, {column}", batched=True)


def _cleanup_concurrent_column_rename(c: ruby.Call) -> Translation:
    return Translation(f"remove_column {_arg(c, 0)}, {_arg(c, 1)}", "")


_GITLAB: dict[str, Callable[[ruby.Call], Translation]] = {
    "add_concurrent_index": _add_concurrent_index,
    "remove_concurrent_index": _remove_concurrent_index,
    "remove_concurrent_index_by_name": _remove_concurrent_index_by_name,
    "add_concurrent_foreign_key": _add_concurrent_foreign_key,
    "add_column_with_default": _classic_column_with_default,
    "update_column_in_batches": _update_in_batches,
    "cleanup_concurrent_column_rename": _cleanup_concurrent_column_rename,
}
