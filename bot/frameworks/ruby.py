"""Ruby source read with tree-sitter's Ruby grammar: method calls, literal values and SQL strings with lines.

Only what migrations use is read: calls with their receiver, positional arguments, keyword options and
block; symbols, strings, numbers, booleans, nil, arrays and hashes as Python values. Anything else (a
variable, an interpolated string, a lambda) becomes `Code`, its Ruby source, so no construct is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import syntax_tree
from bot.frameworks.dialect_guards import runs_on
from bot.frameworks.loop_values import LoopValues
from bot.frameworks.syntax_tree import line_of as line_of
from bot.frameworks.syntax_tree import text_of as text_of
from bot.model.migration import PLACEHOLDER as PLACEHOLDER


@dataclass(frozen=True)
class Code:
    """A Ruby expression that is not a literal, kept as its source text."""

    text: str


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | Code


@dataclass(frozen=True)
class Call:
    name: str
    node: Node
    receiver: Node | None
    args: tuple[Node, ...]
    options: dict[str, Node] = field(default_factory=dict)
    block: Node | None = None  # the body of `{ … }` or `do … end`
    # options given as `**options`, a hash a loop being walked binds (`… each do |table, columns, options|`)
    spread: dict[str, Value] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def end_line(self) -> int:
        return self.node.end_point[0] + 1

    def option(self, name: str, default: Value = None) -> Value:
        node = self.options.get(name)
        if node is None:
            return self.spread.get(name, default)
        return value(node)


def parse(text: str) -> Node:
    return syntax_tree.parse("tree_sitter_ruby", text)


def call(node: Node) -> Call | None:
    """A method call (`add_column :t, :c`, `t.string :x`, `User.update_all(…)`, a bare `foo!`)."""
    if node.type == "identifier":
        return Call(text_of(node), node, None, ())
    if node.type != "call":
        return None
    method = node.child_by_field_name("method")
    receiver = node.child_by_field_name("receiver")
    arguments = node.child_by_field_name("arguments")
    block = node.child_by_field_name("block")
    args: list[Node] = []
    options: dict[str, Node] = {}
    spread: dict[str, Value] = {}
    for arg in arguments.named_children if arguments is not None else []:
        held = LOOPS.held(text_of(arg)[2:].strip()) if arg.type == "hash_splat_argument" else None
        if isinstance(held, dict):
            spread.update(held)
        elif arg.type == "pair":
            _add_pair(arg, options)
        elif arg.type == "hash":
            for pair in arg.named_children:
                if pair.type == "pair":
                    _add_pair(pair, options)
        elif arg.type not in ("comment", "block_argument"):
            args.append(arg)
    return Call(text_of(method), node, receiver, tuple(args), options, _block_body(block), spread)


def _add_pair(pair: Node, options: dict[str, Node]) -> None:
    key, val = pair.child_by_field_name("key"), pair.child_by_field_name("value")
    if key is not None and val is not None:
        name = value(key)
        if isinstance(name, str):
            options[name] = val


def hash_pairs(node: Node) -> dict[str, Node]:
    """The keys of a hash literal (`{type: "x", public: true}`) and their value nodes."""
    found: dict[str, Node] = {}
    for pair in node.named_children:
        if pair.type == "pair":
            _add_pair(pair, found)
    return found


def _block_body(block: Node | None) -> Node | None:
    if block is None:
        return None
    for child in block.named_children:
        if child.type in ("body_statement", "block_body"):
            return child
    return block


def block_parameters(call: Node) -> list[str]:
    """The names a call's block takes (`do |table|`, `{ |record| … }`)."""
    block = next((c for c in call.named_children if c.type in ("do_block", "block")), None)
    params = next((c for c in block.named_children if c.type == "block_parameters"), None) if block else None
    return [text_of(p) for p in params.named_children if p.type == "identifier"] if params else []


