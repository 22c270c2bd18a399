"""What Ruby classes declare about their values: constants (`STATUSES = %w[open paid].freeze`,
`PENDING = "pending"`) and the validations of a model (`validates :status, inclusion: { in: STATUSES }`,
`validates :name, length: { maximum: 50 }`).

A constant's value is read as a literal (string, symbol, number, array, hash); an array item that names
another constant of the same class or file (`STATES = [PENDING, SHIPPED]`) is replaced by its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import ruby
from bot.frameworks.loop_values import names
from bot.frameworks.rails_common import plural
from bot.model.changeset import Tree

_WRAPPERS = frozenset({"freeze", "to_set", "to_a", "dup", "to_s", "to_sym"})
_BASES = frozenset({"ApplicationRecord", "ActiveRecord::Base", "Base"})
_ABSTRACT = re.compile(r"^\s*self\.abstract_class\s*=\s*true\b", re.M)
# Engines of Rails itself and of its solid_* gems isolate their namespaces too, outside the repository:
# `ActiveStorage::Blob` keeps its rows in active_storage_blobs, `SolidQueue::Job` in solid_queue_jobs.
_ISOLATED_BY_GEMS = frozenset(
    {"ActiveStorage", "ActionText", "ActionMailbox", "SolidQueue", "SolidCache", "SolidCable"}
)


@dataclass(frozen=True)
class Constant:
    name: str  # STATUSES
    owner: str  # the enclosing class or module (`Shop::Order`), "" at the top level
    line: int
    value: ruby.Value
    item_lines: tuple[int, ...] = ()  # the line of each item, for an array


@dataclass(frozen=True)
class Validation:
    owner: str  # the model class
    column: str
    kind: str  # inclusion | length
    value: ruby.Value  # inclusion: the allowed values or the constant's name (Code); length: {maximum: 50}
    line: int
    item_lines: tuple[int, ...] = ()


def constants(root: Node) -> list[Constant]:
    found: list[Constant] = []
    for node, owner in _walk(root, ""):
        if node.type != "assignment":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            continue
        # a constant, or an instance variable of the class itself (`@tables = %w[…]` in the class body, read
        # by `def self.up`)
        if left.type != "constant" and not (left.type == "instance_variable" and not _in_method(node)):
            continue
        right = _unwrapped(right)
        found.append(
            Constant(ruby.text_of(left), owner, ruby.line_of(node), ruby.value(right), _item_lines(right))
        )
    return _resolved(found)


def _in_method(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type in ("method", "singleton_method", "block", "do_block", "lambda"):
            return True
        parent = parent.parent
    return False


def validations(root: Node) -> list[Validation]:
    found: list[Validation] = []
    for node, owner in _walk(root, ""):
        c = ruby.call(node) if node.type == "call" or node.type == "identifier" else None
        if c is None or c.receiver is not None:
            continue
        columns = [v for a in c.args if isinstance(v := ruby.value(a), str)]
        if c.name == "validates":
            for kind in ("inclusion", "length"):
                option = c.options.get(kind)
                if option is None:
                    continue
                inner = ruby.value(option)
                node_in = _option_node(option, "in") or _option_node(option, "within")
                if kind == "inclusion" and node_in is None and option.type != "hash":
                    node_in = option  # `inclusion: %w[a b]`
                target = node_in if kind == "inclusion" else option
                if target is None:
                    continue
                target = _unwrapped(target)
                value = ruby.value(target) if kind == "inclusion" else inner
                found.extend(
                    Validation(owner, col, kind, value, c.line, _item_lines(target)) for col in columns
                )
        elif c.name in ("validates_inclusion_of", "validates_length_of"):
            kind = "inclusion" if "inclusion" in c.name else "length"
            node_in = c.options.get("in") or c.options.get("within")
            if kind == "inclusion" and node_in is not None:
                target = _unwrapped(node_in)
                found.extend(
                    Validation(owner, col, kind, ruby.value(target), c.line, _item_lines(target))
                    for col in columns
                )
            elif kind == "length":
                limits = {k: ruby.value(v) for k, v in c.options.items()}
                found.extend(Validation(owner, col, kind, limits, c.line) for col in columns)
    return found


def _option_node(option: Node, key: str) -> Node | None:
    if option.type != "hash":
        return None
    found: dict[str, Node] = {}
    for pair in option.named_children:
        if pair.type == "pair":
            k, v = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if k is not None and v is not None and ruby.value(k) == key:
                found[key] = v
    return found.get(key)


def _walk(node: Node, owner: str) -> list[tuple[Node, str]]:
    """Every node with the class or module it is in, without descending into method bodies."""
    out: list[tuple[Node, str]] = []
    for child in node.named_children:
        if child.type in ("class", "module"):
            name = child.child_by_field_name("name")
            inner = f"{owner}::{ruby.text_of(name)}" if owner and name is not None else ruby.text_of(name)
            out.extend(_walk(child, inner if name is not None else owner))
        elif child.type in ("method", "singleton_method", "comment"):
            continue
        elif child.type in ("body_statement", "begin_block", "parenthesized_statements"):
            out.extend(_walk(child, owner))
        else:
            out.append((child, owner))
    return out


def _unwrapped(node: Node) -> Node:
    """`%w[a b].freeze` → `%w[a b]`; `(…)` → its content."""
    while True:
        if node.type == "call":
            receiver, method = node.child_by_field_name("receiver"), node.child_by_field_name("method")
            if receiver is not None and method is not None and ruby.text_of(method) in _WRAPPERS:
                node = receiver
                continue
        if node.type == "parenthesized_statements" and node.named_child_count == 1:
            node = node.named_children[0]
            continue
        return node


def _item_lines(node: Node) -> tuple[int, ...]:
    if node.type in ("array", "string_array", "symbol_array"):
        return tuple(ruby.line_of(c) for c in node.named_children if c.type != "comment")
    return ()


def _resolved(found: list[Constant]) -> list[Constant]:
    """Array items naming a scalar constant of the same class (or the top level) take its value."""
    scalars = {(c.owner, c.name): c.value for c in found if _is_scalar(c.value)}
    result = []
    for constant in found:
        if isinstance(constant.value, list):
            items = [
                scalars.get((constant.owner, item.text), scalars.get(("", item.text), item))
                if isinstance(item, ruby.Code)
                else item
                for item in constant.value
            ]
            constant = Constant(constant.name, constant.owner, constant.line, items, constant.item_lines)
        result.append(constant)
    return result


def scalar(constants_found: list[Constant], reference: str, default_owner: str = "") -> ruby.Value | None:
    """The literal a constant reference stands for: `Order::PENDING`, `PENDING` (in `default_owner` or at
    the top level); None when no constant of that name holds a string or a number."""
    *qualifier, name = reference.lstrip(":").split("::")
    owners = ["::".join(qualifier)] if qualifier else [default_owner, ""]
    for owner in owners:
        for constant in constants_found:
            short = constant.owner.split("::")[-1]
            if constant.name == name and owner in (constant.owner, short) and _is_scalar(constant.value):
                return constant.value
    return None


def _is_scalar(value: ruby.Value) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


class Constants:
    """Resolves the constants a migration names to their literal values: its own (`PENDING = "pending"`
    at the top of the file or in the migration class) and those of the models it names (`Order::SHIPPED`,
    read from `app/models/order.rb` of the repository)."""

    def __init__(self, own: list[Constant], tree: Tree | None = None) -> None:
        self._own = own
        self._tree = tree
        self._models: dict[str, list[Constant]] = {}
        self._namespaces: set[str] | None = None

    def literal(self, reference: str) -> ruby.Value | None:
        reference = reference.lstrip(":")
        if not re.fullmatch(r"[A-Z]\w*(?:::[A-Z]\w*)*", reference):
            return None
        if "::" not in reference:  # the migration's own, at the top of the file or in its class
            return next((c.value for c in self._own if c.name == reference and _is_scalar(c.value)), None)
        found = scalar(self._own, reference)
        return found if found is not None else scalar(self._of_model(reference.rsplit("::", 1)[0]), reference)

    def held(self, reference: str) -> ruby.Value | None:
        """What a constant holds, whatever it is (`DatabaseFunctions::API_RATE_LIMIT`: a string with `#{…}`
        is `Code`), the migration's own first, then its model's or module's."""
        *owner, name = reference.lstrip(":").split("::")
        qualifier = "::".join(owner)
        for constant in [*self._own, *(self._of_model(qualifier) if qualifier else [])]:
            if constant.name == name and (
                not qualifier or qualifier in (constant.owner, constant.owner.split("::")[-1])
            ):
                return constant.value
        return None

    def names(self, reference: str) -> list[str] | None:
        """The strings a constant of the migration holds as a list (`TABLES = %w[orders invoices].freeze`)."""
        return names(next((c.value for c in self._own if c.name == reference), None))

    def table_name(self, model: str) -> str | None:
        """The table a namespaced model's files give it: its own `self.table_name = "…"`, else the prefix of
        what encloses it (`Security::Price` inside the model class `Security` → `security_prices`; a module's
        `def self.table_name_prefix = "billing_"`); None when the files say nothing (the plain convention)."""
        own = self._source(model)
        named = re.search(r"self\.table_name\s*=\s*[\"':](\w+)", own)
        if named:
            return named.group(1)
        owner, _, last = model.rpartition("::")
        inherited = re.search(rf"^\s*class\s+(?:[\w:]+::)?{last}\s*<\s*((?:::)?[A-Z][\w:]*)", own, re.M)
        base = inherited.group(1).lstrip(":") if inherited else ""
        if base and base not in _BASES and base != model and not base.startswith("ActiveRecord::"):
            # single-table inheritance: `class Bus < Vehicle` keeps its rows in the base class's table
            qualified = (
                f"{owner}::{base}"
                if owner and "::" not in base and self._source(f"{owner}::{base}")
                else base
            )
            # unless the base is abstract (`self.abstract_class = true`): diaspora's `Participation <
            # Federated::Relayable` (in `lib/`) keeps its rows in `participations`
            if not _ABSTRACT.search(self._loaded(qualified)):
                return self.table_name(qualified) or _table(qualified.split("::")[-1])
        if not owner:
            return None
        enclosing = self._source(owner)
        short = owner.split("::")[-1]
        prefix = re.search(r"def\s+self\.table_name_prefix\b[^\n]*?(?:\n\s*)?[\"'](\w+)[\"']", enclosing)
        if prefix:
            return prefix.group(1) + _table(last)
        if re.search(
            rf"^\s*class\s+(?:[\w:]+::)?{short}\s*<\s*(?!ActiveRecord::Migration)[\w:]+", enclosing, re.M
        ):
            return f"{_snake(short)}_{_table(last)}"
        if owner in self._isolated() or owner in _ISOLATED_BY_GEMS:
            # an engine's `isolate_namespace Spree`: its models' tables are spree_*
            return "_".join(_snake(part) for part in owner.split("::")) + f"_{_table(last)}"
        return None

    def _isolated(self) -> set[str]:
        """The namespaces an engine of the repository isolates (`isolate_namespace Spree` in an engine.rb)."""
        if self._namespaces is None:
            found: set[str] = set()
            tree = self._tree
            for path in tree.paths() if tree is not None else ():
                if tree is not None and path.endswith("engine.rb") and "/spec/" not in f"/{path}":
                    text = tree.read(path) or ""
                    found.update(re.findall(r"^\s*isolate_namespace\s+([\w:]+)", text, re.M))
            self._namespaces = found
        return self._namespaces

    def _loaded(self, model: str) -> str:
        """The text of a class's file: the model's, or where Rails and its `lib` load the constant."""
        own = self._source(model)
        if own or self._tree is None:
            return own
        file = "/".join(_snake(part) for part in model.split("::")) + ".rb"
        path = next((p for p in self._tree.paths() if _autoloaded(p, file)), None)
        return (self._tree.read(path) or "") if path is not None else ""

    def _source(self, model: str) -> str:
        path = "app/models/" + "/".join(_snake(part) for part in model.split("::")) + ".rb"
        return (self._tree.read(path) or "") if self._tree is not None else ""

    def _of_model(self, model: str) -> list[Constant]:
        """The constants of a model or of any module Rails autoloads (`DatabaseFunctions::API_RATE_LIMIT`
        from `lib/database_functions.rb`, `app/*/database_functions.rb`)."""
        if model not in self._models:
            self._models[model] = []
            file = "/".join(_snake(part) for part in model.split("::")) + ".rb"
            text = self._tree.read("app/models/" + file) if self._tree is not None else None
            if not text and self._tree is not None:
                path = next((p for p in self._tree.paths() if _autoloaded(p, file)), None)
                text = self._tree.read(path) if path is not None else None
            if text:
                self._models[model] = constants(ruby.parse(text))
        return self._models[model]


def _autoloaded(path: str, file: str) -> bool:
    """`lib/<file>`, `app/lib/<file>`, `app/<any folder>/<file>`: where Rails and its `lib` load a constant."""
    return path in (f"lib/{file}", f"app/lib/{file}") or (
        path.startswith("app/") and path.count("/") == file.count("/") + 2 and path.endswith("/" + file)
    )


def _table(name: str) -> str:
    return plural(_snake(name))


def conventional_table(model: str) -> str:
    """The table Rails' convention gives a model class: `comments` for `Comment`, `story_texts` for `StoryText`."""
    return _table(model.split("::")[-1])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
