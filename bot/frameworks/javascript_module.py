"""What a JavaScript/TypeScript module exports: its `up`/`down` functions and its migration classes.

`exports.up = …`, `module.exports = { up, down }` (functions declared above it included),
`export async function up`, `export const up = …`, `export default { … }`; a class's methods and the
literal values of its fields (`transaction = false`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
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


# What a module of the repository declares that a migration may name through an import: a class's static string
# fields (`static tableName = 'proposals'`) and an exported enum's string members (`export enum Kind { A = 'a' }`)
_CLASS = re.compile(r"^[ \t]*(export\s+)?(default\s+)?(?:abstract\s+)?class\s+(\w+)", re.M)
_STATIC = re.compile(
    r"""^[ \t]*(?:(?:public|protected|readonly)\s+)*static\s+(?:readonly\s+)?(\w+)\s*(?::\s*[\w.<>\[\]| ]+)?=\s*(["'`])([^"'`$\\\n]*)\2""",
    re.M,
)
_ENUM = re.compile(r"^[ \t]*export\s+(?:const\s+)?enum\s+(\w+)\s*\{([^}]*)\}", re.M)
_ENUM_MEMBER = re.compile(r"""(\w+)\s*=\s*(["'])([^"'\\\n]*)\2""")
_DEFAULT_NAME = re.compile(r"^[ \t]*export\s+default\s+(\w+)\s*;?\s*$", re.M)


def imported_members(root: Node, path: str, tree: Tree) -> dict[str, str | list[str]]:
    """The members a module imports from a module of the repository, by the names the migration writes:
    `Model.tableName` → "proposals" for `import Model from '../entities/Proposal/model'` whose class declares
    `static tableName = 'proposals'`; `EventType.Created` → "created", and `EventType` → its values in order,
    for an imported `export enum EventType { Created = 'created', … }`."""
    found: dict[str, str | list[str]] = {}
    for node in root.named_children:
        source = node.child_by_field_name("source") if node.type == "import_statement" else None
        module = value(source) if source is not None else None
        if not isinstance(module, str) or not module.startswith("."):
            continue
        text = _module_text(posixpath.normpath(posixpath.join(posixpath.dirname(path), module)), tree)
        if not text or ("static" not in text and "enum" not in text):
            continue
        declared = _declared_members(text)
        for imported, local in _imported_names(node):
            for name, held in declared.get(imported, {}).items():
                found[f"{local}.{name}" if name else local] = held
    return found


def _module_text(module: str, tree: Tree) -> str | None:
    for suffix in _SUFFIXES:
        text = tree.read(module + suffix)
        if text is not None:
            return text
    return None


def _declared_members(text: str) -> dict[str, dict[str, str | list[str]]]:
    """Per class or enum name (`default` for the module's default export): its string members by name, and
    an enum's values in order under ""."""
    found: dict[str, dict[str, str | list[str]]] = {}
    classes = list(_CLASS.finditer(text))
    for field in _STATIC.finditer(text):
        owner = next((c for c in reversed(classes) if c.start() < field.start()), None)
        if owner is not None:
            found.setdefault(owner.group(3), {})[field.group(1)] = field.group(3)
            if owner.group(2):
                found.setdefault("default", {})[field.group(1)] = field.group(3)
    default = _DEFAULT_NAME.search(text)
    if default is not None and default.group(1) in found:
        found["default"] = found[default.group(1)]
    for enum in _ENUM.finditer(text):
        members = {m.group(1): m.group(3) for m in _ENUM_MEMBER.finditer(enum.group(2))}
        found[enum.group(1)] = {**members, "": list(members.values())}
    return found


def _imported_names(node: Node) -> Iterator[tuple[str, str]]:
    """(the name a module exports, the local name) of each name an import binds; `default` for
    `import Model from …`."""
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    for child in clause.named_children if clause is not None else []:
        if child.type == "identifier":
            yield "default", text_of(child)
    yield from _import_specifiers(node)


@contextmanager
def bound(names: Mapping[str, object]) -> Iterator[None]:
    """Read each of the names as what it holds while the block runs (a module's constants, the members it
    imports: `Model.tableName`)."""
    with ExitStack() as stack:
        for name, held in names.items():
            stack.enter_context(LOOPS.binding(name, held))
        yield
