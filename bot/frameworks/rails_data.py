"""Data changes written with models in a Rails migration: `update_all`, `in_batches`, `find_each`, …

`User.where(state: nil).update_all(state: "open")` is one UPDATE (DataUpdate); `in_batches`, `find_each`
and `find_in_batches` split the work (batched); `delete_all` is a DataDelete. Ruby that does anything
else with models is RunCode naming the tables it touches, so nothing it does goes unmentioned.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence

from tree_sitter import Node

from bot.frameworks import ruby, ruby_model, ruby_records, seed_rows
from bot.frameworks.origin import Origin, origin
from bot.frameworks.rails_common import plural
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import (
    PLACEHOLDER,
    DataDelete,
    DataInsert,
    DataUpdate,
    Operation,
    RunCode,
    UnreadDataChange,
    by_own_key,
)
from bot.sql.names import scalar_sql

BATCHES = frozenset({"in_batches", "find_each", "find_in_batches", "each_slice", "in_groups_of"})
# slices of a list (of records or of keys): each pass's changes are that slice's only when they say so
SLICES = frozenset({"each_slice", "in_groups_of"})
# the finders that hand over the keys of a relation's rows (`User.where(…).pluck(:id)`, `.ids`)
_KEYS = frozenset({"pluck", "ids", "select"})
# Ruby's iterations over a collection: each pass of the block is one element's work
ITERATIONS = frozenset(
    {"each", "map", "each_with_index", "each_with_object", "flat_map", "collect", "each_pair", "each_value"}
)
_UPDATES = frozenset(
    {
        "update_all",
        "update",
        "update!",
        "update_column",
        "update_columns",
        "save",
        "save!",
        "update_attribute",
        "toggle!",
        "increment!",
        "touch",
    }
)
# the writes that save the record through its callbacks: Active Record sets `updated_at` / `updated_on` of
# a record that changed (`update_column(s)`, `update_all`, `increment!` and `toggle!` skip it)
_SAVES = frozenset(
    {"update", "update!", "save", "save!", "update_attribute", "update_attributes", "update_attributes!"}
)
# the finders that fetch one record: a write after them changes that record only
_ONE_RECORD = frozenset(
    {"find", "find_by", "find_by!", "first", "first!", "last", "last!", "take", "take!", "find_or_create_by"}
)
_DELETES = frozenset(
    {"delete_all", "destroy_all", "delete", "destroy", "destroy!", "delete_by", "destroy_by"}
)
_INSERTS = frozenset(
    {
        "insert_all",
        "insert_all!",
        "upsert_all",
        "create",
        "create!",
        "insert",
        "upsert",
        "find_or_create_by",
        "find_or_create_by!",
    }
)
_IGNORED = frozenset({"reset_column_information", "table_name=", "connection"})
# Reads: they change nothing, so they are no operation of their own.
_READS = frozenset(
    {
        "find",
        "find_by",
        "find_by!",
        "first",
        "last",
        "take",
        "pluck",
        "ids",
        "count",
        "exists?",
        "sum",
        "maximum",
        "minimum",
        "select",
        "where",
        "order",
        "limit",
        "all",
        "none",
        "to_a",
        "size",
        "any?",
        "empty?",
        "pick",
        "distinct",
        "joins",
        "includes",
        "not",
        "group",
        "or",
        "preload",
        "eager_load",
        "reorder",
        "unscope",
        "rewhere",
        "lock",
        "readonly",
    }
)


def table_of(model: str, models: dict[str, str], known: ruby_model.Constants | None = None) -> str:
    """`Admin::UserRole` → `user_roles`, unless the migration defines the model with `self.table_name`, or
    the application's model files name its table (`Security::Price` of the model `Security`:
    `security_prices`)."""
    if model in models:
        return models[model]
    named = known.table_name(model) if known is not None else None
    if named:
        return named
    last = model.split("::")[-1]
    return plural(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower())


def model_call(
    c: ruby.Call,
    path: str,
    models: dict[str, str],
    constants: ruby_model.Constants | None = None,
    dialect: str = "postgres",
) -> list[Operation] | None:
    """The data operation of a call chain that starts at a model constant; None when it is no such chain.
    Constants in its conditions and values (`Order::SHIPPED`) are read as the literals they hold."""
    known = constants or ruby_model.Constants([])
    chain = _chain(c)
    if not chain or chain[0][0] == "" or not _is_model(chain[0][0]):
        return None
    model = chain[0][0]
    methods = [name for name, _ in chain[1:]]
    if not methods or all(m in _IGNORED for m in methods) or (methods[-1] in _READS and c.block is None):
        return []
    table = table_of(model, models, known)
    base = origin(path, c.line, c.end_line, ruby.text_of(c.node))
    symbol = _block_symbol(c)  # `find_each(&:destroy)`: the method each record is sent
    per_record = _each_record_deleted(c, methods[-1])  # `each { |row| row.destroy }`: one row at a time
    batched = any(m in BATCHES for m in methods) or symbol is not None or per_record
    batches = next((m for m in methods if m in BATCHES), "")
    where = _where(chain, known)
    block_text = ruby.text_of(c.block) if c.block is not None else (f".{symbol}" if symbol else "")
    last = methods[-1]
    looped = last in BATCHES or (last in ITERATIONS and (symbol is not None or c.block is not None))
    reading = (
        ruby_records.loop_writes(c.block, ruby.block_parameters(c.node), known)
        if c.block is not None and looped
        else None
    )
    written = tuple(reading.assignments.items()) if reading is not None else ()
    each = (
        _batch_statement(c.block, known, model, ruby.block_parameters(c.node))
        if c.block is not None and last in ("in_batches", "find_in_batches")
        else None
    )
    if each is not None:  # `in_batches do |batch| batch.where(state: nil).update_all(state: "new") end`
        kind, assignments, inner, call = each
        where = " AND ".join(part for part in (where, inner) if part) or None
        if kind == "update_all":
            update = DataUpdate(
                table=table, assignments=assignments, where=where, batched=True, batches=batches, **base
            )
            return [_set_clause(update, call, known, dialect) if not assignments else update]
        return [DataDelete(table=table, where=where, batched=True, batches=batches, **base)]
    if reading is not None and (written or reading.unread):
        found = _records_written(table, where, reading, batched or last in ITERATIONS, base, dialect)
        return [
            dataclasses.replace(op, batches=batches) if isinstance(op, DataUpdate) else op for op in found
        ]
    if last in _UPDATES or (looped and last in BATCHES - SLICES and _mentions(block_text, _UPDATES)):
        assignments = _assignments(c, known) if last == "update_all" else written
        saved = (last in _SAVES and not ruby_records.untouched(c)) or (
            looped
            and (
                ruby_records.sets_timestamps(c.block, _SAVES)
                if c.block is not None
                else _mentions(block_text, _SAVES)  # `find_each(&:save!)`
            )
        )
        one = any(m in _ONE_RECORD for m in methods)
        saves = ("one" if one else "each") if saved else ""
        update = DataUpdate(
            table=table,
            assignments=assignments,
            where=where,
            batched=batched,
            saves=saves,
            batches=batches,
            **base,
        )
        return [_set_clause(update, c, known, dialect) if last == "update_all" else update]
    # a loop that deletes (`find_each(&:destroy)`, `in_batches { |b| b.delete_all }`); an iteration's block
    # deletes only what `per_record` found (`r.options.delete("x")` deletes a key of a hash)
    deleting = last in BATCHES or (last in ITERATIONS and symbol is not None)
    if last in _DELETES or (deleting and _mentions(block_text, _DELETES)) or per_record:
        return [DataDelete(table=table, where=where, batched=batched, batches=batches, **base)]
    if last in _INSERTS:
        columns, rows = seed_rows.values_rows(_records(chain[-1][1], known))
        return [DataInsert(table=table, columns=columns, rows=rows, **base)]
    return [RunCode(language="ruby", touches=touches(c.node, models), **base)]


def _records_written(
    table: str,
    where: str | None,
    reading: ruby_records.LoopWrites,
    batched: bool,
    base: Origin,
    dialect: str,
) -> list[Operation]:
    """The UPDATE a loop over records amounts to (`find_each { |r| r.x = …; r.save! }`): the rows its scope
    and guards pick, the columns it sets, read as SQL when every value is known; a write it makes that the
    review does not follow is said so."""
    found: list[Operation] = []
    if reading.unread:
        found.append(
            UnreadDataChange(
                runs=f"`{reading.unread}` in the loop over `{table}`",
                how="a write whose columns, values or table the code computes, so the review does not read it",
                check=f"Check which columns the loop writes on each row of `{table}` (or of the table it reaches), "
                "with which values, whether it is batched, and how the down migration restores them",
                **base,
            )
        )
    if not reading.assignments:
        return found
    condition = " AND ".join(part for part in (where, *reading.guards) if part) or None
    assignments = tuple(reading.assignments.items())
    update = DataUpdate(
        table=table,
        assignments=assignments,
        where=condition,
        batched=batched,
        saves="each" if reading.saved else "",
        **base,
    )
    if not any(PLACEHOLDER in sql for _, sql in assignments):
        sets = ", ".join(f"{column} = {sql}" for column, sql in assignments)
        statement = f"UPDATE {table} SET {sets}"
        for text in (f"{statement} WHERE {condition}", statement) if condition else (statement,):
            parsed = parse_sql(update.location.path, text, dialect)
            if len(parsed) == 1 and isinstance(parsed[0], DataUpdate) and parsed[0].assignments:
                read = parsed[0]
                mappings = tuple(
                    dataclasses.replace(m, line=update.location.line) for m in read.case_mappings
                )
                update = dataclasses.replace(
                    read,
                    where=condition,
                    batched=batched,
                    saves=update.saves,
                    case_mappings=mappings,
                    spelled_out=False,
                    **base,
                )
                break
    return [*found, update]


def _each_record_deleted(c: ruby.Call, last: str) -> bool:
    """`Account.where(…).each { |account| account.destroy }`: an iteration whose block deletes the record it is
    given (not rows it reaches through the record, `account.invoices.destroy_all`)."""
    if last not in ITERATIONS or c.block is None:
        return False
    params = ruby.block_parameters(c.node)
    return len(params) == 1 and (
        re.search(rf"(?<![\w.@]){params[0]}&?\.(?:destroy!?|delete)(?![\w!?])", ruby.text_of(c.block))
        is not None
    )


def _block_symbol(c: ruby.Call) -> str | None:
    """`each(&:destroy)`: the method a symbol given as the block sends to each record; None without one."""
    arguments = c.node.child_by_field_name("arguments")
    for arg in arguments.named_children if arguments is not None else ():
        if arg.type == "block_argument":
            named = re.fullmatch(r"&:(\w+[!?]?)", ruby.text_of(arg).replace(" ", ""))
            return named.group(1) if named else None
    return None


# Methods that narrow a relation and return it, sending nothing (`payments = Payment.where(…).not(…)`)
_RELATION = frozenset(
    {"where", "not", "rewhere", "all", "unscoped", "joins", "left_joins", "left_outer_joins", "includes"}
    | {
        "preload",
        "eager_load",
        "order",
        "reorder",
        "limit",
        "offset",
        "distinct",
        "readonly",
        "unscope",
        "or",
    }
)


def key_source(
    c: ruby.Call, models: dict[str, str], constants: ruby_model.Constants | None = None
) -> tuple[str, str | None] | None:
    """`User.where(state: nil).pluck(:id)` (or `.ids`, `.select(:id)`): the table whose keys the chain hands
    over and the condition that picks them; None for any other chain."""
    known = constants or ruby_model.Constants([])
    chain = _chain(c)
    if len(chain) < 2 or not chain[0][0] or not _is_model(chain[0][0]) or chain[-1][0] not in _KEYS:
        return None
    link = chain[-1][1]
    if link is not None and link.args and ruby.value(link.args[0]) not in ("id", ":id"):
        return None
    return table_of(chain[0][0], models, known), _where(chain[:-1], known)


def relation(c: ruby.Call) -> bool:
    """Is `c` a relation of a model, built and not run (`Spree::Payment.where.not(state: :completed)`)?"""
    chain = _chain(c)
    return (
        len(chain) > 1
        and chain[0][0] != ""
        and _is_model(chain[0][0])
        and all(n in _RELATION for n, _ in chain[1:])
    )


# Model methods that fetch one row (`admin = User.find_by(email: …)`), which a later write then writes.
ONE_ROW = frozenset({"find", "find_by", "find_by!", "first", "first!", "last", "last!", "take", "take!"})
_RECORD_WRITES = frozenset({"update", "update!", "update_columns", "update_attributes", "update_attributes!"})
_ONE_ATTRIBUTE = frozenset({"update_column", "update_attribute"})
_ROW_UPDATES = _RECORD_WRITES | _ONE_ATTRIBUTE | {"save", "save!", "touch"}
_ROW_DELETES = frozenset({"destroy", "destroy!", "delete"})


def fetched_row(c: ruby.Call) -> bool:
    """Is `c` a chain that starts at a model and fetches one row (`User.where(…).first`, `Order.find(7)`)?"""
    chain = _chain(c)
    return bool(chain) and _is_model(chain[0][0]) and chain[-1][0] in ONE_ROW


def row_write(
    fetch: ruby.Call,
    write: ruby.Call,
    set_before: dict[str, str],
    path: str,
    models: dict[str, str],
    constants: ruby_model.Constants | None = None,
) -> list[Operation] | None:
    """`admin = User.find_by(email: "a"); admin.update!(role: "owner")` (or `admin.role = …; admin.save!`,
    `admin.destroy`): the UPDATE or DELETE of the row the fetch picked; None when `write` writes nothing."""
    known = constants or ruby_model.Constants([])
    if write.name not in _ROW_UPDATES | _ROW_DELETES:
        return None
    chain = _chain(fetch)
    table = table_of(chain[0][0], models, known)
    where = _where(chain, known)
    last = chain[-1]
    if last[0] == "find" and last[1] is not None and len(last[1].args) == 1:
        key = _value(last[1].args[0], known)
        where = f"id = {_literal(key)}" if isinstance(key, int | str) else where
    where = by_own_key(where)  # Active Record writes one row by its key
    base = origin(path, write.line, write.end_line, ruby.text_of(write.node))
    if write.name in _ROW_DELETES:  # one row, by its key: `batched`, as one batch of a loop is
        return [DataDelete(table=table, where=where, batched=True, **base)]
    assignments = {**set_before, **_written_by(write, known)}
    return [
        DataUpdate(
            table=table,
            assignments=tuple(assignments.items()),
            where=where,
            batched=True,
            saves="one" if write.name in _SAVES else "",
            **base,
        )
    ]


def touches(node: Node, models: dict[str, str]) -> tuple[str, ...]:
    """Tables named in Ruby code: models (as their tables) and symbols given to schema methods."""
    found = [table_of(name, models) for name in ruby.constants(node) if _is_model(name)]
    return tuple(dict.fromkeys(found))


def _is_model(name: str) -> bool:
    return (
        not name.startswith(("ActiveRecord", "Rails", "Arel", "ApplicationRecord"))
        and name[:1].isupper()
        and not name.isupper()
        and (
            name
            not in {
                "Time",
                "Date",
                "DateTime",
                "JSON",
                "Integer",
                "String",
                "Hash",
                "Array",
                "Set",
                "File",
                "Logger",
                "Struct",
                "Class",
                "Kernel",
                "Float",
                "BigDecimal",
                "SecureRandom",
                "Digest",
                "ENV",
                "STDOUT",
                "STDERR",
                "Thread",
                "Process",
                "Benchmark",
                "Gitlab",
            }
        )
    )


def _batch_statement(
    block: Node, constants: ruby_model.Constants, model: str = "", batch: Sequence[str] = ()
) -> tuple[str, tuple[tuple[str, str], ...], str | None, ruby.Call] | None:
    """The one `update_all` or `delete_all` a batch's block sends on its batch (`batch.where(…).update_all(…)`
    in `in_batches`, or `Model.where(id: batch.pluck(:id)).update_all(…)` on the same model, as
    `find_in_batches` is written): the method, what it sets, its own condition and the call; None when the
    block does anything else with the batch, or more than one such statement."""
    found = []
    stack = [block]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        c = ruby.call(node) if node.type == "call" else None
        if c is None or c.name not in ("update_all", "delete_all"):
            continue
        chain = _chain(c, from_variable=True)
        on_batch = bool(chain) and bool(chain[0][0]) and not _is_model(chain[0][0])
        of_batch = bool(chain) and chain[0][0] == model and _restricted_to(chain, batch)
        if on_batch or of_batch:
            where = _where([link for link in chain if not _restricted_to([link], batch)], constants)
            found.append((c.name, _assignments(c, constants) if c.name == "update_all" else (), where, c))
    return found[0] if len(found) == 1 else None


def _restricted_to(chain: list[tuple[str, ruby.Call | None]], batch: Sequence[str]) -> bool:
    """A `where` of the chain keeps the rows of the batch: `where(id: batch.pluck(:id))`, `where(id: batch)`."""
    names = "|".join(re.escape(name) for name in batch)
    return bool(names) and any(
        name == "where" and link is not None and re.search(rf"\bid:\s*(?:{names})\b", ruby.text_of(link.node))
        for name, link in chain
    )


def _chain(c: ruby.Call, *, from_variable: bool = False) -> list[tuple[str, ruby.Call | None]]:
    """`A::B.where(x).update_all(y)` → [("A::B", None), ("where", call), ("update_all", call)]; with
    `from_variable`, a chain on a local (`batch.where(x).update_all(y)`) starts at that name."""
    links: list[tuple[str, ruby.Call | None]] = []
    current: ruby.Call | None = c
    while current is not None:
        links.append((current.name, current))
        receiver = current.receiver
        if receiver is None:
            return []
        if receiver.type in ("constant", "scope_resolution") or (
            from_variable and receiver.type == "identifier"
        ):
            links.append((ruby.text_of(receiver), None))
            break
        current = ruby.call(receiver) if receiver.type == "call" else None
        if current is None:
            return []
    links.reverse()
    return links


# Rails before 5.1 took the rows' conditions as the argument of `delete_all` and `destroy_all`
# (`Pod.delete_all(host: nil)`): a WHERE, as `where(host: nil).delete_all` writes it today.
_CONDITIONED = frozenset({"delete_all", "destroy_all"})
# `Model.delete(id)`, `Model.destroy([1, 2])`: the rows of those primary keys, not the whole table
_BY_KEY = frozenset({"delete", "destroy", "destroy!"})


def _where(chain: list[tuple[str, ruby.Call | None]], constants: ruby_model.Constants) -> str | None:
    parts = []
    for name, link in chain:
        if link is None:
            continue
        if name == "not":  # `where.not(a: 1, b: nil)` is NOT (a = 1 AND b IS NULL)
            negated = _condition(link, constants)
            if len(negated) == 1 and negated[0].endswith(" IS NULL"):
                parts.append(negated[0].removesuffix(" IS NULL") + " IS NOT NULL")
            elif negated:
                parts.append(f"NOT ({' AND '.join(negated)})")
        elif name in ("where", "find_by", "rewhere") or (
            name in _CONDITIONED and (link.args or link.options)
        ):
            parts.extend(_condition(link, constants))  # Rails before 5.1: `delete_all("host IS NULL")`
        elif name in _BY_KEY and link is chain[-1][1] and len(chain) == 2 and len(link.args) == 1:
            key = _value(link.args[0], constants)  # `Pod.delete(pod_id)`: the row (or rows) with that key
            listed = key if isinstance(key, list) else [key]
            parts.append(
                f"id = {_sql_value(listed[0])}"
                if len(listed) == 1
                else f"id IN ({', '.join(_sql_value(v) for v in listed)})"
            )
        elif name.startswith("with_") or name in ("joins", "merge"):
            parts.append(_link_text(link))  # a scope: its arguments are no SQL
    if any(
        name not in ("where", "all", "unscoped")
        for name, link in chain[1:-1]
        if link is not None and name not in BATCHES and name not in ("where", "find_by", "not", "rewhere")
    ):
        parts.append("(scope)")
    return " AND ".join(parts) if parts else None


def _link_text(link: ruby.Call) -> str:
    """`joins("INNER JOIN … ON a.x = b.y")` as written, from the method's name on (a dot inside its
    arguments does not split it)."""
    method = link.node.child_by_field_name("method")
    start = method.start_byte if method is not None else link.node.start_byte
    return link.node.text[start - link.node.start_byte :].decode() if link.node.text else link.name


def _columns(options: dict[str, Node]) -> Iterator[tuple[str, Node]]:
    """The conditions of `where(…)`, a hash under a table's name read as that table's columns
    (`where(posts: {type: "x"})` is `posts.type = 'x'`)."""
    for key, node in options.items():
        if node.type == "hash":
            yield from ((f"{key}.{column}", inner) for column, inner in ruby.hash_pairs(node).items())
        else:
            yield key, node


def _condition(link: ruby.Call, constants: ruby_model.Constants) -> list[str]:
    parts: list[str] = []
    for key, node in _columns(link.options):
        bounds = _range(node, constants)
        value = _value(node, constants) if bounds is None else None
        if bounds is not None:
            parts.extend(f"{key} {operator} {bound}" for operator, bound in bounds)
        elif value is None:
            parts.append(f"{key} IS NULL")
        elif isinstance(value, list) and None in value:
            # `where(note: [nil, ""])`: Active Record writes `(note = '' OR note IS NULL)`, IN never matches NULL
            others = [_sql_value(v) for v in value if v is not None]
            listed = (
                f"{key} = {others[0]}"
                if len(others) == 1
                else f"{key} IN ({', '.join(others)})"
                if others
                else ""
            )
            parts.append(f"({listed} OR {key} IS NULL)" if listed else f"{key} IS NULL")
        elif isinstance(value, list):
            parts.append(f"{key} IN ({', '.join(_sql_value(v) for v in value)})")
        else:
            parts.append(f"{key} = {_sql_value(value)}")
    first = _sql_string(link.args[0], constants) if link.args else None
    if isinstance(first, str) and len(link.args) > 1 and first.count("?") == len(link.args) - 1:
        # `where("name LIKE ?", "#{letter}%")`: each `?` is the value given after the string
        values = iter(_sql_value(_value(arg, constants)) for arg in link.args[1:])
        parts.append(re.sub(r"\?", lambda _: next(values), first))
        return parts
    for arg in link.args:
        value = _sql_string(arg, constants)
        parts.append(value if isinstance(value, str) else ruby.text_of(arg))
    return parts


def _range(node: Node, constants: ruby_model.Constants) -> list[tuple[str, str]] | None:
    """`id: 1...1000` is `id >= 1 AND id < 1000`, `1..1000` ends at `<= 1000`, `(2..)` has no end."""
    while node.type == "parenthesized_statements" and len(node.named_children) == 1:
        node = node.named_children[0]
    if node.type != "range":
        return None
    operator = next((child.type for child in node.children if child.type in ("..", "...")), "..")
    ends = [child for child in node.children if child.is_named]
    if len(ends) == 2:
        first, last = ends
    elif ends and node.children[0].is_named:
        first, last = ends[0], None
    else:
        first, last = None, ends[0] if ends else None
    bounds = [(">=", _sql_value(_value(first, constants)))] if first is not None else []
    if last is not None:
        bounds.append(("<" if operator == "..." else "<=", _sql_value(_value(last, constants))))
    return bounds


def _assignments(c: ruby.Call, constants: ruby_model.Constants) -> tuple[tuple[str, str], ...]:
    pairs = [(key, _sql_value(_value(node, constants))) for key, node in c.options.items()]
    if not pairs and c.args:
        value = _sql_string(c.args[0], constants)
        text = value if isinstance(value, str) else ruby.text_of(c.args[0])
        pairs = [(m.group(1).lower(), m.group(2).strip()) for m in re.finditer(r"(\w+)\s*=\s*([^,]+)", text)]
    return tuple(pairs)


def _set_clause(
    update: DataUpdate, c: ruby.Call, constants: ruby_model.Constants, dialect: str
) -> DataUpdate:
    """`update_all("status = CASE WHEN status IN ('a', 'b') THEN 'x' END")`: the string is a SET clause, read
    as SQL (its assignments, CASE mappings and the columns it reads); the update as it was when it is not."""
    text = _sql_string(c.args[0], constants) if c.args and not c.options else None
    if not isinstance(text, str) or not text.strip():
        return update
    parsed = parse_sql(update.location.path, f"UPDATE {update.table} SET {text}", dialect)
    if len(parsed) != 1 or not isinstance(parsed[0], DataUpdate) or not parsed[0].assignments:
        return update
    read = parsed[0]
    mappings = tuple(dataclasses.replace(m, line=update.location.line) for m in read.case_mappings)
    return dataclasses.replace(update, assignments=read.assignments, case_mappings=mappings, reads=read.reads)


def _sql_string(node: Node, constants: ruby_model.Constants) -> ruby.Value:
    """A SQL fragment given as a string, its `#{CONSTANT}`s replaced by the literals they hold."""
    found = ruby.sql_text(node, {}, constants.literal) if node.type == "string" else None
    if found is not None and ruby.PLACEHOLDER not in found[0]:
        return found[0]
    return ruby.value(node)


def _value(node: Node, constants: ruby_model.Constants) -> ruby.Value:
    """An option's value: a literal, a constant's literal, else code (a local or a method: `id: ids`)."""
    if node.type == "identifier":
        return ruby.Code(ruby.text_of(node))
    return _resolved(ruby.value(node), constants)


def _resolved(value: ruby.Value, constants: ruby_model.Constants) -> ruby.Value:
    """A constant (`Order::SHIPPED`, `PENDING`) as the literal it holds, in a list too; else the value."""
    if isinstance(value, list):
        return [_resolved(item, constants) for item in value]
    if isinstance(value, ruby.Code):
        found = constants.literal(value.text)
        return found if found is not None else value
    return value


def _records(c: ruby.Call | None, constants: ruby_model.Constants) -> list[seed_rows.Record]:
    """The rows of `create!(code: "pro")`, `insert_all([{…}, …])` or `create!([{…}, …])`; none when the
    attributes are not written out (a variable, a block)."""
    if c is None:
        return []
    listed = ruby.value(c.args[0]) if c.args else None
    if not isinstance(listed, list):
        if c.args or c.name.endswith("_all"):
            return []
        return [[(key, _literal(_value(node, constants))) for key, node in c.options.items()]]
    return [
        [(key, _literal(_resolved(value, constants))) for key, value in item.items()]
        for item in listed
        if isinstance(item, dict)
    ]


def _sql_value(value: ruby.Value) -> str:
    """A value as SQL: a literal as itself; Ruby code (a local, a method call: `where(state: legacy)`) as the
    value it computes when the migration runs, unknown here, never as its Ruby text pasted into the SQL."""
    if isinstance(value, ruby.Code) and not _CLOCK.fullmatch(value.text):
        return PLACEHOLDER
    return _literal(value)  # a literal, or the clock (`Time.current`), which the shadow run maps to now()


# Ruby's clock: a value of the moment the statement runs, which the shadow run writes as the database's own
_CLOCK = re.compile(
    r"(?:Time(?:\.zone)?|DateTime)\.(?:now|current)(?:\(\))?|Date\.(?:today|current)(?:\(\))?"
)


def _literal(value: ruby.Value) -> str:
    scalar = scalar_sql(value)
    if scalar is not None:
        return scalar
    if isinstance(value, ruby.Code):
        return value.text
    return str(value)


def attribute_set(node: Node, constants: ruby_model.Constants) -> tuple[str, str, str] | None:
    """`r.title = "…"` (an assignment node): the record's Ruby text, the attribute, and the value as the SQL
    literal it sends (its Ruby text when the code computes it); None for any other assignment."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    holder = left.child_by_field_name("receiver") if left is not None and left.type == "call" else None
    method = left.child_by_field_name("method") if left is not None and left.type == "call" else None
    if holder is None or method is None or right is None or method.type != "identifier":
        return None
    return ruby.text_of(holder), ruby.text_of(method), _literal(_value(right, constants))


def _written_by(c: ruby.Call, constants: ruby_model.Constants) -> dict[str, str]:
    """The columns a write on one record sets and their values: `update!(title: "…")` and the like,
    `update_column(:state, "open")`; none for `save!(validate: false)`, whose options are no columns."""
    if c.name in _RECORD_WRITES:
        return {key: _literal(_value(value, constants)) for key, value in c.options.items()}
    if c.name in _ONE_ATTRIBUTE and len(c.args) == 2 and isinstance(name := ruby.value(c.args[0]), str):
        return {name: _literal(_value(c.args[1], constants))}
    return {}


def _mentions(text: str, methods: frozenset[str]) -> bool:
    return any(re.search(r"\." + re.escape(m) + r"(?![\w!])", text) for m in methods)
