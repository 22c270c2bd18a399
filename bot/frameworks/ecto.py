"""Ecto migrations: `priv/repo/migrations/*.exs` (any repo under `priv/`), read with an Elixir grammar.

- A migration is a module that uses `Ecto.Migration`, with `change/0` (Ecto reverses its commands itself;
  see `ecto_ops` for the ones it cannot reverse) or `up/0` and `down/0`.
- Ecto runs each migration in a transaction unless the module sets `@disable_ddl_transaction true`; it also
  holds its migration lock in a transaction around the migration unless `@disable_migration_lock true`, so a
  concurrent index build needs both, unless the repo takes its lock without a transaction
  (`migration_lock: :pg_advisory_lock`, ecto_sql 3.9+, or no lock: `migration_lock: false`).
- Commands (`create`, `alter`, `drop`, `rename`, `execute`) are read by `ecto_ops`; `repo().update_all`,
  `delete_all`, `insert_all` and `query!` are data changes or SQL; other Elixir is RunCode.
- The dialect comes from the repo's adapter (`Ecto.Adapters.Postgres`, `MyXQL`, `SQLite3`) in `config/*.exs`
  or the `Ecto.Repo` module (`dialect`).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from bot.frameworks import ecto_ops, elixir, seed_rows, suppressions
from bot.frameworks.loop_values import names
from bot.frameworks.naming import model_table
from bot.frameworks.origin import Origin, origin
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration, Operation, RunCode, Unparsed
from bot.sql.names import scalar_sql

NAME = "ecto"
EXTENSIONS = (".exs",)
_PATH = re.compile(r"(?:^|/)priv/(?:[\w.-]+/)*migrations/(\d+)_\w+\.exs$")
_QUIET = frozenset({"flush", "require", "import", "alias", "use", "IO", "Logger"})
_DATA = {
    "update_all": DataUpdate,
    "delete_all": DataDelete,
    "insert_all": DataInsert,
    "insert": DataInsert,
    "insert!": DataInsert,
}
_SQL = frozenset({"query", "query!"})
_ADAPTERS = {"Postgres": "postgres", "MyXQL": "mysql", "MySQL": "mysql", "SQLite3": "sqlite"}


def candidate(path: str) -> bool:
    return _PATH.search(path) is not None


def detect(path: str, text: str) -> bool:
    return _PATH.search(path) is not None and "Ecto.Migration" in text


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _PATH.search(path)
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    root = elixir.parse(text)
    body = _module_body(root)
    if body is None:
        op = Unparsed(location=Location(path, 1), error="no migration module (`use Ecto.Migration`)")
        return Migration(path, NAME, dialect, (op,), None, True, "Ecto runs each migration in a transaction")
    functions, attributes = _definitions(body)
    walker = _Walker(ecto_ops.Source(path, dialect), attributes)
    walker.syntax_errors(root)
    down: tuple[Operation, ...] | None
    if "change" in functions:
        walker.walk(functions["change"])
        down = None if walker.reason else tuple(reversed(walker.back))
        reason = walker.reason
    else:
        walker.walk(functions.get("up"))
        down, reason = _down(functions, path, dialect, attributes)
    up = separate(walker.ops)
    in_transaction, note = _transaction(attributes, migration_lock(tree))
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
        version=version(path),
        suppressions=suppressions.find(text, up),
    )


def seed_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    """The rows `priv/repo/seeds.exs` writes (`Repo.insert!(%Plan{id: 1, …})`, `Repo.insert_all("plans",
    [...])`), as DataInsert operations: `mix ecto.setup` runs it after the migrations."""
    walker = _Walker(ecto_ops.Source(path, dialect))
    walker.walk(elixir.parse(text))
    return tuple(op for op in walker.ops if isinstance(op, DataInsert) and op.rows)


# the repo's migration lock taken without a transaction: an advisory lock for the session, or none at all
_LOCK_WITHOUT_TRANSACTION = re.compile(
    r"^[ \t]*[^#\n]*\bmigration_lock:\s*(:pg_advisory_lock|false|nil)\b", re.M
)
_CONFIG = re.compile(r"(?:[\w.-]+/)*config/\w+\.exs")


def migration_lock(tree: Tree) -> str:
    """`:pg_advisory_lock` (or `false`) when a `config/*.exs` sets the repo's `migration_lock` so that Ecto takes
    it without a transaction; "" for the default, which holds it in a transaction around the migration."""
    for path in sorted(p for p in tree.paths() if _CONFIG.fullmatch(p) and "/deps/" not in f"/{p}"):
        text = tree.read(path) or ""
        found = _LOCK_WITHOUT_TRANSACTION.search(text) if "migration_lock" in text else None
        if found:
            return found.group(1)
    return ""


# an Elixir application's configuration and repo module, at the top or in a folder of its own (firezone's
# `elixir/config/`, an umbrella's `apps/<app>/lib/<app>/repo.ex`)
_SETTINGS = re.compile(r"(?:[\w.-]+/)*(?:config/\w+\.exs|lib/(?:[\w-]+/)*repo\.ex)")
_NOT_THE_APP = re.compile(r"(?:^|/)(?:deps|_build|node_modules|test|tests|examples?)/")


def mix_project(tree: Tree) -> bool:
    """Does the tree hold a Mix project, at its top or in a folder of its own (`elixir/mix.exs`)?"""
    return any(
        (p == "mix.exs" or p.endswith("/mix.exs")) and not _NOT_THE_APP.search(p) for p in tree.paths()
    )


def dialect(tree: Tree) -> str:
    """The database of an Ecto application: the adapter its repo names (`adapter: Ecto.Adapters.Postgres`)
    in `config/*.exs` or in the module that uses `Ecto.Repo`; "" when none is found."""
    paths = [p for p in tree.paths() if _SETTINGS.fullmatch(p) and not _NOT_THE_APP.search(p)]
    # the repo module first (what the app runs), then the configuration; the shallowest app first (an
    # umbrella's or a monorepo's `elixir/apps/<app>/` below the top)
    for path in sorted(paths, key=lambda p: ("/lib/" not in f"/{p}", p.count("/"), p)):
        text = tree.read(path) or ""
        if "adapter" in text:
            found = _adapter(elixir.parse(text))
            if found:
                return found
    return ""


def _adapter(root: Node) -> str:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "pair":
            key = elixir.text_of(node.child_by_field_name("key")).strip().rstrip(":")
            adapter = elixir.text_of(node.child_by_field_name("value")).rsplit(".", 1)[-1]
            if key == "adapter" and adapter in _ADAPTERS:
                return _ADAPTERS[adapter]
        stack.extend(reversed(node.named_children))
    return ""


def _module_body(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        c = elixir.call(node)
        if c is not None and c.name == "defmodule" and c.block is not None:
            uses = [elixir.call(n) for n in elixir.statements(c.block)]
            if any(
                u is not None and u.name == "use" and "Ecto.Migration" in elixir.text_of(u.node) for u in uses
            ):
                return c.block
        stack.extend(reversed(node.named_children))
    return None


def _definitions(body: Node) -> tuple[dict[str, Node | list[Node]], dict[str, elixir.Value]]:
    """The module's functions (`def change do … end`, `def up, do: …`) and its attributes (`@disable_…`)."""
    functions: dict[str, Node | list[Node]] = {}
    attributes: dict[str, elixir.Value] = {}
    for node in body.named_children:
        if node.type == "unary_operator" and elixir.text_of(node).startswith("@"):
            inner = elixir.call(node.child_by_field_name("operand"))
            if inner is not None:
                attributes[inner.name] = elixir.value(inner.args[0]) if inner.args else None
            continue
        c = elixir.call(node)
        if c is None or c.name != "def" or not c.args:
            continue
        head = elixir.call(c.args[0])
        name = head.name if head is not None else elixir.text_of(c.args[0])
        if c.block is not None:
            functions[name] = c.block
        elif "do" in c.options:
            functions[name] = [c.options["do"]]
    return functions, attributes


