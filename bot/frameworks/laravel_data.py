"""Data changes in a Laravel migration: the query builder and Eloquent models.

`DB::table('orders')->where('status', 'old')->update(['status' => 'new'])` is one UPDATE (DataUpdate) with
its assignments and WHERE; `->delete()` a DataDelete, `->insert([...])` a DataInsert. `Order::where(…)->update(…)`
is the same on the model's table (`orders`, or the migration's own `$table`). `chunk`, `chunkById`, `lazyById`
and `each` split the work (batched), and the statements inside their closure are read too.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import php, seed_rows
from bot.frameworks.laravel_columns import default_sql, literal
from bot.frameworks.naming import model_table
from bot.frameworks.origin import Origin
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Operation, Truncate

BATCHES = frozenset(
    {"chunk", "chunkById", "chunkByIdDesc", "lazy", "lazyById", "lazyByIdDesc", "each", "eachById", "cursor"}
)
_UPDATES = frozenset(
    {
        "update",
        "increment",
        "decrement",
        "incrementEach",
        "decrementEach",
        "updateOrInsert",
        "upsert",
        "save",
        "forceFill",
        "updateQuietly",
        "saveQuietly",
        "touch",
    }
)
_DELETES_QUIETLY = frozenset({"deleteQuietly", "forceDeleteQuietly"})
_DELETES = frozenset({"delete", "forceDelete", "truncate", "destroy"})  # `truncate` sends TRUNCATE TABLE
_INSERTS = frozenset(
    {"insert", "insertOrIgnore", "insertGetId", "insertUsing", "create", "firstOrCreate", "updateOrCreate"}
)
# Eloquent's dynamic where: `whereScope('direct')` is `where('scope', 'direct')`, unless the builder has a
# method of that name (`whereNull`, `whereHas`, …)
_DYNAMIC_WHERE = re.compile(r"where([A-Z][A-Za-z0-9]*)")
_BUILDER_WHERES = frozenset(
    "where" + name
    for name in (
        "Null",
        "NotNull",
        "In",
        "NotIn",
        "Between",
        "NotBetween",
        "BetweenColumns",
        "NotBetweenColumns",
        "Date",
        "Time",
        "Day",
        "Month",
        "Year",
        "Raw",
        "Column",
        "Exists",
        "NotExists",
        "Has",
        "DoesntHave",
        "Relation",
        "MorphRelation",
        "HasMorph",
        "DoesntHaveMorph",
        "MorphedTo",
        "NotMorphedTo",
        "BelongsTo",
        "Key",
        "KeyNot",
        "JsonContains",
        "JsonDoesntContain",
        "JsonLength",
        "JsonContainsKey",
        "JsonDoesntContainKey",
        "FullText",
        "Like",
        "NotLike",
        "Any",
        "All",
        "None",
        "Not",
        "Nested",
        "Sub",
        "IntegerInRaw",
        "IntegerNotInRaw",
        "RowValues",
        "ValueBetween",
        "ValueNotBetween",
        "NullSafeEquals",
        "AttachedTo",
        "Today",
        "Past",
        "Future",
        "NowOrPast",
        "NowOrFuture",
        "BeforeToday",
        "AfterToday",
        "TodayOrBefore",
        "TodayOrAfter",
    )
)
_OPERATORS = frozenset({"=", "!=", "<>", "<", ">", "<=", ">=", "like", "not like", "ilike"})


def table_of(calls: list[php.Call], models: dict[str, str]) -> str:
    """The table a query chain works on: `DB::table('t')`, or a model (`Order::`, `App\\Models\\Order::`)."""
    head = calls[0]
    receiver = php.text_of(head.receiver)
    if receiver.rsplit("\\", 1)[-1] == "DB" and head.name == "table":
        found = php.value(head.arg(0))
        return found if isinstance(found, str) else ""
    model = receiver.rsplit("\\", 1)[-1]
    if not model[:1].isupper():
        return ""  # `$reasons[0]->update(…)`, `$user->save()`: an object, of no table the code names here
    return models.get(model) or model_table(model)


def operation(calls: list[php.Call], table: str, base: Origin, batched: bool) -> Operation | None:
    """The data operation a query chain ends in; None when it only reads (or does no data change we know)."""
    names = [c.name for c in calls]
    last = calls[-1]
    batch = next((n for n in names if n in BATCHES), "")
    batched = batched or bool(batch)
    condition = where(calls)
    if last.name in _UPDATES:
        return DataUpdate(
            table=table,
            assignments=assignments(last),
            where=condition,
            batched=batched,
            reads=(),
            batches=f"batch after batch (`{batch}`)" if batch else "",
            **base,
        )
    if last.name == "truncate":
        return Truncate(table=table, **base)
    if last.name in _DELETES:
        return DataDelete(
            table=table,
            where=condition,
            batched=batched,
            batches=f"batch after batch (`{batch}`)" if batch else "",
            **base,
        )
    if last.name in _INSERTS:
        columns, rows = seed_rows.values_rows(seed_rows.records(_inserted(last)))
        return DataInsert(table=table, columns=columns, rows=rows, **base)
    return None


def is_read(calls: list[php.Call]) -> bool:
    """A chain that changes nothing: no write, and no loop over rows (`->get(['id'])->pluck('id')`)."""
    writes = _UPDATES | _DELETES | _DELETES_QUIETLY | _INSERTS | BATCHES
    return not any(c.name in writes for c in calls)


def writes(calls: list[php.Call]) -> str:
    """The method of a chain that writes rows (`updateQuietly`, `delete`, `save`); "" when none does."""
    return next((c.name for c in calls if c.name in _UPDATES | _DELETES | _DELETES_QUIETLY | _INSERTS), "")


def closure_body(c: php.Call) -> Node | None:
    """The body of the closure given to `chunk`, `each`, …, whose statements change the rows."""
    for arg in c.args:
        if arg.type in ("anonymous_function", "arrow_function"):
            return arg.child_by_field_name("body")
    return None


def closure_parameter(c: php.Call) -> str:
    """The first parameter of the closure given to `chunk`, `each`, … (`$row`); "" without one."""
    for arg in c.args:
        if arg.type in ("anonymous_function", "arrow_function"):
            parameters = arg.child_by_field_name("parameters")
            for parameter in parameters.named_children if parameters is not None else ():
                name = parameter.child_by_field_name("name")
                return php.text_of(name) if name is not None else ""
    return ""


def where(calls: list[php.Call]) -> str | None:
    """The WHERE a chain's `where…` calls add up to; None without one."""
    parts = [part for c in calls for part in _condition(c)]
    return " AND ".join(parts) if parts else None


