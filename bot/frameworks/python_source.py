"""Python migration source (Django, Alembic) read with the standard library's `ast`: calls, literals, SQL.

Nothing is imported or executed: a literal is read with `ast.literal_eval`, anything else is kept as
`Code`, its source text, so a migration that computes a value is still read without running it.
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.frameworks.loop_values import names
from bot.model.migration import PLACEHOLDER


@dataclass(frozen=True)
class Code:
    """A Python expression that is not a literal, kept as its source text."""

    text: str


def name(node: ast.expr) -> str:
    """The called name: `migrations.AddField` → `AddField`, `op.add_column` → `add_column`."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def dotted(node: ast.expr) -> str:
    """`op.get_bind().execute` → `op.get_bind.execute` (calls in the chain are dropped)."""
    parts = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    return ".".join(reversed(parts))


def literal(node: ast.expr | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return Code(ast.unparse(node))


def keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    """A positional argument or, when absent, the keyword argument of that name."""
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return keywords(call).get(keyword)


def get_model_nodes(call: ast.Call) -> list[ast.expr]:
    """The arguments of Django's `apps.get_model("shop", "Order")`, also when given by keyword
    (`get_model(app_label="shop", model_name="Order")`, as Mayan EDMS writes them)."""
    named = [argument(call, 0, "app_label"), argument(call, 1, "model_name")]
    return [node for node in named if node is not None] if named[0] is not None else list(call.args)


def get_model_arguments(call: ast.Call) -> list[object]:
    """The literal values of `get_model_nodes`."""
    return [literal(node) for node in get_model_nodes(call)]


def text_argument(call: ast.Call, index: int, keyword: str) -> str:
    node = argument(call, index, keyword)
    if (
        isinstance(node, ast.Call)
        and name(node.func).rsplit(".", 1)[-1] in ("f", "conv")
        and len(node.args) == 1
        and not node.keywords
    ):
        node = node.args[0]  # Alembic's `op.f("ix_name")`: a name the naming convention leaves as it is
    value = literal(node)
    return value if isinstance(value, str) else ""


def segment(text: str, node: ast.AST) -> str:
    """The source text of `node`, as `ast.get_source_segment` gives it, without splitting `text` again for
    every node: the lines of the last few texts are kept (a long migration has thousands of segments)."""
    where = [getattr(node, name, None) for name in ("lineno", "end_lineno", "col_offset", "end_col_offset")]
    numbers = [number for number in where if isinstance(number, int)]
    if len(numbers) < 4:
        return ""
    start, end, first, last = numbers
    lines = _lines(text)
    if end > len(lines):
        return ""
    if start == end:
        return lines[start - 1].encode()[first:last].decode(errors="replace")
    head = lines[start - 1].encode()[first:].decode(errors="replace")
    tail = lines[end - 1].encode()[:last].decode(errors="replace")
    return head + "".join(lines[start : end - 1]) + tail


_LINE_END = re.compile(r"\r\n|\r|\n")


@lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    """Lines with their endings, split where Python's tokenizer ends a line (not at form feeds)."""
    found, position = [], 0
    for match in _LINE_END.finditer(text):
        found.append(text[position : match.end()])
        position = match.end()
    if position < len(text):
        found.append(text[position:])
    return tuple(found)


@dataclass(frozen=True)
class SqlString:
    text: str
    line: int


def sql_strings(
    node: ast.expr | None, names: Mapping[str, ast.expr] | None = None
) -> Iterator[SqlString] | None:
    """SQL as a string, `sa.text("…")`, or a list or tuple of them (Django `RunSQL`); None when computed. A
    name bound to such a string (`names`: `stmt = "UPDATE …"`) stands for it."""
    if node is None:
        return None
    found = list(_sql_strings(node, names or {}))
    if any(s is None for s in found):
        return None
    return iter([s for s in found if s is not None])


def _sql_strings(node: ast.expr, names: Mapping[str, ast.expr]) -> Iterator[SqlString | None]:
    if isinstance(node, ast.Name) and node.id in names:
        yield from _sql_strings(names[node.id], {k: v for k, v in names.items() if k != node.id})
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield SqlString(binds(node.value), node.lineno)
    elif isinstance(node, ast.JoinedStr):
        yield SqlString(binds(_placeholders(node)), node.lineno)
    elif isinstance(node, ast.Call) and name(node) in ("text", "dedent", "strip") and node.args:
        yield from _sql_strings(node.args[0], names)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        filled = _format_names(node)
        for found in _sql_strings(node.func.value, names):
            if found is None or not filled:
                yield found
                continue
            text = re.sub(r"\{(\w+)\}", lambda m: filled.get(m.group(1), m.group(0)), found.text)
            yield SqlString(text, found.line)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("strip", "bindparams", "columns", "execution_options")
    ):
        # `sa.text("UPDATE … WHERE id = :id").bindparams(id=…)`: the statement with its parameters bound
        yield from _sql_strings(node.func.value, names)
    elif isinstance(node, ast.List | ast.Tuple):
        if (
            isinstance(node, ast.Tuple)
            and len(node.elts) == 2
            and not isinstance(node.elts[1], ast.Constant | ast.JoinedStr)
        ):
            yield from _sql_strings(node.elts[0], names)  # (sql, params)
        else:
            for element in node.elts:
                yield from _sql_strings(element, names)
    else:
        yield None


