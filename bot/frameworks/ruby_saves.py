"""Saves in a Rails migration's code whose failure nobody checks.

Active Record's `save`, `update(…)` and `update_attributes(…)` answer false when a validation fails (or a
callback aborts), and `create(…)` answers a record that was not saved; only their bang forms raise. Written as
a statement (`user.save`, `user.update(role: "admin")`, `Tag.create(name: n)` in a loop), the answer is
dropped: the record stays as it was and the migration goes on, reporting success. Not read as such: the bang
forms, `save(validate: false)`, the writes that skip validations (`update_column(s)`, `update_all`,
`update_attribute`), a call whose answer the code uses (`user.save or raise`, `unless user.save`,
`ok = user.save`, the last value of a `map`/`all?` block), and a model the migration defines for itself
without validations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tree_sitter import Node

from bot.frameworks import ruby
from bot.frameworks.syntax_tree import descendants
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import DiscardedEdit, UncheckedSave

_SAVES = frozenset({"save", "update", "update_attributes"})
# the statements of a body: a call there is run for its effect, its answer dropped
_STATEMENT_PARENTS = frozenset({"body_statement", "block_body", "then", "else", "begin", "ensure", "do"})
# blocks whose last value the calling method uses (`records.all? { |r| r.save }`)
_VALUE_BLOCKS = frozenset(
    {
        "map",
        "collect",
        "flat_map",
        "all?",
        "any?",
        "none?",
        "select",
        "filter",
        "reject",
        "count",
        "find",
        "detect",
        "partition",
        "sum",
        "filter_map",
        "each_with_object",
        "inject",
        "reduce",
    }
)
_LOOPS = frozenset(
    {
        "each",
        "find_each",
        "each_with_index",
        "times",
        "find_in_batches",
        "in_batches",
        "each_slice",
        "upto",
        "downto",
        "step",
        "each_key",
        "each_value",
        "each_pair",
        "loop",
    }
)
_VALIDATES = re.compile(r"^\s*(?:validates?\b|validates_\w+|validate\s)", re.M)
_CLASS = re.compile(r"^([ \t]*)class\s+(\w+)\s*<\s*([\w:]+)", re.M)


def unchecked(body: Node | None, root: Node, path: str, tree: Tree) -> tuple[UncheckedSave, ...]:
    """The saves in `body` (the up's code) whose answer is dropped, with the model each saves when the code
    says which; none for a model the migration defines without validations."""
    if body is None:
        return ()
    inline = _inline_models(ruby.text_of(root))
    found = []
    for node, method in _dropped(body):
        model = _model(node, body)
        if method == "update" and not model:
            continue  # `options.update(…)` on a Hash merges it: a record's `update` only where the model is known
        where = inline[model] if model in inline else _app_validations(model, tree, _root(path))
        if not where:
            continue  # a model without validations (the migration's own copy, or the application's)
        found.append(
            UncheckedSave(
                location=Location(path, node.start_point[0] + 1),
                end_line=node.end_point[0] + 1,
                sql=ruby.text_of(node),
                method=method,
                model=model,
                validations=where,
            )
        )
    return tuple(found)


# String methods that answer an edited copy and leave the receiver as it was (their bang forms edit in place)
_COPIES = frozenset(
    {
        "delete",
        "strip",
        "lstrip",
        "rstrip",
        "gsub",
        "sub",
        "downcase",
        "upcase",
        "capitalize",
        "swapcase",
        "squeeze",
        "squish",
        "tr",
        "tr_s",
        "chomp",
        "chop",
        "unicode_normalize",
        "scrub",
    }
)
_WRITES = frozenset({"save", "save!", "update", "update!", "update_attributes", "update_attributes!"})


def discarded(
    body: Node | None, path: str, tree: Tree, table_of: Callable[[str], str]
) -> tuple[DiscardedEdit, ...]:
    """Statements that take an edited copy of a record's attribute and drop it (`comment.body.delete("\0")`,
    `user.email.strip`): the record keeps its value, and a save after it writes nothing new. `table_of` names
    the table of a model class. Only attributes of records whose model the code names are read, and not one the
    application's model turns into another object (`serialize :tags, type: Array`: `tags.delete(x)` edits it)."""
    if body is None:
        return ()
    found = []
    for node, edit in _statement_calls(body):
        if edit.name not in _COPIES or edit.block is not None or _last_of_value_block(node):
            continue
        attribute = ruby.call(edit.receiver) if edit.receiver is not None else None
        if attribute is None or attribute.args or attribute.receiver is None:
            continue
        if attribute.receiver.type != "identifier":
            continue
        record = ruby.text_of(attribute.receiver)
        model = _model_of(record, node, body)
        if not model or _decoded(model, attribute.name, tree, _root(path)):
            continue
        found.append(
            DiscardedEdit(
                location=Location(path, node.start_point[0] + 1),
                end_line=node.end_point[0] + 1,
                sql=ruby.text_of(node),
                table=table_of(model),
                column=attribute.name,
                method=edit.name,
                saved=_saved_after(node, record),
            )
        )
    return tuple(found)


