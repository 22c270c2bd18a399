"""Elixir source read with tree-sitter's Elixir grammar: calls, literal values and SQL strings with lines.

Only what Ecto migrations use is read: calls (`add :x, :string, null: false`, `create index(:t, [:c])`,
`repo().update_all(…)`) with their positional arguments, keyword options and `do` block; atoms, strings,
numbers, booleans, nil, lists, tuples and keyword lists as Python values. Anything else (a variable, an
interpolated string, a function) becomes `Code`, its Elixir source. The grammar loads on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import syntax_tree
from bot.frameworks.loop_values import LoopValues
from bot.frameworks.syntax_tree import line_of as line_of
from bot.frameworks.syntax_tree import text_of as text_of
from bot.model.migration import PLACEHOLDER as PLACEHOLDER


@dataclass(frozen=True)
class Code:
    """An Elixir expression that is not a literal, kept as its source text."""

    text: str


Value = str | int | float | bool | None | list["Value"] | tuple["Value", ...] | dict[str, "Value"] | Code


@dataclass(frozen=True)
class Call:
    name: str
    node: Node
    receiver: Node | None  # `Repo` in `Repo.update_all(…)`, `repo()` in `repo().query!(…)`
    args: tuple[Node, ...]
    options: dict[str, Node] = field(default_factory=dict)  # the trailing keyword list
    block: Node | None = None  # the `do … end` block

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def end_line(self) -> int:
        return self.node.end_point[0] + 1

    def option(self, name: str, default: Value = None) -> Value:
        node = self.options.get(name)
        return value(node) if node is not None else default


def parse(text: str) -> Node:
    return syntax_tree.parse("tree_sitter_elixir", text)


def call(node: Node | None) -> Call | None:
    """A call (`add :x, :string`, `table(:t)`, `Repo.update_all(q, set: [...])`), or a bare identifier (`flush`)."""
    if node is None:
        return None
    if node.type == "identifier":
        return Call(text_of(node), node, None, ())
    if node.type != "call":
        return None
    target = node.child_by_field_name("target")
    receiver = None
    if target is not None and target.type == "dot":
        receiver, target = target.child_by_field_name("left"), target.child_by_field_name("right")
    args: list[Node] = []
    options: dict[str, Node] = {}
    block = None
    for child in node.named_children:
        if child.type == "arguments":
            for arg in child.named_children:
                if arg.type == "keywords":
                    options.update(keywords(arg))
                elif arg.type != "comment":
                    args.append(arg)
        elif child.type == "do_block":
            block = child
    return Call(text_of(target), node, receiver, tuple(args), options, block)


def keywords(node: Node) -> dict[str, Node]:
    """`null: false, default: 0` → {"null": node, "default": node}."""
    found: dict[str, Node] = {}
    for pair in node.named_children:
        key, val = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type == "pair" and key is not None and val is not None:
            found[text_of(key).strip().rstrip(":").strip('"')] = val
    return found


def statements(body: Node | None, *, loops: bool = True) -> Iterator[Node]:
    """The expressions of a `do` block or function body, looking into `if`/`unless` and (unless `loops` is
    False, for a caller that repeats a loop's body itself) `for`."""
    if body is None:
        return
    blocks = ("if", "unless", "for") if loops else ("if", "unless")
    for node in body.named_children:
        if node.type in ("comment", "stab_clause"):
            if node.type == "stab_clause":
                yield from statements(node.child_by_field_name("right"), loops=loops)
            continue
        if node.type in ("else_block", "after_block", "rescue_block"):
            yield from statements(node, loops=loops)
            continue
        found = call(node)
        if found is not None and found.name in blocks and found.receiver is None and found.block:
            yield from statements(found.block, loops=loops)
        else:
            yield node


def value(node: Node | None) -> Value:
    if node is None:
        return None
    kind = node.type
    if kind == "atom":
        return text_of(node)[1:]
    if kind == "quoted_atom":
        return text_of(node)[2:-1]
    if kind in ("string", "sigil", "charlist"):
        return string(node)
    if kind == "integer":
        return _integer(text_of(node))
    if kind == "float":
        return float(text_of(node).replace("_", ""))
    if kind == "boolean":
        return text_of(node) == "true"
    if kind == "nil":
        return None
    if kind == "list":
        return _list(node)
    if kind == "tuple":
        return tuple(value(child) for child in node.named_children if child.type != "comment")
    if kind == "unary_operator" and text_of(node).startswith("-"):
        inner = value(node.child_by_field_name("operand"))
        return (
            -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else Code(text_of(node))
        )
    return Code(text_of(node))


def _integer(text: str) -> int | Code:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return Code(text)


def _list(node: Node) -> list[Value] | dict[str, Value]:
    children = [child for child in node.named_children if child.type != "comment"]
    if len(children) == 1 and children[0].type == "keywords":
        return {key: value(val) for key, val in keywords(children[0]).items()}
    return [value(child) for child in children]


def string(node: Node) -> str | Code:
    """A string literal's text; a string with `#{…}` in it is code."""
    text, _, interpolated = _pieces(node)
    return Code(text_of(node)) if interpolated else text


LOOPS = LoopValues("elixir")  # a `for` variable while the comprehension's body is walked once per value


def sql_text(node: Node) -> tuple[str, int] | None:
    """SQL given as a string, heredoc or sigil, with `#{…}` replaced (by the value a loop's variable holds
    in this pass, else a placeholder), and the line its text starts on."""
    if node.type not in ("string", "sigil", "charlist"):
        return None
    text, line, _ = _pieces(node)
    return text, line


def _pieces(node: Node) -> tuple[str, int, bool]:
    parts: list[str] = []
    interpolated = False
    line = 0
    raw = node.type == "sigil" and text_of(node)[1:2].isupper()
    for child in node.named_children:
        if child.type == "quoted_content":
            parts.append(text_of(child))
        elif child.type == "escape_sequence":
            parts.append(text_of(child) if raw else _unescape(text_of(child)))
        elif child.type == "interpolation":
            interpolated = True
            bound = LOOPS.value(text_of(child)[2:-1].strip())
            parts.append(bound if bound is not None else PLACEHOLDER + "\n" * text_of(child).count("\n"))
        else:
            continue
        line = line or line_of(child)
    return "".join(parts), line or line_of(node), interpolated


def _unescape(text: str) -> str:
    return {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\'": "'", "\\\\": "\\", "\\#": "#"}.get(text, text[1:])


def names(found: Value) -> tuple[str, ...]:
    """`:a` or `[:a, :b]` → the names."""
    if isinstance(found, list):
        return tuple(str(v) for v in found if isinstance(v, str))
    return (found,) if isinstance(found, str) else ()


def first_error(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        stack.extend(reversed(node.children))
    return None
