"""Source files read with tree-sitter: one parser per grammar, loaded on first use (a review of SQL files never
imports a grammar), and the node helpers every reader of code shares."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache

from tree_sitter import Language, Node, Parser


@cache
def _parser(grammar: str, function: str) -> Parser:
    module = importlib.import_module(grammar)
    return Parser(Language(getattr(module, function)()))


def parse(grammar: str, text: str, function: str = "language") -> Node:
    """The syntax tree of `text` in the grammar package `grammar` (`tree_sitter_ruby`, …)."""
    return _parser(grammar, function).parse(text.encode("utf-8")).root_node


def text_of(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def line_of(node: Node) -> int:
    return node.start_point[0] + 1


def descendants(node: Node, kind: str | None = None) -> Iterator[Node]:
    """The nodes below `node` in source order, of type `kind` (every named node when None): a walk with a
    cursor, no recursion limit."""
    cursor = node.walk()
    while True:
        current = cursor.node
        if current is not None and current != node and (current.type == kind if kind else current.is_named):
            yield current
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while True:
            if not cursor.goto_parent() or cursor.node == node:
                return
            if cursor.goto_next_sibling():
                break