def _decoded(model: str, attribute: str, tree: Tree, root: str) -> bool:
    """Does the application's model read the attribute as something other than its text (`serialize :tags`,
    `store :settings`, `attribute :tags, :json`)? Then its methods may edit it in place."""
    snake = "/".join(re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower() for part in model.split("::"))
    text = tree.read(f"{root}app/models/{snake}.rb") or ""
    return bool(
        re.search(
            rf"^\s*(?:serialize|store|store_accessor|attribute|encrypts)\s+:{re.escape(attribute)}\b",
            text,
            re.M,
        )
    )


def _saved_after(node: Node, record: str) -> int:
    """The line of a save of `record` later in the statements around `node` (`comment.save!`), 0 if none."""
    parent = node.parent
    siblings = parent.named_children if parent is not None else []
    for sibling in siblings[siblings.index(node) + 1 :] if node in siblings else []:
        for inner in (sibling, *descendants(sibling)):
            found = ruby.call(inner) if inner.type == "call" else None
            if (
                found is not None
                and found.name in _WRITES
                and found.receiver is not None
                and ruby.text_of(found.receiver) == record
            ):
                return inner.start_point[0] + 1
    return 0


def _statement_calls(body: Node) -> Iterator[tuple[Node, ruby.Call]]:
    """Each call of `body` in statement position (its value not used), with its reading."""
    stack = [body]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if node.type != "call" or node.parent is None or node.parent.type not in _STATEMENT_PARENTS:
            continue
        found = ruby.call(node)
        if found is not None:
            yield node, found


def _dropped(body: Node) -> Iterator[tuple[Node, str]]:
    """Calls of `save`/`update`/`update_attributes` (or `create` in a loop) in statement position."""
    for node, found in _statement_calls(body):
        if found.receiver is None:
            continue
        method = found.name
        if method == "create" and not _in_loop(node, body):
            continue
        if method not in _SAVES and method != "create":
            continue
        if method == "save" and "validate" in found.options:
            continue  # `save(validate: false)`: no validation to fail
        if _last_of_value_block(node):
            continue
        yield node, method


def _enclosing_block_call(node: Node, body: Node) -> Node | None:
    """The call whose block holds `node` (`records.each` of `records.each { |r| r.save }`)."""
    current = node.parent
    while current is not None and current != body:
        if (
            current.type in ("do_block", "block")
            and current.parent is not None
            and current.parent.type == "call"
        ):
            return current.parent
        current = current.parent
    return None


def _in_loop(node: Node, body: Node) -> bool:
    current: Node | None = node
    while current is not None and (call := _enclosing_block_call(current, body)) is not None:
        found = ruby.call(call)
        if found is not None and found.name in _LOOPS:
            return True
        current = call
    return False


