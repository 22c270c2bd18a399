"""Values a Laravel application keeps in its `config/*.php` files, read where a migration asks for them.

`Schema::create(config('webpush.table_name'), …)` creates the table `config/webpush.php` names:
`return ['table_name' => 'push_subscriptions']`, or `env('WEBPUSH_TABLE', 'push_subscriptions')` (the default
a deployment that does not set the variable gets). A key the files do not give a text stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from tree_sitter import Node

from bot.frameworks import php
from bot.frameworks.syntax_tree import descendants
from bot.model.changeset import Tree

_CONFIG_CALL = re.compile(r"""\bconfig\(\s*['"]([\w-]+(?:\.[\w-]+)+)['"]\s*\)""")


@contextmanager
def bound(text: str, tree: Tree, root: str) -> Iterator[None]:
    """Read each `config('file.key')` of the migration's text as the text the config file gives it."""
    with ExitStack() as stack:
        for key in sorted(set(_CONFIG_CALL.findall(text))):
            found = value(tree, root, key)
            if found is not None:
                stack.enter_context(php.LOOPS.binding(f"config:{key}", found))
        yield


def value(tree: Tree, root: str, key: str) -> str | None:
    """The text `config/<file>.php` gives `file.a.b`; None when it gives none (or computes it)."""
    name, *path = key.split(".")
    source = tree.read(f"{root}config/{name}.php")
    if source is None or not path:
        return None
    returned = next(descendants(php.parse(source), "return_statement"), None)
    node = (
        next((c for c in returned.named_children if c.type == "array_creation_expression"), None)
        if returned
        else None
    )
    for part in path:
        node = _entry(node, part) if node is not None else None
    return _text(node) if node is not None else None


def _entry(array: Node, key: str) -> Node | None:
    """The value of `'key' => …` in a PHP array literal."""
    if array.type != "array_creation_expression":
        return None
    for element in array.named_children:
        parts = element.named_children if element.type == "array_element_initializer" else []
        if len(parts) == 2 and php.value(parts[0]) == key:
            return parts[1]
    return None


def _text(node: Node) -> str | None:
    """A string literal's text, or the default of `env('NAME', 'default')`."""
    found = php.value(node)
    if isinstance(found, str):
        return found
    called = php.call(node)
    if called is not None and called.name == "env" and len(called.args) == 2:
        default = php.value(called.args[1])
        return default if isinstance(default, str) else None
    return None
