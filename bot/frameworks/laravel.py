"""Laravel migrations: `database/migrations/*.php`, read with a PHP grammar.

- A migration is a class that extends `Migration` (named, or `return new class extends Migration`) with
  `up()` and `down()`. `down()` is the way back; without one, `migrate:rollback` does nothing.
- Laravel runs each migration in a transaction when the database supports transactional DDL (PostgreSQL,
  SQLite; not MySQL or MariaDB), unless the class says `public $withinTransaction = false;`.
- `Schema::create/table/drop/dropIfExists/rename/dropColumns` with the Blueprint API (see
  `laravel_blueprint`), `DB::statement/unprepared/update/delete/insert(sql)` read as SQL, and the query
  builder or Eloquent models (`DB::table('t')->where(…)->update([...])`) as data changes. Other PHP is
  RunCode naming the tables it touches.
- The dialect comes from `.env.example` (`DB_CONNECTION`) or `config/database.php`'s default (`dialect`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re

from tree_sitter import Node

from bot.frameworks import laravel_blueprint, laravel_config, laravel_data, laravel_records, php, suppressions
from bot.frameworks.loop_values import names
from bot.frameworks.origin import Origin, origin
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RenameTable,
    RunCode,
    Unparsed,
    UnreadDataChange,
)

NAME = "laravel"
_NO_DOWN = "no `down()` method: `migrate:rollback` does nothing"
EXTENSIONS = (".php",)
# Laravel's migrator runs every `*_*.php` of the folder: a name may hold hyphens (`…_modify_playlist-user_relationship.php`)
_PATH = re.compile(r"(?:^|/)database/migrations/(?:[\w.-]+/)*(\d+(?:_\d+)*)_[^/]+\.php$")
_SQL_METHODS = frozenset({"statement", "unprepared", "update", "delete", "insert", "affectingStatement"})
_SCHEMA_READS = frozenset(
    {"hasTable", "hasColumn", "hasColumns", "hasIndex", "getColumnListing", "getColumnType", "getConnection"}
    | {"getTables", "getColumns", "getIndexes", "getForeignKeys", "getTableListing", "getAllTables"}
)
_SCHEMA_QUIET = frozenset(
    {"disableForeignKeyConstraints", "enableForeignKeyConstraints", "withoutForeignKeyConstraints"}
)
_QUIET = frozenset({"info", "line", "error", "warn", "dump", "logger", "echo"})
_TRANSACTIONAL = frozenset({"postgres", "sqlite"})
_CONNECTIONS = {"pgsql": "postgres", "mysql": "mysql", "mariadb": "mariadb", "sqlite": "sqlite"}


def candidate(path: str) -> bool:
    return _PATH.search(path) is not None


def detect(path: str, text: str) -> bool:
    return _PATH.search(path) is not None and "Migration" in text


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _PATH.search(path)
    return match.group(1).replace("_", "") if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    root = php.parse(text)
    klass = _migration_class(root)
    in_transaction = dialect in _TRANSACTIONAL
    note = _note(in_transaction, dialect, disabled=False)
    if klass is None:
        op = Unparsed(location=Location(path, 1), error="no migration class (`class … extends Migration`)")
        return Migration(path, NAME, dialect, (op,), None, in_transaction, note)
    methods, within = _class_body(klass)
    in_transaction = in_transaction and within
    helpers = {name: body for name, body in methods.items() if name not in ("up", "down")}
    arrays = _class_arrays(klass, methods.get("__construct"))
    walker = _Walker(path, dialect, helpers)
    walker.arrays.update(arrays)
    # composer.lock is read only for a migration that redefines a column: not once per file of the history
    walker.change_drops_default = "->change()" in text and (framework_major(tree, path) or 0) >= 11
    walker.syntax_errors(root)
    with laravel_config.bound(
        text, tree, path.split("database/migrations/", 1)[0] if "database/migrations/" in path else ""
    ):
        walker.walk(methods.get("up"))
        down, reason = _down(methods, path, dialect, helpers, arrays)
    up = separate(_guarded(walker.ops, root))
    down = _guarded(list(down), root) if down is not None else None
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=up,
        down=down,
        in_transaction=in_transaction,
        transaction_note=_note(in_transaction, dialect, disabled=not within),
        down_path=path if down is not None else None,
        irreversible_reason=reason,
        down_does_nothing=reason == _NO_DOWN,
        version=version(path),
        suppressions=suppressions.find(text, up),
    )


def framework_major(tree: Tree, path: str) -> int | None:
    """The major version of Laravel the application runs: the one `composer.lock` installed, else the lowest
    `composer.json` allows (`^10.10|^11.0` → 10); None when neither says."""
    root = path.split("database/migrations/", 1)[0] if "database/migrations/" in path else ""
    packages = _json(tree.read(f"{root}composer.lock")).get("packages")
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict) and package.get("name") == "laravel/framework":
            found = re.search(r"\d+", str(package.get("version", "")))
            if found:
                return int(found.group())
    required = _json(tree.read(f"{root}composer.json")).get("require")
    wanted = required.get("laravel/framework") if isinstance(required, dict) else None
    majors = [int(m) for m in re.findall(r"(?<![\d.])(\d+)(?=\.|\*|$|\s|\|)", str(wanted or ""))]
    return min(majors) if majors else None


def _json(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dialect(tree: Tree) -> str:
    """The database of a Laravel application: `DB_CONNECTION` in `.env.example`, else the default connection
    of `config/database.php` (`env('DB_CONNECTION', 'mysql')`, or `app/Config/database.php`); "" when
    neither names one."""
    for line in (tree.read(".env.example") or "").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "DB_CONNECTION" and value.strip().strip("\"'") in _CONNECTIONS:
            return _CONNECTIONS[value.strip().strip("\"'")]
    paths = ["config/database.php"] + [p for p in tree.paths() if p.lower().endswith("/config/database.php")]
    config = next((text for path in paths if (text := tree.read(path))), "")
    return _default_connection(php.parse(config)) if config else ""


def _default_connection(root: Node) -> str:
    stack = [root]
    while stack:
        node = stack.pop()
        parts = node.named_children
        if node.type == "array_element_initializer" and len(parts) == 2 and php.value(parts[0]) == "default":
            found = php.value(parts[1])
            c = php.call(parts[1])
            if c is not None and c.name == "env" and len(c.args) > 1:
                found = php.value(c.args[1])
            if isinstance(found, str) and found in _CONNECTIONS:  # not `'default' => []` of the redis section
                return _CONNECTIONS[found]
        stack.extend(reversed(parts))
    return ""


def _note(in_transaction: bool, dialect: str, *, disabled: bool) -> str:
    if disabled:
        return "the class sets `$withinTransaction = false`"
    if in_transaction:
        return "Laravel runs each migration in a transaction on this database"
    return f"Laravel runs no transaction around migrations on {dialect}: each statement commits on its own"


def seed_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    """The rows a seeder's `run()` writes (`DB::table('plans')->insert([...])`, `Plan::create([...])`), as
    DataInsert operations: `db:seed` loads them into a fresh database."""
    klass = _migration_class(php.parse(text), "Seeder")
    if klass is None:
        return ()
    methods, _ = _class_body(klass)
    walker = _Walker(path, dialect, {name: body for name, body in methods.items() if name != "run"})
    walker.walk(methods.get("run"))
    return tuple(op for op in walker.ops if isinstance(op, DataInsert) and op.rows)


def _migration_class(root: Node, kind: str = "Migration") -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("class_declaration", "anonymous_class"):
            base = next((c for c in node.named_children if c.type == "base_clause"), None)
            if base is not None and kind in php.text_of(base):
                return node
        stack.extend(reversed(node.named_children))
    return None


def _class_body(klass: Node) -> tuple[dict[str, Node | None], bool]:
    methods: dict[str, Node | None] = {}
    within = True
    for node in _members(klass):
        if node.type == "method_declaration":
            methods[php.text_of(node.child_by_field_name("name"))] = node.child_by_field_name("body")
        elif node.type == "property_declaration":
            for element in node.named_children:
                name = php.text_of(element.child_by_field_name("name")).lstrip("$")
                if element.type == "property_element" and name == "withinTransaction":
                    within = php.value(element.child_by_field_name("default_value")) is not False
    return methods, within


def _members(klass: Node) -> list[Node]:
    body = klass.child_by_field_name("body") or next(
        (c for c in klass.named_children if c.type == "declaration_list"), None
    )
    return list(body.named_children) if body is not None else []


def _class_arrays(klass: Node, constructor: Node | None) -> dict[str, object]:
    """The migration's properties that hold a literal array (`private array $tables = [...]`, or one its
    constructor assigns), as `$this->tables`: the loops over them are read once per entry."""
    found: dict[str, object] = {}
    for node in _members(klass):
        for element in node.named_children if node.type == "property_declaration" else []:
            default = (
                element.child_by_field_name("default_value") if element.type == "property_element" else None
            )
            held = php.value(default) if default is not None else None
            if isinstance(held, list | dict):
                found["$this->" + php.text_of(element.child_by_field_name("name")).lstrip("$")] = held
    for statement in php.statements(constructor, loops=False):
        held_array = _array_held(statement, target="member_access_expression")
        if held_array is not None:
            found[held_array[0]] = held_array[1]
    return found


_GUARDS = frozenset({"hasTable", "hasColumn", "hasColumns", "hasIndex"})


def _guarded(ops: list[Operation], root: Node) -> tuple[Operation, ...]:
    """Statements inside `if (Schema::hasColumn(…))` (or `!Schema::hasTable(…)`) run only when needed: they
    are as safe to re-run as `IF EXISTS` / `IF NOT EXISTS`."""
    spans = _guard_spans(root)
    found: list[Operation] = []
    for op in ops:
        inside = any(first <= op.location.line <= last for first, last in spans)
        if inside and hasattr(op, "if_exists"):
            op = dataclasses.replace(op, if_exists=True)  # type: ignore[call-arg]
        elif inside and hasattr(op, "if_not_exists"):
            op = dataclasses.replace(op, if_not_exists=True)  # type: ignore[call-arg]
        found.append(op)
    return tuple(found)


def _guard_spans(root: Node) -> list[tuple[int, int]]:
    """The lines that run only when the schema is as a guard asks: the body of `if (Schema::hasColumn(…))`,
    and after an early return (`if (Schema::hasColumn('orders', 'note')) { return; }`) the rest of the
    function."""
    spans: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
        if condition is not None and _checks_schema(condition):
            body = node.child_by_field_name("body")
            if body is not None:
                spans.append((php.line_of(body), body.end_point[0] + 1))
                if _only_returns(body) and node.parent is not None:
                    spans.append((node.end_point[0] + 1, node.parent.end_point[0] + 1))
        stack.extend(node.named_children)
    return spans


def _only_returns(body: Node) -> bool:
    """`return;` or `{ return; }`: the branch leaves the function."""
    statements = (
        [n for n in body.named_children if n.type != "comment"]
        if body.type == "compound_statement"
        else [body]
    )
    return len(statements) == 1 and statements[0].type == "return_statement"


def _checks_schema(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        c = php.call(current)
        if c is not None and c.name in _GUARDS and php.text_of(c.receiver).endswith("Schema"):
            return True
        stack.extend(current.named_children)
    return False


def _logs(scope: str, calls: list[php.Call]) -> bool:
    """`Log::info(…)`, `logger(…)`, `app('log')->error(…)`: output, nothing done to the database."""
    head = calls[0]
    if scope == "Log" or (head.receiver is None and head.name in ("logger", "info", "report", "dump")):
        return True
    return head.receiver is None and head.name == "app" and php.value(head.arg(0)) == "log"


def _array_held(node: Node, target: str = "variable_name") -> tuple[str, object] | None:
    """`$set = [ … ];` (`$this->set = [ … ];` for a `member_access_expression` target): the local and the
    literal array it holds; None for any other statement."""
    if node.type == "expression_statement" and node.named_children:
        node = node.named_children[0]
    if node.type != "assignment_expression":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.type != target or right.type != "array_creation_expression":
        return None
    found = php.value(right)
    return (php.text_of(left), found) if isinstance(found, list | dict) else None


def _string_held(node: Node) -> tuple[str, str] | None:
    """`$name = 'tasks';`, `$prefix = DB::getTablePrefix();`: the local and the text it holds, when known."""
    if node.type == "expression_statement" and node.named_children:
        node = node.named_children[0]
    if node.type != "assignment_expression":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.type != "variable_name":
        return None
    found = php.value(right)
    return (php.text_of(left), found) if isinstance(found, str) else None


def _touches_database(calls: list[php.Call]) -> bool:
    """Does a call chain start at the `DB` or `Schema` facade or a model class (`Order::where(…)`)?"""
    if not calls:
        return False
    head = calls[0]
    return head.node.type == "scoped_call_expression" and php.text_of(head.receiver)[:1].isupper()


def _down(
    methods: dict[str, Node | None],
    path: str,
    dialect: str,
    helpers: dict[str, Node | None],
    arrays: dict[str, object] | None = None,
) -> tuple[tuple[Operation, ...] | None, str]:
    if "down" not in methods:
        return None, _NO_DOWN
    body = methods["down"]
    if body is not None and any(node.type == "throw_expression" for node in php.statements(body)):
        return None, "`down()` throws"
    walker = _Walker(path, dialect, helpers)
    walker.arrays.update(arrays or {})
    walker.walk(body)
    return tuple(walker.ops), ""


class _Walker:
    """Turns the statements of a method body into operations, in order, with their lines."""

    def __init__(self, path: str, dialect: str, helpers: dict[str, Node | None] | None = None) -> None:
        self.path, self.dialect = path, dialect
        self.ops: list[Operation] = []
        self.models: dict[str, str] = {}
        self._batched = False
        self.helpers = helpers or {}  # the migration's own methods besides up() and down()
        self._followed: set[str] = set()
        # Laravel 11 and later: `->change()` keeps only the modifiers it repeats, a default among them
        self.change_drops_default = False
        # local variables holding a literal array (`$set = ['accounts' => ['user_id']]`), for the loops over them
        self.arrays: dict[str, object] = {}
        # local variables holding Eloquent records (`$row = Order::find(1)`, a loop's `$order`), and the
        # columns the code has set on each since it was fetched
        self.records: dict[str, laravel_records.Rows] = {}
        self._set: dict[str, dict[str, str]] = {}

    def _inner(self) -> _Walker:
        inner = _Walker(self.path, self.dialect, self.helpers)
        inner.records = dict(self.records)
        inner._followed = self._followed
        inner.change_drops_default = self.change_drops_default
        return inner

    def syntax_errors(self, root: Node) -> None:
        if root.has_error:
            node = php.first_error(root)
            line = php.line_of(node) if node is not None else 1
            text = php.text_of(node)[:200] if node is not None else ""
            self.ops.append(
                Unparsed(
                    error="PHP syntax error", location=Location(self.path, line), end_line=line, sql=text
                )
            )

    def walk(self, body: Node | None) -> None:
        with contextlib.ExitStack() as held_strings:
            for node in php.statements(body, loops=False, dialect=self.dialect):
                if node.type == "foreach_statement":
                    self._foreach(node)
                elif (held := _array_held(node)) is not None:
                    self.arrays[held[0]] = held[1]
                elif (text := _string_held(node)) is not None:
                    # `$table = DB::getTablePrefix() . 'pages';`: the local reads as its text from here on
                    held_strings.enter_context(php.LOOPS.binding(*text))
                elif (assigned := laravel_records.attribute_set(node, self.records)) is not None:
                    self._set.setdefault(assigned[0], {})[assigned[1]] = assigned[2]
                else:
                    self._read(node)

    def _foreach(self, node: Node) -> None:
        """`foreach (['posts', 'comments'] as $name) { … }`: the body once per name, `$name` read as it;
        `foreach ($set as $table => $fields)` over a literal array held in a local: once per key, `$table`
        read as the key and `$fields` as its list (for a loop inside); a loop over anything else once, with
        what it names unknown."""
        named = [c for c in node.named_children if c.type != "comment"]
        body = node.child_by_field_name("body")
        if len(named) < 3:
            self.walk(body)
            return
        source, variable = named[0], named[1]
        rows = laravel_records.held(php.chain(source)[1], self.models, loop=True)
        if rows is not None and variable.type == "variable_name":
            self._holding(php.text_of(variable), rows, body)  # `foreach (Status::lazyById(50) as $status)`
            return
        found = (
            self.arrays.get(php.text_of(source))
            if source.type in ("variable_name", "member_access_expression")
            and php.text_of(source) in self.arrays
            else php.value(source)
        )
        pair = (
            [c for c in variable.named_children if c.type == "variable_name"]
            if variable.type == "pair"
            else []
        )
        if len(pair) == 2 and isinstance(found, dict) and all(isinstance(k, str) for k in found):
            key, value = php.text_of(pair[0]), php.text_of(pair[1])
            held = self.arrays.get(value)
            for each, inner in found.items():
                self.arrays[value] = inner
                with php.LOOPS.binding(key, str(each)):
                    self.walk(body)
            if held is None:
                self.arrays.pop(value, None)
            else:
                self.arrays[value] = held
            return
        values = names(found)
        if variable.type != "variable_name" or values is None:
            self.walk(body)
            return
        for each in values:
            with php.LOOPS.binding(php.text_of(variable), each):
                self.walk(body)

    def _holding(self, variable: str, rows: laravel_records.Rows, body: Node | None) -> None:
        """The body of a loop over records, `variable` holding each of them."""
        before, written = self.records.get(variable), self._set.pop(variable, None)
        self.records[variable] = rows
        self.walk(body)
        self.records.pop(variable, None)
        self._set.pop(variable, None)
        if before is not None:
            self.records[variable] = before
        if written is not None:
            self._set[variable] = written

    def _statement(self, node: Node) -> list[Operation]:
        """The operations of one statement written inside a Blueprint closure."""
        inner = self._inner()
        inner._read(node)
        return inner.ops

    def _read(self, node: Node) -> None:
        if node.type == "assignment_expression":
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            fetched = (
                laravel_records.held(php.chain(right)[1], self.models, loop=False)
                if right is not None
                else None
            )
            if left is not None and left.type == "variable_name" and fetched is not None:
                self.records[php.text_of(left)] = fetched  # `$row = Order::find(1)`: one record, by its key
                self._set.pop(php.text_of(left), None)
                return
            while right is not None and right.type == "member_access_expression":
                right = right.child_by_field_name("object")  # `DB::table(…)->first()->id`
            if right is None or not _touches_database(php.chain(right)[1]):
                return  # a local set to a literal, an object or a helper's result does nothing to the database
            node = right
        root, calls = php.chain(node)
        if calls:
            self._chain(node, root, calls)
        else:
            self._code(node)

    def _chain(self, node: Node, root: Node | None, calls: list[php.Call]) -> None:
        scope = (
            php.text_of(calls[0].receiver).rsplit("\\", 1)[-1]
            if calls[0].node.type == "scoped_call_expression"
            else ""
        )
        if calls[0].name == "connection" and scope in ("Schema", "DB") and len(calls) > 1:
            calls = calls[1:]
        base = origin(self.path, php.line_of(node), node.end_point[0] + 1, php.text_of(node))
        own = php.text_of(root) == "$this" or scope in ("self", "static")
        if own and calls[0].name in self.helpers:
            self._helper(calls[0].name, node)
        elif _logs(scope, calls):
            return
        elif scope == "Schema":
            self._schema(calls[0], base)
        elif scope == "DB" and calls[0].name in _SQL_METHODS:
            self._sql(calls[0], base)
        elif scope == "DB" and calls[0].name == "transaction":
            self._closures(calls[0])
        elif (scope and scope[:1].isupper() and scope not in ("DB", "Log", "Artisan")) or (
            scope == "DB" and calls[0].name == "table"
        ):
            self._data(calls, base)
        elif root is None and calls[0].name in _QUIET:
            return
        elif (
            root is not None
            and (rows := self.records.get(php.text_of(root))) is not None
            and len(calls) == 1
            and (op := laravel_records.write(rows, calls[0], self._set.get(php.text_of(root), {}), base))
            is not None
        ):
            self.ops.append(op)  # `$status->save()`: the rows the record was fetched from
        elif not scope and root is not None and php.text_of(root) != "$this" and laravel_data.writes(calls):
            self._data(calls, base)  # `$reasons[0]->updateQuietly([…])`: a write through an object
        else:
            self._code(node)

    def _helper(self, name: str, node: Node) -> None:
        """A method of the migration called from up() or down(): read what it does, once."""
        if name in self._followed:
            self._code(node)
            return
        self._followed.add(name)
        self.walk(self.helpers[name])

    def _checks(self, on: str, line: int) -> tuple[Operation, ...]:
        return parse_sql(self.path, f"SET FOREIGN_KEY_CHECKS={on};", self.dialect, first_line=line)

    def _schema(self, c: php.Call, base: Origin) -> None:
        table = php.value(c.arg(0))
        name = table if isinstance(table, str) else ""
        if c.name in _SCHEMA_QUIET and self.dialect in ("mysql", "mariadb"):
            # MySQL's grammar turns the checks off and on with FOREIGN_KEY_CHECKS: a foreign key added
            # meanwhile is built in place, without checking the rows
            line, last = base["location"].line, base["end_line"]
            self.ops.extend(self._checks("0" if c.name != "enableForeignKeyConstraints" else "1", line))
            if c.name == "withoutForeignKeyConstraints":
                self._closures(c)
                self.ops.extend(self._checks("1", last))
            return
        if c.name in _SCHEMA_READS or c.name in _SCHEMA_QUIET:
            self._closures(c)
            return
        if not name and c.name != "dropAllTables":
            self.ops.append(
                Unparsed(error=f"the table of `Schema::{c.name}` is computed at run time", **base)
            )
            return
        if c.name in ("create", "createIfNotExists"):
            self.ops.extend(laravel_blueprint.create(c, name, self.path, self.dialect, self._statement))
        elif c.name == "table":
            self.ops.extend(
                laravel_blueprint.alter(
                    c, name, self.path, self.dialect, self._statement, drops_default=self.change_drops_default
                )
            )
        elif c.name in ("drop", "dropIfExists"):
            self.ops.append(DropTable(table=name, if_exists=c.name == "dropIfExists", **base))
        elif c.name == "rename":
            self.ops.append(RenameTable(table=name, new_name=str(php.value(c.arg(1))), **base))
        elif c.name in ("dropColumns", "dropColumn"):
            columns = php.names(php.value(c.arg(1)))
            self.ops.extend(DropColumn(table=name, column=column, **base) for column in columns)
        else:
            self.ops.append(Unparsed(error=f"`Schema::{c.name}` is not read by the review", **base))

    def _sql(self, c: php.Call, base: Origin) -> None:
        found = php.sql_text(c.args[0]) if c.args else None
        if found is None:
            self.ops.append(Unparsed(error="the SQL is built at run time, so it could not be read", **base))
            return
        text, line = found
        self.ops.extend(parse_sql(self.path, text, self.dialect, first_line=line))

    def _data(self, calls: list[php.Call], base: Origin) -> None:
        table = laravel_data.table_of(calls, self.models)
        op = laravel_data.operation(calls, table, base, self._batched) if table else None
        batch = next((c for c in calls if c.name in laravel_data.BATCHES), None)
        if batch is not None:
            inner = self._inner()
            inner._batched = True
            rows = laravel_records.held(calls[: calls.index(batch) + 1], self.models, loop=True)
            parameter = laravel_data.closure_parameter(batch) if batch.name in ("each", "eachById") else ""
            if rows is not None and parameter:  # (`chunk` gives its closure a page of records, not one)
                inner.records[parameter] = rows  # `->each(function ($row) { … $row->save(); })`
            inner.walk(laravel_data.closure_body(batch))
            self.ops.extend(
                dataclasses.replace(op, batches=op.batches or f"batch after batch (`{batch.name}`)")
                if isinstance(op, DataUpdate | DataDelete) and op.batched
                else op
                for op in inner.ops
                if not isinstance(op, RunCode)
            )
            if any(not isinstance(op, RunCode) for op in inner.ops):
                return
        if op is not None:
            self.ops.append(op)
        elif not table and (method := laravel_data.writes(calls)):
            # `$reasons[0]->updateQuietly([…])`: rows written through an object the review cannot tie to a table
            receiver = php.text_of(calls[0].receiver) if calls[0].receiver is not None else "an object"
            self.ops.append(
                UnreadDataChange(
                    runs=f"`{receiver}->{method}(…)`",
                    how="a write through an object whose table and rows the review cannot tell",
                    check=f"Check which rows `{receiver}` holds when this runs (an order the query does not "
                    "fix picks others), what it writes to them, and how the down migration restores them",
                    **base,
                )
            )
        elif not laravel_data.is_read(calls):
            self.ops.append(RunCode(language="php", touches=(table,) if table else (), **base))

    def _closures(self, c: php.Call) -> None:
        """Statements in a closure given to a call (`DB::transaction(function () { … })`)."""
        for arg in c.args:
            if arg.type in ("anonymous_function", "arrow_function"):
                body = arg.child_by_field_name("body")
                self.walk(body) if body is not None and body.type == "compound_statement" else None

    def _code(self, node: Node) -> None:
        if node.type in ("echo_statement", "comment", "function_definition", "return_statement"):
            return
        base = origin(self.path, php.line_of(node), node.end_point[0] + 1, php.text_of(node))
        self.ops.append(RunCode(language="php", **base))
