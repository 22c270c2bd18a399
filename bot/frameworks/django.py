"""Django migrations: `<app>/migrations/NNNN_name.py`, read with `ast`, never imported.

- Django wraps each migration in a transaction (on databases with transactional DDL) unless the class
  says `atomic = False`.
- Schema operations reverse themselves; `RunPython` without `reverse_code` and `RunSQL` without
  `reverse_sql` make the migration irreversible (`RunPython.noop` / `RunSQL.noop` count as a way back).
- `RunSQL` is parsed as SQL at the line of its string; a `RunPython` function is read for ORM updates,
  deletes, loops that save rows and `execute` calls, and is RunCode naming the models it gets.
- `SeparateDatabaseAndState`: only `database_operations` reach the database.
- Operations Django does not ship (custom or third-party) are reported as not understood, at their line.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import re
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from typing import NamedTuple

from bot.frameworks import django_models, django_signals, programs, seed_rows, suppressions
from bot.frameworks import migration_graph as graph
from bot.frameworks import python_source as py
from bot.frameworks.django_apps import DJANGO_USER, Apps, user_model
from bot.frameworks.django_generic import with_generic_relations
from bot.frameworks.django_operations import Reader, operation_subclasses
from bot.frameworks.django_state import Model, State
from bot.frameworks.inverse import inverse
from bot.frameworks.origin import Origin
from bot.frameworks.python_code import CodeReader
from bot.frameworks.python_imports import Helper, imported_helper
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree, read_ahead
from bot.model.findings import Location
from bot.model.migration import (
    CurrentModelImport,
    DataDelete,
    DataInsert,
    DataUpdate,
    DiscardedEdit,
    DropTable,
    Migration,
    ModelDetached,
    Operation,
    RawSQL,
    RunCode,
    Unparsed,
    UnreadDataChange,
)

NAME = "django"
_PGTRIGGER = frozenset({"AddTrigger", "RemoveTrigger"})  # django-pgtrigger's migration operations
EXTENSIONS = (".py",)
# `<app>/migrations/`, or a folder `MIGRATION_MODULES` names in its place (`dojo/db_migrations/`)
_PATH = re.compile(r"(?:^|/)(?P<app>\w+)/(?:\w+_)?migrations/(?P<number>\d{4})_[\w-]+\.py$")
_DEF = re.compile(r"\bdef\b")  # a function defined (not `default=`, which every field has)
_STATES: OrderedDict[tuple[str, str], State] = OrderedDict()
# The migration read while replaying a history, by the same key as the state after it: the review reads the
# history again as migrations (the schema before the change) after replaying it for the change's own files,
# and each of 1,400 files was parsed twice (Saleor: 4 s of a 9 s review). Kept for one review only: what a
# migration does to other apps (the foreign keys a widened key widens) depends on the rest of the tree.
_MIGRATIONS: OrderedDict[tuple[str, str], Migration] = OrderedDict()
_REPLAYING: set[tuple[str, str]] = set()  # (migrations folder, dialect) of the apps being replayed now
_PARSING: list[str] = []  # the migrations being read now, outermost first
_CHAINS: dict[
    tuple[str, str, int], str
] = {}  # (key before, path, hash of text) -> key after  # state after a migration and its history
_LISTINGS: list[tuple[weakref.ref[Tree], dict[str, list[str]]]] = []  # the last trees' migrations, by folder
_KEYS: list[tuple[weakref.ref[Tree], dict[tuple[str, str], list[tuple[str, str]]]]] = []  # see `_history`


def candidate(path: str) -> bool:
    return _PATH.search(path) is not None


def detect(path: str, text: str) -> bool:
    return _PATH.search(path) is not None and "Migration" in text and "operations" in text


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _PATH.search(path)
    return match.group("number") if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    state, chain = _state_before(path, tree, dialect)
    key = (path, _chain(chain, path, text)) if chain is not None else None
    if key is not None and key in _MIGRATIONS and key in _STATES:
        return _MIGRATIONS[key]
    parser = _Parser(path, text, dialect, state, tree)
    migration = parser.migration()
    if key is not None:  # replaying the next migration of the history starts from this state
        _remember(key, parser.state, migration)
    return migration


def _chain(chain: str, path: str, text: str) -> str:
    """The key of a history one file longer: the same on every run (it names states kept on disk)."""
    memo = (chain, path, hash(text))  # a string's hash is computed once: replays ask for each key often
    found = _CHAINS.get(memo)
    if found is None:
        found = hashlib.blake2b(f"{chain}\0{path}\0{text}".encode(), digest_size=16).hexdigest()
        if len(_CHAINS) > 100_000:
            _CHAINS.clear()
        _CHAINS[memo] = found
    return found


def _history(tree: Tree, dialect: str, earlier: list[str]) -> list[tuple[str, str]]:
    """The key of the state after each of `earlier`, which depends on every file before it.

    `earlier` is the start of one folder's migrations in order (see `_migrations_by_folder`): the keys of
    that folder are kept per tree and extended, not chained again from the first migration for each of
    a long history's migrations (1,400 histories of up to 300 files on saleor)."""
    if not earlier:
        return []
    folder = earlier[0][: earlier[0].rindex("/") + 1]
    kept = _kept_keys(tree).setdefault((dialect, folder), [])
    if kept and earlier[min(len(earlier), len(kept)) - 1] != kept[min(len(earlier), len(kept)) - 1][0]:
        kept = []  # not the start of the folder's migrations as listed: chained on its own
    if len(kept) < len(earlier):
        chain = kept[-1][1] if kept else _folder_start(tree, dialect, folder)
        for previous in read_ahead(tree, earlier[len(kept) :]):  # one read for the whole history
            chain = _chain(chain, previous, tree.read(previous) or "")
            kept.append((previous, chain))
    return kept[: len(earlier)]