def _last_of_value_block(node: Node) -> bool:
    """Is the call the last statement of a block whose value its method uses (`map`, `all?`)?"""
    parent = node.parent
    if parent is None or parent.named_children[-1:] != [node]:
        return False
    block = parent if parent.type in ("do_block", "block") else parent.parent
    if block is None or block.type not in ("do_block", "block") or block.parent is None:
        return False
    found = ruby.call(block.parent)
    return found is not None and found.name in _VALUE_BLOCKS


def _model(node: Node, body: Node) -> str:
    """The model class a save's receiver is a record of: a constant (`Tag.create`), a block's parameter
    (`User.where(…).find_each { |u| u.save }`), or a local assigned from a constant (`u = User.find(1)`)."""
    found = ruby.call(node)
    receiver = found.receiver if found is not None else None
    if receiver is None:
        return ""
    if receiver.type in ("constant", "scope_resolution"):
        return ruby.text_of(receiver)
    return _model_of(ruby.text_of(receiver), node, body)


def _model_of(name: str, node: Node, body: Node) -> str:
    """The model class the local or block parameter `name` holds a record of, where `node` uses it."""
    current: Node | None = node
    while current is not None and (call := _enclosing_block_call(current, body)) is not None:
        if name in ruby.block_parameters(call):
            return _root_constant(call, body)
        current = call
    return _assigned(name, body)


def _assigned(name: str, body: Node) -> str:
    """The model a local holds records of: `rows = Post.where(…)` → `Post`."""
    found = re.search(
        rf"^\s*{re.escape(name)}\s*=\s*((?:::)?[A-Z]\w*(?:::[A-Z]\w*)*)\b", ruby.text_of(body), re.M
    )
    return found.group(1).lstrip(":") if found else ""


def _root_constant(call: Node, body: Node) -> str:
    """`User` of `User.where(…).find_each`, `Spree::Taxon` of `Spree::Taxon.all.each`, `Post` of
    `posts.each` after `posts = Post.where(…)`."""
    current: Node | None = call
    while current is not None and current.type == "call":
        current = current.child_by_field_name("receiver")
    if current is None:
        return ""
    if current.type in ("constant", "scope_resolution"):
        return ruby.text_of(current).lstrip(":")
    return _assigned(ruby.text_of(current), body) if current.type == "identifier" else ""


def _inline_models(text: str) -> dict[str, str]:
    """Models the migration defines (class name → "validations" where its body declares some, else "")."""
    models = {}
    for match in _CLASS.finditer(text):
        if "Migration" in match.group(3):
            continue
        end = re.compile(rf"^{match.group(1)}end\b", re.M).search(text, match.end())
        body = text[match.end() : end.start() if end else len(text)]
        models[match.group(2)] = "the model the migration defines" if _VALIDATES.search(body) else ""
    return models


def _root(path: str) -> str:
    """The application's folder: what comes before `db/migrate/`."""
    return path.split("db/", 1)[0] if "db/" in path else ""


def _app_validations(model: str, tree: Tree, root: str) -> str:
    """Where the application's model declares validations (its file), "unknown" when the review cannot tell
    (no model named, no file of that name, a concern included, another parent), "" when it declares none."""
    if not model:
        return "unknown"
    snake = "/".join(re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower() for part in model.split("::"))
    path = f"{root}app/models/{snake}.rb"
    text = tree.read(path)
    if text is None:
        return "unknown"
    if _VALIDATES.search(text) or re.search(r"^\s*include\s", text, re.M):
        return f"`{path}`"
    parent = re.search(rf"class\s+{model.rsplit('::', 1)[-1]}\s*<\s*([\w:]+)", text)
    if parent is None or parent.group(1) not in ("ApplicationRecord", "ActiveRecord::Base"):
        return "unknown"
    return ""
