"""Alembic revisions: `versions/*.py` with `upgrade()` and `downgrade()`, read with `ast`.

- Alembic runs migrations in a transaction on databases with transactional DDL (one per run, or one
  per migration with `transaction_per_migration`); a `with op.get_context().autocommit_block():` block
  commits first and runs outside it, so concurrent index builds inside it are fine.
- A `downgrade()` that is only `pass` (or raises) is no way back.
- `op.execute` and `connection.execute(sa.text(…))` are parsed as SQL at the line of their string; other
  Python in `upgrade()` is RunCode naming the tables it mentions, except questions to SQLAlchemy's inspector,
  which change nothing and make the statements they guard ones that run again (see existence_guards).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import re

from bot.frameworks import alembic_naming, programs, suppressions
from bot.frameworks import existence_guards as guards
from bot.frameworks import python_source as py
from bot.frameworks.alembic_core import core_sql, declared_table
from bot.frameworks.alembic_ops import Directives, in_schema
from bot.frameworks.dialect_guards import runs_on
from bot.frameworks.python_code import CodeReader
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    PLACEHOLDER,
    CurrentModelImport,
    DataDelete,
    DataUpdate,
    Migration,
    Operation,
    RunCode,
    Transaction,
    Unparsed,
)

NAME = "alembic"
_EMPTY_DOWN = "`downgrade()` does nothing"
EXTENSIONS = (".py",)
_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"](\w+)['\"]", re.M)
_QUIET_CALLS = frozenset(
    {
        "get_bind",
        "print",
        "info",
        "debug",
        "warning",
        "exception",
        "error",
        "table",
        "column",
        "MetaData",
        "Table",
        "Session",
        "commit",
        "close",
        "flush",
        "sessionmaker",
        "declarative_base",
        "inspect",
        "get_context",
    }
)


def candidate(path: str) -> bool:
    """Revisions live in `<script_location>/versions/`."""
    return "/versions/" in f"/{path}"


def detect(path: str, text: str) -> bool:
    """A revision file: `revision = …`, an `upgrade()`, and Alembic named (its import, or the generated
    comment "revision identifiers, used by Alembic." where a runner hands `op` to `upgrade(op, …)`)."""
    return (
        path.endswith(".py")
        and "def upgrade" in text
        and _REVISION.search(text) is not None
        and "alembic" in text.lower()
    )


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    """The date or sequence number that starts the file name, when it has one (a revision hash orders nothing)."""
    name = path.rsplit("/", 1)[-1]
    match = re.match(r"(\d{4}[-_]?\d{2}[-_]?\d{2}(?:[-_]\d{2}[-_]?\d{2}(?:[-_]?\d{2})?)?|\d{1,6})_", name)
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str, *, down: bool = True) -> Migration:
    """`down`: read `downgrade()` too (left out of a revision replayed for the schema before the change)."""
    try:
        module = ast.parse(text)
    except SyntaxError as error:
        op = Unparsed(error=f"Python syntax error: {error.msg}", location=Location(path, error.lineno or 1))
        return Migration(path, NAME, dialect, (op,), None, True, "could not be read")
    functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
    models = _orm_tables(module)
    tables = {
        node.targets[0].id: name
        for node in module.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and (name := declared_table(node.value))
    }
    known = py.constants(module)
    upgrade = _Body(path, text, dialect, models, tables, known, functions)
    if "upgrade" in functions:
        upgrade.read(functions["upgrade"].body)
    up = upgrade.operations(functions.get("upgrade"))
    current = _current_models(path, text, module)
    up = (current, *up) if current is not None else up
    down_ops, reason = (
        _downgrade(
            functions.get("downgrade"),
            models,
            path,
            text,
            dialect,
            tables,
            known,
            functions,
            spell_out=upgrade.autocommit,
        )
        if down
        else (None, "")
    )
    # constraints named as the project's naming convention names them (indico's `ck_<table>_<name>`)
    templates = alembic_naming.convention(tree)
    up = alembic_naming.named(up, templates)
    down_ops = alembic_naming.named(down_ops, templates) if down_ops is not None else None
    in_transaction = not upgrade.autocommit
    note = (
        "Alembic runs the migration in a transaction"
        if in_transaction
        else "the migration runs outside a transaction where it uses `autocommit_block()`"
    )
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=up,
        down=down_ops,
        in_transaction=in_transaction,
        transaction_note=note,
        down_path=path if down_ops is not None else None,
        irreversible_reason=reason,
        down_does_nothing=reason == _EMPTY_DOWN,
        version=_revision(text),
        suppressions=suppressions.find(text, up),
    )


def replayed(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    """A revision replayed for the schema before the change: its upgrade only (its downgrade is a third of
    the reading of a revision, and the replay never runs it)."""
    return parse(path, text, tree, dialect, down=False)


# modules a revision imports that are no application code
_LIBRARIES = frozenset(
    {"alembic", "sqlalchemy", "sqlalchemy_utils", "geoalchemy2", "sqlmodel", "typing", "typing_extensions",
     "datetime", "uuid", "json", "os", "re", "enum", "logging", "decimal", "collections", "itertools",
     "functools", "__future__", "textwrap", "dataclasses", "hashlib", "secrets", "time", "math", "pathlib"}
)  # fmt: skip
_ENTITY = r"(?:\bquery|\bselect|_mappings|\bsession\.add|\bdelete)\(\s*{name}\b|\b{name}\.(?:query|__table__|metadata)\b"
_ORM_WRITES = re.compile(
    r"\bsession\.(?:add|add_all|delete|merge|bulk_\w+|commit|flush)\(|\.(?:update|delete)\("
)


def _current_models(path: str, text: str, module: ast.Module) -> Operation | None:
    """`from app.models import User` used as a query's entity (`session.query(User)`, `select(User)`,
    `User.query`): the application's model as the code defines it when the revision runs, not as the table
    was at this point of the history."""
    for node in module.body:
        if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
            continue
        if node.module.split(".")[0] in _LIBRARIES:
            continue
        used = tuple(
            alias.asname or alias.name
            for alias in node.names
            if re.search(_ENTITY.format(name=re.escape(alias.asname or alias.name)), text)
        )
        if used:
            return CurrentModelImport(
                location=Location(path, node.lineno),
                end_line=node.end_lineno or node.lineno,
                sql=ast.unparse(node),
                module=node.module,
                names=used,
                writes=bool(_ORM_WRITES.search(text)),
            )
    return None


def _revision(text: str) -> str:
    match = _REVISION.search(text)
    return match.group(1) if match else ""


def _downgrade(
    function: ast.FunctionDef | None,
    models: dict[str, str],
    path: str,
    text: str,
    dialect: str,
    tables: dict[str, str],
    known: dict[str, ast.expr],
    functions: dict[str, ast.FunctionDef] | None = None,
    *,
    spell_out: bool = False,
) -> tuple[tuple[Operation, ...] | None, str]:
    """The statements of `downgrade()`; `spell_out`: the upgrade leaves the runner's transaction (with
    `autocommit_block()`), so the migration counts as outside one and the downgrade's own transaction is
    written out (a `CREATE INDEX CONCURRENTLY` in a downgrade without the block runs inside it)."""
    if function is None:
        return None, "no `downgrade()` function"
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if all(isinstance(s, ast.Pass) for s in body):
        return None, _EMPTY_DOWN
    if any(isinstance(s, ast.Raise) for s in body):
        return None, "`downgrade()` raises"
    reader = _Body(path, text, dialect, models, tables, known, functions)
    reader.read(function.body)
    return reader.operations(function, spell_out=spell_out), ""


class _Body:
    """The statements of `upgrade()` (or `downgrade()`) as operations, in order."""

    def __init__(
        self,
        path: str,
        text: str,
        dialect: str,
        models: dict[str, str],
        tables: dict[str, str] | None = None,
        constants: dict[str, ast.expr] | None = None,
        functions: dict[str, ast.FunctionDef] | None = None,
    ) -> None:
        self.path, self.text, self.dialect = path, text, dialect
        # the revision's own functions, read where `upgrade()` calls them (`populate_shopping_list_users()`)
        self.functions = {
            name: f for name, f in (functions or {}).items() if name not in ("upgrade", "downgrade")
        }
        self.reading: set[str] = set()  # the functions being read, for one that calls itself
        self.constants = constants or {}  # module-level names bound to a literal (`TABLES = ("a", "b")`)
        self.models = models  # ORM classes the revision defines, by their __tablename__
        self.directives = Directives(text, path, dialect, constants)
        self.ops: list[Operation] = []
        self.autocommit = False
        self.tables = dict(tables or {})  # variable → the table `sa.table(…)` declares
        # what the inspector said, bound to local names, and the module's own functions that ask it
        self.schema_reads: set[str] = set()
        self.inspections = guards.helpers(text)
        self.counted: dict[str, str] = {}  # local name → the table whose rows it counted
        self.fetched: dict[str, ast.expr] = {}  # local name → the call whose rows it holds (`rows = ….all()`)

    def read(self, body: list[ast.stmt], table: str = "") -> None:
        for index, statement in enumerate(body):
            if self._returns_on_schema(statement):
                # `if "note" in columns: return`: the rest runs only where the schema is as it expects
                start = len(self.ops)
                self.read(body[index + 1 :], table)
                self.ops[start:] = [guards.guarded(op) for op in self.ops[start:]]
                return
            self._statement(statement, table)

    def _returns_on_schema(self, node: ast.stmt) -> bool:
        return (
            isinstance(node, ast.If)
            and not node.orelse
            and len(node.body) == 1
            and isinstance(node.body[0], ast.Return)
            and node.body[0].value is None
            and guards.asks_schema(node.test, self.schema_reads, self.inspections)
        )

    def _statement(self, node: ast.stmt, table: str) -> None:
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and guards.reads_schema(node.value, self.schema_reads, self.inspections)
        ):
            self.schema_reads.update(guards.bound(node))  # a question to the inspector: nothing changes
            return
        if isinstance(node, ast.Assign) and (counted := guards.counted_table(node.value)):
            self.counted.update(dict.fromkeys(guards.bound(node), counted))
        self._declare(node)
        if self._core(node) or self._enum_type(node) or _binds_enum_type(node):
            return
        if isinstance(node, ast.With):
            self._with(node, table)
        elif (
            (
                isinstance(node, ast.Expr | ast.Assign | ast.AnnAssign)
                and isinstance(node.value, ast.Call)
                and self._directive(node.value, table)
            )  # `accounts = op.create_table(…)` keeps the table it makes for a `bulk_insert`
            or isinstance(node, ast.Pass | ast.Import | ast.ImportFrom)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ):
            return
        elif isinstance(node, ast.Try):
            self.read(node.body, table)
            self.read(node.orelse, table)
            self.read(node.finalbody, table)
        elif isinstance(node, ast.For) and (bodies := py.unrolled(node, self.constants)) is not None:
            for body in bodies:  # `for table in ("orders", "invoices"):` written out once per table
                self.read(body, table)
        elif isinstance(node, ast.For | ast.While) and not self._recognised(node):
            self._code(node, header_only=True)
            start = len(self.ops)
            self.read(node.body, table)
            if isinstance(node, ast.For) and (rows := _rows_fetched(node, self.fetched)):
                # `for row in conn.execute(select).fetchall(): conn.execute(update … WHERE id = :id)`: one
                # statement per row, all of them in the migration's transaction unless the loop commits
                self.ops[start:] = [
                    dataclasses.replace(op, batched=True, batches=f"for each row of `{rows}`")
                    if isinstance(op, DataUpdate | DataDelete) and op.where and PLACEHOLDER in op.where
                    else op
                    for op in self.ops[start:]
                ]
        elif isinstance(node, ast.If):
            runs = runs_on(ast.unparse(node.test), self.dialect)  # `if bind.dialect.name == "mysql":`
            start = len(self.ops)
            if runs is not False:
                self.read(node.body, table)
            bound = guards.rows_below(node.test, self.counted, self.constants)
            if bound is not None:
                # `if count < 1_000_000: op.create_index(…)`: only where the counted table is smaller than that
                counted, limit = bound
                self.ops[start:] = [
                    dataclasses.replace(op, rows_below=limit) if getattr(op, "table", None) == counted else op
                    for op in self.ops[start:]
                ]
            if runs is not True:
                self.read(node.orelse, table)
            if guards.asks_schema(node.test, self.schema_reads, self.inspections):
                # `if "orders_user_id_fkey" in names:`: runs only where the schema is as it expects
                self.ops[start:] = [guards.guarded(op) for op in self.ops[start:]]
        elif (helper := self._helper(node)) is not None:
            self._call_helper(node, helper, table)
        else:
            self._code(node)

    def _helper(self, node: ast.stmt) -> ast.FunctionDef | None:
        """The revision's own function a statement calls (`populate_shopping_list_users()`, `_migrate(bind)`)."""
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            return None
        found = self.functions.get(call.func.id)
        return found if found is not None and found.name not in self.reading else None

    def _call_helper(self, node: ast.stmt, helper: ast.FunctionDef, table: str) -> None:
        """The function's statements read where it is called, as Django's RunPython function is: what it
        changes is the revision's change (mealie's `populate_shopping_list_users()` updated every shopping
        list row by row, and the review saw a call it could not read). A string given for a parameter
        (`_fill("orders")`) is that parameter's value while its body is read."""
        assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        call = node.value
        names = [a.arg for a in (*helper.args.posonlyargs, *helper.args.args)]
        defaults = dict(
            zip(names[len(names) - len(helper.args.defaults) :], helper.args.defaults, strict=True)
        )
        given = {**defaults, **dict(zip(names, call.args, strict=False)), **py.keywords(call)}
        bound = {
            name: value
            for name, value in given.items()
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and name in names
        }
        saved = dict(self.directives.locals)
        self.directives.locals.update(bound)
        self.reading.add(helper.name)
        try:
            self.read(helper.body, table)
        finally:
            self.reading.discard(helper.name)
            self.directives.locals.clear()
            self.directives.locals.update(saved)

    def _declare(self, node: ast.stmt) -> None:
        """`t = sa.table("orders", sa.column("state"))`: the name a Core statement later writes through."""
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = declared_table(node.value)
            if name:
                self.tables[node.targets[0].id] = name
            if any(py.name(c) in _FETCHES for c in ast.walk(node.value) if isinstance(c, ast.Call)):
                self.fetched[node.targets[0].id] = node.value
            else:
                self.fetched.pop(node.targets[0].id, None)
            value = py.folded(copy.deepcopy(node.value))
            if (
                isinstance(value, ast.Call)
                and py.name(value) == "text"
                and len(value.args) == 1
                and isinstance(value.args[0], ast.Constant)
            ):
                value = value.args[0]  # `sql = sa.text(dedent("""UPDATE …"""))`: the statement it holds
            if isinstance(value, ast.Constant) and isinstance(value.value, str):  # `sql = """UPDATE …"""`
                self.directives.locals[node.targets[0].id] = value
            else:
                self.directives.locals.pop(node.targets[0].id, None)
            if isinstance(value, ast.Call) and py.name(value) in ("Enum", "ENUM"):
                self.directives.enum_types[node.targets[0].id] = value
            else:
                self.directives.enum_types.pop(node.targets[0].id, None)

    def _core(self, node: ast.stmt) -> bool:
        """`op.execute(t.update().where(…).values(…))` (or a connection's `execute`) read as its SQL."""
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute) or not call.args:
            return False
        if call.func.attr != "execute":
            return False
        sql = core_sql(call.args[0], self.tables)
        if sql is None:
            return False
        self.ops.extend(parse_sql(self.path, sql, self.dialect, first_line=node.lineno))
        return True

    def _enum_type(self, node: ast.stmt) -> bool:
        """`sa.Enum("a", "b", name="status").create(op.get_bind())` (or `.create` of a name bound to one), and
        `.drop(…)`: the enum type made or dropped on PostgreSQL; `checkfirst=True` makes it only where it is not."""
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return False
        if call.func.attr not in ("create", "drop"):
            return False
        target = call.func.value
        found = self.directives.enum_types.get(target.id) if isinstance(target, ast.Name) else target
        made = self.directives.native_enum(found) if found is not None else None
        if made is None or (call.func.attr == "create" and not made.values):
            return False
        checked = py.literal(py.keywords(call).get("checkfirst")) is True
        if call.func.attr == "create":
            where, end = Location(self.path, node.lineno), node.end_lineno or node.lineno
            made = dataclasses.replace(made, location=where, end_line=end, sql=py.segment(self.text, node))
            self.ops.append(dataclasses.replace(made, in_block=checked))
        else:
            guard = "IF EXISTS " if checked else ""
            self.ops.extend(
                parse_sql(self.path, f'DROP TYPE {guard}"{made.name}"', self.dialect, first_line=node.lineno)
            )
        return True

    def _directive(self, call: ast.Call, table: str) -> bool:
        target = py.dotted(call.func).split(".")[0]
        if target not in ("op", "batch_op") and not (table and isinstance(call.func, ast.Attribute)):
            return False
        found = self.directives.read(call, table if target != "op" else "")
        if found is None:
            return False
        self.ops.extend(found)
        return True

    def _with(self, node: ast.With, table: str) -> None:
        item = node.items[0].context_expr if node.items else None
        if isinstance(item, ast.Call) and py.name(item) == "batch_alter_table":
            start = len(self.ops)
            self.read(node.body, in_schema(item, py.text_argument(item, 0, "table_name")))
            if (
                self.dialect == "sqlite"
                and py.literal(py.keywords(item).get("recreate", ast.Constant("auto"))) != "never"
            ):
                # batch mode rebuilds the table for what SQLite cannot alter in place ("auto", the default)
                self.ops[start:] = [dataclasses.replace(op, rebuilt=True) for op in self.ops[start:]]
        elif isinstance(item, ast.Call) and py.name(item) == "autocommit_block":
            self.autocommit = True
            self.ops.append(
                Transaction(action="commit", location=Location(self.path, node.lineno), end_line=node.lineno)
            )
            self.read(node.body, table)
            end = node.end_lineno or node.lineno
            self.ops.append(Transaction(action="begin", location=Location(self.path, end), end_line=end))
        else:
            self.read(node.body, table)

    def _recognised(self, node: ast.stmt) -> bool:
        """A loop the code reader understands as one data change (`for row in session.query(X): row.a = …`)."""
        reader = CodeReader(self.text, self.path, self.dialect, self.models.get)
        reader.read([node])
        return bool(reader.ops) and all(op.location.line == node.lineno for op in reader.ops)

    def _code(self, node: ast.stmt, *, header_only: bool = False) -> None:
        if not header_only:
            # the strings bound to local names so far (`stmt = "UPDATE …"`, in the branch for this database)
            reader = CodeReader(
                self.text, self.path, self.dialect, self.models.get, constants=dict(self.directives.locals)
            )
            reader.read([node])
            self.ops.extend(reader.ops)
            if reader.ops or _quiet(node) or py.offline(node):
                return
        end = node.lineno if header_only else node.end_lineno or node.lineno
        self.ops.append(
            RunCode(
                language="python",
                touches=_tables_named(node, self.models),
                location=Location(self.path, node.lineno),
                end_line=end,
                sql=py.segment(self.text, node).splitlines()[0]
                if header_only
                else py.segment(self.text, node),
                program=programs.python_program(node, self.text),
            )
        )

    def operations(
        self, function: ast.FunctionDef | None, *, spell_out: bool = False
    ) -> tuple[Operation, ...]:
        """With autocommit blocks (here, or `spell_out`: in the other direction) the runner's transaction is
        spelled out, so every scope is exact."""
        if not (self.autocommit or spell_out) or function is None:
            return separate(self.ops)
        start, end = function.lineno, function.end_lineno or function.lineno
        begin = Transaction(action="begin", location=Location(self.path, start), end_line=start)
        commit = Transaction(action="commit", location=Location(self.path, end), end_line=end)
        return (begin, *separate(self.ops), commit)


