"""Rails (Active Record) migrations: `db/migrate/*.rb` and `db/post_migrate/*.rb`, read with a Ruby grammar.

- `change` is reversed by Rails itself, except for statements it cannot reverse (`remove_column`
  without a type, `change_column`, `execute`, `drop_table` without a block, …) outside a `reversible`
  block: those make the migration irreversible. `up`/`down` give both directions; a `down` that raises
  `ActiveRecord::IrreversibleMigration` is no way back.
- Rails runs each migration in a transaction unless the class calls `disable_ddl_transaction!`, and only
  on databases whose schema changes roll back (PostgreSQL, SQLite): its MySQL adapters
  (`mysql2`, `trilogy`) say they have no DDL transactions, so there every statement, and every record a
  data change saves, commits on its own.
- `safety_assured { … }` (strong_migrations) is the author's statement that the block is safe: the
  review records it as an accepted suppression, with the reason "safety_assured", of the
  migration-safety rules only. Findings about data, code references and rollback still stand.
- Model code (`update_all`, `in_batches`, `find_each`, `delete_all`) becomes data operations; other
  Ruby becomes RunCode naming the tables it touches. `db/schema.rb` is read by `schema_operations`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import weakref
from contextlib import ExitStack
from typing import Any

from tree_sitter import Node

from bot.frameworks import (
    departure,
    programs,
    rails_associations,
    rails_data,
    rails_helpers,
    rails_revert,
    rails_schema,
    rails_tables,
    ruby,
    ruby_batches,
    ruby_model,
    ruby_offline,
    ruby_saves,
    strong_migrations,
    suppressions,
)
from bot.frameworks.inverse import inverse
from bot.frameworks.loop_values import names
from bot.frameworks.origin import origin
from bot.frameworks.rails_common import Result, Source, key_type, nullable_timestamps, short_index_names
from bot.frameworks.statements import separate
from bot.model.changeset import MemoryTree, Tree, read_ahead
from bot.model.findings import Dimension, Location
from bot.model.migration import (
    PLACEHOLDER,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    RunCode,
    Suppression,
    Unparsed,
)

NAME = "rails"
_EMPTY_DOWN = "`down` does nothing"
_NO_DOWN = "no `down` method"
EXTENSIONS = (".rb",)
_PATH = re.compile(
    r"(?:^|/)db/(?:\w+_)?migrate/(\d+)_\w+(?:\.\w+)?\.rb$"
)  # `….active_storage.rb`: an engine's scope
_CONNECTION_METHODS = frozenset({"execute", "exec_query", "exec_update", "exec_delete", "exec_insert"})
_QUIET = frozenset({"say", "puts", "reset_column_information", "raise", "return", "require", "p", "pp"})
_REVERTING: set[str] = set()  # migrations being read for a `revert SomeMigration`, against loops
_NOT_SUPPRESSED = suppressions.NOT_SUPPRESSED


_RUBY_CODE = re.compile(r"(?:^|/)(?:lib|config|app|db)/(?!migrate/).*\.rb$")
_DEFINITION = re.compile(r"^[ \t]*def[ \t]+(?:self\.)?(\w+[?!]?)", re.M)
# the last trees' method names (a history's migrations ask once per tree, not once per call)
_DEFINED: list[tuple[weakref.ref[Tree], frozenset[str]]] = []


def _defined_in(tree: Tree, name: str) -> bool:
    """Does the application's Ruby code (`lib/`, `config/`, `app/`, `db/` outside the migrations) define a method
    `name`: a helper it gives its migrations (`def alter_primary_key(table, …)`)?"""
    for known, defined in _DEFINED:
        if known() is tree:
            return name in defined
    paths = [p for p in tree.paths() if _RUBY_CODE.search(p)]
    defined = frozenset(
        found for p in read_ahead(tree, paths) for found in _DEFINITION.findall(tree.read(p) or "")
    )
    with contextlib.suppress(TypeError):  # a tree type without weak references is read every time
        _DEFINED.insert(0, (weakref.ref(tree), defined))
        del _DEFINED[4:]
    return name in defined


def candidate(path: str) -> bool:
    return _PATH.search(path) is not None


_NO_DDL_TRANSACTIONS = ("mysql", "mariadb")  # `supports_ddl_transactions?` is false: no transaction at all


def _transaction_note(wanted: bool, dialect: str) -> str:
    """Why the migration runs (or not) in a transaction: `wanted` unless the class calls
    `disable_ddl_transaction!`."""
    if not wanted:
        return "the class calls `disable_ddl_transaction!`"
    if dialect in _NO_DDL_TRANSACTIONS:
        return (
            "Rails opens no transaction around a migration on MySQL or MariaDB (their adapters have no DDL "
            "transactions): each statement commits on its own"
        )
    return "Rails runs each migration in a transaction"


def detect(path: str, text: str) -> bool:
    return _PATH.search(path) is not None and "Migration" in text


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _PATH.search(path)
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    root = ruby.parse(text)
    constants = ruby_model.Constants(ruby_model.constants(root), tree)
    klass = _migration_class(root)
    superclass = ruby.text_of(klass.child_by_field_name("superclass")).lstrip("< ") if klass else ""
    walker = _Walker(
        Source(
            path,
            dialect,
            ruby.heredoc_bodies(root),
            tree,
            constants.literal,
            key_type(superclass),
            held=constants.held,
            short_index_names=short_index_names(superclass),
            nullable_timestamps=nullable_timestamps(superclass),
        ),
        _inline_models(root),
        constants,
    )
    walker.tree = tree
    walker.helper_library = rails_helpers.style(tree, text)
    if klass is None:
        op = Unparsed(
            location=Location(path, 1), error="no migration class (`class … < ActiveRecord::Migration`)"
        )
        wrapped = dialect not in _NO_DDL_TRANSACTIONS
        return Migration(path, NAME, dialect, (op,), None, wrapped, _transaction_note(True, dialect))
    methods, in_transaction = _class_body(klass)
    online = departure.online_tool(tree, _class_calls(klass)) if dialect in ("mysql", "mariadb") else ""
    walker.helpers = {k: v for k, v in methods.items() if k not in ("up", "down", "change")}
    walker.syntax_errors(root)
    down: tuple[Operation, ...] | None
    if "change" in methods:
        walker.walk(methods["change"])
        up, reason = separate(walker.ops), walker.reason
        down = (
            None
            if reason
            else tuple(walker.down_ops)
            + tuple(
                undone
                for op in reversed(walker.reversed_ops)
                if (undone := walker.undo.get(id(op)) or inverse(op)) is not None
            )
        )
    else:
        walker.walk(methods.get("up"))
        up = separate(walker.ops)
        down, reason = _down(methods.get("down"), walker)
        if "down" in methods and methods["down"] is None:
            reason = _EMPTY_DOWN  # an empty method: reversible on paper, nothing comes back
    saves = ruby_saves.unchecked(methods.get("change") or methods.get("up"), root, path, tree)
    discards = ruby_saves.discarded(
        methods.get("change") or methods.get("up"),
        path,
        tree,
        lambda model: constants.table_name(model) or ruby_model.conventional_table(model),
    )
    up = rails_associations.with_dependents(up, root, path, tree)
    down = rails_associations.with_dependents(down, root, path, tree) if down is not None else None
    note = _transaction_note(in_transaction, dialect)
    in_transaction = in_transaction and dialect not in _NO_DDL_TRANSACTIONS
    if dialect == "postgres" and strong_migrations.safe_by_default(tree):
        up, disabled = strong_migrations.rewritten(up)
        if disabled and in_transaction:
            in_transaction, note = False, strong_migrations.NOTE
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=up,
        down=down,
        in_transaction=in_transaction,
        transaction_note=note,
        down_path=path if down is not None else None,
        irreversible_reason=reason,
        # Rails' own `down` runs in place of a missing one and does nothing
        down_does_nothing=reason in (_EMPTY_DOWN, _NO_DOWN),
        version=version(path),
        suppressions=suppressions.find(text, up) + walker.safety_suppressions(),
        online_tool=online,
        unchecked_saves=saves,
        discarded_edits=discards,
    )


def seed_operations(path: str, text: str, tree: Tree, dialect: str) -> tuple[Operation, ...]:
    """The rows `db/seeds.rb` creates with models (`Plan.create!(id: 1, code: "free")`, `insert_all`), as
    DataInsert operations: `db:setup` and `db:reset` load them after the schema."""
    root = ruby.parse(text)
    constants = ruby_model.Constants(ruby_model.constants(root), tree)
    src = Source(path, dialect, ruby.heredoc_bodies(root), tree, constants.literal, held=constants.held)
    walker = _Walker(src, {}, constants)
    walker.walk(root)
    return tuple(op for op in walker.ops if isinstance(op, DataInsert) and op.rows)


def schema_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    """The tables of a `db/schema.rb` dump, as CreateTable operations (and its indexes and keys)."""
    root = ruby.parse(text)
    walker = _Walker(Source(path, dialect, ruby.heredoc_bodies(root), key_type=_dump_key_type(text)), {})
    for node in root.named_children:
        inner = ruby.call(node)
        if inner is not None and inner.block is not None and "Schema" in ruby.text_of(inner.receiver):
            walker.walk(inner.block)
    return tuple(op for op in walker.ops if not isinstance(op, RunCode))


_DUMP_VERSION = re.compile(r"ActiveRecord::Schema\[(\d+)\.(\d+)\]")
# what only a dump of Rails 5.1 or later holds: ids that differ from its bigint default spelled out, bigint keys
_NEWER_DUMP = re.compile(r"\bid: :(?:serial|integer|bigserial|bigint|uuid)\b|\bt\.bigint\b")


def _dump_key_type(text: str) -> str:
    """The type of the ids a `db/schema.rb` leaves unsaid: `bigint` in a dump of Rails 5.1 or later (which
    spells out an `id: :serial`), `integer` in an older one (whose references are `t.integer` too)."""
    version = _DUMP_VERSION.search(text)
    if version is not None:
        return key_type(f"ActiveRecord::Migration[{version.group(1)}.{version.group(2)}]")
    return "bigint" if _NEWER_DUMP.search(text) else "integer"


def _migration_class(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if (
            node.type == "class"
            and "migration" in ruby.text_of(node.child_by_field_name("superclass")).lower()
        ):
            return node
        stack.extend(reversed(node.named_children))
    return None


def _class_body(klass: Node) -> tuple[dict[str, Node | None], bool]:
    methods: dict[str, Node | None] = {}
    in_transaction = True
    for node in (klass.child_by_field_name("body") or klass).named_children:
        if node.type in ("method", "singleton_method"):
            name = ruby.text_of(node.child_by_field_name("name"))
            methods[name] = node.child_by_field_name("body") or _body_of(node)
        elif ruby.text_of(node).startswith("disable_ddl_transaction!") or re.match(
            r"self\.disable_ddl_transaction\s*=\s*true", ruby.text_of(node)
        ):
            in_transaction = False
    return methods, in_transaction


def _class_calls(klass: Node) -> tuple[str, ...]:
    """The bare calls of the class body (`uses_departure!`), also under a modifier (`… if Rails.env.production?`)."""
    found = []
    for node in (klass.child_by_field_name("body") or klass).named_children:
        if node.type in ("if_modifier", "unless_modifier"):
            node = node.child_by_field_name("body") or node
        if node.type in ("identifier", "call"):
            found.append(ruby.text_of(node).split("(")[0].strip())
    return tuple(found)


_EXISTS = re.compile(r"\b(?:column|index|table|foreign_key|check_constraint|reference|view)_exists\?")


# one question about a table or a column named by literals: `column_exists?(:orders, :note)`, `!table_exists?("x")`
_ASKED = re.compile(
    r"\s*(?:!|not\s+)?\s*(?:[\w:]+\.)*(column|table)_exists\?\s*\(?\s*[:\"']?(\w+)[\"']?"
    r"(?:\s*,\s*[:\"']?(\w+)[\"']?)?\s*\)?\s*"
)


def _asked(condition: str, which: str) -> tuple[str, str, str, str] | None:
    """(kind, table, column, which) when the condition asks only whether one table or column exists."""
    found = _ASKED.fullmatch(condition)
    if found is None or (found.group(1) == "column") != (found.group(3) is not None):
        return None
    return found.group(1), found.group(2), found.group(3) or "", which


def _existence_guard(node: Node, body: Node | None) -> tuple[str, tuple[str, str, str, str] | None] | None:
    """`add_column … unless column_exists?(…)` (or inside `unless … end`): "absent", the call runs only where
    the object is missing, so a re-run skips it; `remove_column … if column_exists?(…)`: "present". With it,
    the object asked about when the condition names one by literals."""
    parent = node.parent
    while parent is not None and parent != body:
        if parent.type in ("if", "unless", "if_modifier", "unless_modifier"):
            condition = ruby.text_of(parent.child_by_field_name("condition"))
            if _EXISTS.search(condition):
                negated = parent.type.startswith("unless") != bool(re.match(r"\s*(?:!|not\b)", condition))
                which = "absent" if negated else "present"
                return which, _asked(condition, which)
        parent = parent.parent
    return None


def _early_return(node: Node) -> tuple[str, tuple[str, str, str, str] | None] | None:
    """`return if column_exists?(:orders, :note)` (or the same in an `if … end`): the statements after it run
    only where the column is missing ("absent"); `return unless …`: only where it is there ("present"). None
    for any other statement. `node` is the `return` as `ruby.statements` gives it, inside its condition."""
    if node.type != "return" or ruby.text_of(node).strip() != "return" or node.parent is None:
        return None
    branch = node.parent
    if branch.type == "then":
        if len([n for n in branch.named_children if n.type != "comment"]) != 1 or branch.parent is None:
            return None
        branch = branch.parent
    if branch.type not in ("if_modifier", "unless_modifier", "if", "unless"):
        return None
    if branch.child_by_field_name("alternative") is not None:
        return None
    condition = ruby.text_of(branch.child_by_field_name("condition"))
    if not _EXISTS.search(condition):
        return None
    negated = branch.type.startswith("unless") != bool(re.match(r"\s*(?:!|not\b)", condition))
    which = "present" if negated else "absent"
    return which, _asked(condition, which)


def _guarded(op: Operation, guard: tuple[str, tuple[str, str, str, str] | None]) -> Operation:
    which, asked = guard
    changes: dict[str, Any] = {}
    if asked is not None and op.runs_if is None:
        changes["runs_if"] = asked
    flag = "if_not_exists" if which == "absent" else "if_exists"
    if flag in {f.name for f in dataclasses.fields(op)}:
        changes[flag] = True
    return dataclasses.replace(op, **changes) if changes else op


def _body_of(node: Node) -> Node | None:
    return next((c for c in node.named_children if c.type == "body_statement"), None)


def _down(body: Node | None, up_walker: _Walker) -> tuple[tuple[Operation, ...] | None, str]:
    if body is None:
        return None, _NO_DOWN
    if re.search(r"\braise\b[^\n]*IrreversibleMigration", ruby.text_of(body)):
        return None, "`down` raises ActiveRecord::IrreversibleMigration"
    walker = _Walker(up_walker.src, up_walker.models, up_walker.constants)
    walker.helpers, walker.helper_library = up_walker.helpers, up_walker.helper_library
    walker.walk(body)
    return tuple(walker.ops), ""


def _inline_models(root: Node) -> dict[str, str]:
    """Models a migration defines for itself: `class User < ActiveRecord::Base; self.table_name = "users"`."""
    models: dict[str, str] = {}
    for match in re.finditer(
        # the class's own body: the match may not run into the next class (the migration's own comes first)
        r"class\s+(\w+)\s*<\s*[\w:]+(?:(?!\bclass\s).)*?self\.table_name\s*=\s*[\"':](\w+)",
        ruby.text_of(root),
        re.S,
    ):
        models[match.group(1)] = match.group(2)
    return models


class _Walker:
    """Turns the statements of a method body into operations, in order, with their lines."""

    def __init__(
        self, src: Source, models: dict[str, str], constants: ruby_model.Constants | None = None
    ) -> None:
        self.src, self.models = src, models
        self.ops: list[Operation] = []
        self.reversed_ops: list[Operation] = []  # `change` statements Rails reverses itself
        self.undo: dict[
            int, Operation
        ] = {}  # the way back of those the operation alone does not give (by id)
        self.down_ops: list[Operation] = []  # `dir.down` blocks of `reversible`
        self.reason = ""
        self.safety: list[tuple[int, int, int]] = []  # (first line, last line, line of safety_assured)
        self._reversible_depth = 0
        self.helpers: dict[str, Node | None] = {}  # the migration's own methods besides up/down/change
        self.tree: Tree = MemoryTree()  # the repository, where `revert SomeMigration` finds that migration
        self._followed: set[str] = set()
        self.constants = constants or ruby_model.Constants([])  # what the constants it names hold
        self.strings: dict[str, Node] = {}  # locals holding SQL text (a string or heredoc)
        self.rows: dict[str, ruby.Call] = {}  # locals holding one fetched row, and the call that fetched it
        self.set_on: dict[str, dict[str, str]] = {}  # columns set on such a row before it is saved
        self.relations: dict[str, str] = {}  # locals holding a model's relation (`records = X.where(…)`)
        self.helper_library = ""  # whose migration helpers the migration calls (see `rails_helpers`)

    def syntax_errors(self, root: Node) -> None:
        if root.has_error:
            node = _first_error(root)
            line = node.start_point[0] + 1 if node is not None else 1
            self._add(
                [
                    Unparsed(
                        error="Ruby syntax error",
                        location=Location(self.src.path, line),
                        end_line=line,
                        sql=ruby.text_of(node)[:200] if node is not None else "",
                    )
                ],
                "",
            )

    def walk(self, body: Node | None) -> None:
        # after `return if column_exists?(…)`: from which operation on, and what the statements after it need
        returns: list[tuple[int, tuple[str, tuple[str, str, str, str] | None]]] = []
        for node in ruby.statements(body, self.src.dialect):
            leaves = _early_return(node)
            if leaves is not None:
                returns.append((len(self.ops), leaves))
                continue
            if node.type == "rescue" and _reraises(node):
                continue  # runs only after a statement failed, and fails the migration again: it changes nothing
            if node.type == "assignment" and _holds_sql(node, self.src):
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                assert left is not None and right is not None
                self.strings[ruby.text_of(left)] = right  # `sql = <<~SQL … SQL`, run by `execute(sql)`
                continue
            if node.type in ("assignment", "operator_assignment"):
                # a local set to anything else no longer holds the SQL text it held
                self.strings.pop(ruby.text_of(node.child_by_field_name("left") or node), None)
            if node.type == "assignment" and (self._row_fetched_or_set(node) or self._relation_held(node)):
                continue
            if node.type in ("assignment", "operator_assignment"):
                right = node.child_by_field_name("right")
                if right is None or not isinstance(ruby.value(right), ruby.Code):
                    continue  # a local set to a literal does nothing to the database
                if right.type == "call" and ruby.call(right) is not None:
                    node = right
            if node.type in ("while", "until"):
                self._repeat(node.child_by_field_name("body"), ends=True)
                continue
            c = ruby.call(node)
            start = len(self.ops)
            if c is None:
                self._code(node)
            else:
                self._call(c)
            guard = _existence_guard(node, body)
            if guard is not None and len(self.ops) > start:
                self.ops[start:] = [_guarded(op, guard) for op in self.ops[start:]]

        # each early return guards the operations up to the next one (or to the end of the body)
        stops = [first for first, _ in returns[1:]] + [len(self.ops)]
        for (first, needs), last in zip(returns, stops, strict=False):  # no return: nothing to guard
            self.ops[first:last] = [_guarded(op, needs) for op in self.ops[first:last]]

    def _repeat(self, block: Node | None, *, ends: bool) -> None:
        """`loop do … break if n.zero? end`, `while …`: a loop that runs its block until a condition ends it.
        A change bounded by a `limit` (or by a value the pass computes) changes one batch per pass, until none
        is left; one that is not changes its rows on the first pass."""
        inner = _Walker(self.src, self.models, self.constants)
        inner.helper_library = self.helper_library
        inner.helpers, inner._followed, inner.strings = self.helpers, self._followed, dict(self.strings)
        inner.tree = self.tree
        inner.walk(block)
        self._add(
            [
                dataclasses.replace(op, batched=True)
                if ends
                and isinstance(op, DataUpdate | DataDelete)
                and (_LIMITED.search(op.sql) or PLACEHOLDER in (op.where or ""))
                else op
                for op in inner.ops
            ],
            inner.reason,
        )
        self.safety.extend(inner.safety)

    def _row_fetched_or_set(self, node: Node) -> bool:
        """`admin = User.find_by(…)` (a row kept for a later write) or `admin.role = "owner"` (a column set
        on it): remembered, nothing sent yet."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return False
        if (
            left.type == "identifier"
            and (fetch := ruby.call(right)) is not None
            and rails_data.fetched_row(fetch)
        ):
            self.rows[ruby.text_of(left)] = fetch
            self.set_on.pop(ruby.text_of(left), None)
            return True
        set_on = rails_data.attribute_set(node, self.constants)
        if set_on is not None and set_on[0] in self.rows:
            holder, column, value = set_on
            self.set_on.setdefault(holder, {})[column] = value
            return True
        return False

    def _relation_held(self, node: Node) -> bool:
        """`records = Payment.where.not(state: :completed)`: a relation kept for a later write, nothing sent."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        held = ruby.call(right) if right is not None and right.type == "call" else None
        if left is None or left.type != "identifier" or held is None or not rails_data.relation(held):
            self.relations.pop(ruby.text_of(left), None) if left is not None else None
            return False
        self.relations[ruby.text_of(left)] = " ".join(ruby.text_of(held.node).split("\n"))
        return True

    def _spliced(self, c: ruby.Call) -> ruby.Call | None:
        """`records.update_all(…)` for a local `records` holding a relation: the call as written on the
        relation itself (`Payment.where.not(…).update_all(…)`), at the lines of the original."""
        root: Node | None = c.receiver
        while root is not None and root.type == "call" and (inner := ruby.call(root)) is not None:
            root = inner.receiver
        name = ruby.text_of(root) if root is not None and root.type == "identifier" else ""
        text = ruby.text_of(c.node)
        if name not in self.relations or not text.startswith(name):
            return None
        padding = "\n" * (c.line - 1) + " " * c.node.start_point[1]
        program = ruby.parse(padding + self.relations[name] + text[len(name) :])
        return ruby.call(program.named_children[0]) if program.named_children else None

    def _call(self, c: ruby.Call) -> None:
        if c.receiver is None:
            self._bare(c)
            return
        spliced = self._spliced(c)
        c = spliced if spliced is not None and spliced.receiver is not None else c
        assert c.receiver is not None
        held = self.rows.get(ruby.text_of(c.receiver)) if c.receiver.type == "identifier" else None
        if held is not None:
            written = rails_data.row_write(
                held,
                c,
                self.set_on.get(ruby.text_of(c.receiver), {}),
                self.src.path,
                self.models,
                self.constants,
            )
            if written is not None:
                self.set_on.pop(ruby.text_of(c.receiver), None)
                self._add(written, "")
                return
        if self._loop(c):
            return
        receiver = ruby.text_of(c.receiver)
        if c.name in _CONNECTION_METHODS and (receiver == "connection" or receiver.endswith(".connection")):
            self._statement(ruby.Call("execute", c.node, None, c.args, c.options, c.block))
            return
        data = rails_data.model_call(c, self.src.path, self.models, self.constants, self.src.dialect)
        if data is not None:
            self._add(data, "")
        else:
            self._code(c.node)
        if c.block is not None and (data is None or all(isinstance(op, RunCode) for op in data)):
            sliced = c.name in rails_data.SLICES
            keys = c.receiver.type == "call" and (held := ruby.call(c.receiver)) is not None
            self._inside_code(
                c.block,
                batched=c.name in rails_data.BATCHES and not sliced,
                batches=c.name if c.name in rails_data.BATCHES and not sliced else "",
                per_pass=c.name in rails_data.ITERATIONS or c.name in ruby_batches.STEPS or sliced,
                stepped=self._stepped(c),
                keys=rails_data.key_source(held, self.models, self.constants) if keys and held else None,
            )

    def _stepped(self, c: ruby.Call) -> tuple[str, str, str] | None:
        """`(0..max_id).step(1000) do |start|`: the block's variable, the step and the loop as said."""
        params = ruby.block_parameters(c.node)
        if c.name != "step" or len(params) != 1 or len(c.args) != 1:
            return None
        loop = f"in a loop (`{ruby.text_of(c.receiver)}.step({ruby.text_of(c.args[0])})`)"
        return params[0], ruby.text_of(c.args[0]), loop

    def _loop(self, c: ruby.Call) -> bool:
        """`%w[posts comments].each do |table| … end` (a literal list of names): the block once per name,
        `table` read as that name. Anything else is not such a loop (False)."""
        if c.name != "each" or c.receiver is None or c.block is None:
            return False
        values = names(ruby.value(c.receiver))
        # `TABLES.each do |table|`, TABLES a list of names of the migration (or `@tables`, set in its class body)
        if c.receiver.type in ("constant", "instance_variable"):
            values = self.constants.names(ruby.text_of(c.receiver)) or values
        params = ruby.block_parameters(c.node)
        if values is None and len(params) > 1:
            return self._tuple_loop(c, params)
        if values is None or len(params) != 1:
            return False
        for each in values:
            with ruby.LOOPS.binding(params[0], each):
                self.walk(c.block)
        return True

    def _tuple_loop(self, c: ruby.Call, params: list[str]) -> bool:
        """`[[:links, [:url, :story_id]], …].each do |table, columns|` (or a constant of the migration holding
        such a list): the block once per item, each variable read as its part (a name or a list of names)."""
        assert c.receiver is not None and c.block is not None
        found = ruby.value(c.receiver)
        if c.receiver.type in ("constant", "instance_variable"):
            found = self.constants.held(ruby.text_of(c.receiver))
        if not isinstance(found, list) or not found:
            return False
        items = [item for item in found if isinstance(item, list) and len(item) >= len(params)]
        if len(items) != len(found) or not all(
            isinstance(part, str | list) for item in items for part in item[: len(params) - 1]
        ):
            return False
        for item in items:
            with ExitStack() as stack:
                for name, part in zip(params, item, strict=False):
                    stack.enter_context(ruby.LOOPS.binding(name, part))
                self.walk(c.block)
        return True

    def _inside_code(
        self,
        block: Node,
        *,
        batched: bool = False,
        batches: str = "",
        per_pass: bool = False,
        stepped: tuple[str, str, str] | None = None,
        keys: tuple[str, str | None] | None = None,
    ) -> None:
        """Statements inside a loop already reported as code: keep what they do to the schema or data (in
        the block of `in_batches`, `find_each` and the like, one batch's worth at a time; in the block of an
        iteration over a collection (`groups.each do |key, rows|`), a change whose rows are chosen by a value
        the pass computes changes that pass's rows only)."""
        inner = _Walker(self.src, self.models, self.constants)
        inner.helper_library = self.helper_library
        inner.helpers, inner._followed, inner.strings = self.helpers, self._followed, dict(self.strings)
        inner.walk(block)
        ops = [op for op in inner.ops if not isinstance(op, RunCode)]
        if keys is not None and keys[1]:
            # `X.where(…).pluck(:id).each_slice(n) { |ids| X.where(id: ids).update_all(…) }`: the rows of those
            # keys, which the outer condition picked
            ops = [
                dataclasses.replace(op, where=f"{op.where} AND {keys[1]}")
                if isinstance(op, DataUpdate | DataDelete)
                and op.table == keys[0]
                and PLACEHOLDER in (op.where or "")
                and keys[1] not in (op.where or "")
                else op
                for op in ops
            ]
        if batched:
            ops = [
                dataclasses.replace(op, batched=True, batches=op.batches or batches)
                if isinstance(op, DataUpdate | DataDelete)
                else op
                for op in ops
            ]
        elif per_pass:
            ops = [
                dataclasses.replace(
                    op,
                    batched=True,
                    step=op.step or (ruby_batches.range_step(op.sql, *stepped) if stepped else None),
                )
                if isinstance(op, DataUpdate | DataDelete) and PLACEHOLDER in (op.where or "")
                else op
                for op in ops
            ]
        self._add(ops, inner.reason)
        self.safety.extend(inner.safety)

    def _bare(self, c: ruby.Call) -> None:
        if c.name == "safety_assured":
            self.safety.append((c.line, c.end_line, c.line))
            self.walk(c.block)
        elif c.name == "reversible":
            self._reversible(c)
        elif c.name == "revert":
            self._revert(c)
        elif c.name == "loop" and c.block is not None:
            self._repeat(c.block, ends=re.search(r"\b(?:break|return)\b", ruby.text_of(c.block)) is not None)
        elif c.name in ("up_only", "say_with_time", "transaction", "with_lock_retries") or (
            c.block is not None
            and rails_tables.statement(c, self.src) is None
            and rails_schema.statement(c, self.src) is None
            and c.name not in ("revert",)
        ):
            self._reversible_depth += c.name == "up_only"
            self.walk(c.block)
            self._reversible_depth -= c.name == "up_only"
        elif c.name in self.helpers and c.name not in self._followed:
            self._followed.add(c.name)  # a private method of the migration: read what it does
            self.walk(self.helpers[c.name])
        elif (helper := rails_helpers.translate(c, self.helper_library)) is not None:
            self._helper(c, helper)
        elif c.name not in _QUIET and not self._statement(c):
            table = ruby.value(c.args[0]) if c.args and c.args[0].type == "simple_symbol" else None
            if isinstance(table, str) and table and _defined_in(self.tree, c.name):
                # `alter_primary_key :relation_members, …`: a schema method the application defines (OSM's
                # config/initializers/migrate.rb) given a table; what it runs there cannot be read, and is never
                # taken for nothing. A gem's method stays code, as before.
                error = (
                    f"`{c.name}` is no schema method of Rails but the application's own: what it does to `{table}` "
                    "could not be read"
                )
                self._add(
                    [
                        Unparsed(
                            error=error, **origin(self.src.path, c.line, c.end_line, ruby.text_of(c.node))
                        )
                    ],
                    "",
                )
            else:
                self._code(c.node)

    def _helper(self, c: ruby.Call, helper: rails_helpers.Translation) -> None:
        """A helper of a migration helper library: the statements it sends, at the line of its call, and under
        `change` the way back the library records for it."""
        at = origin(self.src.path, c.line, c.end_line, ruby.text_of(c.node))
        if helper.unread:
            self._add([Unparsed(error=helper.unread, **at)], "")
            return
        ops, rest = len(self.ops), len(self.reversed_ops)
        reason = self.reason
        self.walk(ruby.parse("\n" * (c.line - 1) + helper.up))
        self.ops[ops:] = [_at_call(op, c, self.src.path, helper.batched) for op in self.ops[ops:]]
        if helper.back is None or self._reversible_depth:
            return
        del self.reversed_ops[rest:]
        self.reason = reason
        if not helper.back:
            self.reason = self.reason or f"`{c.name}` cannot be reversed by `change` (line {c.line})"
            return
        back = _Walker(self.src, self.models, self.constants)
        back.helper_library = self.helper_library
        back.tree = self.tree
        back.walk(ruby.parse("\n" * (c.line - 1) + helper.back))
        for op in reversed(back.ops):  # the down runs them in order where this call stands
            op = _at_call(op, c, self.src.path, helper.batched)
            self.reversed_ops.append(op)
            self.undo[id(op)] = op

    def _statement(self, c: ruby.Call) -> bool:
        held = (
            self.strings.get(ruby.text_of(c.args[0])) if c.args and c.args[0].type == "identifier" else None
        )
        if c.name == "execute" and held is not None:
            c = dataclasses.replace(c, args=(held, *c.args[1:]))
        src = (
            dataclasses.replace(self.src, constants=self._local_or_constant)
            if c.name == "execute"
            else self.src
        )
        result: Result | None = rails_tables.statement(c, src) or rails_schema.statement(c, src)
        if result is None:
            return False
        if c.name != "execute" and c.args and isinstance(ruby.value(c.args[0]), ruby.Code):
            # `add_column table, …` with a variable: the statement's target is known only at run time.
            error = f"the table of `{c.name}` is computed at run time, so the statement could not be read"
            result = Result(
                (Unparsed(error=error, **origin(self.src.path, c.line, c.end_line, ruby.text_of(c.node))),)
            )
        ops = list(result.ops)
        if self.helper_library == rails_helpers.GEM and c.name != "execute":
            ops = rails_helpers.idempotent(ops)
        self._add(ops, result.irreversible)
        if not result.irreversible and not self._reversible_depth:
            self.reversed_ops.extend(result.ops)
            self.undo.update(
                (id(op), back) for op, back in zip(result.ops, result.undo, strict=False) if back is not None
            )
        return True

    def _local_or_constant(self, name: str) -> ruby.Value:
        """What `#{name}` in an executed string reads: a local the migration set to a string earlier
        (`condition = "WHERE …"`), else the constant's literal."""
        local = self.strings.get(name)
        found = ruby.sql_text(local, self.src.heredocs) if local is not None else None
        if found is not None and PLACEHOLDER not in found[0]:
            return found[0]
        return self.src.constants(name) if self.src.constants is not None else None

    def _revert(self, c: ruby.Call) -> None:
        """`revert do … end` and `revert SomeMigration`: the inverse of what they name; their way back is it."""
        if c.block is not None:
            inner = _Walker(self.src, self.models, self.constants)
            inner.helper_library = self.helper_library
            inner.helpers, inner._followed, inner.tree = self.helpers, self._followed, self.tree
            inner.walk(c.block)
            undone = rails_revert.inverted(inner.ops)
            if undone is None:
                self._code(c.node)
                self.reason = self.reason or f"`revert` of a statement Rails cannot reverse (line {c.line})"
                return
            self._add(undone, "")
            self.down_ops.extend(inner.ops)
            return
        reverted = [self._reverted(ruby.text_of(arg)) for arg in c.args]
        if not reverted or any(m is None or m.down is None for m in reverted):
            self._code(c.node)
            return
        for migration in reverted:
            assert migration is not None and migration.down is not None
            self._add(rails_revert.moved(migration.down, self.src.path, c.line, c.end_line), "")
            self.down_ops.extend(rails_revert.moved(migration.up, self.src.path, c.line, c.end_line))

    def _reverted(self, name: str) -> Migration | None:
        path = rails_revert.migration_file(name, self.tree)
        if path is None or path == self.src.path or path in _REVERTING:
            return None  # not found, or migrations that revert each other
        _REVERTING.add(path)
        try:
            return parse(path, self.tree.read(path) or "", self.tree, self.src.dialect)
        finally:
            _REVERTING.discard(path)

    def _reversible(self, c: ruby.Call) -> None:
        for node in ruby.statements(c.block, self.src.dialect):
            inner = ruby.call(node)
            if inner is None or inner.receiver is None or inner.name not in ("up", "down"):
                self._code(node)
                continue
            if inner.name == "up":
                self._reversible_depth += 1
                self.walk(inner.block)
                self._reversible_depth -= 1
            else:
                down = _Walker(self.src, self.models, self.constants)
                down.helper_library = self.helper_library
                down.walk(inner.block)
                self.down_ops.extend(down.ops)

    def _code(self, node: Node) -> None:
        text = ruby.text_of(node)
        op = RunCode(
            language="ruby",
            touches=rails_data.touches(node, self.models),
            location=Location(self.src.path, node.start_point[0] + 1),
            end_line=node.end_point[0] + 1,
            sql=text,
            program=programs.ruby_program(text),
            offline=ruby_offline.offline(node),
        )
        self._add([op], "")

    def _add(self, ops: list[Operation], reason: str) -> None:
        self.ops.extend(ops)
        if reason and not self.reason and not self._reversible_depth and ops:
            self.reason = f"{reason} (line {ops[0].location.line})"

    def safety_suppressions(self) -> tuple[Suppression, ...]:
        found = []
        for first, last, line in self.safety:
            for start in sorted({op.location.line for op in self.ops if first <= op.location.line <= last}):
                found.append(
                    Suppression(
                        rules=(),
                        reason="safety_assured",
                        line=line,
                        applies_to=start,
                        dimension=Dimension.MIGRATION_SAFETY.value,
                        keep=_NOT_SUPPRESSED,
                    )
                )
        return tuple(found)


