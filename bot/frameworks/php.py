"""PHP source read with tree-sitter's PHP grammar: method calls, literal values and SQL strings with lines.

Only what Laravel migrations use is read: calls (`$table->string('x')`, `Schema::table(…)`, `DB::statement(…)`)
with their receiver, positional and named arguments; strings, numbers, booleans, null and arrays as Python
values. Anything else (a variable, an interpolated string, a closure) becomes `Code`, its PHP source, so no
construct is lost. The grammar loads on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import syntax_tree
from bot.frameworks.dialect_guards import runs_on
from bot.frameworks.loop_values import LoopValues
from bot.frameworks.syntax_tree import line_of as line_of
from bot.frameworks.syntax_tree import text_of as text_of
from bot.model.migration import PLACEHOLDER as PLACEHOLDER

CALLS = frozenset(
    {
        "member_call_expression",
        "nullsafe_member_call_expression",
        "scoped_call_expression",
        "function_call_expression",
    }
)
_STRINGS = frozenset({"string", "encapsed_string", "heredoc", "nowdoc"})
_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", '\\"': '"', "\\'": "'", "\\\\": "\\", "\\$": "$"}


@dataclass(frozen=True)
class Code:
    """A PHP expression that is not a literal, kept as its source text."""

    text: str


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | Code


@dataclass(frozen=True)
class Call:
    name: str
    node: Node
    receiver: Node | None  # the object of `->`, the class of `::`, None for a function
    args: tuple[Node, ...]  # positional arguments' expressions
    named: dict[str, Node] = field(default_factory=dict)  # `name: value` arguments

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def end_line(self) -> int:
        return self.node.end_point[0] + 1

    def arg(self, index: int, name: str = "") -> Node | None:
        """The argument at `index`, or given by `name`."""
        if name and name in self.named:
            return self.named[name]
        return self.args[index] if len(self.args) > index else None


def parse(text: str) -> Node:
    return syntax_tree.parse("tree_sitter_php", text, "language_php")


def call(node: Node) -> Call | None:
    """A call: `$t->string('x')`, `$x?->y()`, `Schema::table(…)`, `foo(…)`."""
    if node.type not in CALLS:
        return None
    if node.type == "function_call_expression":
        receiver, name = None, node.child_by_field_name("function")
    elif node.type == "scoped_call_expression":
        receiver, name = node.child_by_field_name("scope"), node.child_by_field_name("name")
    else:
        receiver, name = node.child_by_field_name("object"), node.child_by_field_name("name")
    args: list[Node] = []
    named: dict[str, Node] = {}
    arguments = node.child_by_field_name("arguments")
    for arg in arguments.named_children if arguments is not None else []:
        if arg.type != "argument" or not arg.named_children:
            continue
        label = arg.child_by_field_name("name")
        expression = arg.named_children[-1]
        if label is not None:
            named[text_of(label)] = expression
        else:
            args.append(expression)
    return Call(text_of(name), node, receiver, tuple(args), named)


def chain(node: Node) -> tuple[Node | None, list[Call]]:
    """`$t->string('a')->nullable()` → ($t, [string, nullable]): the innermost receiver and the calls."""
    calls: list[Call] = []
    current: Node | None = node
    while current is not None:
        found = call(current)
        if found is None:
            break
        calls.append(found)
        current = found.receiver
        if found.node.type in ("scoped_call_expression", "function_call_expression"):
            break
    calls.reverse()
    return current, calls


def statements(body: Node | None, *, loops: bool = True, dialect: str = "") -> Iterator[Node]:
    """The expressions of a body's statements, looking into `if`/`else`, blocks, `try`/`finally` and loops
    (a `foreach` itself when `loops` is False: the caller repeats its body once per value). Given the dialect,
    a branch for another database is left out: `if (DB::getDriverName() === 'pgsql')`, `switch
    (DB::getDriverName()) { case 'mysql': … }` (see dialect_guards)."""
    if body is None:
        return
    label = body.child_by_field_name("value") if body.type == "case_statement" else None
    for node in body.named_children:
        if label is not None and node == label:
            continue  # a case's label, not one of its statements
        if dialect and node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            runs = runs_on(text_of(condition), dialect) if condition is not None else None
            if runs is not False:
                yield from statements(node.child_by_field_name("body") or node, loops=loops, dialect=dialect)
            if runs is not True:
                for clause in node.children_by_field_name("alternative"):
                    yield from statements(clause, loops=loops, dialect=dialect)
            continue
        if (
            dialect
            and node.type == "switch_statement"
            and (cases := _driver_cases(node, dialect)) is not None
        ):
            for case in cases:
                yield from statements(case, loops=loops, dialect=dialect)
            continue
        if node.type in ("expression_statement", "return_statement") and node.named_children:
            yield node.named_children[0]
        elif node.type in ("compound_statement", "else_clause", "else_if_clause", "try_statement"):
            yield from statements(node.child_by_field_name("body") or node, loops=loops, dialect=dialect)
            if node.type == "try_statement":
                for clause in node.named_children:  # a `catch` runs only when the migration fails
                    if clause.type == "finally_clause":
                        yield from statements(
                            clause.child_by_field_name("body") or clause, loops=loops, dialect=dialect
                        )
        elif node.type == "foreach_statement" and not loops:
            yield node
        elif node.type in ("if_statement", "foreach_statement", "for_statement", "while_statement"):
            yield from statements(node.child_by_field_name("body") or node, loops=loops, dialect=dialect)
            for clause in node.children_by_field_name("alternative"):
                yield from statements(clause, loops=loops, dialect=dialect)
        elif node.type not in (
            "comment",
            "empty_statement",
            "php_tag",
            "text_interpolation",
            "break_statement",
        ):
            yield node


_DRIVER = re.compile(r"driver|database\.default|connection", re.I)  # what a switch on the database reads


def _driver_cases(node: Node, dialect: str) -> list[Node] | None:
    """The cases of `switch (DB::getDriverName()) { case 'mysql': … default: … }` that run on the dialect: the
    case naming its database (and those falling through into it), else `default`; None for a switch on
    anything else, read whole as before."""
    condition = node.child_by_field_name("condition")
    # `switch (true) { case $platform instanceof MySQLPlatform: … }`: each case names its database
    if condition is None or not (_DRIVER.search(text_of(condition)) or text_of(condition) == "(true)"):
        return None
    body = node.child_by_field_name("body")
    cases = [
        c
        for c in (body.named_children if body is not None else [])
        if c.type in ("case_statement", "default_statement")
    ]
    chosen: list[Node] = []
    falling = False
    for case in cases:
        if case.type == "default_statement":
            continue
        label = case.child_by_field_name("value")
        runs = runs_on(text_of(label), dialect) if label is not None else None
        if runs is None:
            return None  # a case the review cannot place: read the switch whole
        if runs or falling:
            chosen.append(case)
            # a case without `break` falls through into the next one
            falling = not any(child.type == "break_statement" for child in case.named_children)
            if not falling:
                break
    if not chosen:
        chosen = [c for c in cases if c.type == "default_statement"]
    return chosen


LOOPS = LoopValues("php")  # a `foreach` variable while the loop's body is walked once per value
# what LOOPS may hold besides a loop's variable: a class's constant or property (`self::TABLE`, `$this->prefix`)
_HELD = frozenset({"variable_name", "member_access_expression", "class_constant_access_expression"})


def value(node: Node | None) -> Value:
    if node is None:
        return None
    kind = node.type
    if kind in _HELD and (bound := LOOPS.value(text_of(node))) is not None:
        return bound  # a loop's variable, or a class's constant or property a reader holds (`self::TABLE`)
    if kind in _STRINGS:
        return string(node)
    if kind == "integer":
        return _integer(text_of(node))
    if kind == "float":
        return _float(text_of(node))
    if kind == "boolean":
        return text_of(node).lower() == "true"
    if kind == "null":
        return None
    if kind == "array_creation_expression":
        return _array(node)
    if kind == "unary_op_expression" and text_of(node).startswith("-"):
        inner = value(node.child_by_field_name("argument"))
        return (
            -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else Code(text_of(node))
        )
    if kind == "parenthesized_expression" and node.named_child_count == 1:
        return value(node.named_children[0])
    if kind == "binary_expression" and node.child_by_field_name("operator") is not None:
        return _joined(node)
    if kind in ("scoped_call_expression", "member_call_expression"):
        return _table_name(node)
    if kind == "function_call_expression":
        return _formatted(node)
    return Code(text_of(node))


def _formatted(node: Node) -> Value:
    """`sprintf('%s_tz', $column)` with every part known: the text it makes (`%s` and `%%` only)."""
    found = call(node)
    if found is not None and found.name == "config" and len(found.args) == 1:
        key = value(found.args[0])  # `config('webpush.table_name')`: the value the application's config gives
        held = LOOPS.value(f"config:{key}") if isinstance(key, str) else None
        return held if held is not None else Code(text_of(node))
    if found is None or found.name != "sprintf" or not found.args:
        return Code(text_of(node))
    parts = [value(arg) for arg in found.args]
    pattern, rest = parts[0], parts[1:]
    if not isinstance(pattern, str) or not all(isinstance(p, str) for p in rest):
        return Code(text_of(node))
    pieces = re.split(r"(%%|%s)", pattern)
    if sum(piece == "%s" for piece in pieces) != len(rest) or "%" in "".join(
        piece for piece in pieces if piece not in ("%%", "%s")
    ):
        return Code(text_of(node))
    given = iter(rest)
    return "".join(str(next(given)) if p == "%s" else "%" if p == "%%" else p for p in pieces)


def _joined(node: Node) -> Value:
    """`'ALTER TABLE ' . $table . ' …'`: the text when every part is a known string."""
    operator = node.child_by_field_name("operator")
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if operator is None or text_of(operator) != "." or left is None or right is None:
        return Code(text_of(node))
    first, second = value(left), value(right)
    return first + second if isinstance(first, str) and isinstance(second, str) else Code(text_of(node))


def _table_name(node: Node) -> Value:
    """What Laravel's table-name helpers give a migration run without a table prefix (the default):
    `DB::getTablePrefix()` is empty, `DB::getQueryGrammar()->wrapTable('tasks')` is the table's name."""
    found = call(node)
    if found is None:
        return Code(text_of(node))
    if found.name == "getTablePrefix" and not found.args:
        return ""
    quote = LOOPS.value(f"table-helper:{found.name}") if text_of(found.receiver) == "$this" else None
    if quote is not None and found.args:
        # a migration's own helper that puts the project's table prefix before a name (`$this->getTable('user')`),
        # bound to the quote of the migration's dialect: read as the name, the prefix left out as the entities do
        name = value(found.args[0])
        return quoted_name(name, quote) if isinstance(name, str) else Code(text_of(node))
    if found.name == "wrapTable" and len(found.args) == 1 and "getQueryGrammar" in text_of(node):
        name = value(found.args[0])
        return name if isinstance(name, str) else Code(text_of(node))
    return Code(text_of(node))