def _transaction(attributes: dict[str, elixir.Value], lock: str) -> tuple[bool, str]:
    if attributes.get("disable_ddl_transaction") is not True:
        return True, "Ecto runs each migration in a transaction"
    if lock:
        return False, (
            f"the module sets `@disable_ddl_transaction true`, and the repo's `migration_lock: {lock}` holds no "
            "transaction around the migration"
        )
    if attributes.get("disable_migration_lock") is not True:
        return True, (
            "the module sets `@disable_ddl_transaction true` but not `@disable_migration_lock true`: Ecto holds its "
            "migration lock in a transaction around the migration"
        )
    return False, "the module sets `@disable_ddl_transaction true` and `@disable_migration_lock true`"


def _down(
    functions: dict[str, Node | list[Node]], path: str, dialect: str, attributes: dict[str, elixir.Value]
) -> tuple[tuple[Operation, ...] | None, str]:
    if "down" not in functions:
        return None, "no `down/0` function"
    body = functions["down"]
    nodes = body if isinstance(body, list) else list(elixir.statements(body))
    if any((c := elixir.call(node)) is not None and c.name == "raise" for node in nodes):
        return None, "`down/0` raises"
    walker = _Walker(ecto_ops.Source(path, dialect), attributes)
    walker.walk(body)
    return tuple(walker.ops), ""


