"""JavaScript and TypeScript source read with tree-sitter's grammars: calls, chains, literal values, SQL strings.

Only what migrations use is read (what a module exports is in `javascript_module`): functions, method calls with
their receiver chain (`knex.schema.alterTable(…)`, `t.string('x').notNullable()`), strings and template
literals (with `${…}` replaced, so the SQL around it still parses), numbers, booleans, null, arrays and
objects as Python values. Anything else (a variable, a call, a function) becomes `Code`, its source text.
The grammars load on the first file that needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import syntax_tree
from bot.frameworks.dialect_guards import runs_on
from bot.frameworks.loop_values import LoopValues, names
from bot.frameworks.syntax_tree import line_of as line_of
from bot.frameworks.syntax_tree import text_of as text_of
from bot.model.migration import PLACEHOLDER as PLACEHOLDER

TYPESCRIPT = (".ts", ".mts", ".cts")
SOURCE = (".js", ".mjs", ".cjs", *TYPESCRIPT)
_FUNCTIONS = (
    "function_expression",
    "function",
    "arrow_function",
    "function_declaration",
    "method_definition",
)
DECLARATIONS = ("lexical_declaration", "variable_declaration")
_WRAPPERS = ("await_expression", "parenthesized_expression", "non_null_expression", "as_expression")


@dataclass(frozen=True)
class Code:
    """An expression that is not a literal, kept as its source text."""

    text: str


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | Code


@dataclass(frozen=True)
class Call:
    """`receiver.name(args)` or `name(args)`."""

    name: str
    node: Node
    receiver: Node | None
    args: tuple[Node, ...]

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def end_line(self) -> int:
        return self.node.end_point[0] + 1


@dataclass(frozen=True)
class Function:
    """A function that a migration exports (`up`, `down`, …): its parameters and body."""

    node: Node
    params: tuple[str, ...]
    body: Node | None  # a statement block, or the expression of an arrow function


def parse(path: str, text: str) -> Node:
    if path.endswith(TYPESCRIPT):
        return syntax_tree.parse("tree_sitter_typescript", text, "language_typescript")
    return syntax_tree.parse("tree_sitter_javascript", text)


def unwrap(node: Node) -> Node:
    """The expression inside `await …`, `(…)`, `…!` and `… as T`."""
    while node.type in _WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node


def call(node: Node) -> Call | None:
    node = unwrap(node)
    if node.type not in ("call_expression", "new_expression"):
        return None
    function = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    arguments = node.child_by_field_name("arguments")
    args = tuple(
        a for a in (arguments.named_children if arguments is not None else []) if a.type != "comment"
    )
    if function is not None and function.type == "member_expression":
        receiver = function.child_by_field_name("object")
        return Call(text_of(function.child_by_field_name("property")), node, receiver, args)
    return Call(text_of(function), node, None, args)


def chain(node: Node) -> tuple[Node | None, list[Call]]:
    """`a.b(1).c(2)`: the expression the chain starts from (`a`), and the calls in the order they run."""
    calls: list[Call] = []
    current: Node | None = unwrap(node)
    while current is not None:
        found = call(current)
        if found is None:
            break
        calls.append(found)
        current = unwrap(found.receiver) if found.receiver is not None else None
    calls.reverse()
    return current, calls


def statements(body: Node | None, dialect: str = "") -> Iterator[Node]:
    """The expressions a body runs, in order, looking through blocks, branches, loops and `try`. With the
    `dialect` the review reads in, a branch guarded by another database (`if (knex.client.dialect ===
    "sqlite3")`, `if (!isSQLite)`) is left out, and one guarded by this database keeps its `else` out."""
    if body is None:
        return
    if body.type != "statement_block":
        yield body  # an arrow function's expression body
        return
    for node in body.named_children:
        yield from _statement(node, dialect)


def _statement(node: Node, dialect: str = "") -> Iterator[Node]:
    kind = node.type
    if kind in ("expression_statement", "return_statement"):
        for child in node.named_children:
            if child.type == "comment":
                continue
            mapped = _names_mapped(child)
            if mapped is None:
                yield child
                continue
            name, names, body = mapped
            for each in names:  # `TABLES.forEach((table) => …)`: the callback once per name
                with LOOPS.binding(name, each):
                    yield from statements(body, dialect)
    elif kind in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            value_node = declarator.child_by_field_name("value")
            if value_node is not None and unwrap(value_node).type == "call_expression":
                yield value_node
    elif kind == "if_statement":
        condition = node.child_by_field_name("condition")
        runs = runs_on(text_of(condition), dialect) if condition is not None else None
        for child in node.named_children:
            if child == condition:
                continue
            if runs is not None and (child.type == "else_clause") == runs:
                continue  # the branch of another database
            yield from _statement(child, dialect)
    elif kind in ("else_clause", "try_statement", "catch_clause", "finally_clause"):
        for child in node.named_children:
            yield from _statement(child, dialect)
    elif kind == "for_in_statement" and (values := names_looped(node)) is not None:
        name, names = values
        for each in names:  # `for (const table of ['a', 'b'])`: the body once per name, `table` read as it
            with LOOPS.binding(name, each):
                yield from _statement(node.child_by_field_name("body") or node, dialect)
    elif kind in ("for_statement", "for_in_statement", "while_statement", "do_statement", "statement_block"):
        inner = node.child_by_field_name("body") if kind != "statement_block" else node
        for child in inner.named_children if inner is not None else []:
            yield from _statement(child, dialect)
    elif kind in ("throw_statement",):
        yield node


LOOPS = LoopValues("js")  # a `for … of` variable while the loop's body is read once per value


def names_looped(node: Node) -> tuple[str, list[str]] | None:
    """`for (const x of ['a', 'b'])` or `of NAMES` (a const array of strings): the variable and the names."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    operator = node.child_by_field_name("operator")
    if (
        left is None
        or right is None
        or operator is None
        or text_of(operator) != "of"
        or left.type != "identifier"
    ):
        return None
    found = names(value(resolve(right)))
    return (text_of(left), found) if found is not None else None


