"""Ruby statements of a migration that only compute values in the process and never reach a database:
`size = ENV.fetch("BATCH", "1000").to_i`, `say "indexed"`, `Rails.logger.info(…)`, arithmetic on literals.

A bare name is a local variable only when the migration assigns it (`size = …`); any other may be a method of
the migration that runs SQL, and so may every call not listed here or one given a block."""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from bot.frameworks.syntax_tree import text_of

# calls that compute text, numbers and times, read the environment, or print
_METHODS = frozenset(
    {
        *("to_i", "to_s", "to_f", "to_sym", "to_a", "strip", "downcase", "upcase", "presence", "present?"),
        *("blank?", "nil?", "empty?", "round", "floor", "ceil", "abs", "join", "split", "fetch", "format"),
        *("puts", "say", "p", "print", "info", "debug", "warn", "logger", "now", "current", "today", "ago"),
        *("Integer", "Float", "String", "sprintf", "minutes", "hours", "days", "seconds"),
    }
)
_CONSTANTS = frozenset({"ENV", "Time", "Date", "DateTime", "Rails", "Integer", "Float", "String"})
_LITERALS = frozenset(
    {
        "string", "string_content", "escape_sequence", "integer", "float", "true", "false", "nil",
        "simple_symbol", "symbol", "array", "hash", "pair", "hash_key_symbol", "binary", "unary",
        "parenthesized_statements", "argument_list", "interpolation", "comment", "heredoc_beginning",
    }
)  # fmt: skip


def offline(node: Node) -> bool:
    """Does the statement only assign or print values computed in the process?"""
    return _offline(node, _locals(node))


def _locals(node: Node) -> set[str]:
    """The names assigned in the method around the statement: its local variables."""
    scope: Node | None = node
    while scope is not None and scope.type not in ("method", "singleton_method", "program"):
        scope = scope.parent
    found: set[str] = set()
    pending = [scope] if scope is not None else []
    while pending:
        current = pending.pop()
        left = (
            current.child_by_field_name("left")
            if current.type in ("assignment", "operator_assignment")
            else None
        )
        if left is not None and left.type == "identifier":
            found.add(text_of(left))
        pending.extend(current.named_children)
    return found


def _offline(node: Node, local_names: Collection[str]) -> bool:
    if node.type in ("assignment", "operator_assignment"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return (
            left is not None
            and left.type == "identifier"
            and right is not None
            and _value(right, local_names)
        )
    return node.type == "call" and _value(node, local_names)


def _value(node: Node, local_names: Collection[str]) -> bool:
    kind = node.type
    if kind == "identifier":
        return text_of(node) in local_names
    if kind == "constant":
        return text_of(node) in _CONSTANTS
    if kind == "element_reference":  # `ENV["BATCH"]`
        receiver = node.named_children[0] if node.named_children else None
        return (
            receiver is not None
            and _value(receiver, local_names)
            and _all(node.named_children[1:], local_names)
        )
    if kind == "call":
        return _call(node, local_names)
    return kind in _LITERALS and _all(node.named_children, local_names)


def _call(node: Node, local_names: Collection[str]) -> bool:
    if node.child_by_field_name("block") is not None:
        return False  # `say_with_time "…" do … end`, `each { … }`: the block may run anything
    method = node.child_by_field_name("method")
    receiver = node.child_by_field_name("receiver")
    arguments = node.child_by_field_name("arguments")
    if method is None or text_of(method) not in _METHODS:
        return False
    if receiver is not None and not _value(receiver, local_names):
        return False
    return arguments is None or _all(arguments.named_children, local_names)


def _all(nodes: list[Node], local_names: Collection[str]) -> bool:
    return all(_value(child, local_names) for child in nodes)