class _Walker:
    """Turns the expressions of a function body into operations, in order, with their lines; for `change`,
    it also collects what Ecto runs to reverse them."""

    def __init__(self, src: ecto_ops.Source, attributes: dict[str, elixir.Value] | None = None) -> None:
        self.src = src
        self.attributes = attributes or {}
        self.ops: list[Operation] = []
        self.back: list[Operation] = []
        self.reason = ""

    def syntax_errors(self, root: Node) -> None:
        if root.has_error:
            node = elixir.first_error(root)
            line = elixir.line_of(node) if node is not None else 1
            text = elixir.text_of(node)[:200] if node is not None else ""
            self.ops.append(
                Unparsed(
                    error="Elixir syntax error",
                    location=Location(self.src.path, line),
                    end_line=line,
                    sql=text,
                )
            )

    def walk(self, body: Node | list[Node] | None) -> None:
        nodes = body if isinstance(body, list) else list(elixir.statements(body, loops=False))
        for node in nodes:
            if node.type == "binary_operator" and elixir.text_of(node.child_by_field_name("operator")) == "=":
                node = node.child_by_field_name("right") or node
            c = elixir.call(node)
            if c is not None and c.receiver is None and c.name == "for" and c.block is not None:
                self._loop(c)
            elif c is not None and c.receiver is None and c.name in ecto_ops.COMMANDS:
                self._command(c)
            elif (c is not None and c.receiver is None and c.name in _QUIET) or node.type in (
                "atom",
                "comment",
                "unary_operator",
                "string",
                "integer",
                "boolean",
                "nil",
            ):
                continue
            else:
                self._code(node)

    def _loop(self, c: elixir.Call) -> None:
        """`for table <- @tables do … end` (or a literal list): the body once per value, with `#{table}` in
        its SQL read as that value; a loop over anything else once, with its SQL's `#{…}` unknown."""
        name, values = self._generator(c)
        if not values:
            self.walk(c.block)
            return
        for each in values:
            with elixir.LOOPS.binding(name, each):
                self.walk(c.block)

    def _generator(self, c: elixir.Call) -> tuple[str, list[str]]:
        generators = [
            a
            for a in c.args
            if a.type == "binary_operator" and elixir.text_of(a.child_by_field_name("operator")) == "<-"
        ]
        if len(generators) != 1:
            return "", []
        left, right = generators[0].child_by_field_name("left"), generators[0].child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            return "", []
        source = elixir.text_of(right)
        found = self.attributes.get(source[1:]) if source.startswith("@") else elixir.value(right)
        return elixir.text_of(left), names(found) or []

    def _command(self, c: elixir.Call) -> None:
        if c.name == "execute" and c.args and c.args[0].type == "anonymous_function":
            self._execute_code(c)
            return
        result = ecto_ops.COMMANDS[c.name](c, self.src)
        self.ops.extend(result.ops)
        if result.back is None:
            if not self.reason and result.ops:
                line = "" if "(line " in result.irreversible else f" (line {result.ops[0].location.line})"
                self.reason = result.irreversible + line
        else:
            self.back.extend(reversed(result.back))

    def _execute_code(self, c: elixir.Call) -> None:
        """`execute(fn -> repo().update_all(…) end, fn -> … end)`: what the functions do, each way."""
        self.walk(c.args[0])
        if len(c.args) < 2:
            self.reason = (
                self.reason or f"`execute` without a down function cannot be reversed (line {c.line})"
            )
            return
        back = _Walker(self.src)
        back.walk(c.args[1])
        self.back.extend(reversed(back.ops))

    def _code(self, node: Node) -> None:
        base = origin(self.src.path, elixir.line_of(node), node.end_point[0] + 1, elixir.text_of(node))
        repo_call = _repo_call(node)
        if repo_call is not None and repo_call.name in _SQL and repo_call.args:
            found = elixir.sql_text(repo_call.args[0])
            if found is not None:
                self.ops.extend(parse_sql(self.src.path, found[0], self.src.dialect, first_line=found[1]))
                return
        if repo_call is not None and repo_call.name in _DATA:
            self.ops.append(_data(repo_call, node, base))
            return
        self.ops.append(RunCode(language="elixir", touches=_touches(node), **base))