def _at_call(op: Operation, c: ruby.Call, path: str, batched: bool) -> Operation:
    """An operation of the statements a helper sends, placed at the helper's call (its updates batched when the
    helper runs them in batches)."""
    moved = dataclasses.replace(op, location=Location(path, c.line), end_line=c.end_line)
    if batched and isinstance(moved, DataUpdate):
        return dataclasses.replace(moved, batched=True, batches=moved.batches or c.name)
    return moved


# a relation bounded by a number of rows (`.limit(1000)`, `.first(1000)`, `.take(1000)`)
_LIMITED = re.compile(r"\.(?:limit|first|take)\(\s*[\w.]+\s*\)")


def _first_error(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        stack.extend(reversed(node.children))
    return None


def _reraises(rescue: Node) -> bool:
    """`rescue … => e` whose last statement is `raise` (or `raise e`): a clause that reports and re-raises."""
    body = rescue.child_by_field_name("body")
    last = [child for child in (body.named_children if body is not None else []) if child.type != "comment"]
    return bool(last) and re.match(r"raise\b", ruby.text_of(last[-1])) is not None


def _holds_sql(node: Node, src: Source) -> bool:
    """`name = "…"` or `name = <<~SQL … SQL` (with `.squish` and the like): a local the migration may run."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    return (
        left is not None
        and right is not None
        and left.type == "identifier"
        and ruby.sql_text(right, src.heredocs) is not None
    )