# a string literal (kept whole, to its end when it has none), or a bind parameter outside one: `:name` not
# after `:` (a cast), `]` or a letter or digit (an array slice `a[1:n]`, a time `12:30`)
_BIND = re.compile(r"'(?:[^']|'')*(?:'|$)|(?<![:\]\w]):([^\W\d]\w*)", re.S)


def _format_names(call: ast.Call) -> dict[str, str]:
    """The names a `"UPDATE {table} SET {column} = %s".format(…)` fills in that the code spells out: a literal
    (`table="documents_document"`) or one quoted by the database's connection (`column=schema_editor.connection
    .ops.quote_name("filename")`, as Mayan EDMS writes its SQL). Other placeholders stay as they are."""
    filled: dict[str, str] = {}
    for key in call.keywords:
        value = key.value
        quoted = isinstance(value, ast.Call) and name(value).endswith("quote_name") and len(value.args) == 1
        text = literal(value.args[0] if quoted and isinstance(value, ast.Call) else value)
        if key.arg and isinstance(text, str) and re.fullmatch(r"[\w.]+", text):
            # a lower-case name means the same unquoted on every database; another keeps PostgreSQL's quotes
            plain = not quoted or re.fullmatch(r"[a-z_][a-z0-9_]*", text)
            filled[key.arg] = text if plain else f'"{text}"'
    return filled


def binds(sql: str) -> str:
    """SQLAlchemy's bind parameters (`WHERE id > :lo`, in `text()` and in the strings `op.execute` wraps in it)
    as the placeholder of a value the code fills in, so the statement parses. A `::` cast, a `:name` inside a
    string literal and an array slice (`a[1:n]`) are left as they are."""
    if ":" not in sql:
        return sql
    return _BIND.sub(lambda m: PLACEHOLDER if m.group(1) else m.group(0), sql)