# names a table may have that SQL reads as a keyword: a helper that gives a table's name quotes them
_RESERVED = frozenset(
    {"user", "order", "group", "table", "select", "where", "key", "index", "check", "limit"}
)


def quoted_name(name: str, quote: str) -> str:
    return f"{quote}{name}{quote}" if name.lower() in _RESERVED else name


def _integer(text: str) -> int | Code:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return Code(text)


def _float(text: str) -> float | Code:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return Code(text)


def _array(node: Node) -> list[Value] | dict[str, Value]:
    items: list[Value] = []
    pairs: dict[str, Value] = {}
    for element in node.named_children:
        if element.type != "array_element_initializer" or not element.named_children:
            continue
        parts = element.named_children
        if len(parts) == 2:
            pairs[str(value(parts[0]))] = value(parts[1])
        else:
            items.append(value(parts[0]))
    return pairs if pairs and not items else items


def string(node: Node) -> str | Code:
    """A string literal's text; a string with `{$x}` or `$x` inside is code."""
    text, _, interpolated = _pieces(node)
    return Code(text_of(node)) if interpolated else text


def sql_text(node: Node) -> tuple[str, int] | None:
    """The text of a string or heredoc, with interpolations replaced, and the line its text starts on."""
    if node.type == "binary_expression":
        joined = value(node)
        return (joined, line_of(node)) if isinstance(joined, str) else None
    if node.type not in _STRINGS:
        return None
    text, line, _ = _pieces(node)
    return text, line