def _repo_call(node: Node) -> elixir.Call | None:
    """`repo().update_all(q, …)`, `Repo.update_all(q, …)` or `q |> repo().update_all(…)`: the repo call."""
    piped: Node | None = None
    if node.type == "binary_operator" and elixir.text_of(node.child_by_field_name("operator")) == "|>":
        piped, node = node.child_by_field_name("left"), node.child_by_field_name("right") or node
    c = elixir.call(node)
    if c is not None and elixir.text_of(c.receiver) == "Ecto.Adapters.SQL" and c.name in _SQL:
        return elixir.Call(c.name, c.node, c.receiver, c.args[1:], c.options, c.block)  # query!(Repo, sql)
    if (
        c is None
        or c.receiver is None
        or not elixir.text_of(c.receiver).split(".")[-1].lower().startswith("repo")
    ):
        return None
    if piped is not None:
        return elixir.Call(c.name, c.node, c.receiver, (piped, *c.args), c.options, c.block)
    return c


def _data(c: elixir.Call, node: Node, base: Origin) -> Operation:
    query = c.args[0] if c.args else None
    table = _query_table(query) if query is not None else ""
    kind = _DATA[c.name]
    if kind is DataInsert:
        return _insert(c, base)
    where = _where(query)
    if kind is DataDelete:
        return DataDelete(table=table, where=where, **base)
    return DataUpdate(table=table, assignments=_assignments(c), where=where, **base)


def _insert(c: elixir.Call, base: Origin) -> DataInsert:
    """`insert_all("plans", [%{id: 1, …}, [id: 2, …]])` or `insert!(%Plan{id: 1, …})`: the table and its rows."""
    if c.name == "insert_all":
        table = _query_table(c.args[0]) if c.args else ""
        found = _record(c.args[1]) if len(c.args) > 1 else None
    else:
        struct = _struct(c.args[0]) if c.args else None
        table = model_table(elixir.text_of(struct)) if struct is not None else ""
        found = _record(c.args[0]) if struct is not None else None
    columns, rows = seed_rows.values_rows(seed_rows.records(found))
    return DataInsert(table=table, columns=columns, rows=rows, **base)


def _struct(node: Node) -> Node | None:
    if node.type != "map":
        return None
    return next((child.named_children[0] for child in node.named_children if child.type == "struct"), None)


def _record(node: Node) -> object:
    """A map (`%{id: 1}`, `%Plan{id: 1}`), a keyword list, or a list of them, as dicts of column → value."""
    if node.type == "map":
        content = next((child for child in node.named_children if child.type == "map_content"), None)
        pairs = next((k for k in content.named_children if k.type == "keywords"), None) if content else None
        return {key: elixir.value(value) for key, value in elixir.keywords(pairs).items()} if pairs else {}
    if node.type == "list":
        found = elixir.value(node)
        if isinstance(found, dict):
            return found
        return [_record(child) for child in node.named_children if child.type in ("map", "list")]
    return None