def statements(body: Node | None, dialect: str = "") -> Iterator[Node]:
    """The statements of a body, looking through `if`/`unless` branches and modifiers. Given the dialect the
    review reads, a branch guarded by another database (`if Redmine::Database.mysql?`) is left out."""
    if body is None:
        return
    for node in body.named_children:
        if node.type in ("comment", "heredoc_body", "empty_statement", "rescue", "ensure"):
            continue
        if node.type in (
            "if_modifier",
            "unless_modifier",
            "rescue_modifier",
            "while_modifier",
            "until_modifier",
        ):
            inner = node.child_by_field_name("body")
            if inner is not None and _runs(node, dialect) is not False:
                yield inner
        elif node.type in ("if", "unless", "else", "elsif", "then", "begin", "parenthesized_statements"):
            runs = _runs(node, dialect) if node.type in ("if", "unless", "elsif") else None
            for child in node.named_children:
                if node.type in ("if", "unless", "elsif") and child == node.child_by_field_name("condition"):
                    continue
                if runs is not None and runs == (child.type in ("else", "elsif")):
                    continue  # the branch for another database
                yield from statements(child, dialect) if child.type in ("then", "else", "elsif") else [child]
        else:
            yield node


def _runs(node: Node, dialect: str) -> bool | None:
    condition = node.child_by_field_name("condition")
    if condition is None:
        return None
    return runs_on(text_of(condition), dialect, negated=node.type.startswith("unless"))


LOOPS = LoopValues("ruby")  # a block variable while `%w[a b].each do |t|` is walked once per name


def value(node: Node) -> Value:
    kind = node.type
    if kind == "identifier" and (node.parent is None or node.parent.type != "pair"):
        bound = LOOPS.held(text_of(node))
        if isinstance(bound, str | list):
            return bound
    if kind == "simple_symbol":
        return text_of(node)[1:]
    if kind in ("hash_key_symbol", "identifier") and node.parent is not None and node.parent.type == "pair":
        return text_of(node)
    if kind == "delimited_symbol":
        return text_of(node)[2:-1]
    if kind == "string":
        return string(node)
    if kind == "chained_string":  # `"INSERT …" \\` then `" SELECT …"` on the next line: one string
        parts = [string(child) for child in node.named_children if child.type == "string"]
        texts = [part for part in parts if isinstance(part, str)]
        return "".join(texts) if len(texts) == len(parts) else Code(text_of(node))
    if kind == "integer":
        return _integer(text_of(node))
    if kind == "float":
        return float(text_of(node).replace("_", ""))
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "nil":
        return None
    if kind in ("string_array", "symbol_array"):  # %w[a b], %i[a b]
        return [text_of(child) for child in node.named_children]
    if kind == "array":
        return [value(child) for child in node.named_children if child.type != "comment"]
    if kind == "hash":
        found: dict[str, Node] = {}
        for pair in node.named_children:
            if pair.type == "pair":
                _add_pair(pair, found)
        return {key: value(val) for key, val in found.items()}
    if kind == "unary" and text_of(node).startswith("-"):
        inner = value(node.named_children[0]) if node.named_children else None
        return (
            -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else Code(text_of(node))
        )
    return Code(text_of(node))


def _integer(text: str) -> int | Code:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return Code(text)


def string(node: Node) -> str | Code:
    """A string literal's text; a string with `#{…}` is code, unless each `#{…}` names the variable of a loop
    being walked (`"#{table}_owner_fkey"` inside `%w[a b].each do |table|`)."""
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "interpolation":
            bound = LOOPS.value(text_of(child)[2:-1].strip())
            if bound is None:
                return Code(text_of(node))
            parts.append(bound)
        elif child.type in ("string_content", "escape_sequence"):
            parts.append(_unescape(child))
    return _single_quoted(node, "".join(parts))


def _single_quoted(node: Node, text: str) -> str:
    """In '…' and %q(…) strings Ruby reads only `\\'` and `\\\\` as escapes."""
    if text_of(node).startswith(("'", "%q")):
        return text.replace("\\\\", "\0").replace("\\'", "'").replace("\0", "\\")
    return text