def _pieces(node: Node) -> tuple[str, int, bool]:
    body = node.child_by_field_name("value") if node.type in ("heredoc", "nowdoc") else node
    if body is None:
        return "", line_of(node), False
    parts: list[str] = []
    interpolated = False
    position = body.start_byte if node.type in ("heredoc", "nowdoc") else None
    source = node.text or b""
    for child in body.named_children:
        if position is not None:  # a heredoc's lines are separate nodes: keep what lies between them
            parts.append(_between(source, node.start_byte, position, child.start_byte))
            position = child.end_byte
        if child.type in ("string_content", "nowdoc_string", "string_value"):
            parts.append(text_of(child))
        elif child.type == "escape_sequence":
            parts.append(_unescape(text_of(child), single=node.type == "string"))
        elif child.type == "variable_name" and (bound := LOOPS.value(text_of(child))) is not None:
            parts.append(bound)
        else:
            interpolated = True
            parts.append(PLACEHOLDER + "\n" * text_of(child).count("\n"))
    first = body if position is not None or not body.named_children else body.named_children[0]
    return "".join(parts), line_of(first), interpolated


def _between(source: bytes, offset: int, start: int, end: int) -> str:
    return source[start - offset : end - offset].decode("utf-8", "replace")


def _unescape(text: str, *, single: bool) -> str:
    if single:
        return {"\\'": "'", "\\\\": "\\"}.get(text, text)
    return _ESCAPES.get(text, text)


def names(node_value: Value) -> tuple[str, ...]:
    """`'a'` or `['a', 'b']` → the names."""
    if isinstance(node_value, list):
        return tuple(str(v) for v in node_value if isinstance(v, str))
    return (node_value,) if isinstance(node_value, str) else ()


def first_error(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        stack.extend(reversed(node.children))
    return None