def _kept_keys(tree: Tree) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The history keys chained so far for `tree`, by (dialect, migrations folder)."""
    for known, found in _KEYS:
        if known() is tree:
            return found
    found = {}
    with contextlib.suppress(TypeError):  # a tree type without weak references is chained every time
        _KEYS.insert(0, (weakref.ref(tree), found))
        del _KEYS[4:]
    return found


def _state_before(path: str, tree: Tree, dialect: str) -> tuple[State, str | None]:
    """The app's models before this migration (its earlier migrations replayed in order), and the key of
    that history, which keys the state after it; None for a file outside an app's migrations folder."""
    match = _PATH.search(path)
    if match is None:  # a file given directly (lint), outside an app's migrations folder: no history
        parts = path.split("/")
        return State(parts[-2] if len(parts) > 1 else "app"), None
    folder = path[: path.rindex("/") + 1]
    # the label the app's `apps.py` declares names its tables (Wagtail's `wagtail/` is `wagtailcore`)
    state = State(graph.app_label(tree, folder.rstrip("/")) or match.group("app"))
    name = path.rsplit("/", 1)[-1]
    earlier = [p for p in _migrations_by_folder(tree).get(folder, []) if p.rsplit("/", 1)[-1] < name]
    keys = _history(tree, dialect, earlier)
    state = _replay(keys, state, tree, dialect)
    return state.copy(), keys[-1][1] if keys else _folder_start(tree, dialect, folder)


def _folder_start(tree: Tree, dialect: str, folder: str) -> str:
    """The key of an app's empty history: the label its `apps.py` declares names its tables."""
    return _chain(_start(tree, dialect), folder, graph.app_label(tree, folder.rstrip("/")))


def _start(tree: Tree, dialect: str) -> str:
    """The key of an empty history: the dialect and the project's user model, which the fields read
    depend on (a foreign key to `settings.AUTH_USER_MODEL`)."""
    user = user_model(tree)
    return _chain("", "", dialect if user == DJANGO_USER else f"{dialect}\0{'.'.join(user)}")


def _replay(keys: list[tuple[str, str]], state: State, tree: Tree, dialect: str) -> State:
    """The state after the migrations of `keys`, replayed from the latest state already known."""
    known = next((i for i in range(len(keys) - 1, -1, -1) if keys[i] in _STATES), -1)
    if known >= 0:
        state = _STATES[keys[known]]
    for key in keys[known + 1 :]:
        text = tree.read(key[0]) or ""
        parser = _Parser(key[0], text, dialect, state.copy(), tree)  # the kept states are never changed
        _remember(key, parser.state, parser.migration())
        state = parser.state
    return state


def _app_state(app: str, tree: Tree, dialect: str) -> State | None:
    """The state after the last migration of another app of the tree; None when it has none, or while that
    app is being replayed (two apps whose keys point at each other)."""
    labelled = {f"{folder}/" for folder in graph.django_folders(tree).get(app, [])}
    folders = [f for f in _migrations_by_folder(tree) if f in labelled] or [
        f for f in _migrations_by_folder(tree) if f.rstrip("/").split("/")[-2:-1] == [app]
    ]
    if len(folders) != 1 or (folders[0], dialect) in _REPLAYING:
        return None
    _REPLAYING.add((folders[0], dialect))
    # A migration of that app being read now (its foreign keys sent us here): the app as it was before it.
    reading = [p.rsplit("/", 1)[-1] for p in _PARSING if p.startswith(folders[0])]
    paths = [
        p for p in _migrations_by_folder(tree)[folders[0]] if not reading or p.rsplit("/", 1)[-1] < reading[0]
    ]
    try:
        keys = _history(tree, dialect, paths)
        return _replay(keys, State(app), tree, dialect)
    finally:
        _REPLAYING.discard((folders[0], dialect))


