"""Rows a Laravel migration holds as Eloquent records, and the writes made through them.

`foreach (Status::whereNull('object_url')->lazyById(50) as $status) { $status->object_url = …;
$status->save(); }` is an UPDATE of `statuses`, row by row, of the rows the query picks; so is the closure of
`Status::where(…)->each(function ($status) { … })`. `$register = CuratedRegister::find($id);
$register->user_has_responded = true; $register->save();` writes the one row it fetched, by its key.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import laravel_data, php
from bot.frameworks.laravel_columns import literal
from bot.frameworks.origin import Origin
from bot.model.migration import PLACEHOLDER, DataDelete, DataUpdate, Operation, by_own_key

# a query's methods that answer one record, and those that answer the records to loop over
_ONE = frozenset({"find", "findOrFail", "first", "firstOrFail", "sole", "firstWhere"})
_MANY = frozenset({"get", "all", "cursor", "lazy", "lazyById", "lazyByIdDesc"}) | laravel_data.BATCHES
_SAVES = frozenset({"save", "saveQuietly", "update", "updateQuietly", "push"})
_DELETES = frozenset({"delete", "forceDelete", "deleteQuietly", "forceDeleteQuietly"})


@dataclass(frozen=True)
class Rows:
    """What a variable holds: a record of `table` (`one`), or each record of a loop over the query's rows."""

    table: str
    where: str | None
    batched: bool
    one: bool
    loop: str = ""  # the query method the loop runs over (`lazyById`), "" for a fetched record


def held(calls: list[php.Call], models: dict[str, str], *, loop: bool) -> Rows | None:
    """The rows a query chain on a model answers (`Status::where(…)->lazyById(50)`, `Register::find($id)`):
    each record of them for a loop (`loop`), else the one record a fetch answers; None for anything else."""
    if not calls or calls[0].node.type != "scoped_call_expression":
        return None
    scope = php.text_of(calls[0].receiver).rsplit("\\", 1)[-1]
    if not scope[:1].isupper() or scope in ("DB", "Schema", "Log", "Artisan", "Cache", "Config"):
        return None
    table = laravel_data.table_of(calls, models)
    last = calls[-1].name
    if not table or last not in (_MANY if loop else _ONE):
        return None
    where = laravel_data.where(calls)
    if last in ("find", "findOrFail") and calls[-1].args:
        key = php.value(calls[-1].args[0])
        where = f"id = {literal(key)}" if isinstance(key, int | str) and not isinstance(key, bool) else where
    # one row at a time: the fetched record, or each record of the loop, saved by a statement of its own
    return Rows(
        table=table, where=where, batched=True, one=not loop, loop=f"row by row over `{last}`" if loop else ""
    )


def attribute_set(node: Node, records: dict[str, Rows]) -> tuple[str, str, str] | None:
    """`$status->object_url = $status->url;` on a record held in a variable: the variable, the column, and
    the value as SQL (unknown here when the code computes it); None for any other statement."""
    if node.type != "assignment_expression":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.type != "member_access_expression":
        return None
    holder, name = left.child_by_field_name("object"), left.child_by_field_name("name")
    if holder is None or name is None or php.text_of(holder) not in records or name.type != "name":
        return None
    found = php.value(right)
    sql = PLACEHOLDER if isinstance(found, php.Code) else literal(found)
    return php.text_of(holder), php.text_of(name), sql or PLACEHOLDER


def write(rows: Rows, c: php.Call, set_before: dict[str, str], base: Origin) -> Operation | None:
    """The UPDATE or DELETE a write on a held record makes (`$status->save()`, `$row->update([...])`,
    `$row->delete()`); None when the call writes nothing."""
    where = by_own_key(rows.where) if rows.one else rows.where
    if c.name in _DELETES:
        return DataDelete(table=rows.table, where=where, batched=rows.batched, batches=rows.loop, **base)
    if c.name not in _SAVES:
        return None
    given = laravel_data.assignments(c) if c.name in ("update", "updateQuietly") else ()
    return DataUpdate(
        table=rows.table,
        assignments=tuple({**set_before, **dict(given)}.items()),
        where=where,
        batched=rows.batched,
        saves="one" if rows.one else "each",
        batches=rows.loop,
        **base,
    )