def _condition(c: php.Call) -> list[str]:
    values = [php.value(a) for a in c.args]
    column = values[0] if values and isinstance(values[0], str) else ""
    if c.name in ("where", "orWhere") and column and len(values) >= 2:
        if len(values) >= 3 and isinstance(values[1], str) and values[1].lower() in _OPERATORS:
            return [f"{column} {values[1]} {literal(values[2])}"]
        return [f"{column} IS NULL" if values[1] is None else f"{column} = {literal(values[1])}"]
    if c.name == "where" and values and isinstance(values[0], dict):
        return [f"{k} = {literal(v)}" for k, v in values[0].items()]
    if c.name in ("whereNull", "whereNotNull") and column:
        return [f"{column} IS {'NOT ' if c.name == 'whereNotNull' else ''}NULL"]
    if c.name in ("whereIn", "whereNotIn") and column and len(values) > 1 and isinstance(values[1], list):
        listed = ", ".join(literal(v) or "NULL" for v in values[1])
        return [f"{column} {'NOT ' if c.name == 'whereNotIn' else ''}IN ({listed})"]
    if c.name == "whereRaw" and column:
        return [column]
    dynamic = _DYNAMIC_WHERE.fullmatch(c.name)
    if dynamic and c.name not in _BUILDER_WHERES and len(values) == 1 and _scalar(values[0]):
        column = re.sub(r"(?<!^)(?=[A-Z])", "_", dynamic.group(1)).lower()  # `whereFromUser` → from_user
        return [f"{column} IS NULL" if values[0] is None else f"{column} = {literal(values[0])}"]
    if c.name.startswith(("where", "orWhere")):
        return [php.text_of(c.node).rsplit("->", 1)[-1]]
    return []


def assignments(c: php.Call) -> tuple[tuple[str, str], ...]:
    """The columns and values an `update([...])`, `increment('n')` sets."""
    if c.name in ("increment", "decrement") and c.args:
        column = php.value(c.args[0])
        amount = literal(php.value(c.args[1])) if len(c.args) > 1 else "1"
        sign = "+" if c.name == "increment" else "-"
        return ((str(column), f"{column} {sign} {amount}"),) if isinstance(column, str) else ()
    values = c.arg(0, "values")
    if values is None or values.type != "array_creation_expression":
        return ()
    pairs: list[tuple[str, str]] = []
    for element in values.named_children:
        parts = element.named_children if element.type == "array_element_initializer" else []
        key = php.value(parts[0]) if len(parts) == 2 else None
        if isinstance(key, str):
            pairs.append((key, default_sql(parts[1]) or "NULL"))
    return tuple(pairs)


def _inserted(c: php.Call) -> object:
    """The record or records an insert writes: `insert([...])`, `create([...])`; `firstOrCreate(attributes,
    values)` and `updateOrCreate(attributes, values)` write both arrays; `insertUsing` writes a query's rows."""
    if c.name == "insertUsing":
        return []
    found = php.value(c.arg(0, "values" if c.name != "create" else "attributes"))
    if c.name in ("firstOrCreate", "updateOrCreate") and isinstance(found, dict):
        more = php.value(c.arg(1, "values"))
        return {**found, **more} if isinstance(more, dict) else found
    return found


def _scalar(found: object) -> bool:
    """A literal a dynamic where compares with (a string, a number, a boolean, null), not code."""
    return found is None or isinstance(found, str | int | float | bool)
