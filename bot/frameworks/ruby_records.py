"""What a Rails loop over records writes to each of them, read as the SQL an UPDATE of the scope would send.

`User.where(…).find_each { |u| u.is_visible = !u.is_hidden; u.save! }` sets, on every row the scope holds,
`is_visible = NOT is_hidden`: the same expression an `update_all` would write, so the rules that judge
expressions (crossed values, NULL propagation, values outside a column's domain, the way back) read it too.
An attribute of the record (`u.first_name`) is its column; literals and constants are their values;
`!`, `&&`, `||`, arithmetic, `a ? b : c`, string interpolation and a constant hash looked up by an attribute
(`MAP[u.state]`) are the SQL that computes the same. A value the loop computes otherwise (a method of the
application) is a value the code fills in (PLACEHOLDER). Guards (`next if u.state.present?`, `if u.state.nil?`,
`u.state ||= …`) narrow the rows the loop writes.

A loop that writes its records in a way this does not follow (`r.update!(attrs)`, `r.account.update!(…)`,
`r.send(…)`) is said so: `unread` names the write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from bot.frameworks import ruby, ruby_model
from bot.model.migration import PLACEHOLDER
from bot.sql.names import scalar_sql

# a write on one record, and whether its options are the columns it sets
RECORD_WRITES = frozenset(
    {"update", "update!", "update_columns", "update_attributes", "update_attributes!", "assign_attributes"}
)
ONE_ATTRIBUTE = frozenset({"update_column", "update_attribute"})
SAVES = frozenset({"save", "save!", "touch"})
# the writes that save through the model's callbacks, which set `updated_at` of a changed record
_SAVED = frozenset(
    {
        "save",
        "save!",
        "update",
        "update!",
        "update_attribute",
        "update_attributes",
        "update_attributes!",
        "toggle!",
    }
)


def untouched(c: ruby.Call) -> bool:
    """`record.save!(touch: false)`: Active Record saves without setting `updated_at` / `updated_on`."""
    return c.name in ("save", "save!") and c.option("touch") is False


def sets_timestamps(node: Node, saves: frozenset[str]) -> bool:
    """Does a call inside `node` save a record through Active Record's timestamps (one of `saves`, and not
    `save(touch: false)`)?"""
    stack = [node]
    while stack:
        current = stack.pop()
        found = ruby.call(current) if current.type == "call" else None
        if found is not None and found.receiver is not None and found.name in saves and not untouched(found):
            return True
        stack.extend(current.named_children)
    return False


# methods that change a hash or list attribute in place (`r.options.delete("x")`, `r.tags << "y"`)
_MUTATORS = frozenset(
    {"delete", "merge!", "deep_merge!", "store", "push", "<<", "reject!", "select!", "except!", "slice!"}
    | {"compact!", "transform_values!", "update", "concat", "clear", "unshift", "delete_if", "keep_if"}
)
# code elsewhere handed the record that tells about it rather than writes it (`Mailer.notify(r)`)
_QUIET_CLASS = re.compile(r"(?:Mailer|Logger|Notifier|Rails|Kernel|STDOUT|STDERR|Sentry|Bugsnag)$")
_QUIET_METHODS = frozenset(
    {"puts", "say", "log", "info", "warn", "debug", "error", "notify", "inspect", "p", "pp"}
)
# writes to other rows, reached through the record (`r.account.update!(…)`, `r.user.services.create!(…)`)
_OTHER_ROWS = frozenset(
    {"create", "create!", "destroy", "destroy!", "delete_all", "destroy_all", "update_all", "insert_all"}
    | {"upsert_all", "find_or_create_by", "find_or_create_by!"}
)
_WRITES = RECORD_WRITES | ONE_ATTRIBUTE | SAVES | {"increment!", "decrement!", "toggle!"}
# `value.downcase` and the like: the SQL function that computes the same of a column
_FUNCTIONS = {"downcase": "lower", "upcase": "upper", "strip": "trim"}
_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "==": "=", "!=": "<>", "<": "<", ">": ">", "<=": "<="}
_OPERATORS |= {">=": ">=", "&&": "AND", "and": "AND", "||": "OR", "or": "OR"}
_CLOCK = re.compile(
    r"(?:Time(?:\.zone)?|DateTime)\.(?:now|current)(?:\(\))?|Date\.(?:today|current)(?:\(\))?"
)


@dataclass
class LoopWrites:
    """What one pass of a loop writes to its record."""

    assignments: dict[str, str] = field(default_factory=dict)  # column → SQL of its new value
    guards: list[str] = field(default_factory=list)  # conditions the record must meet to be written
    unread: str = ""  # a write the review does not follow (its Ruby text), "" when none
    saved: bool = False  # written through `save`/`update` (callbacks, `updated_at`), not `update_column(s)`


def loop_writes(block: Node, records: list[str], constants: ruby_model.Constants) -> LoopWrites:
    """What the loop's `block` (its body) writes to the records named `records` (the block's parameters, and
    those of blocks nested in it: `find_in_batches do |group| group.each do |r| … end end`)."""
    reader = _Reader(set(records), constants)
    reader.body(block, top=True)
    return reader.found


class _Reader:
    def __init__(self, records: set[str], constants: ruby_model.Constants) -> None:
        self.records, self.constants = records, constants
        self.found = LoopWrites()
        self.locals: dict[str, str] = {}  # locals the block sets from its record (`name = "#{u.a} #{u.b}"`)
        self.defaults: set[str] = set()  # columns set with `||=`

    def body(self, node: Node | None, *, top: bool = False) -> None:
        for statement in _statements(node):
            self.statement(statement, top=top)

    def statement(self, node: Node, *, top: bool) -> None:
        kind = node.type
        if kind in ("if_modifier", "unless_modifier"):
            body, condition = node.named_children[0], node.child_by_field_name("condition")
            if body.type == "next" and condition is not None:
                guard = self.condition(condition)
                self._guard(negated(guard) if kind == "if_modifier" else guard, top)
                return
            if condition is not None:
                guard = self.condition(condition)
                self._guard(guard if kind == "if_modifier" else negated(guard), top)
            self.statement(body, top=False)
            return
        if kind in ("if", "unless") and node.child_by_field_name("alternative") is None:
            condition = node.child_by_field_name("condition")
            guard = self.condition(condition) if condition is not None else None
            self._guard(guard if kind == "if" else negated(guard), top)
            self.body(node.child_by_field_name("consequence"))
            return
        if kind in ("if", "unless", "case", "while", "until", "begin", "parenthesized_statements"):
            # a branch with an else, or any other construct: its writes count, their rows are not known
            if self._writes_in(node):
                self.found.guards.append("(scope)")
            self.body(node)
            return
        if kind == "assignment":
            self.assignment(node)
            return
        if kind == "operator_assignment":
            self.default(node)
            return
        c = ruby.call(node) if node.type == "call" else None
        if c is None:
            return
        holder = ruby.text_of(c.receiver) if c.receiver is not None else ""
        if holder in self.records and c.name in _WRITES:
            self.write(c)
            return
        if c.block is not None:  # `group.each do |r| … end`, `transaction do … end`
            self.records.update(ruby.block_parameters(c.node))
            self.body(c.block)
            return
        if holder in self.records and c.name in ("destroy", "destroy!", "delete"):
            return  # the record itself deleted: the loop's deletion, read where the loop is
        other_rows = (
            c.name in _OTHER_ROWS and holder not in self.records
        )  # `batch.destroy_all`: the loop's own
        if (c.name in _WRITES or other_rows) and _reaches_record(c.receiver, self.records):
            self._unread(c.node)  # `r.account.update!(…)`: a row of another table, reached through the record
            return
        column = self._attribute(c.receiver) if c.receiver is not None else None
        if column is not None and c.name in _MUTATORS:
            # `r.options.delete("x")`: the attribute changed in place, saved with the record
            self.found.assignments.setdefault(column, PLACEHOLDER)
            return
        if c.receiver is not None and c.name.endswith("_will_change!") and holder in self.records:
            self.found.assignments.setdefault(c.name.removesuffix("_will_change!"), PLACEHOLDER)
            return
        if (
            c.receiver is not None
            and c.receiver.type in ("constant", "scope_resolution")
            and not _QUIET_CLASS.search(ruby.text_of(c.receiver))
            and c.name not in _QUIET_METHODS
            and any(ruby.text_of(arg) in self.records for arg in c.args)
        ):
            # `LiquidMigrator.convert_all_agent_options(agent)`: code elsewhere is handed the record
            self._unread(c.node)

    def _writes_in(self, node: Node) -> bool:
        text = ruby.text_of(node)
        return any(
            re.search(rf"\b{re.escape(r)}\.\w+\s*=[^=]|\b{re.escape(r)}\.update", text) for r in self.records
        )

    def _guard(self, guard: str | None, top: bool) -> None:
        self.found.guards.append(guard if guard and top else "(scope)")

    def assignment(self, node: Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        if left.type == "identifier":
            value = self.value(right)
            if value is not None:
                self.locals[ruby.text_of(left)] = value
            else:
                self.locals.pop(ruby.text_of(left), None)
            return
        if left.type == "element_reference" and left.named_children:
            column = self._attribute(left.named_children[0])  # `r.options["key"] = …`: the column changes
            if column is not None:
                self.found.assignments.setdefault(column, PLACEHOLDER)
            return
        column = self._attribute(left)
        if column is None:
            if left.type == "call" and _reaches_record(left, self.records):
                self._unread(node)
            return
        self.found.assignments.setdefault(column, self.value(right) or PLACEHOLDER)

    def default(self, node: Node) -> None:
        """`r.state ||= "open"`: written where the record has no value."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = next((c.type for c in node.children if not c.is_named), "")
        column = self._attribute(left) if left is not None else None
        if column is None or right is None:
            return
        value = self.value(right) or PLACEHOLDER
        if operator == "||=":
            self.defaults.add(column)
            self.found.assignments.setdefault(column, f"COALESCE({column}, {value})")
        elif operator in ("+=", "-=", "*="):
            self.found.assignments.setdefault(column, f"{column} {operator[0]} {value}")

    def write(self, c: ruby.Call) -> None:
        self.found.saved = self.found.saved or (c.name in _SAVED and not untouched(c))
        if c.name == "touch":
            self.found.assignments.setdefault("updated_at", "CURRENT_TIMESTAMP")
        elif c.name in RECORD_WRITES:
            if c.args and not c.options:
                self._unread(c.node)  # `r.update!(attributes)`: columns the code computes
            for key, value in c.options.items():
                self.found.assignments.setdefault(key, self.value(value) or PLACEHOLDER)
        elif c.name in ONE_ATTRIBUTE:
            name = ruby.value(c.args[0]) if len(c.args) == 2 else None
            if isinstance(name, str):
                self.found.assignments.setdefault(name, self.value(c.args[1]) or PLACEHOLDER)
            else:
                self._unread(c.node)
        elif c.name in ("increment!", "decrement!", "toggle!"):
            name = ruby.value(c.args[0]) if c.args else None
            if not isinstance(name, str):
                self._unread(c.node)
            elif c.name == "toggle!":
                self.found.assignments.setdefault(name, f"NOT {name}")
            else:
                by = self.value(c.args[1]) if len(c.args) > 1 else "1"
                self.found.assignments.setdefault(
                    name, f"{name} {'+' if c.name == 'increment!' else '-'} {by}"
                )

    def _unread(self, node: Node) -> None:
        self.found.unread = self.found.unread or " ".join(ruby.text_of(node).split())[:120]

    def _attribute(self, node: Node) -> str | None:
        """`r.title` (the record's attribute, its column); None for anything else."""
        if node.type != "call":
            return None
        receiver, method = node.child_by_field_name("receiver"), node.child_by_field_name("method")
        if receiver is None or method is None or method.type != "identifier":
            return None
        if node.child_by_field_name("arguments") is not None or ruby.text_of(receiver) not in self.records:
            return None
        if receiver.type != "identifier":
            return None
        return ruby.text_of(method)

    def condition(self, node: Node) -> str | None:
        """A Ruby condition as SQL (`r.state.nil?` → `state IS NULL`); None when it is no such condition."""
        while node.type == "parenthesized_statements" and len(node.named_children) == 1:
            node = node.named_children[0]
        if node.type == "call":
            receiver, method = node.child_by_field_name("receiver"), node.child_by_field_name("method")
            name = ruby.text_of(method) if method is not None else ""
            inner = self.value(receiver) if receiver is not None else None
            if inner is not None and name in ("nil?", "blank?", "empty?"):
                return f"{inner} IS NULL"
            if inner is not None and name == "present?":
                return f"{inner} IS NOT NULL"
        if node.type == "unary" and ruby.text_of(node).lstrip().startswith(("!", "not")):
            return negated(self.condition(node.named_children[0]) if node.named_children else None)
        return self.value(node)

    def value(self, node: Node | None) -> str | None:
        """A Ruby expression as the SQL that computes the same from the record's row; None when it is not one."""
        if node is None:
            return None
        kind = node.type
        if kind == "parenthesized_statements" and len(node.named_children) == 1:
            inner = self.value(node.named_children[0])
            return f"({inner})" if inner is not None else None
        if kind == "identifier":
            return self.locals.get(ruby.text_of(node))
        column = self._attribute(node)
        if column is not None:
            return column
        if kind == "call":
            return self._method(node)
        if kind == "unary":
            operand = self.condition(node.named_children[0]) if node.named_children else None
            text = ruby.text_of(node).lstrip()
            if operand is not None and text.startswith(("!", "not")):
                return f"NOT {operand}"
            if operand is not None and text.startswith("-"):
                return f"-{operand}"
        if kind == "binary":
            return self._binary(node)
        if kind == "conditional":
            condition = self.condition(node.child_by_field_name("condition") or node.named_children[0])
            then, otherwise = (self.value(n) for n in node.named_children[1:3])
            if condition is None or then is None or otherwise is None:
                return None
            return f"CASE WHEN {condition} THEN {then} ELSE {otherwise} END"
        if kind == "string" and any(c.type == "interpolation" for c in node.named_children):
            return self._interpolated(node)
        if kind == "element_reference":
            return self._lookup(node)
        if kind in ("constant", "scope_resolution"):
            found = self.constants.literal(ruby.text_of(node))
            return literal(found) if found is not None else None
        plain = ruby.value(node)
        if isinstance(plain, ruby.Code):
            return ruby.text_of(node) if _CLOCK.fullmatch(ruby.text_of(node)) else None
        if isinstance(plain, list | dict):
            return None
        return literal(plain)

    def _method(self, node: Node) -> str | None:
        receiver, method = node.child_by_field_name("receiver"), node.child_by_field_name("method")
        name = ruby.text_of(method) if method is not None else ""
        if _CLOCK.fullmatch(ruby.text_of(node)):
            return ruby.text_of(node)
        inner = self.value(receiver) if receiver is not None else None
        if inner is None or node.child_by_field_name("arguments") is not None:
            return None
        if name in _FUNCTIONS:
            return f"{_FUNCTIONS[name]}({inner})"
        if name in ("to_s", "presence", "itself", "freeze"):
            return inner
        if name in ("nil?", "blank?", "present?"):
            return self.condition(node)
        return None

    def _binary(self, node: Node) -> str | None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = (
            ruby.text_of(node.child_by_field_name("operator")) if node.child_by_field_name("operator") else ""
        )
        if operator not in _OPERATORS:
            return None
        if operator in ("&&", "and", "||", "or"):
            first, second = self.condition(left) if left else None, self.condition(right) if right else None
        else:
            first, second = self.value(left), self.value(right)
        if first is None or second is None:
            return None
        if operator == "||" and not _boolean(left) and not _boolean(right):
            return f"COALESCE({first}, {second})"  # `r.name || "none"`: the first value that is set
        if operator == "+" and (_stringy(left) or _stringy(right)):
            return f"{first} || {second}"  # Ruby's `+` of strings joins them
        return f"{first} {_OPERATORS[operator]} {second}"

    def _interpolated(self, node: Node) -> str | None:
        """`"#{r.first} #{r.last}"`: Ruby writes a nil as "", so the SQL skips NULLs (`concat_ws('', …)`)."""
        parts = []
        for child in node.named_children:
            if child.type == "string_content":
                parts.append(literal(ruby.text_of(child)))
            elif child.type == "interpolation":
                inner = self.value(child.named_children[0]) if len(child.named_children) == 1 else None
                if inner is None:
                    return None
                parts.append(inner)
            else:
                return None
        return f"concat_ws('', {', '.join(parts)})"

    def _lookup(self, node: Node) -> str | None:
        """`MAP[r.state]` of a constant hash: CASE state WHEN key THEN value … END (NULL for a key it lacks)."""
        holder = node.named_children[0] if node.named_children else None
        keys = node.named_children[1:]
        if holder is None or len(keys) != 1 or holder.type not in ("constant", "scope_resolution"):
            return None
        mapping = self.constants.held(ruby.text_of(holder))
        key = self.value(keys[0])
        if not isinstance(mapping, dict) or not mapping or key is None:
            return None
        if any(isinstance(v, list | dict | ruby.Code) for v in mapping.values()):
            return None
        branches = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items())
        return f"CASE {key} {branches} END"