def _unescape(node: Node) -> str:
    text = text_of(node)
    if node.type != "escape_sequence":
        return text
    return {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\'": "'", "\\\\": "\\"}.get(text, text[1:])


def sql_text(
    node: Node, heredocs: dict[int, Node], resolve: Callable[[str], Value] | None = None
) -> tuple[str, int] | None:
    """SQL given as a string or heredoc (`execute <<~SQL`), with `#{…}` replaced, and its first line."""
    while (
        node.type == "call"
        and node.child_by_field_name("receiver") is not None
        and text_of(node.child_by_field_name("method"))
        in ("squish", "strip", "freeze", "strip_heredoc", "dup")
    ):
        receiver = node.child_by_field_name("receiver")
        assert receiver is not None
        node = receiver
    if node.type == "heredoc_beginning":
        body = heredocs.get(node.id)
        return _with_placeholders(body, resolve) if body is not None else None
    if node.type == "string":
        return _with_placeholders(node, resolve)
    if node.type == "chained_string":  # adjacent literals (`"…" \\` and the next line) are one string
        pieces = [
            _with_placeholders(child, resolve) for child in node.named_children if child.type == "string"
        ]
        return ("".join(text for text, _ in pieces), pieces[0][1]) if pieces else None
    if node.type == "parenthesized_statements" and node.named_child_count == 1:
        inner = node.named_children[0]
        return sql_text(inner, heredocs, resolve)
    return None


def _with_placeholders(node: Node, resolve: Callable[[str], Value] | None = None) -> tuple[str, int]:
    """The SQL with each `#{…}` replaced by the literal it holds when `resolve` knows it (a constant, a local
    holding a fragment of SQL), else by a placeholder."""
    parts: list[str] = []
    start_line = 0
    for child in node.named_children:
        if child.type == "heredoc_end":
            break
        if not start_line:
            start_line = line_of(child)
        if child.type == "interpolation":
            inner = text_of(child)[2:-1].strip()
            known = LOOPS.value(inner) or (resolve(inner) if resolve is not None else None)
            literal = (
                isinstance(known, str | int | float)
                and not isinstance(known, bool)
                and ("'" not in str(known) or _whole_literals(str(known), "".join(parts)))
            )
            parts.append(
                str(known)
                if literal
                else _literal_inside(child) or PLACEHOLDER + "\n" * text_of(child).count("\n")
            )
        else:
            parts.append(_unescape(child) if node.type == "string" else text_of(child))
    text = "".join(parts)
    return (_single_quoted(node, text) if node.type == "string" else text), start_line or line_of(node)


def _whole_literals(value: str, before: str) -> bool:
    """May a value with quotes in it (`WHERE target_type = 'Post'`) be pasted where the SQL is? Only outside a
    quoted string of the SQL written before it, and when its own quotes open and close: then they are literals
    of the SQL it adds, not a quote that would end one."""
    return before.count("'") % 2 == 0 and value.count("'") % 2 == 0


def _literal_inside(interpolation: Node) -> str:
    """`#{' '}` (what RuboCop writes for a trailing space in a heredoc) is its text; anything else ""."""
    inner = [c for c in interpolation.named_children if c.type != "comment"]
    if len(inner) == 1 and inner[0].type == "string":
        pieces = inner[0].named_children
        if all(p.type == "string_content" for p in pieces):
            return "".join(text_of(p) for p in pieces) or ""
    return ""


def heredoc_bodies(root: Node) -> dict[int, Node]:
    """Each heredoc's opening token (by node id) paired with its body, in document order."""
    beginnings: list[Node] = []
    bodies: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "heredoc_beginning":
            beginnings.append(node)
        elif node.type == "heredoc_body":
            bodies.append(node)
        stack.extend(reversed(node.children))
    beginnings.sort(key=lambda n: n.start_byte)
    bodies.sort(key=lambda n: n.start_byte)
    return {b.id: body for b, body in zip(beginnings, bodies, strict=False)}


def constants(node: Node) -> Iterator[str]:
    """Every constant named inside a node (model class names in data-migration code)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "constant":
            yield text_of(current)
        stack.extend(current.named_children)


def symbols(node: Node) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "simple_symbol":
            yield text_of(current)[1:]
        stack.extend(current.named_children)
