"""Data migrations written in TypeScript or JavaScript beside a Prisma Migrate history.

Prisma Migrate runs only `migration.sql`; a project's own runner may keep data migrations in the same
timestamped folders (`<history>/20250722075349_sunset_weekly_summary/migration.ts`, formbricks) and run them in
the folders' order, each script given the client of a transaction the runner opens (`tx`). The SQL a script
sends through the Prisma client is read at its lines: the tagged templates `$executeRaw` and `$queryRaw`
(`${…}` is a value the client binds), a `Prisma.sql` template given to them, and the string given to
`$executeRawUnsafe` or `$queryRawUnsafe` (`${…}` is pasted into the SQL: a name a `for … of` over a constant
array gives is read as each of its names). A write through a model's delegate (`tx.survey.update(…)`) is code
that changes that model's rows; a read changes nothing. SQL built by a function is Unparsed, a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tree_sitter import Node

from bot.frameworks import javascript as js
from bot.frameworks import node_migration as nm
from bot.frameworks.sqlfile import parse_sql
from bot.model.migration import Migration, Operation

_TAGGED = ("$executeRaw", "$queryRaw")
_UNSAFE = ("$executeRawUnsafe", "$queryRawUnsafe")
# the delegate methods that write rows (`prisma.user.updateMany(…)`)
_WRITES = frozenset(
    {"create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert",
     "delete", "deleteMany"}
)  # fmt: skip
# `VALUES ${Prisma.join(rows)}`: the rows the code builds, where SQL wants at least one parenthesised row
_ROWS = re.compile(rf"(\bVALUES\s+){re.escape(js.PLACEHOLDER)}\b", re.I)
# the client of a transaction: `tx`, `trx`, `migrationTx`, `transaction`
_TRANSACTION_CLIENT = re.compile(r"(?:^|[a-z_])(?:tx|trx|Tx|Trx|transaction|Transaction)$")
NO_DOWN = "the runner keeps no way back for a data migration: write the reverse as a new one"


def parse(path: str, text: str, dialect: str, framework: str, version: str) -> Migration:
    src = nm.Source(path, dialect)
    root = js.parse(path, _untyped(text))
    up = nm.syntax_error(root, src) or [op for node in _calls(root) for op in _operations(node, src)]
    through_tx = any(_TRANSACTION_CLIENT.search(_client(node)) for node in _calls(root))
    transaction = (
        (True, "the script sends its queries through `tx`, the client of the transaction its runner opens")
        if through_tx
        else (False, "each query the script sends through the Prisma client commits on its own")
    )
    return nm.build(src, framework, text, up, (None, NO_DOWN), transaction, version)


def _untyped(text: str) -> str:
    """The text with the type arguments of tagged templates blanked (`$queryRaw<Row[]>` before a template
    literal), which the TypeScript grammar does not read; every other character stays where it is."""
    found = list(text)
    for match in _TYPED.finditer(text):
        depth, i = 0, match.end() - 1
        while i < len(text):
            depth += {"<": 1, ">": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        rest = text[i + 1 : i + 1 + 200].lstrip()
        if depth == 0 and rest.startswith("`"):
            for j in range(match.end() - 1, i + 1):
                found[j] = text[j] if text[j] == "\n" else " "
    return "".join(found)


_TYPED = re.compile(r"\$(?:queryRaw|executeRaw)\s*<")


def _calls(node: Node) -> Iterator[Node]:
    """The calls of the Prisma client in the file, in the order they are written (those nested in the SQL's
    arguments are read with it)."""
    if node.type == "call_expression" and _method(node) is not None:
        yield node
        return
    for child in node.named_children:
        yield from _calls(child)


def _method(node: Node) -> str | None:
    """`$executeRaw` of `tx.$executeRaw`…, `update` of `tx.survey.update(…)`; None for any other call."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    name = js.text_of(function.child_by_field_name("property"))
    if name in _TAGGED or name in _UNSAFE:
        return name
    delegate = function.child_by_field_name("object")
    if name in _WRITES and delegate is not None and delegate.type == "member_expression":
        client = delegate.child_by_field_name("object")
        return name if client is not None and client.type == "identifier" else None
    return None


def _client(node: Node) -> str:
    """The client a call is sent through: `tx` of `tx.$executeRaw` and of `tx.survey.update(…)`."""
    function = node.child_by_field_name("function")
    current = function.child_by_field_name("object") if function is not None else None
    while current is not None and current.type == "member_expression":
        current = current.child_by_field_name("object")
    return js.text_of(current) if current is not None and current.type == "identifier" else ""


def _operations(node: Node, src: nm.Source) -> list[Operation]:
    name = _method(node) or ""
    arguments = node.child_by_field_name("arguments")
    if name not in _TAGGED and name not in _UNSAFE:
        function = node.child_by_field_name("function")
        delegate = function.child_by_field_name("object") if function is not None else None
        model = js.text_of(delegate.child_by_field_name("property")) if delegate is not None else ""
        return [nm.code(node, src, (model[:1].upper() + model[1:],) if model else ())]
    if arguments is not None and arguments.type == "template_string":
        sql: Node | None = arguments
    else:
        given = [
            a for a in (arguments.named_children if arguments is not None else []) if a.type != "comment"
        ]
        sql = _template(given[0]) if given and name in _TAGGED else given[0] if given else None
    if sql is None:
        return [nm.unparsed(node, src, f"the SQL of `{name}` is built at run time, so it could not be read")]
    found = sql
    return _looped(node, lambda: _statements(node, found, src, name))


def _statements(node: Node, argument: Node, src: nm.Source, what: str) -> list[Operation]:
    """The statements of the SQL; a `${…}` right after VALUES is a list of rows (`VALUES ${Prisma.join(rows)}`),
    read as one row of values."""
    found = js.sql_text(argument)
    if found is None:
        return [
            nm.unparsed(node, src, f"the SQL of `{what}` is computed at run time, so it could not be read")
        ]
    text, line = found
    return list(parse_sql(src.path, _ROWS.sub(rf"\1({js.PLACEHOLDER})", text), src.dialect, first_line=line))


def _template(node: Node) -> Node | None:
    """The template literal of a `Prisma.sql` tag given to `$executeRaw(…)` (or a constant holding one)."""
    node = js.resolve(js.unwrap(node))
    arguments = node.child_by_field_name("arguments") if node.type == "call_expression" else None
    return arguments if arguments is not None and arguments.type == "template_string" else None


def _looped(node: Node, read: Callable[[], list[Operation]]) -> list[Operation]:
    """The statements of a call, once per name of the `for … of` over a constant array around it, if any."""
    loop = node.parent
    while loop is not None and not (loop.type == "for_in_statement" and js.names_looped(loop) is not None):
        loop = loop.parent
    looped = js.names_looped(loop) if loop is not None else None
    if looped is None:
        return read()
    variable, names = looped
    found: list[Operation] = []
    for each in names:
        with js.LOOPS.binding(variable, each):
            found.extend(read())
    return found