def _quiet(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return py.name(node.value) in _QUIET_CALLS
    """Statements that only set up names (`conn = op.get_bind()`, `t = sa.table(…)`)."""
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
        node.value, ast.Call | ast.Constant | ast.Name | ast.Attribute
    ):
        if not isinstance(node.value, ast.Call) or py.name(node.value) in _QUIET_CALLS:
            return True
        # `url = str(bind.engine.url)`, `name = bind.dialect.name.lower()`: which database this is
        calls = [c for c in ast.walk(node.value) if isinstance(c, ast.Call)]
        return all(py.name(c) in _QUIET_CALLS | _TEXT_CALLS for c in calls) and any(
            isinstance(a, ast.Attribute) and a.attr in ("url", "dialect", "name", "engine")
            for a in ast.walk(node.value)
        )
    return isinstance(node, ast.Return)


_TEXT_CALLS = frozenset({"str", "lower", "upper", "startswith"})


def _tables_named(node: ast.stmt, models: dict[str, str]) -> tuple[str, ...]:
    found = [models[n.id] for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in models]
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and py.name(call) in ("table", "Table", "query") and call.args:
            value = py.literal(call.args[0])
            if isinstance(value, str):
                found.append(value)
    return tuple(dict.fromkeys(found))


def _orm_tables(module: ast.Module) -> dict[str, str]:
    """`class Slice(Base): __tablename__ = "slices"` → {"Slice": "slices"}."""
    found = {}
    for node in (n for n in module.body if isinstance(n, ast.ClassDef)):
        for item in node.body:
            if isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__tablename__" for t in item.targets
            ):
                value = py.literal(item.value)
                if isinstance(value, str):
                    found[node.name] = value
    return found