def _names_mapped(node: Node) -> tuple[str, list[str], Node | None] | None:
    """`NAMES.forEach((x) => …)`, `await Promise.all(NAMES.map(async (x) => …))` over a literal or const
    array of strings: the callback's parameter, the names, the callback's body."""
    found = call(node)
    if found is not None and found.name == "all" and len(found.args) == 1:  # Promise.all(…)
        found = call(found.args[0])
    if found is None or found.name not in ("forEach", "map") or found.receiver is None or not found.args:
        return None
    names_found = names(value(resolve(found.receiver)))
    callback = function(found.args[0])
    if names_found is None or callback is None or len(callback.params) != 1 or not callback.params[0]:
        return None
    return callback.params[0], names_found, callback.body


def function(node: Node | None) -> Function | None:
    node = unwrap(node) if node is not None else None
    if node is None or node.type not in _FUNCTIONS:
        return None
    params = node.child_by_field_name("parameters")
    if params is None and node.type == "arrow_function":
        single = node.child_by_field_name("parameter")
        names: tuple[str, ...] = (text_of(single),) if single is not None else ()
    else:
        names = tuple(_param_name(p) for p in (params.named_children if params is not None else []))
    return Function(node, names, node.child_by_field_name("body"))


def _param_name(node: Node) -> str:
    """A parameter's name; for `{ context: queryInterface }` (umzug) the name it binds first."""
    if node.type in ("required_parameter", "optional_parameter"):
        pattern = node.child_by_field_name("pattern")
        return _param_name(pattern) if pattern is not None else ""
    if node.type == "object_pattern":
        for child in node.named_children:
            bound = child.child_by_field_name("value") if child.type == "pair_pattern" else child
            if bound is not None and bound.type in ("identifier", "shorthand_property_identifier_pattern"):
                return text_of(bound)
        return ""
    return text_of(node) if node.type in ("identifier", "this") else ""


def value_key(node: Node | None) -> str:
    if node is None:
        return ""
    if node.type in ("string", "template_string"):
        key = string(node)
        return key if isinstance(key, str) else ""
    return text_of(node)


def value(node: Node) -> Value:
    node = unwrap(node)
    kind = node.type
    if kind in ("identifier", "member_expression") and (bound := LOOPS.value(text_of(node))) is not None:
        return bound  # a loop's variable, a module's constant, an imported member (`Model.tableName`)
    if kind in ("string", "template_string"):
        return string(node)
    if kind == "number":
        return _number(text_of(node))
    if kind in ("true", "false"):
        return kind == "true"
    if kind in ("null", "undefined"):
        return None
    if kind == "unary_expression" and text_of(node).startswith("-") and node.named_children:
        inner = value(node.named_children[-1])
        return (
            -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else Code(text_of(node))
        )
    if kind == "array":
        return [value(child) for child in node.named_children if child.type != "comment"]
    if kind == "object":
        return {key: value(val) for key, val in pairs(node).items()}
    return Code(text_of(node))


def pairs(node: Node | None) -> dict[str, Node]:
    """An object literal's properties as nodes (`{ a: 1, b }` gives `a` and `b`)."""
    found: dict[str, Node] = {}
    node = unwrap(node) if node is not None else None
    if node is None or node.type != "object":
        return found
    for member in node.named_children:
        if member.type == "pair":
            key, val = member.child_by_field_name("key"), member.child_by_field_name("value")
            if key is not None and val is not None:
                found[value_key(key)] = val
        elif member.type == "shorthand_property_identifier":
            found[text_of(member)] = member
    return found


def _number(text: str) -> int | float | Code:
    text = text.replace("_", "")
    try:
        return int(text, 0)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return Code(text)


def string(node: Node) -> str | Code:
    """A string literal's text; a template literal with `${…}` is code."""
    node = unwrap(node)
    if node.type == "template_string" and any(c.type == "template_substitution" for c in node.named_children):
        return Code(text_of(node))
    if node.type not in ("string", "template_string"):
        return Code(text_of(node))
    return "".join(_piece(child) for child in node.named_children)