def _placeholders(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(value.value)
        else:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def functions(module: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(module) if isinstance(n, ast.FunctionDef)}


_LITERALS = (ast.Constant, ast.JoinedStr, ast.List, ast.Tuple)


def constants(module: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound once to a literal: `DISABLE = "ALTER TABLE …"`."""
    found: dict[str, ast.expr] = {}
    for node in (n for n in module.body if isinstance(n, ast.Assign) and len(n.targets) == 1):
        if isinstance(node.targets[0], ast.Name) and isinstance(node.value, _LITERALS):
            found[node.targets[0].id] = node.value
    return found


def unrolled(loop: ast.For, known: Mapping[str, ast.expr]) -> list[list[ast.stmt]] | None:
    """The loop's body once per value of a literal list or tuple of strings (or of a module constant that
    holds one: `for table in TABLES:`), the loop variable replaced by that value, as if written out; None for
    a loop over anything else."""
    if not isinstance(loop.target, ast.Name) or loop.orelse:
        return None
    source = known.get(loop.iter.id, loop.iter) if isinstance(loop.iter, ast.Name) else loop.iter
    found = literal(source)
    values = names(list(found) if isinstance(found, tuple) else found)
    if values is None:
        return None
    return [[_Bound(loop.target.id, v).visit(copy.deepcopy(s)) for s in loop.body] for v in values]


def folded(node: ast.expr) -> ast.expr:
    """The expression with every f-string whose parts are all known strings written as one string
    (`f"UPDATE {TABLE} …"` once `TABLE` is replaced by `"orders"`)."""
    return _Folded().visit(node)  # type: ignore[no-any-return]


class _Folded(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.expr:
        """textwrap's `dedent(…)` of a known string is that string dedented (a query written indented)."""
        self.generic_visit(node)
        if (
            name(node) == "dedent"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return ast.copy_location(ast.Constant(textwrap.dedent(node.args[0].value)), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.expr:
        self.generic_visit(node)
        parts = [
            v.value
            if isinstance(v, ast.FormattedValue) and v.conversion == -1 and v.format_spec is None
            else v
            for v in node.values
        ]
        if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            return ast.copy_location(ast.Constant("".join(str(p.value) for p in parts)), node)  # type: ignore[attr-defined]
        return node


class _Bound(_Folded):
    """Replaces a name by a string constant, in f-strings too (`f"ix_{table}"` becomes `"ix_orders"`)."""

    def __init__(self, name: str, value: str) -> None:
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return ast.copy_location(ast.Constant(self.value), node)
        return node


# calls that compute a value in the process and never reach a database: the environment, conversions,
# text, numbers, dates, logging
_OFFLINE_CALLS = frozenset(
    {
        "os.environ.get",
        "environ.get",
        "os.getenv",
        "getenv",
        *("int", "str", "float", "bool", "len", "range", "list", "dict", "set", "tuple", "sorted"),
        *("min", "max", "sum", "abs", "round", "enumerate", "zip", "print", "repr", "isinstance"),
        *("Decimal", "timedelta", "datetime", "date", "uuid4", "uuid.uuid4", "re.compile", "getLogger"),
        *("datetime.now", "datetime.utcnow", "date.today", "timezone.now", "time.time", "time.monotonic"),
        *("json.dumps", "json.loads", "logging.getLogger"),
    }
)
_OFFLINE_METHODS = frozenset(
    {
        *("lower", "upper", "strip", "lstrip", "rstrip", "split", "join", "format", "replace"),
        *("startswith", "endswith", "encode", "decode", "hexdigest", "isoformat"),
        *("debug", "info", "warning", "error", "exception"),
    }
)


def offline(statement: ast.stmt) -> bool:
    """A statement that only computes values in the process (`salt = os.environ.get("SALT")`, `size = 10 *
    1000`, `logger.info("…")`): it names no function that could reach the database, so it takes no time
    that grows with a table and holds no lock of its own."""
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr):
        value = statement.value
    else:
        return isinstance(statement, ast.Pass)
    if value is None or any(isinstance(n, ast.Await | ast.Yield | ast.YieldFrom) for n in ast.walk(value)):
        return value is None
    return all(_offline_call(call) for call in ast.walk(value) if isinstance(call, ast.Call))


def _offline_call(call: ast.Call) -> bool:
    if isinstance(call.func, ast.Name):
        return call.func.id in _OFFLINE_CALLS
    if isinstance(call.func, ast.Attribute) and call.func.attr in _OFFLINE_METHODS:
        return True
    parts = dotted(call.func).split(".")  # `datetime.datetime.now`: its last two names or more
    return any(".".join(parts[start:]) in _OFFLINE_CALLS for start in range(len(parts) - 1))
