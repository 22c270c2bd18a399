"""What a JavaScript/TypeScript module exports: its `up`/`down` functions and its migration classes.

`exports.up = …`, `module.exports = { up, down }` (functions declared above it included),
`export async function up`, `export const up = …`, `export default { … }`; a class's methods and the
literal values of its fields (`transaction = false`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import lru_cache

from tree_sitter import Node

from bot.frameworks.javascript import (
    LOOPS,
    Function,
    Value,
    function,
    parse,
    resolve,
    text_of,
    value,
    value_key,
)
from bot.model.changeset import Tree


@lru_cache(maxsize=4)
def exports_up(path: str, text: str) -> bool:
    """Does the module export an `up` function (a migration), rather than only mention one?"""
    return "up" in exported_functions(parse(path, text))


def exported_functions(root: Node) -> dict[str, Function]:
    """`exports.up = …`, `module.exports = { up … }`, `export async function up`, `export const up = …`."""
    found: dict[str, Function] = {}
    for node in root.named_children:
        target = node.named_children[0] if node.type == "export_statement" and node.named_children else node
        if target.type == "expression_statement" and target.named_children:
            _assignment(target.named_children[0], found)
        elif target.type == "function_declaration":
            _add(found, text_of(target.child_by_field_name("name")), target)
        elif target.type == "object":  # `export default { up, down }`
            members(target, found)
        elif target.type in ("lexical_declaration", "variable_declaration"):
            for declarator in target.named_children:
                name = text_of(declarator.child_by_field_name("name"))
                _add(found, name, declarator.child_by_field_name("value"))
                members(declarator.child_by_field_name("value"), found)
    return found


def _assignment(node: Node, found: dict[str, Function]) -> None:
    if node.type != "assignment_expression":
        return
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    name = text_of(left)
    if name in ("module.exports", "exports"):
        members(right, found)
    elif name.startswith(("exports.", "module.exports.")) and left is not None:
        _add(found, text_of(left.child_by_field_name("property")), right)


def members(node: Node | None, found: dict[str, Function]) -> None:
    """The functions an object literal or a class body holds, by name."""
    if node is None or node.type not in ("object", "class_body"):
        return
    for member in node.named_children:
        if member.type == "method_definition":
            _add(found, text_of(member.child_by_field_name("name")), member)
        elif member.type == "shorthand_property_identifier":  # `{ up, down }`
            _add(found, text_of(member), resolve(member))
        elif member.type in ("pair", "public_field_definition", "field_definition"):
            key = member.child_by_field_name("key") or member.child_by_field_name("name")
            if key is None and member.named_children:
                key = member.named_children[0]
            _add(found, value_key(key), member.child_by_field_name("value"))


def _add(found: dict[str, Function], name: str, node: Node | None) -> None:
    made = function(node)
    if name and made is not None and name not in found:
        found[name] = made


def classes(root: Node) -> Iterator[Node]:
    """Every class declaration, at any depth (exported, default-exported or not)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("class_declaration", "class", "abstract_class_declaration"):
            yield node
        stack.extend(reversed(node.named_children))


def heritage(klass: Node) -> str:
    return " ".join(text_of(child) for child in klass.named_children if child.type == "class_heritage")


def class_body(klass: Node) -> Node | None:
    return klass.child_by_field_name("body")


def field_value(klass: Node, name: str) -> Value:
    """A class field's literal value (`transaction = false`), or None when the class does not set it."""
    body = class_body(klass)
    for member in body.named_children if body is not None else []:
        if member.type in ("public_field_definition", "field_definition"):
            key = member.child_by_field_name("name") or member.child_by_field_name("property")
            val = member.child_by_field_name("value")
            if text_of(key) == name and val is not None:
                return value(val)
    return None


# `export const NAME = "value"` (or `'value'`, a template without substitutions) in a module a migration imports
_EXPORTED = re.compile(
    r"""^\s*export\s+const\s+(\w+)\s*(?::\s*[\w.<>\[\]| ]+)?=\s*(["'`])([^"'`$\\\n]*)\2""", re.M
)
_STAR = re.compile(r"""^\s*export\s+\*\s+from\s+["'](\.{1,2}/[^"']+)["']""", re.M)
_SUFFIXES = ("", ".ts", ".js", ".mjs", ".cjs", "/index.ts", "/index.js")


def constants(root: Node, path: str, tree: Tree) -> dict[str, str]:
    """The module's names bound to a string it can be read as: its own top-level `const NAME = "…"`, and the
    names it imports from a module of the repository (`import { TABLE_NAME } from "../../dto"`, followed through
    `export * from` re-exports) that export one. A table named by such a constant is read as that table."""
    found: dict[str, str] = {}
    for node in root.named_children:
        statement = (
            node.named_children[0] if node.type == "export_statement" and node.named_children else node
        )
        if statement.type == "lexical_declaration" and text_of(statement).startswith("const"):
            for declarator in statement.named_children:
                name, held = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is not None and name.type == "identifier" and held is not None:
                    literal = value(held)
                    if isinstance(literal, str):
                        found[text_of(name)] = literal
        elif node.type == "import_statement":
            source = node.child_by_field_name("source")
            module = value(source) if source is not None else None
            if not isinstance(module, str) or not module.startswith("."):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), module))
            exported = _exports(target, tree, 3)
            for specifier in _import_specifiers(node):
                imported, local = specifier
                if imported in exported:
                    found[local] = exported[imported]
    return found


def _import_specifiers(node: Node) -> Iterator[tuple[str, str]]:
    """(imported name, local name) of `import { A, B as C } from …`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "import_specifier":
            name, alias = current.child_by_field_name("name"), current.child_by_field_name("alias")
            if name is not None:
                yield text_of(name), text_of(alias if alias is not None else name)
            continue
        stack.extend(current.named_children)


def _exports(module: str, tree: Tree, depth: int) -> dict[str, str]:
    """The string constants a module of the tree exports, by name (and those of the modules it re-exports). A
    path the tree lacks is answered by the tree (a git tree from its listing, without a process)."""
    for suffix in _SUFFIXES:
        text = tree.read(module + suffix)
        if text is None:
            continue
        found = {m.group(1): m.group(3) for m in _EXPORTED.finditer(text)}
        if depth > 0:
            folder = posixpath.dirname(module + suffix)
            for star in _STAR.finditer(text):
                target = posixpath.normpath(posixpath.join(folder, star.group(1)))
                found = {**_exports(target, tree, depth - 1), **found}
        return found
    return {}


@contextmanager
def bound(names: dict[str, str]) -> Iterator[None]:
    """Read each of the names as the string it holds while the block runs (a module's constants)."""
    with ExitStack() as stack:
        for name, held in names.items():
            stack.enter_context(LOOPS.binding(name, held))
        yield