def final_states(tree: Tree, dialect: str) -> dict[tuple[str, str], State]:
    """The state after the last migration of each app of `tree` that this process replayed: what a later
    review on the same commit needs to start from (see bot.frameworks.history_cache)."""
    found = {}
    for paths in _migrations_by_folder(tree).values():
        keys = _history(tree, dialect, paths)
        if keys and keys[-1] in _STATES:
            found[keys[-1]] = _STATES[keys[-1]]
    return found


def start_review() -> None:
    """Forget the migrations read for an earlier review (see `_MIGRATIONS`)."""
    _MIGRATIONS.clear()


def restore(states: dict[tuple[str, str], State]) -> None:
    """Make states kept by an earlier review known again."""
    for key, state in states.items():
        _remember(key, state)


def _remember(key: tuple[str, str], state: State, migration: Migration | None = None) -> None:
    _STATES[key] = state
    while len(_STATES) > 4000:
        _STATES.popitem(last=False)
    if migration is not None:
        _MIGRATIONS[key] = migration
        while len(_MIGRATIONS) > 4000:
            _MIGRATIONS.popitem(last=False)


def _migrations_by_folder(tree: Tree) -> dict[str, list[str]]:
    """Every Django migration of a tree, by folder and in order; listed once per tree."""
    for known, found in _LISTINGS:
        if known() is tree:
            return found
    listing: dict[str, list[str]] = {}
    for candidate_path in sorted(p for p in tree.paths() if _PATH.search(p)):
        listing.setdefault(candidate_path[: candidate_path.rindex("/") + 1], []).append(candidate_path)
    with contextlib.suppress(TypeError):  # a tree type without weak references is listed every time
        _LISTINGS.insert(0, (weakref.ref(tree), listing))
        del _LISTINGS[4:]
    return listing