def _query_table(node: Node) -> str:
    """`"orders"`, `Order`, `from(o in "orders", …)`, `from(o in MyApp.Order, …)` → the table."""
    found = elixir.value(node)
    if isinstance(found, str):
        return found
    if node.type == "alias":
        return model_table(elixir.text_of(node))
    c = elixir.call(node)
    if c is not None and c.name == "from" and c.args and c.args[0].type == "binary_operator":
        right = c.args[0].child_by_field_name("right")
        return _query_table(right) if right is not None else ""
    if node.type == "binary_operator":
        left = node.child_by_field_name("left")
        return _query_table(left) if left is not None else ""
    return ""


def _where(query: Node | None) -> str | None:
    c = elixir.call(query) if query is not None else None
    if c is None or c.name != "from" or "where" not in c.options:
        return None
    return _sql(elixir.text_of(c.options["where"]), _binding(c))


def _binding(query: elixir.Call) -> str:
    """The name a `from(o in "orders", …)` query gives its rows (`o`)."""
    first = query.args[0] if query.args else None
    left = (
        first.child_by_field_name("left") if first is not None and first.type == "binary_operator" else None
    )
    return elixir.text_of(left) if left is not None and left.type == "identifier" else ""


def _sql(text: str, binding: str) -> str:
    """An Ecto query expression as SQL: `o.state` is the column `state`, `==` is `=`, `is_nil(x)` is
    `x IS NULL`, `^value` a value bound at run time."""
    if binding:
        text = re.sub(rf"\b{re.escape(binding)}\.(\w+)", r"\1", text)
    text = _STRING.sub(lambda m: "'" + m.group(1).replace("'", "''") + "'", text)  # "open" is 'open'
    text = _NOT_NIL.sub(r"\1 IS NOT NULL", text)
    text = _NIL.sub(r"\1 IS NULL", text)
    return text.replace("==", "=").replace("!=", "<>").replace("^", ":")


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NOT_NIL = re.compile(r"\bnot\s+is_nil\(\s*([\w.]+)\s*\)")
_NIL = re.compile(r"\bis_nil\(\s*([\w.]+)\s*\)")


def _assignments(c: elixir.Call) -> tuple[tuple[str, str], ...]:
    """`update_all(q, set: [state: "open"], inc: [n: 1])`, and the query's own `update: [set: [state: o.old]]`."""
    query = elixir.call(c.args[0]) if c.args else None
    binding = _binding(query) if query is not None and query.name == "from" else ""
    updates = query.option("update") if query is not None and query.name == "from" else None
    pairs: list[tuple[str, str]] = []
    for verbs in (
        (c.option("set"), c.option("inc")),
        ((updates.get("set"), updates.get("inc")) if isinstance(updates, dict) else (None, None)),
    ):
        for verb, found in zip(("set", "inc"), verbs, strict=True):
            if not isinstance(found, dict):
                continue
            for column, assigned in found.items():
                value = (
                    _sql(_literal(assigned), binding)
                    if isinstance(assigned, elixir.Code)
                    else _literal(assigned)
                )
                pairs.append((column, value if verb == "set" else f"{column} + {value}"))
    return tuple(pairs)


def _literal(found: elixir.Value) -> str:
    scalar = scalar_sql(found)
    if scalar is not None:
        return scalar
    if isinstance(found, elixir.Code):
        return found.text
    return str(found)


def _touches(node: Node) -> tuple[str, ...]:
    """Tables named in Elixir code: string table names given to queries and schema modules."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "alias" and not elixir.text_of(current).startswith(
            ("Ecto", "Enum", "IO", "Logger")
        ):
            found.append(model_table(elixir.text_of(current)))
        stack.extend(current.named_children)
    return tuple(dict.fromkeys(found))