_LIMIT = re.compile(r"\bLIMIT\s+\d+", re.I)
_FETCHES = frozenset({"execute", "fetchall", "all", "scalars", "mappings", "query", "yield_per"})


def _rows_fetched(loop: ast.For, fetched: dict[str, ast.expr]) -> str:
    """The query whose rows the loop walks (`conn.execute(sa.text("SELECT …")).fetchall()`, or a name bound to
    them before the loop: `rows = session.execute(…).all()`), as written, when nothing in the loop commits; ""
    for any other loop."""
    source = fetched.get(loop.iter.id, loop.iter) if isinstance(loop.iter, ast.Name) else loop.iter
    calls = [n for n in ast.walk(source) if isinstance(n, ast.Call)]
    if not any(py.name(c) in _FETCHES for c in calls):
        return ""
    if any(py.name(c) == "limit" for c in calls) or _LIMIT.search(ast.unparse(source)):
        return ""  # `….limit(100)`, `SELECT … LIMIT 100`: a batch of rows, not every row of the table
    if any(isinstance(n, ast.Call) and py.name(n) == "commit" for s in loop.body for n in ast.walk(s)):
        return ""
    shown = ast.unparse(source)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _binds_enum_type(node: ast.stmt) -> bool:
    """`status = postgresql.ENUM(…)`: a type for the statements after it, which runs nothing itself."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and py.name(node.value) in ("Enum", "ENUM")
    )