def negated(condition: str | None) -> str | None:
    """NOT of a condition, `x IS NULL` and `x IS NOT NULL` turned into each other."""
    if condition is None:
        return None
    match = re.fullmatch(r"(\w+) IS (NOT )?NULL", condition)
    if match:
        return f"{match.group(1)} IS {'' if match.group(2) else 'NOT '}NULL"
    return f"NOT ({condition})"


def _statements(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type in ("body_statement", "block_body", "then", "else", "begin", "do", "program"):
        return [c for c in node.named_children if c.type != "comment"]
    if node.type in ("do_block", "block"):
        body = next((c for c in node.named_children if c.type in ("body_statement", "block_body")), None)
        return _statements(body)
    if node.type in ("if", "unless", "case", "while", "until", "parenthesized_statements"):
        found = []
        for child in node.named_children:
            if child.type in ("then", "else", "when", "do", "body_statement", "elsif"):
                found.extend(_statements(child) if child.type != "elsif" else [child])
            elif child.type in ("if", "unless", "call", "assignment", "operator_assignment"):
                found.append(child)
        return found
    return [node]


def _reaches_record(node: Node | None, records: set[str]) -> bool:
    """Is `node` something reached through a record (`r.account`, `r.items.first`)?"""
    while node is not None and node.type == "call":
        node = node.child_by_field_name("receiver")
    return node is not None and node.type == "identifier" and ruby.text_of(node) in records


def _boolean(node: Node | None) -> bool:
    return node is not None and (
        node.type in ("true", "false", "unary")
        or (node.type == "call" and ruby.text_of(node).endswith("?"))
        or (
            node.type == "binary"
            and any(op in ruby.text_of(node) for op in ("==", "!=", "&&", "||", "<", ">"))
        )
    )


def _stringy(node: Node | None) -> bool:
    """A string, or a `+` that joins one (`a + " " + b`)."""
    if node is None:
        return False
    if node.type == "binary" and ruby.text_of(node.child_by_field_name("operator") or node) == "+":
        return _stringy(node.child_by_field_name("left")) or _stringy(node.child_by_field_name("right"))
    return node.type == "string"


def literal(value: ruby.Value) -> str:
    scalar = scalar_sql(value)
    if scalar is not None:
        return scalar
    return PLACEHOLDER