def _piece(node: Node) -> str:
    text = text_of(node)
    if node.type != "escape_sequence":
        return text
    return {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\0": "\0"}.get(text, text[1:])


def sql_text(node: Node) -> tuple[str, int] | None:
    """SQL given as a string, a template literal (`${…}` replaced) or a `+` of them, with its first line;
    a constant holding one is read where it is declared."""
    node = resolve(node)
    if node.type == "binary_expression" and text_of(node.child_by_field_name("operator")) == "+":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        parts = [sql_text(side) if side is not None else None for side in (left, right)]
        if parts[0] is None or parts[1] is None:
            return None
        return parts[0][0] + parts[1][0], parts[0][1]
    if node.type not in ("string", "template_string"):
        return None
    text = "".join(
        _substituted(child) if child.type == "template_substitution" else _piece(child)
        for child in node.named_children
    )
    return text, line_of(node)


def _substituted(substitution: Node) -> str:
    """`${name}` as the literal a `const` before it holds (`const table = 'users'`), else the placeholder.
    A literal with a quote in it stays a placeholder: pasted into a SQL string it would end the string."""
    inner = [c for c in substitution.named_children if c.type != "comment"]
    if (
        len(inner) == 1
        and inner[0].type in ("identifier", "member_expression")
        and (bound := LOOPS.value(text_of(inner[0]))) is not None
    ):
        return bound
    known = resolve(inner[0]) if len(inner) == 1 else None
    if known is not None and known.type == "ternary_expression":
        known = _branch_for_dialect(known)  # `const ifNotExists = isMySQL ? "" : "IF NOT EXISTS"`
    if known is not None and known.type in ("string", "template_string", "number"):
        found = sql_text(known) if known.type != "number" else (text_of(known), 0)
        if found is not None and "'" not in found[0] and PLACEHOLDER not in found[0]:
            return found[0]
    return PLACEHOLDER + "\n" * text_of(substitution).count("\n")


_DIALECT: ContextVar[str] = ContextVar("js_dialect", default="")


@contextmanager
def reading(dialect: str) -> Iterator[None]:
    """Read the code for `dialect` while the block runs: a value chosen by the database the code runs on
    (`isMySQL ? "" : "IF NOT EXISTS"`) is the one for that database."""
    token = _DIALECT.set(dialect)
    try:
        yield
    finally:
        _DIALECT.reset(token)


def _branch_for_dialect(node: Node) -> Node | None:
    """The branch of `condition ? a : b` that runs on the database being read, when the condition names
    one (`isMySQL`, `client === "pg"`); None when it does not say."""
    condition = node.child_by_field_name("condition")
    runs = runs_on(text_of(condition), _DIALECT.get()) if condition is not None else None
    if runs is None:
        return None
    branch = node.child_by_field_name("consequence" if runs else "alternative")
    return unwrap(branch) if branch is not None else None


def resolve(node: Node) -> Node:
    """The value a `const`/`let` gave the identifier `node`, looked up in the scopes around it; else `node`."""
    node = unwrap(node)
    if node.type not in ("identifier", "shorthand_property_identifier"):
        return node
    name, scope = text_of(node), node.parent
    while scope is not None:
        found: Node | None = None
        for child in scope.named_children:
            if child.end_byte > node.start_byte:
                break  # the statement that holds the identifier, or a later one
            if child.type == "function_declaration" and text_of(child.child_by_field_name("name")) == name:
                return child
            for declarator in child.named_children if child.type in DECLARATIONS else []:
                value_node = declarator.child_by_field_name("value")
                if text_of(declarator.child_by_field_name("name")) == name and value_node is not None:
                    found = found or unwrap(value_node)
            if name not in text_of(child):
                continue
            # a `let` given a new value in a statement of its own (`tableName = "group_users";`) holds that
            # value from there on; one changed on only some paths (in a branch, a loop) holds no known value
            assigned = _assigned(child, name)
            if assigned is not None:
                found = assigned
            elif _assigns_within(child, name):
                return node
        if found is not None:
            return found
        scope = scope.parent
    return node


def _assigned(statement: Node, name: str) -> Node | None:
    """The value `name = value;` gives, when that is the whole statement."""
    expression = statement.named_children[0] if statement.type == "expression_statement" else None
    if expression is None or expression.type != "assignment_expression":
        return None
    left, right = expression.child_by_field_name("left"), expression.child_by_field_name("right")
    if left is None or right is None or left.type != "identifier" or text_of(left) != name:
        return None
    return unwrap(right)


def _assigns_within(statement: Node, name: str) -> bool:
    """Whether anything inside the statement assigns to `name` (`x = …`, `x += …`, `x++`)."""
    stack = [statement]
    while stack:
        each = stack.pop()
        if each.type in ("assignment_expression", "augmented_assignment_expression", "update_expression"):
            target = each.child_by_field_name("left") or each.child_by_field_name("argument")
            if target is not None and target.type == "identifier" and text_of(target) == name:
                return True
        stack.extend(each.named_children)
    return False


def first_error(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        stack.extend(reversed(node.children))
    return None
