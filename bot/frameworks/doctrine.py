"""Doctrine Migrations (Symfony and other PHP projects): `Version<timestamp>.php` classes, read with tree-sitter's
PHP grammar.

- A migration is a class extending `AbstractMigration` (or a project's own subclass of it) named
  `Version20240101120000`, in `migrations/` (Symfony's default), `src/Migrations/`, `app/DoctrineMigrations/`
  or any folder `doctrine_migrations.yaml`'s `migrations_paths` names. Doctrine runs them in the order of
  their versions (the class names).
- `up()` / `down()` queue SQL with `$this->addSql('…', [params])` (a literal, heredoc, nowdoc, a
  concatenation or `sprintf` of known parts, a local or a loop variable holding one), or run it at once with
  `$this->connection->executeStatement('…')` (`executeQuery`, `exec`, `insert`, `update`, `delete`); each is
  a statement at its PHP line. `preUp()` / `postUp()` are read before and after `up()`. Doctrine's schema
  API (`$schema->getTable('x')->addColumn(…)`) is read as the SQL it makes (see doctrine_schema).
- Branches on the platform (`if ($platform instanceof PostgreSQLPlatform) { … } else { … }`) are read for
  the database the review is for; a migration whose `abortIf` guard lets it run on one database only
  (`make:migration`'s `!… instanceof PostgreSQLPlatform`) is that database's (doctrine_platform).
- Each migration runs in a transaction (`transactional: true`, the default) unless `isTransactional()`
  returns false or the configuration sets `transactional: false`; MySQL commits every DDL statement anyway.
- The way back is `down()`. Missing, it is AbstractMigration's, which aborts; `throwIrreversibleMigrationException()`
  or `$this->abortIf(true, …)` say there is none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re

from tree_sitter import Node

from bot.frameworks import doctrine_platform, php, suppressions
from bot.frameworks.dialect_guards import runs_on
from bot.frameworks.doctrine_schema import SchemaReader
from bot.frameworks.loop_values import names
from bot.frameworks.origin import origin
from bot.frameworks.python_source import binds
from bot.frameworks.settings.found import family
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import PLACEHOLDER, Migration, Operation, RunCode, Unparsed

NAME = "doctrine"
EXTENSIONS = (".php",)
_FILE = re.compile(r"(?:^|/)Version(\w*?)(\d{4,})?\w*\.php$")
_MARKERS = ("AbstractMigration", "Doctrine\\Migrations", "Doctrine\\DBAL\\Schema\\Schema", "addSql(")
# the connection's methods that send SQL, and those that only read rows back
_SENDS = frozenset({"executeStatement", "executeQuery", "executeUpdate", "exec", "query", "prepare"})
_FETCHES = frozenset(
    {"fetchOne", "fetchAssociative", "fetchAllAssociative", "fetchFirstColumn", "fetchNumeric", "fetchAll"}
    | {"fetchAllNumeric", "fetchAllKeyValue", "fetchAllAssociativeIndexed", "fetchColumn", "fetchAssoc"}
    | {"getDatabasePlatform", "createSchemaManager", "getSchemaManager", "quote", "quoteIdentifier"}
    | {"lastInsertId", "getParams", "createQueryBuilder"}
)
_QUIET = frozenset({"abortIf", "skipIf", "warnIf", "write", "getDescription", "isTransactional"})
_NO_DOWN = "no `down()` method: Doctrine's AbstractMigration aborts the way back"
_SCHEMA_CHECKS = re.compile(
    r"\b(?:hasTable|hasColumn|hasIndex|hasForeignKey|hasPrimaryKey|tablesExist|hasSequence|listTableColumns)\b"
)
_HOOKS = ("preUp", "up", "postUp")
_INERT = frozenset(
    {"echo_statement", "comment", "function_definition", "return_statement", "string", "encapsed_string"}
    | {"integer", "float", "boolean", "null", "variable_name", "array_creation_expression"}
)
_UNKNOWN = object()  # what a local holds once the code appends something the review cannot know to it
_DOWN_HOOKS = ("preDown", "down", "postDown")


def candidate(path: str) -> bool:
    return _FILE.search(path) is not None


# `up()`, or the up of one database a base class dispatches to (Part-DB's `mySQLUp`, `postgreSQLUp`)
_UP = re.compile(r"function\s+(?:up|\w+Up)\s*\(\s*Schema\b")


def detect(path: str, text: str) -> bool:
    return (
        _FILE.search(path) is not None
        and ("function up" in text or _UP.search(text) is not None)
        and any(m in text for m in _MARKERS)
    )


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    found = re.search(r"Version\D*(\d+)", path.rsplit("/", 1)[-1])
    return found.group(1) if found else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    own = doctrine_platform.own_family(text, tree)
    if own is not None and own != family(dialect):
        # the migration stops on this database: another database's history, no step of this one's
        note = f"the migration's guard on the platform runs it on {own} only"
        return Migration(path, NAME, dialect, (), (), False, note, version=version(path))
    root = php.parse(text)
    klass = _migration_class(root)
    if klass is None:
        op = Unparsed(
            location=Location(path, 1), error="no migration class (`class Version… extends …Migration`)"
        )
        return Migration(path, NAME, dialect, (op,), None, False, "could not be read")
    methods = {**_inherited(text, tree), **_methods(klass)}
    transactional, note = _transaction(methods, tree, path, dialect)
    walker = _Walker(path, dialect, {k: v for k, v in methods.items() if k not in (*_HOOKS, *_DOWN_HOOKS)})
    walker.constants.update(_class_arrays(klass, methods.get("__construct")))
    walker.syntax_errors(root)
    with contextlib.ExitStack() as helpers:
        for name, held in walker.constants.items():
            if isinstance(held, str):  # `$this->tablePrefix . '_user'` reads as `bolt_user`
                helpers.enter_context(php.LOOPS.binding(name, held))
        quote = "`" if family(dialect) == "mysql" else '"'
        for name in _table_helpers(walker.helpers):
            helpers.enter_context(php.LOOPS.binding(f"table-helper:{name}", quote))
        for hook in _HOOKS:
            walker.method(methods.get(hook))
        down, reason, nothing = _down(methods, path, dialect, walker)
    up = separate(_guarded(walker.ops, root))
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=up,
        down=_guarded(down, root) if down is not None else None,
        in_transaction=transactional,
        transaction_note=note,
        down_path=path if down is not None else None,
        irreversible_reason=reason,
        down_does_nothing=nothing,
        version=version(path),
        suppressions=suppressions.find(text, up),
    )


_DRIVER = re.compile(r"^\s*driver\s*:\s*['\"]?(?:pdo_)?(pgsql|postgres|mysql|mysqli|sqlite|sqlite3)\b", re.M)
_URL = re.compile(r"^\s*url\s*:\s*['\"]?(postgres(?:ql)?|pgsql|mysql|mariadb|sqlite)://", re.M)
_SERVER = re.compile(r"^\s*server_version\s*:\s*['\"]?[\d.]*-?(mariadb)", re.M | re.I)
_DOCTRINE_CONFIGS = ("config/packages/doctrine.yaml", "config/packages/doctrine.yml", "app/config/config.yml")


def dialect(tree: Tree) -> str:
    """The database DoctrineBundle's configuration names: `dbal.driver` (`pdo_pgsql`), a literal `url`, or a
    MariaDB `server_version`; "" when it takes everything from `DATABASE_URL` (read with the `.env` files)."""
    for path in _DOCTRINE_CONFIGS:
        text = tree.read(path) or ""
        if _SERVER.search(text):
            return "mariadb"
        found = _DRIVER.search(text) or _URL.search(text)
        if found:
            word = found.group(1).lower()
            return (
                "postgres"
                if word.startswith(("pg", "postgres"))
                else "sqlite"
                if "sqlite" in word
                else ("mariadb" if word == "mariadb" else "mysql")
            )
    return ""


def _migration_class(root: Node) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "class_declaration":
            base = next((c for c in node.named_children if c.type == "base_clause"), None)
            if base is not None and "Migration" in php.text_of(base):
                return node
        stack.extend(reversed(node.named_children))
    return None


def _members(klass: Node) -> list[Node]:
    body = klass.child_by_field_name("body")
    return list(body.named_children) if body is not None else []


def _methods(klass: Node) -> dict[str, Node | None]:
    return {
        php.text_of(node.child_by_field_name("name")): node.child_by_field_name("body")
        for node in _members(klass)
        if node.type == "method_declaration"
    }


def _inherited(text: str, tree: Tree) -> dict[str, Node | None]:
    """The methods the project's own base classes of its migrations give them (`class Version… extends
    WallabagMigration`): their `isTransactional()`, `down()` and the helpers the migrations call, the nearest
    class's first. Doctrine's AbstractMigration is read from what it documents, not from `vendor/`."""
    found: dict[str, Node | None] = {}
    for parent in reversed(doctrine_platform.lineage(text, tree)[1:]):
        klass = next((n for n in _descendants(php.parse(parent)) if n.type == "class_declaration"), None)
        if klass is not None:
            found.update({k: v for k, v in _methods(klass).items() if v is not None})  # abstract: no body
    return found


_PREFIXED = re.compile(r"prefix\w*['\")\s]*\.\s*\$\w+", re.I)


def _table_helpers(helpers: dict[str, Node | None]) -> list[str]:
    """The class's methods that give a table's name with the project's prefix (`return $this->tablePrefix .
    $tableName;`): `$this->getTable('user')` in SQL reads as the table, as the entities name it."""
    return [
        name for name, body in helpers.items() if body is not None and _PREFIXED.search(php.text_of(body))
    ]


def _class_arrays(klass: Node, constructor: Node | None = None) -> dict[str, object]:
    """Literal arrays and strings the class holds (`private const TABLES = [...]`, `private $table = 'x'`, or
    one its constructor assigns: `$this->tablePrefix = 'bolt';`), as `self::TABLES` and `$this->table`: loops
    over them are read once per value, and names joined from them are known."""
    found: dict[str, object] = {}
    for statement in php.statements(constructor, loops=False):
        left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
        if statement.type == "assignment_expression" and left is not None and right is not None:
            held = php.value(right)
            if left.type == "member_access_expression" and isinstance(held, list | dict | str):
                found[php.text_of(left)] = held
    for node in _members(klass):
        if node.type == "const_declaration":
            for element in node.named_children:
                parts = element.named_children
                if element.type == "const_element" and len(parts) >= 2:
                    held = php.value(parts[-1])
                    if isinstance(held, list | dict | str):
                        for prefix in ("self::", "static::", "$this::"):
                            found[prefix + php.text_of(parts[0])] = held
        elif node.type == "property_declaration":
            for element in node.named_children:
                default = (
                    element.child_by_field_name("default_value")
                    if element.type == "property_element"
                    else None
                )
                held = php.value(default) if default is not None else None
                if isinstance(held, list | dict | str):
                    name = php.text_of(element.child_by_field_name("name")).lstrip("$")
                    found["$this->" + name] = held
    return found


def _transaction(methods: dict[str, Node | None], tree: Tree, path: str, dialect: str) -> tuple[bool, str]:
    body = methods.get("isTransactional")
    if body is not None and any(
        n.type == "boolean" and php.text_of(n).lower() == "false" for n in _descendants(body)
    ):
        return False, "`isTransactional()` returns false: each statement commits on its own"
    config = _configuration(tree, path)
    if re.search(r"^\s*transactional\s*:\s*false\b|'transactional'\s*=>\s*false", config, re.M):
        return False, "the configuration sets `transactional: false`: each statement commits on its own"
    if family(dialect) == "mysql":
        return False, "MySQL commits each DDL statement on its own, whatever Doctrine's transaction"
    together = re.search(r"^\s*all_or_nothing\s*:\s*true\b|'all_or_nothing'\s*=>\s*true", config, re.M)
    if together:
        return True, "`all_or_nothing: true`: Doctrine runs every pending migration in one transaction"
    return True, "Doctrine runs each migration in a transaction"


_CONFIGURATIONS = (
    "config/packages/doctrine_migrations.yaml",
    "config/packages/doctrine_migrations.yml",
    "migrations.php",
    "migrations.yml",
    "migrations.yaml",
    "app/config/config.yml",
)


def _configuration(tree: Tree, path: str) -> str:
    """The text of the Doctrine Migrations configuration of the project the migration belongs to."""
    roots = [""]
    for marker in ("/migrations/", "/src/Migrations/", "/app/DoctrineMigrations/"):
        if marker in "/" + path:
            roots.insert(0, ("/" + path).split(marker, 1)[0].lstrip("/"))
    for root in roots:
        prefix = f"{root}/" if root else ""
        for name in _CONFIGURATIONS:
            text = tree.read(prefix + name)
            if text:
                return text
    return ""


def _descendants(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.named_children)
    return found


def _down(
    methods: dict[str, Node | None], path: str, dialect: str, up: _Walker
) -> tuple[tuple[Operation, ...] | None, str, bool]:
    if "down" not in methods:
        return None, _NO_DOWN, False
    body = methods["down"]
    for node in php.statements(body, dialect=dialect):
        c = php.call(node)
        if node.type == "throw_expression" or (
            c is not None and c.name == "throwIrreversibleMigrationException"
        ):
            return None, "`down()` throws: the migration has no way back", False
        if c is not None and c.name == "abortIf" and php.text_of(c.arg(0)).lower() == "true":
            return None, "`down()` aborts: the migration has no way back", False
    walker = _Walker(path, dialect, up.helpers)
    walker.constants.update(up.constants)
    walker.method(methods.get("preDown"))
    walker.method(body)
    walker.method(methods.get("postDown"))
    meaningful = [n for n in (body.named_children if body is not None else []) if n.type != "comment"]
    return tuple(walker.ops), "", not meaningful


def _guarded(ops: list[Operation] | tuple[Operation, ...], root: Node) -> tuple[Operation, ...]:
    """Statements that run only when the schema is as a check asks (`if (!$schema->getTable('x')->hasColumn('y'))`,
    or after `$this->skipIf($table->hasColumn('y'), …)`) are as safe to re-run as `IF [NOT] EXISTS`."""
    spans = _guard_spans(root)
    found: list[Operation] = []
    for op in ops:
        if any(first <= op.location.line <= last for first, last in spans):
            if hasattr(op, "if_exists"):
                op = dataclasses.replace(op, if_exists=True)  # type: ignore[call-arg]
            elif hasattr(op, "if_not_exists"):
                op = dataclasses.replace(op, if_not_exists=True)  # type: ignore[call-arg]
        found.append(op)
    return tuple(found)


def _guard_spans(root: Node) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for node in _descendants(root):
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            body = node.child_by_field_name("body")
            if condition is not None and body is not None and _SCHEMA_CHECKS.search(php.text_of(condition)):
                spans.append((php.line_of(body), body.end_point[0] + 1))
        c = php.call(node)
        if c is not None and c.name == "skipIf" and _SCHEMA_CHECKS.search(php.text_of(c.arg(0))):
            method = node.parent
            while method is not None and method.type != "compound_statement":
                method = method.parent
            if method is not None:
                spans.append((c.end_line, method.end_point[0] + 1))
    return spans


class _Walker:
    """The statements of a migration's methods, in order, with their lines."""

    def __init__(self, path: str, dialect: str, helpers: dict[str, Node | None]) -> None:
        self.path, self.dialect = path, dialect
        self.ops: list[Operation] = []
        self.helpers = helpers  # the class's own methods besides the hooks: read where they are called
        self.constants: dict[str, object] = {}  # literal arrays and strings of the class and of locals
        self._followed: set[str] = set()
        self.schema = SchemaReader(path, dialect, self.ops)

    def syntax_errors(self, root: Node) -> None:
        if root.has_error:
            node = php.first_error(root)
            line = php.line_of(node) if node is not None else 1
            text = php.text_of(node)[:200] if node is not None else ""
            self.ops.append(Unparsed(error="PHP syntax error", location=Location(self.path, line), sql=text))

    def method(self, body: Node | None) -> None:
        self.walk(body)
        self.schema.finish()

    def walk(self, body: Node | None) -> None:
        with contextlib.ExitStack() as held:
            for node in php.statements(body, loops=False, dialect=self.dialect):
                if node.type == "foreach_statement":
                    self._foreach(node)
                elif node.type == "assignment_expression":
                    self._assign(node, held)
                elif node.type == "augmented_assignment_expression":
                    self._append(node, held)
                elif node.type == "match_expression":
                    self._match(node)
                else:
                    self._read(node)

    def _assign(self, node: Node, held: contextlib.ExitStack) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        target = php.text_of(left)
        root, calls = php.chain(right)
        if left.type == "variable_name" and self.schema.assign(target, root, calls):
            return
        found = self._value(right)
        if left.type == "variable_name" and isinstance(found, str):
            held.enter_context(php.LOOPS.binding(target, found))  # `$sql = 'ALTER TABLE …';`
        elif isinstance(found, list | dict):
            self.constants[target] = found
        elif calls:
            self._read(right)  # `$count = $this->connection->executeStatement('UPDATE …')`

    def _match(self, node: Node) -> None:
        """`match ($this->getDatabaseType()) { 'mysql' => $this->mySQLUp($schema), 'postgresql' => … }`: the arm
        for the review's database (Part-DB's base class dispatches each migration so); `default` when no arm
        names it; every arm when one names no database."""
        body = node.child_by_field_name("body")
        arms = [c for c in (body.named_children if body is not None else []) if c.type.startswith("match_")]
        chosen: list[Node] = []
        for arm in arms:
            conditions = arm.child_by_field_name("conditional_expressions")
            if conditions is None:
                continue
            runs = [runs_on(php.text_of(c), self.dialect) for c in conditions.named_children]
            if any(r is None for r in runs):
                chosen = arms  # an arm the review cannot place: read them all
                break
            if any(runs):
                chosen.append(arm)
        if not chosen:
            chosen = [a for a in arms if a.type == "match_default_expression"]
        for arm in chosen:
            returned = arm.child_by_field_name("return_expression")
            if returned is not None:
                self._read(returned)

    def _append(self, node: Node, held: contextlib.ExitStack) -> None:
        """`$sql .= ' ADD note TEXT';`: the local holds the joined text from here on, when both parts are known;
        else it holds nothing the review knows, and SQL sent from it is a statement it could not read."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = next((c for c in node.children if not c.is_named), None)
        if left is None or right is None or left.type != "variable_name":
            self._read(node)
            return
        before, added = php.LOOPS.value(php.text_of(left)), self._value(right)
        joined = before + added if isinstance(before, str) and isinstance(added, str) else None
        if operator is not None and php.text_of(operator) == ".=" and joined is not None:
            held.enter_context(php.LOOPS.binding(php.text_of(left), joined))
        elif before is not None:
            held.enter_context(php.LOOPS.binding(php.text_of(left), _UNKNOWN))

    def _value(self, node: Node) -> object:
        text = php.text_of(node)
        if text in self.constants:
            return self.constants[text]
        return php.value(node)

    def _foreach(self, node: Node) -> None:
        """`foreach (['posts', 'comments'] as $name)`, or over a constant or local array: the body once per
        value, `$name` read as it; over anything else once, what it names unknown."""
        named = [c for c in node.named_children if c.type != "comment"]
        body = node.child_by_field_name("body")
        if len(named) < 3:
            self.walk(body)
            return
        source, variable = named[0], named[1]
        found = self._value(source)
        if variable.type == "pair":
            pair = [c for c in variable.named_children if c.type == "variable_name"]
            if len(pair) == 2 and isinstance(found, dict):
                for key, each in found.items():
                    with (
                        php.LOOPS.binding(php.text_of(pair[0]), str(key)),
                        php.LOOPS.binding(php.text_of(pair[1]), each),
                    ):
                        self.walk(body)
                return
        values = names(found)
        if variable.type != "variable_name" or values is None:
            self.walk(body)
            return
        for each in values:
            with php.LOOPS.binding(php.text_of(variable), each):
                self.walk(body)

    def _read(self, node: Node) -> None:
        root, calls = php.chain(node)
        if not calls:
            self._code(node)
            return
        receiver = php.text_of(root) if root is not None else ""
        head = calls[0]
        if receiver == "$this" and head.name == "addSql":
            self._sql(head)
        elif receiver == "$this" and head.name in _QUIET:
            return
        elif receiver == "$this" and head.name in self.helpers:
            self._helper(head.name, node)
        elif receiver.endswith("connection") and head.name in _SENDS:
            self._sql(head)
        elif receiver.endswith("connection") and head.name in ("insert", "update", "delete"):
            self._table_write(head)
        elif receiver.endswith("connection") and head.name in _FETCHES:
            return
        elif self.schema.is_schema(root, calls):
            self.schema.read(root, calls, node)
        elif receiver.endswith("connection") and head.name in ("beginTransaction", "commit", "rollBack"):
            self._sql_text(head.name.replace("beginTransaction", "BEGIN").upper(), head)
        else:
            self._code(node)

    def _helper(self, name: str, node: Node) -> None:
        if name in self._followed:
            self._code(node)
            return
        self._followed.add(name)
        self.walk(self.helpers[name])

    def _sql(self, c: php.Call) -> None:
        argument = c.arg(0, "sql")
        found = php.sql_text(argument) if argument is not None else None
        if found is None and argument is not None:
            held = self._value(argument)
            found = (held, c.line) if isinstance(held, str) else _with_values(argument)
        if found is None:
            base = origin(self.path, c.line, c.end_line, php.text_of(c.node))
            self.ops.append(Unparsed(error="the SQL is built at run time, so it could not be read", **base))
            return
        text, line = found
        if c.arg(1, "params") is not None:
            text = _parameters(text)
        self.ops.extend(parse_sql(self.path, text, self.dialect, first_line=line))

    def _sql_text(self, text: str, c: php.Call) -> None:
        self.ops.extend(parse_sql(self.path, text + ";", self.dialect, first_line=c.line))

    def _table_write(self, c: php.Call) -> None:
        """`$this->connection->update('orders', ['state' => 'new'], ['id' => 1])`: the statement it sends."""
        table, data, criteria = php.value(c.arg(0)), php.value(c.arg(1)), php.value(c.arg(2))
        if not isinstance(table, str) or not isinstance(data, dict):
            base = origin(self.path, c.line, c.end_line, php.text_of(c.node))
            self.ops.append(Unparsed(error="the table or columns are named at run time", **base))
            return
        where = " AND ".join(f"{k} = {PLACEHOLDER}" for k in (criteria if isinstance(criteria, dict) else {}))
        if c.name == "insert":
            values = ", ".join(PLACEHOLDER for _ in data)
            sql = f"INSERT INTO {table} ({', '.join(data)}) VALUES ({values})"
        elif c.name == "update":
            sql = f"UPDATE {table} SET {', '.join(f'{k} = {PLACEHOLDER}' for k in data)}"
            sql += f" WHERE {where}" if where else ""
        else:
            sql = f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = {PLACEHOLDER}' for k in data) or 'true'}"
        self._sql_text(sql, c)

    def _code(self, node: Node) -> None:
        if node.type in _INERT:
            return  # `return 'mysql';` of a helper the code calls: a value, nothing run
        base = origin(self.path, php.line_of(node), node.end_point[0] + 1, php.text_of(node))
        self.ops.append(RunCode(language="php", **base))


def _with_values(node: Node) -> tuple[str, int] | None:
    """`"… VALUES ('" . $entity['rule'] . "')"`: SQL whose unknown parts are values inside its string literals,
    each read as a value the code fills in; None when an unknown part stands anywhere else (a name, a clause)."""
    parts: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        operator = current.child_by_field_name("operator") if current.type == "binary_expression" else None
        if operator is not None and php.text_of(operator) == ".":
            stack += [current.child_by_field_name("right"), current.child_by_field_name("left")]  # type: ignore[list-item]
        else:
            parts.append(current)
    text = ""
    for part in parts:
        found = php.value(part)
        if isinstance(found, str):
            text += found
        elif text.count("'") % 2 == 1:  # inside a quoted literal of the SQL
            text += PLACEHOLDER
        else:
            return None
    return text, php.line_of(node)


_POSITIONAL = re.compile(r"'(?:[^']|'')*'|(?<![?\w])\?(?![?|&\w])")


def _parameters(sql: str) -> str:
    """SQL sent with parameters: `?` and `:name` are values the code fills in."""
    return binds(_POSITIONAL.sub(lambda m: PLACEHOLDER if m.group() == "?" else m.group(), sql))