class _Parser:
    def __init__(self, path: str, text: str, dialect: str, state: State, tree: Tree) -> None:
        self.path, self.text, self.dialect, self.state, self.tree = path, text, dialect, state, tree
        self.apps = Apps(tree, dialect, state.app, lambda app: _app_state(app, tree, dialect))
        self.reader = Reader(text, path, dialect, state, self.apps)
        self.irreversible = ""
        self.discards: list[DiscardedEdit] = []  # edited copies of a row's text its RunPython code drops
        # (first line, last line) of each RunSQL call whose `reverse_sql` was read, and its operations
        self.reverse_sql: list[tuple[tuple[int, int], tuple[Operation, ...]]] = []
        self.current: dict[str, tuple[str, str]] = {}  # the models the migration imports, by the name bound
        self._module: ast.Module | None = None  # the module, once read, for the functions it imports

    def migration(self) -> Migration:
        _PARSING.append(self.path)
        try:
            return self._migration()
        finally:
            _PARSING.pop()

    def _migration(self) -> Migration:
        try:
            module = ast.parse(self.text)
        except SyntaxError as error:
            op = Unparsed(
                error=f"Python syntax error: {error.msg}", location=Location(self.path, error.lineno or 1)
            )
            return Migration(self.path, NAME, self.dialect, (op,), None, True, "could not be read")
        # two walks of the whole module, skipped where the text shows they find nothing (most migrations
        # are generated: no function, no `get_model`): a history of 1,800 migrations walked 500,000 nodes
        self.functions = py.functions(module) if _DEF.search(self.text) else {}
        self.constants = py.constants(module)
        self._module = module if "import" in self.text else None
        self.models = (
            _model_variables(module, self.state, self.apps)
            if "get_model" in self.text or "get_user_model" in self.text
            else {}
        )
        imported = _imported_models(module, self.state, self.apps) if "models import" in self.text else []
        self.models.update({each.name: each.table for each in imported})
        # the names of models the code imports → (app, class): today's class, with the Meta of the code
        self.current = {each.name: (each.app, each.model) for each in imported}
        if "django.contrib" in self.text:
            self.models.update(_contrib_models(module, self.apps))
        if "(" in self.text and "class " in self.text:
            self.reader.subclasses = operation_subclasses(module)
        klass = next((n for n in module.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
        if klass is None:  # Django loads every module of a migrations package and refuses one without it
            op = Unparsed(
                error="no `class Migration` (Django stops `migrate` with BadMigrationError)",
                location=Location(self.path, 1),
            )
            return Migration(self.path, NAME, self.dialect, (op,), None, True, "could not be read")
        if _operations_missing(klass, module):
            op = Unparsed(
                error="`class Migration` has no `operations`: the file looks cut off (a migration that "
                "runs nothing on purpose says `operations = []`)",
                location=Location(self.path, klass.lineno),
            )
            return Migration(self.path, NAME, self.dialect, (op,), None, True, "could not be read")
        atomic, operations = _class_attributes(klass, self.constants)
        up: list[Operation] = []
        for call in (each for node in operations for each in self._built(node)):
            up.extend(self._operation(call))
        up = list(separate(up))
        # the models' code declares a GenericRelation (a migration never holds one)
        up = with_generic_relations(up, self.tree, {each.table for each in imported})
        down = None if self.irreversible else self._down(up)
        if klass is not None:
            up.extend(self._post_migrate(klass))
        if imported:
            up.append(_current_models(self.path, self.text, imported))
        note = (
            "Django runs each migration in a transaction" if atomic else "the migration sets `atomic = False`"
        )
        return Migration(
            path=self.path,
            framework=NAME,
            dialect=self.dialect,
            up=tuple(up),
            down=down,
            in_transaction=atomic,
            transaction_note=note,
            down_path=self.path if down is not None else None,
            irreversible_reason=self.irreversible,
            version=version(self.path),
            suppressions=suppressions.find(self.text, up),
            discarded_edits=tuple(self.discards),
        )

    def _built(self, node: ast.expr, depth: int = 0) -> list[ast.expr]:
        """The operations an entry of `operations` stands for: itself, or what a function of the file's own,
        called without arguments and of straight-line code, returns (kpi's `legacy_cleanup_ops()` returning a
        `SeparateDatabaseAndState`, `add_state_ops()` a list), through a name it binds from another such call.
        A function that decides what to give (`if settings.SKIP_HEAVY_MIGRATIONS: return [...]`) is not read."""
        starred = isinstance(node, ast.Starred)
        call = node.value if isinstance(node, ast.Starred) else node
        if depth > 3 or not isinstance(call, ast.Call) or call.args or call.keywords:
            return [node]
        function = self.functions.get(call.func.id) if isinstance(call.func, ast.Name) else None
        returned = _returned(function) if function is not None else None
        if returned is None:
            return [node]
        if isinstance(returned, ast.List | ast.Tuple):
            return [each for item in returned.elts for each in self._built(item, depth + 1)]
        if starred and not isinstance(returned, ast.Call):
            return [node]  # a list built otherwise (a comprehension): read as built at run time
        return self._built(returned, depth + 1)

    def _operation(self, node: ast.expr) -> list[Operation]:
        base = self.reader.base(node)
        if isinstance(node, ast.Starred):  # the whole list, computed when the module is loaded
            code = ast.unparse(node.value)
            code = code if len(code) <= 60 else code[:57] + "..."
            error = f"`operations` is computed when the migration is loaded, by `{code}`: what it runs cannot be read"
            return [Unparsed(error=error, **base)]
        if not isinstance(node, ast.Call):
            return [Unparsed(error="an operation built at run time could not be read", **base)]
        name = py.name(node)
        name = self.reader.subclasses.get(name, name).rpartition(".")[2]  # a class of the file's own
        if name == "RunSQL":
            return self._run_sql(node)
        if name == "RunPython":
            return self._run_python(node)
        if name == "SeparateDatabaseAndState":
            return self._separate(node)
        if name in _PGTRIGGER and "pgtrigger" in ast.unparse(node.func):
            return [self._pgtrigger(node, name, base)]
        found = self.reader.operation(node)
        if found is None:
            return [
                Unparsed(
                    error=f"`{name or 'this'}` is not one of Django's operations; its SQL is unknown", **base
                )
            ]
        return found

    def _pgtrigger(self, node: ast.Call, name: str, base: Origin) -> Operation:
        """django-pgtrigger's `AddTrigger` / `RemoveTrigger`: a trigger created on, or dropped from, the
        model's table (the compiled trigger names the table itself)."""
        found = {k.arg: py.literal(k.value) for k in ast.walk(node) if isinstance(k, ast.keyword) and k.arg}
        model = found.get("model_name")
        table = found.get("table")
        if not isinstance(table, str):
            table = self.state.table(model) if isinstance(model, str) else ""
        trigger = found.get("name")
        category = "trigger" if name == "AddTrigger" else "drop-trigger"
        return RawSQL(
            category=category, table=table, name=trigger if isinstance(trigger, str) else "", **base
        )

    def _post_migrate(self, klass: ast.ClassDef) -> list[Operation]:
        """The app's `post_migrate` handlers that write rows, which run after its latest migration: read
        for that migration only (the others are followed by their app's next migration)."""
        match = _PATH.search(self.path)
        folder = self.path[: self.path.rindex("/") + 1] if match is not None else ""
        latest = _migrations_by_folder(self.tree).get(folder, [])
        if not latest or latest[-1] != self.path:
            return []
        app_folder = folder.rstrip("/").rsplit("/", 1)[0] + "/" if "/" in folder.rstrip("/") else ""
        return [
            UnreadDataChange(
                runs=f"the `post_migrate` handler `{handler.name}`",
                how="which Django calls after the migrations, on every `migrate`, and which writes rows",
                check=f"Read `{handler.name}` for the rows it writes on this deploy and whether it still "
                "matches the schema this migration leaves; a one-time change belongs in a migration",
                code=handler.location,
                every_migrate=True,
                location=Location(self.path, klass.lineno),
                end_line=klass.lineno,
            )
            for handler in django_signals.writing_handlers(self.tree, app_folder)
        ]

    def _run_sql(self, call: ast.Call) -> list[Operation]:
        sql = py.argument(call, 0, "sql")
        if isinstance(sql, ast.Name) and sql.id in self.constants:
            sql = self.constants[sql.id]  # SQL kept in a module-level constant
        strings = py.sql_strings(sql)
        reverse = py.argument(call, 1, "reverse_sql")
        if reverse is None or (isinstance(reverse, ast.Constant) and reverse.value is None):
            self._irreversible(f"`RunSQL` without `reverse_sql` (line {call.lineno})")
        if strings is None:
            return [
                Unparsed(
                    error="the SQL is built at run time, so it could not be read", **self.reader.base(call)
                )
            ]
        ops: list[Operation] = []
        for string in strings:
            ops.extend(parse_sql(self.path, string.text, self.dialect, first_line=string.line))
        if ops:
            self._reverse_sql(call, reverse)
        return ops

    def _down(self, up: list[Operation]) -> tuple[Operation, ...]:
        """The way back: each operation's inverse, in reverse order; a RunSQL's own `reverse_sql` for the
        operations read from its SQL (once, where its last operation stood)."""
        down: list[Operation] = []
        done: set[int] = set()
        for op in reversed(up):
            line = op.location.line
            group = next((i for i, ((a, b), _) in enumerate(self.reverse_sql) if a <= line <= b), None)
            if group is None:
                if (back := inverse(op)) is not None:
                    down.append(back)
            elif group not in done:
                done.add(group)
                down.extend(self.reverse_sql[group][1])
        return tuple(down)

    def _reverse_sql(self, call: ast.Call, reverse: ast.expr | None) -> None:
        if reverse is None:
            return
        lines = (call.lineno, call.end_lineno or call.lineno)
        if py.dotted(reverse).endswith("noop"):
            self.reverse_sql.append((lines, ()))
            return
        strings = py.sql_strings(reverse)
        if strings is None:
            return  # built at run time: the inverse of each operation stands in for it
        ops: list[Operation] = []
        for string in strings:
            ops.extend(parse_sql(self.path, string.text, self.dialect, first_line=string.line))
        self.reverse_sql.append((lines, tuple(ops)))

    def _run_python(self, call: ast.Call) -> list[Operation]:
        forward = py.argument(call, 0, "code")
        reverse = py.argument(call, 1, "reverse_code")
        if reverse is None or (isinstance(reverse, ast.Constant) and reverse.value is None):
            self._irreversible(f"`RunPython` without `reverse_code` (line {call.lineno})")
        if forward is not None and py.dotted(forward).endswith("noop"):
            return []
        function = self.functions.get(py.name(forward)) if forward is not None else None
        reader = self._code_reader()
        if function is not None:
            named = self._models_named(function)
            reader.entered.append(function.name)
            reader.read(function.body)
            reader.touches.extend(named)
            self.discards.extend(reader.discards)
        self._reverse_python(call, reverse)
        code = RunCode(
            language="python",
            touches=tuple(dict.fromkeys(reader.touches)),
            reverse=reverse is not None,
            reverse_noop=reverse is not None and self._does_nothing(reverse),
            program=programs.python_program(function, self.text) if function is not None else "",
            offline=function is not None and all(py.offline(statement) for statement in function.body),
            **self.reader.base(call),
        )
        unit = function.name if function is not None else ""
        read = [part for op in reader.ops for part in self._through_parents(op)]
        return [code, *(replace(op, unit=unit) for op in read)]

    def _code_reader(self) -> CodeReader:
        return CodeReader(
            self.text,
            self.path,
            self.dialect,
            self._table_of,
            self.functions,
            self._fixture,
            self.constants,
            self._model_table,
            self._column_of,
            self._relation_of,
            self._ordering_of,
            self._imported,
        )

    def _imported(self, name: str) -> Helper | None:
        """A function of the project's own code the module imports and calls, whose code writes rows."""
        if self._module is None:
            return None
        return imported_helper(self._module, self.path, name, self.tree)

    def _reverse_python(self, call: ast.Call, reverse: ast.expr | None) -> None:
        """The data changes of a `reverse_code` function of the module, as the way back of this RunPython
        (when none can be read, the RunPython's own reading stands)."""
        back = self.functions.get(py.name(reverse)) if reverse is not None else None
        if back is None:
            return
        reader = self._code_reader()
        reader.entered.append(back.name)
        reader.read(back.body)
        changes = tuple(op for op in reader.ops if isinstance(op, DataUpdate | DataDelete | DataInsert))
        if changes:
            self.reverse_sql.append(((call.lineno, call.end_lineno or call.lineno), changes))

    def _does_nothing(self, reverse: ast.expr) -> bool:
        """`RunPython.noop`, or a function of the module whose body does nothing (`def noop_reverse(apps,
        schema_editor): pass`, a docstring, a bare `return`)."""
        if py.dotted(reverse).endswith("noop"):
            return True
        function = self.functions.get(py.name(reverse))
        return function is not None and all(
            isinstance(s, ast.Pass)
            or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            or (isinstance(s, ast.Return) and s.value is None)
            for s in function.body
        )

    def _separate(self, call: ast.Call) -> list[Operation]:
        kwargs = py.keywords(call)
        state_ops = kwargs.get("state_operations")
        database = kwargs.get("database_operations")
        shadow = Reader(self.text, self.path, self.dialect, self.state.copy(), self.apps)
        ops: list[Operation] = []
        saved = self.reader
        self.reader = shadow
        for node in database.elts if isinstance(database, ast.List | ast.Tuple) else []:
            ops.extend(self._operation(node))
        self.reader = saved
        dropped = {op.table for op in ops if isinstance(op, DropTable)}
        for node in state_ops.elts if isinstance(state_ops, ast.List | ast.Tuple) else []:
            if not isinstance(node, ast.Call):
                continue
            if py.name(node) == "DeleteModel":  # the models stop mapping a table the database keeps
                model = self.state.models.get(py.text_argument(node, 0, "name").lower())
                if model is not None and model.managed and model.table not in dropped:
                    ops.append(ModelDetached(table=model.table, **self.reader.base(node)))
            self.reader.operation(node)
        return ops

    def _fixture(self, name: str, base: Origin) -> list[Operation]:
        """The rows of the fixture `loaddata` finds by its name in an app's `fixtures/` folder: JSON, YAML or
        XML, named with its extension or without (then the first serialization found, in Django's order)."""
        given = name.lower().endswith(seed_rows.FIXTURE_FORMATS)
        wanted = [name] if given else [name + suffix for suffix in seed_rows.FIXTURE_FORMATS]
        paths = list(self.tree.paths())
        path = next((p for w in wanted for p in paths if p.endswith(f"/fixtures/{w}")), None)
        text = self.tree.read(path) if path is not None else None
        if path is None or text is None:
            return [RunCode(language="python", touches=(), **base)]
        by_table = seed_rows.django_fixture(text, self._fixture_table, path)
        return [
            DataInsert(table=table, columns=columns, rows=rows, **base)
            for table, records in by_table.items()
            for columns, rows in [seed_rows.values_rows(records)]
        ]

    def _fixture_table(self, label: str) -> str:
        app, _, model = label.partition(".")
        return (
            self.state.table(model) if app.lower() == self.state.app.lower() else self.apps.table(app, model)
        )

    def _irreversible(self, reason: str) -> None:
        self.irreversible = self.irreversible or reason

    def _model_table(self, app: str, model: str) -> str:
        return self.state.table(model) if app == self.state.app else self.apps.table(app, model)

    def _column_of(self, table: str, field: str) -> str:
        """The column of a model's field (`customer` → `customer_id`); "" for a name the model has no field
        of (a reverse relation, an annotation); the field's name for a model no migration here creates."""
        models = [self.state] + [s for s in [self.apps.replay(table.split("_", 1)[0])] if s is not None]
        model = next((m for state in models for m in state.models.values() if m.table == table), None)
        if model is None:
            return "id" if field == "pk" else field
        if field == "pk":
            return next((f.spec.name for f in model.fields.values() if f.spec.primary_key), "id")
        found = model.fields.get(field) or next(
            (f for f in model.fields.values() if f.spec.name == field), None
        )  # `customer_id`, the column itself
        return found.spec.name if found is not None else ""

    def _through_parents(self, op: Operation) -> list[Operation]:
        """A model of multi-table inheritance keeps its parents' fields in their tables: `TableElement
        .objects.update(styles=…)` is Django's `UPDATE builder_element SET styles = … WHERE id IN (SELECT
        element_ptr_id FROM builder_tableelement …)`, one UPDATE per table whose columns it sets."""
        if not isinstance(op, DataUpdate) or not op.assignments:
            return [op]
        by_table: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for column, value in op.assignments:
            parent = self._parent_of(op.table, column)
            by_table.setdefault(parent or (op.table, "", ""), []).append((column, value))
        if len(by_table) == 1 and (op.table, "", "") in by_table:
            return [op]
        parts: list[Operation] = []
        for (table, key, link), assignments in by_table.items():
            if not link:
                parts.append(replace(op, assignments=tuple(assignments)))
                continue
            chosen = f" WHERE {op.where}" if op.where else ""
            parts.append(
                replace(
                    op,
                    table=table,
                    assignments=tuple(assignments),
                    where=f"{key} IN (SELECT {link} FROM {op.table}{chosen})",
                    expression=None,
                    case_mappings=(),
                    reads=(),
                )
            )
        return parts

    def _parent_of(self, table: str, column: str, depth: int = 0) -> tuple[str, str, str] | None:
        """(the parent's table, its key, the child's link column) when `column` is a field of a parent of the
        model of `table` (multi-table inheritance: the child's `<parent>_ptr` one-to-one key), else None."""
        model = self._model_by_table(table)
        if model is None or depth > 4:
            return None
        if column in model.fields or any(f.spec.name == column for f in model.fields.values()):
            return None
        for name, field in model.fields.items():
            if not (name.endswith("_ptr") and field.spec.primary_key and field.references):
                continue
            parent = self._model_by_table(field.references)
            if parent is None:
                continue
            key = next((f.spec.name for f in parent.fields.values() if f.spec.primary_key), "id")
            if column in parent.fields or any(f.spec.name == column for f in parent.fields.values()):
                return field.references, key, field.spec.name
            higher = self._parent_of(field.references, column, depth + 1)
            if higher is not None:  # a grandparent's field: every level of the chain shares the child's key
                return higher[0], higher[1], field.spec.name
        return None

    def _relation_of(self, table: str, field: str) -> tuple[str, str, str] | None:
        """(the column, the related table, its key) of a model's foreign key or one-to-one field."""
        model = self._model_by_table(table)
        found = model.fields.get(field) if model is not None else None
        if found is None or not found.references or found.columnless:
            return None
        target = self._model_by_table(found.references)
        key = (
            next((f.spec.name for f in target.fields.values() if f.spec.primary_key), "id")
            if target
            else "id"
        )
        return found.spec.name, found.references, key

    def _model_by_table(self, table: str) -> Model | None:
        models = [self.state] + [s for s in [self.apps.replay(table.split("_", 1)[0])] if s is not None]
        return next((m for state in models for m in state.models.values() if m.table == table), None)

    def _table_of(self, variable: str) -> str | None:
        return self.models.get(variable)

    def _ordering_of(self, table: str, name: str) -> tuple[str, ...]:
        """The order of a queryset of the model the code names `name` (of this table) when nothing orders it:
        a model the migration imports is today's class, with the Meta of the application's code; any other
        is the model of this app's state as of this operation (what `apps.get_model` builds)."""
        if name in self.current:
            found = django_models.default_order(self.tree, *self.current[name])
            if found is not None:
                return found
        model = next((m for m in self.state.models.values() if m.table == table), None)
        return model.default_order() if model is not None else ()

    def _models_named(self, function: ast.FunctionDef) -> list[str]:
        found = _model_variables(function, self.state, self.apps)
        self.models.update(found)
        return list(found.values())


def _returned(function: ast.FunctionDef) -> ast.expr | None:
    """What a function of straight-line code returns (a docstring, names bound, one `return`), through a name it
    binds (`state_ops = add_state_ops()` … `return state_ops`); None for any other function: one that asks the
    database or the settings which operations to give (an `if`, a loop, a call whose result it changes) is read
    as operations computed when the migration is loaded."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    last = body[-1] if body else None
    if not isinstance(last, ast.Return) or last.value is None:
        return None
    if not all(isinstance(n, ast.Assign) for n in body[:-1]):
        return None
    value = last.value
    if isinstance(value, ast.Name):
        bound = [
            n.value
            for n in body
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and n.targets[0].id == value.id
        ]
        return bound[-1] if len(bound) == 1 else None
    return value


def _operations_missing(klass: ast.ClassDef, module: ast.Module) -> bool:
    """A `Migration` of Django's own base class that never says what it runs: Django would run nothing,
    but `makemigrations` (also `--empty` and `--merge`) always writes `operations`, so its absence means a
    file cut off after the class line or its `dependencies`. A class built on another base may inherit
    its operations; a module that sets `Migration.operations` later has them."""
    if not all(py.dotted(base) in {"migrations.Migration", "Migration"} for base in klass.bases):
        return False
    named = (
        target
        for node in ast.walk(module)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    )
    return not any(py.dotted(target).rpartition(".")[2] == "operations" for target in named)


def _class_attributes(
    klass: ast.ClassDef | None, constants: Mapping[str, ast.expr]
) -> tuple[bool, list[ast.expr]]:
    """`atomic` and the expressions of `operations`, as Django finds them when it loads the class; Django's
    default for a class without `operations` is none."""
    atomic, operations = True, []
    for node in klass.body if klass is not None else []:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            if target == "atomic":
                atomic = py.literal(node.value) is not False
            elif target == "operations":
                operations = _operation_list(node.value, constants)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and isinstance(node.target, ast.Name)
            and node.target.id == "operations"
        ):
            operations = operations + _operation_list(node.value, constants)
    return atomic, operations


def _operation_list(node: ast.expr, constants: Mapping[str, ast.expr]) -> list[ast.expr]:
    """The operations of `operations = …`: a list or tuple, a module constant holding one, lists added
    together, `*CONSTANT` inside a list. Whatever else computes the list when the module is loaded (a call
    that asks the database, a comprehension) stays one expression, which reads as an operation that could
    not be read: the review cannot say what such a migration runs, so it never approves it."""
    if isinstance(node, ast.Name) and isinstance(constants.get(node.id), ast.List | ast.Tuple):
        return _operation_list(constants[node.id], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _operation_list(node.left, constants) + _operation_list(node.right, constants)
    if isinstance(node, ast.List | ast.Tuple):
        found: list[ast.expr] = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                found.extend(_operation_list(element.value, constants))
            else:
                found.append(element)
        return found
    return [ast.copy_location(ast.Starred(value=node, ctx=ast.Load()), node)]


class _Imported(NamedTuple):
    node: ast.ImportFrom
    name: str  # the name the import binds
    table: str
    app: str
    model: str  # the class imported


def _imported_models(module: ast.Module, state: State, apps: Apps) -> list[_Imported]:
    """`from shop.models import Order` or `from ..models import Order as O`, anywhere in the migration. The
    application's current model is the one imported, not the historical one, but its table is the same."""
    found: list[_Imported] = []
    for node in ast.walk(module):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        parts = node.module.split(".")
        if "models" not in parts or parts[0] == "django":
            continue
        before = parts[: parts.index("models")]
        app = before[-1] if before else (state.app if node.level else "")
        if not app:
            continue
        known = state if app == state.app else apps.replay(app)
        for alias in node.names:  # model classes only: choices, enums and constants are no models
            if known is not None and alias.name.lower() in known.models:
                found.append(
                    _Imported(node, alias.asname or alias.name, known.table(alias.name), app, alias.name)
                )
    return found


def _contrib_models(module: ast.Module, apps: Apps) -> dict[str, str]:
    """`from django.contrib.auth.models import Group, Permission` → {"Group": "auth_group", "Permission":
    "auth_permission"}: Django's own models, imported as they are (their tables change only with Django)."""
    found: dict[str, str] = {}
    for node in ast.walk(module):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        parts = node.module.split(".")
        if parts[:2] != ["django", "contrib"] or len(parts) != 4 or parts[3] != "models":
            continue
        for alias in node.names:
            if alias.name[:1].isupper() and not alias.name.isupper():  # classes, not constants
                found[alias.asname or alias.name] = apps.table(parts[2], alias.name)
    return found


_WRITES = re.compile(r"\.(?:save|delete|create|bulk_create|get_or_create|update_or_create)\(")


def _current_models(path: str, text: str, imported: list[_Imported]) -> Operation:
    first = imported[0].node
    names = tuple(dict.fromkeys(each.name for each in imported))
    return CurrentModelImport(
        location=Location(path, first.lineno),
        end_line=first.end_lineno or first.lineno,
        sql=ast.unparse(first),
        module=("." * first.level) + (first.module or ""),
        names=names,
        writes=bool(_WRITES.search(text)),
    )


def _model_variables(node: ast.AST, state: State, apps: Apps) -> dict[str, str]:
    """`Order = apps.get_model("shop", "Order")` → {"Order": "shop_order"}; the user model, got by
    `get_user_model()` or `apps.get_model(settings.AUTH_USER_MODEL)`, → the project's user table. A model got
    in place (`apps.get_model("shop", "Order").objects.update(…)`) is known under the call's own text."""
    found: dict[str, str] = {}
    for assign in ast.walk(node):
        if (
            isinstance(assign, ast.Attribute)
            and assign.attr in ("objects", "_default_manager")
            and isinstance(assign.value, ast.Call)
            and py.name(assign.value) == "get_model"
        ):
            assign = ast.Assign(targets=[ast.Name(ast.unparse(assign.value))], value=assign.value)
        if not isinstance(assign, ast.Assign) or not isinstance(assign.value, ast.Call):
            continue
        call = assign.value
        if py.name(call) not in ("get_model", "get_user_model") or not isinstance(
            assign.targets[0], ast.Name
        ):
            continue
        args = py.get_model_arguments(call)
        texts = [a for a in args if isinstance(a, str)]
        if len(texts) == 1 and "." in texts[0]:
            texts = texts[0].split(".", 1)
        if py.name(call) == "get_user_model" or (
            len(args) == 1 and isinstance(args[0], py.Code) and "AUTH_USER_MODEL" in args[0].text
        ):
            texts = list(apps.user)
        if len(texts) == 2:
            app, model = texts
            found[assign.targets[0].id] = state.table(model) if app == state.app else apps.table(app, model)
    return found
