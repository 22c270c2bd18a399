"""What the JavaScript/TypeScript framework readers (TypeORM, Knex, Sequelize, MikroORM) share.

The SQL a call runs is read by the SQL reader at its own lines; a call a framework documents but the
review cannot read (its table computed at run time, SQL built by a function) becomes Unparsed, a finding,
never silence; a data change given as an object (`{ state: 'open' }`) becomes a DataUpdate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import seed_rows, suppressions
from bot.frameworks.existence_guards import guarded
from bot.frameworks.origin import Origin, origin
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.migration import (
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    RunCode,
    Unparsed,
)
from bot.sql.names import scalar_sql


@dataclass(frozen=True)
class Source:
    path: str
    dialect: str

    @property
    def language(self) -> str:
        return "typescript" if self.path.endswith(js.TYPESCRIPT) else "javascript"


_LEADING_NUMBER = re.compile(r"^(\d{8,})")


def leading_version(path: str) -> str:
    """The version a migration's file name starts with (`20240101120000-add-orders.js`: Knex, Sequelize and
    db-migrate order their migrations by it), or ""."""
    match = _LEADING_NUMBER.search(path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def origin_of(node: Node, src: Source) -> Origin:
    node = js.unwrap(node)
    return origin(src.path, js.line_of(node), node.end_point[0] + 1, js.text_of(node))


def unparsed(node: Node, src: Source, error: str) -> Operation:
    return Unparsed(error=error, **origin_of(node, src))


def sql(
    node: Node,
    argument: Node | None,
    src: Source,
    what: str,
    *,
    replacements: bool = False,
    parameters: Node | None = None,
) -> list[Operation]:
    """The statements of a SQL string argument, at their lines; Unparsed when the SQL is not a literal.

    `replacements`: the driver fills `:name` and `?` in before the database sees the SQL (Sequelize's
    replacements), so they stand for values, as `${…}` does. `parameters`: the array of values the driver binds
    to `$1`, `$2` … (PostgreSQL) or to each `?` in turn: a literal value is read in its place."""
    found = js.sql_text(argument) if argument is not None else None
    if found is None:
        return [unparsed(node, src, f"the SQL of `{what}` is computed at run time, so it could not be read")]
    text, line = found
    if replacements:
        text = _REPLACEMENT.sub(lambda m: m.group(1) or js.PLACEHOLDER, text)
    if parameters is not None:
        text = _bound(text, parameters, src.dialect)
    return list(parse_sql(src.path, text, src.dialect, first_line=line))


# PostgreSQL's `$1` (its drivers bind by number), another database's `?` (bound in turn), outside quotes (the
# quoted strings and identifiers are kept as they are; PostgreSQL's `?` is a jsonb operator)
_NUMBERED = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|\$(\d+)(?!\d)""")
_POSITIONAL = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`)|\?""")


def _bound(text: str, parameters: Node, dialect: str) -> str:
    """The SQL with each bound parameter whose value is a literal in the array written in its place."""
    values = js.value(parameters)
    if not isinstance(values, list):
        return text
    position = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal position
        if match.group(1):
            return match.group(0)
        numbered = match.re is _NUMBERED
        index = int(match.group(2)) - 1 if numbered else position
        position += 0 if numbered else 1
        if not 0 <= index < len(values) or isinstance(values[index], js.Code | list | dict):
            return match.group(0)  # a value of the code: the parameter stands for it
        return literal(values[index])

    return (_NUMBERED if dialect == "postgres" else _POSITIONAL).sub(fill, text)


# A `:name` or `?` replacement outside quotes; quoted strings and identifiers and `::` casts are kept as they are.
_REPLACEMENT = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|::)|(?<![:\w]):[A-Za-z_]\w*|\?""")


def name(node: Node | None) -> str:
    """A table or column name given as a literal string (the frameworks quote it: case is kept)."""
    if node is None:
        return ""
    found = js.value(node)
    return found if isinstance(found, str) else ""


def names(node: Node | None) -> tuple[str, ...]:
    """One name or an array of names (`'a'`, `['a', 'b']`)."""
    if node is None:
        return ()
    found = js.value(node)
    if isinstance(found, list):
        return tuple(item for item in found if isinstance(item, str))
    return (found,) if isinstance(found, str) else ()


def strings(found: js.Value) -> tuple[str, ...]:
    """The strings of an array value (`['a', 'b']`); nothing for anything else."""
    return tuple(item for item in found if isinstance(item, str)) if isinstance(found, list) else ()


def literal(found: js.Value) -> str:
    """A JavaScript value as SQL: `'open'`, `1`, `true`, `NULL`; code as its source text."""
    scalar = scalar_sql(found)
    if scalar is not None:
        return scalar
    if isinstance(found, js.Code):
        return found.text
    return "'" + str(found).replace("'", "''") + "'"


def condition(node: Node | None) -> str | None:
    """A `where` object (`{ state: null, id: 3 }`) as SQL; its source text when it is not an object."""
    if node is None:
        return None
    found = js.pairs(node)
    inner = js.call(node)
    if not found and inner is not None and inner.name in _SQL_VALUES:
        return expression(node)  # `Sequelize.literal('id >= 1 AND id < 1000')`: the SQL it holds
    if not found and js.unwrap(node).type != "object":
        return js.text_of(node)
    parts = [
        f"{key} IS NULL" if (val := expression(item)) == "NULL" else f"{key} = {val}"
        for key, item in found.items()
    ]
    return " AND ".join(parts) or None


def expression(node: Node) -> str:
    """A value as SQL: a literal, the SQL of `knex.raw('…')`/`Sequelize.literal('…')`, the column of
    `knex.ref('…')`/`Sequelize.col('…')`, the call of `Sequelize.fn('lower', …)`, the SQL a function
    returns (`() => "NOT is_hidden"`), else its source."""
    returned = _returned_string(node)
    if returned is not None:
        return returned
    inner = js.call(node)
    if inner is not None and inner.name in _SQL_VALUES and inner.args:
        found = js.value(inner.args[0])
        if isinstance(found, str):
            return found
    if (
        inner is not None and inner.name == "fn" and inner.args
    ):  # `Sequelize.fn('lower', Sequelize.col('email'))`
        name = js.value(inner.args[0])
        if isinstance(name, str) and name.replace("_", "").isalnum():
            return f"{name}({', '.join(expression(a) for a in inner.args[1:])})"
    found = js.value(node)
    if isinstance(found, js.Code) and js.unwrap(node).type in _VARIABLES:
        return js.PLACEHOLDER  # `{ id: row.id }`: a value the code holds when it runs, never a column
    return literal(found)


_VARIABLES = frozenset({"identifier", "member_expression", "subscript_expression"})


def _returned_string(node: Node) -> str | None:
    """`() => "NOT is_hidden"`: TypeORM's way of giving a value as SQL (a function returning it)."""
    found = js.unwrap(node)
    body = found.child_by_field_name("body") if found.type == "arrow_function" else None
    value = js.value(body) if body is not None and body.type != "statement_block" else None
    return value if isinstance(value, str) else None


# The calls whose string argument is SQL as it stands: raw SQL, or a column (`knex.ref`, `Sequelize.col`)
_SQL_VALUES = frozenset({"raw", "literal", "ref", "col"})


def update(node: Node, src: Source, table: str, values: Node | None, where: str | None) -> Operation:
    assignments = tuple((key, expression(item)) for key, item in js.pairs(values).items())
    reads = tuple(part.split(" ")[0] for part in (where or "").split(" AND ") if part)
    return DataUpdate(table=table, assignments=assignments, where=where, reads=reads, **origin_of(node, src))


def delete(node: Node, src: Source, table: str, where: str | None) -> Operation:
    return DataDelete(table=table, where=where, **origin_of(node, src))


def insert(node: Node, src: Source, table: str, rows: Node | None) -> Operation:
    """The rows an insert writes (`.insert({…})`, `.insert([{…}, …])`), kept as VALUES rows."""
    found = js.value(rows) if rows is not None else None
    columns, values = seed_rows.values_rows(seed_rows.records(found))
    return DataInsert(table=table, columns=columns, rows=values, **origin_of(node, src))


def code(node: Node, src: Source, touches: tuple[str, ...] = ()) -> Operation:
    return RunCode(language=src.language, touches=touches, **origin_of(node, src))


# Node's child_process functions (and execa's): they run another program, which may change anything
_PROCESSES = frozenset(
    {
        "execFileSync",
        "execSync",
        "spawnSync",
        "exec",
        "execFile",
        "spawn",
        "fork",
        "execa",
        "execaSync",
        "execaNode",
    }
)


def awaited_code(node: Node, src: Source) -> list[Operation]:
    """Application code the migration waits for (`await f()`, `return f()`) as RunCode; a call it does not
    wait for computes a value in memory (`JSON.parse`, `ids.push`) and changes nothing in the database,
    unless it runs another program (`execFileSync("node", ["scripts/backfill.js"])`): that is code the
    migration runs, whether it waits for it or not."""
    parent = node.parent
    waited = node.type == "await_expression" or (
        parent is not None and (parent.type == "return_statement" or parent.type == "arrow_function")
    )
    found = js.call(node)
    if found is not None and found.name in _PROCESSES:
        started = js.text_of(found.args[0]) if found.args else found.name
        rest = js.text_of(found.args[1]) if len(found.args) > 1 and found.args[1].type == "array" else ""
        program = f"{started} {rest}".strip()
        return [RunCode(language=src.language, program=program, **origin_of(js.unwrap(node), src))]
    return [code(js.unwrap(node), src)] if waited else []


Walk = Callable[[js.Function], list[Operation]]


def way_back(down: js.Function | None, walk: Walk, missing: str) -> tuple[tuple[Operation, ...] | None, str]:
    """The down function's operations, or why there is none (missing, or it throws)."""
    if down is None:
        return None, missing
    body = list(js.statements(down.body))
    if body and body[0].type == "throw_statement":
        return None, "`down` throws an error"
    return tuple(walk(down)), ""


def build(
    src: Source,
    framework: str,
    text: str,
    up: list[Operation],
    down: tuple[tuple[Operation, ...] | None, str],
    transaction: tuple[bool, str],
    version: str,
) -> Migration:
    ops = separate(up)
    if _ASKS.search(text):
        spans = guard_spans(js.parse(src.path, text))
        ops = tuple(guarded(op) if any(a <= op.location.line <= b for a, b in spans) else op for op in ops)
        if down[0] is not None:
            down = (
                tuple(
                    guarded(op) if any(a <= op.location.line <= b for a, b in spans) else op for op in down[0]
                ),
                down[1],
            )
    return Migration(
        path=src.path,
        framework=framework,
        dialect=src.dialect,
        up=ops,
        down=down[0],
        in_transaction=transaction[0],
        transaction_note=transaction[1],
        down_path=src.path if down[0] is not None else None,
        irreversible_reason=down[1] if down[0] is None else "",
        suppressions=suppressions.find(text, ops),
        version=version,
    )


# Knex's `knex.schema.hasColumn(…)`, TypeORM's `queryRunner.hasColumn(…)`: questions about the schema
_ASKS = re.compile(
    r"\.(?:hasTable|hasColumn|hasIndex|hasForeignKey|hasUniqueConstraint|hasCheckConstraint|describeTable)\s*\("
)
# Sequelize's `const columns = await queryInterface.describeTable("orders")`, asked later (`if (!columns.note)`)
_DESCRIBED = re.compile(r"\b(?:const|let|var)\s+(\w+)\s*=\s*await\s+[\w.]+\.describeTable\s*\(")


def guard_spans(root: Node) -> list[tuple[int, int]]:
    """The lines that run only when the schema is as an `if` asks: the branches of `if (await
    knex.schema.hasColumn(…))` (or of a condition on what Sequelize's `describeTable` answered), and after an
    early return (`if (await queryRunner.hasColumn(…)) return;`) the rest of the function."""
    spans: list[tuple[int, int]] = []
    described = set(_DESCRIBED.findall(js.text_of(root)))
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
        asked = js.text_of(condition) if condition is not None else ""
        if not asked or (
            not _ASKS.search(asked) and not any(re.search(rf"\b{name}\b", asked) for name in described)
        ):
            continue
        spans.append((js.line_of(node), node.end_point[0] + 1))
        body = node.child_by_field_name("consequence")
        inner = (
            [n for n in body.named_children if n.type != "comment"]
            if body is not None and body.type == "statement_block"
            else [body]
        )
        alternative = node.child_by_field_name("alternative")
        if (
            alternative is None
            and len(inner) == 1
            and inner[0] is not None
            and inner[0].type == "return_statement"
        ):
            parent = node.parent
            if parent is not None:
                spans.append((node.end_point[0] + 1, parent.end_point[0] + 1))
    return spans


def syntax_error(root: Node, src: Source) -> list[Operation]:
    if not root.has_error:
        return []
    node = js.first_error(root)
    if node is None:
        return []
    return [
        Unparsed(
            error="syntax error",
            **origin(src.path, js.line_of(node), js.line_of(node), js.text_of(node)[:200]),
        )
    ]
