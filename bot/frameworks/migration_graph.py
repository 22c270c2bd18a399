"""The set of migrations a runner finds in one tree: the versions of a runner's folder, Alembic's revisions
and the graph of each Django app. Rules compare the base branch's set with the change's: what a runner
refuses, or silently skips, depends on the whole set, not on one file.

Each tree is read once (its listing by folder, its revisions), kept for the trees of the review under way.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from bot.frameworks.settings.found import dialect_of, family
from bot.model.changeset import ChangedFile, ChangeSet, Tree, read_ahead

# The migrations a version-ordered runner reads in its folder, by file name: the version they start with.
_VERSIONED = {
    "golang-migrate": re.compile(r"^(\d+)_.+\.up\.sql$"),
    "goose": re.compile(r"^(\d+)_\w[\w.-]*(?<!_test)\.(?:sql|go)$"),
    "goose_go": re.compile(r"^(\d+)_\w[\w.-]*(?<!_test)\.(?:sql|go)$"),
    "flyway": re.compile(r"^V(\d[\w.]*?)__.+\.(?:sql|java|kt)$"),
    "rails": re.compile(r"^(\d+)_\w+\.rb$"),
    "ecto": re.compile(r"^(\d+)_\w+\.exs$"),
    # Kysely's Migrator orders by name; the names start with a number or an ISO timestamp
    # (`2024-01-02T10:00:00.000Z_add_orders.ts`), whose digits give the same order
    "kysely": re.compile(r"^(\d(?:[\dT:.-]*\d)?)Z?[_.-][^/]*(?<!\.d)\.[cm]?[jt]s$"),
}
# Folders of a Flyway location that hold one database's scripts (`db/migration/postgres`): another location.
_DATABASE_FOLDERS = frozenset(
    {"postgres", "postgresql", "pg", "mysql", "mariadb", "h2", "hsqldb", "oracle", "sqlserver", "mssql",
     "sqlite", "db2", "derby", "cockroachdb", "redshift", "snowflake", "common"}
)  # fmt: skip
_FLYWAY_ROOT = re.compile(r"^(.*?(?:^|/)db/migration)(?:/|$)")


@dataclass(frozen=True)
class Versioned:
    path: str
    version: tuple[int, ...]  # the runner's order: Flyway's `1.10` after `1.9`, `1.0` the same as `1`
    written: str  # the version as the file name writes it


def versioned(framework: str, path: str) -> Versioned | None:
    """The version a runner reads from a migration's file name, None for a file it does not order."""
    pattern = _VERSIONED.get(framework)
    match = pattern.match(path.rsplit("/", 1)[-1]) if pattern is not None else None
    if match is None:
        return None
    separators = r"\D+" if framework == "kysely" else r"[._]"
    parts = [int(p) for p in re.split(separators, match.group(1)) if p.isdigit()]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return Versioned(path, tuple(parts), match.group(1))


def folder(framework: str, path: str) -> str:
    """The folder a runner reads as one set: the file's own, or for Flyway the `db/migration` location it
    is under (Flyway reads a location with its subfolders), a folder named for a database apart."""
    directory = path.rsplit("/", 1)[0] if "/" in path else ""
    if framework != "flyway":
        return directory
    root = _FLYWAY_ROOT.match(directory)
    if root is None:
        return directory
    rest = directory[len(root.group(1)) :].strip("/").split("/")
    named = [p for p in rest if p.lower() in _DATABASE_FOLDERS]
    return root.group(1) + "/" + "/".join(named) if named else root.group(1)


def versions(tree: Tree, framework: str, group: str) -> list[Versioned]:
    """The versioned migrations of `framework` in the set `group` (see `folder`) of a tree."""
    found = []
    for directory, names in _listing(tree).items():
        if directory != group and not (framework == "flyway" and directory.startswith(group + "/")):
            continue
        if framework == "flyway" and folder("flyway", f"{directory}/x") != group:
            continue  # a folder of another database inside the location
        for name in names:
            each = versioned(framework, f"{directory}/{name}" if directory else name)
            if each is not None:
                found.append(each)
    return found


# ---- Alembic -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    path: str
    revision: str
    down: tuple[str, ...] | None  # the revisions it follows; None: not a literal the review can read
    labelled: bool  # declares `branch_labels`: a branch of its own, on purpose
    line: int  # of `down_revision`


# The version a migration's file name starts with (`0408_`, `20240101120000_`, `V3__`, `00007_`), and the rest.
_NUMBERED = re.compile(r"^[Vv]?\d+(?:[._]\d+)*_+(?=[A-Za-z])")


def renumbered(changeset: ChangeSet) -> ChangeSet:
    """The change with each migration it removes and adds again in the same folder under another version, the
    rest of the name the same (`0408_fix_counts.py` gone, `0409_fix_counts.py` new: renumbered after a rebase,
    its content edited too, so git paired them as no rename), read as that file renamed."""
    removed = {f.path: f for f in changeset.files if f.status == "removed" and f.base_text is not None}
    added = [f for f in changeset.files if f.status == "added" and f.head_text is not None]
    if not removed or not added:
        return changeset

    def key(path: str) -> tuple[str, str] | None:
        folder, _, name = path.rpartition("/")
        match = _NUMBERED.match(name)
        return (folder, name[match.end() :]) if match else None

    gone: dict[tuple[str, str] | None, list[ChangedFile]] = defaultdict(list)
    for file in removed.values():
        gone[key(file.path)].append(file)
    new: dict[tuple[str, str] | None, list[ChangedFile]] = defaultdict(list)
    for file in added:
        new[key(file.path)].append(file)
    pairs = {
        mine[0].path: theirs[0]
        for k, mine in new.items()
        if k is not None and len(mine) == 1 and len(theirs := gone.get(k, [])) == 1
    }
    pairs |= _same_version(
        [f for f in removed.values() if f not in pairs.values()], [f for f in added if f.path not in pairs]
    )
    if not pairs:
        return changeset
    paired = {old.path for old in pairs.values()}
    files = tuple(
        dataclasses.replace(
            f, status="renamed", base_text=pairs[f.path].base_text, previous_path=pairs[f.path].path
        )
        if f.path in pairs
        else f
        for f in changeset.files
        if f.path not in paired or f.status != "removed"
    )
    return dataclasses.replace(changeset, files=files)


# runners that know a migration by its version alone, the rest of the name being a description: Flyway
# (`V1_20_4__…`, which checks the description as well), golang-migrate, Rails
_BY_VERSION = re.compile(
    r"^(?:(?P<flyway>[VU]\d[\d._]*)__.+\.sql|(?P<migrate>\d+)_.+\.(?P<side>up|down)\.sql|(?P<rails>\d{8,})_\w+\.rb)$"
)


def _same_version(removed: list[ChangedFile], added: list[ChangedFile]) -> dict[str, ChangedFile]:
    """A migration removed and one added in the same folder under the same version of a runner that knows
    migrations by version (`V1_20_4__target_and_attributes.sql` gone, `V1_20_4__target_key_value.sql` new):
    the same migration, renamed and rewritten."""

    def key(path: str) -> tuple[str, str] | None:
        folder, _, name = path.rpartition("/")
        match = _BY_VERSION.match(name)
        if match is None:
            return None
        return folder, "".join(f"{k}={v}" for k, v in match.groupdict().items() if v is not None)

    gone: dict[tuple[str, str], list[ChangedFile]] = defaultdict(list)
    for file in removed:
        if (k := key(file.path)) is not None:
            gone[k].append(file)
    new: dict[tuple[str, str], list[ChangedFile]] = defaultdict(list)
    for file in added:
        if (k := key(file.path)) is not None:
            new[k].append(file)
    return {
        mine[0].path: theirs[0]
        for k, mine in new.items()
        if len(mine) == 1 and len(theirs := gone.get(k, [])) == 1
    }


def alembic_revisions(tree: Tree, beside: str = "") -> list[Revision]:
    """Every Alembic revision of the tree (every `versions/` folder: a project may have several); with
    `beside`, only those of the history the file at that path belongs to (see `_database_folder`)."""
    found = _kept(tree, "alembic", _alembic)
    database = _database_folder(beside)
    if not database:
        return found
    return [r for r in found if _database_folder(r.path) in ("", database)]


def _database_folder(path: str) -> str:
    """The database a folder of the path is named for (`versions/postgresql/…`, `versions/sqlite/…`), "" for
    none. A project that runs on several databases may keep one versions folder per database, each the
    location of its own environment: one history per database, whose files may share revision ids (the
    same change written for each)."""
    for part in reversed(path.split("/")[:-1]):
        dialect = dialect_of(part)
        if dialect:
            return family(dialect)
    return ""


def _alembic(tree: Tree) -> list[Revision]:
    paths = [
        f"{directory}/{name}"
        for directory, names in _listing(tree).items()
        if ("/" + directory + "/").count("/versions/")
        for name in names
        if name.endswith(".py")
    ]
    found = []
    for path in read_ahead(tree, paths):
        text = tree.read(path) or ""
        if "down_revision" in text and "revision" in text:
            revision = _read_revision(path, text)
            if revision is not None:
                found.append(revision)
    return found


@lru_cache(maxsize=4096)  # the base's and the head's graphs read the same revisions
def _read_revision(path: str, text: str) -> Revision | None:
    values: dict[str, tuple[Any, int]] = {}
    try:
        module = ast.parse(text)
    except SyntaxError:  # Python 2 (`print "…"`): its module-level lines still say which revision it is
        return _written_revision(path, text)
    for name, value, line in _assignments(module.body):
        try:
            values[name] = (ast.literal_eval(value), line)
        except ValueError:
            values[name] = (_UNREAD, line)
    return _revision_of(path, values)


def _revision_of(path: str, values: dict[str, tuple[Any, int]]) -> Revision | None:
    revision = values.get("revision", (None, 0))[0]
    if not isinstance(revision, str) or "down_revision" not in values:
        return None
    down, line = values["down_revision"]
    downs: tuple[str, ...] | None
    if down is None:
        downs = ()
    elif isinstance(down, str):
        downs = (down,)
    elif isinstance(down, (tuple, list)) and all(isinstance(d, str) for d in down):
        downs = tuple(down)
    else:
        downs = None
    labels = values.get("branch_labels", (None, 0))[0]
    return Revision(path, revision, downs, bool(labels), line)


_UNREAD = object()
_WRITTEN = re.compile(r"^(revision|down_revision|branch_labels)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.M)


def _written_revision(path: str, text: str) -> Revision | None:
    """A revision file Python cannot parse, read from its module-level `name = literal` lines."""
    values: dict[str, tuple[Any, int]] = {}
    for match in _WRITTEN.finditer(text):
        try:
            value = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError):
            value = _UNREAD
        values.setdefault(match.group(1), (value, text.count("\n", 0, match.start()) + 1))
    return _revision_of(path, values)


def _assignments(body: list[ast.stmt]) -> Iterator[tuple[str, ast.expr, int]]:
    """(name, value, line) of the `name = value` and `name: type = value` statements of a body."""
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value, node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            yield node.target.id, node.value, node.lineno


def heads(revisions: Iterable[Revision], around: str) -> list[Revision] | None:
    """The heads of the revisions connected to `around` (one Alembic history; a repository may hold several),
    None when a revision of it follows what the review cannot read."""
    revisions = list(revisions)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for each in revisions:
        for down in each.down or ():
            neighbours[each.revision].add(down)
            neighbours[down].add(each.revision)
    seen, todo = {around}, [around]
    while todo:
        for other in neighbours[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    connected = [r for r in revisions if r.revision in seen]
    if any(r.down is None for r in connected):
        return None
    followed = {down for r in connected for down in r.down or ()}
    return [r for r in connected if r.revision not in followed]


# ---- Django --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    path: str
    name: str
    dependencies: tuple[tuple[str, str, int], ...]  # (app label, migration name, line)
    replaces: tuple[tuple[str, str], ...]
    run_before: tuple[tuple[str, str], ...]


def app_label(tree: Tree, migrations_folder: str) -> str:
    """The app label Django gives an app's migrations folder: the label its `apps.py` declares, else the
    app package's name."""
    parts = migrations_folder.split("/")
    package = "/".join(parts[:-1])
    declared = _LABEL.search(tree.read(f"{package}/apps.py") or "") if package else None
    if declared is not None:
        return declared.group(1)
    return parts[-2] if len(parts) > 1 else ""


_LABEL = re.compile(r"^\s+label\s*=\s*[\"'](\w+)[\"']", re.M)


def django_folders(tree: Tree) -> dict[str, list[str]]:
    """The migrations folders of the tree's apps, by app label (the package's name, or the label its
    `apps.py` declares)."""

    def read(tree: Tree) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for directory, names in _listing(tree).items():
            if directory.endswith("migrations") and "__init__.py" in names:
                found[app_label(tree, directory)].append(directory)
        return dict(found)

    return _kept(tree, "django-folders", read)


def django_app(tree: Tree, migrations_folder: str) -> dict[str, Node] | None:
    """The migrations of one app folder by name; None when one of them cannot be read."""
    return _kept(tree, f"django:{migrations_folder}", lambda t: _django_app(t, migrations_folder))


def _django_app(tree: Tree, migrations_folder: str) -> dict[str, Node] | None:
    nodes = {}
    names = _listing(tree).get(migrations_folder, ())
    modules = [
        f"{migrations_folder}/{n}" for n in names if n.endswith(".py") and not n.startswith(("_", "~"))
    ]
    for path in read_ahead(tree, modules):
        text = tree.read(path) or ""
        if "class Migration" not in text:
            continue
        node = _read_node(path, text)
        if node is None:
            return None
        nodes[node.name] = node
    return nodes


def _read_node(path: str, text: str) -> Node | None:
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    name = path.rsplit("/", 1)[-1][:-3]
    found: dict[str, list[tuple[str, str, int]]] = {"dependencies": [], "replaces": [], "run_before": []}
    for klass in module.body:
        if not (isinstance(klass, ast.ClassDef) and klass.name == "Migration"):
            continue
        for field, value, _ in _assignments(klass.body):
            for item in value.elts if field in found and isinstance(value, (ast.List, ast.Tuple)) else ():
                pair = _pair(item)
                if pair is not None:
                    found[field].append((*pair, item.lineno))
    return Node(
        path,
        name,
        tuple(found["dependencies"]),
        tuple((a, n) for a, n, _ in found["replaces"]),
        tuple((a, n) for a, n, _ in found["run_before"]),
    )


def _pair(node: ast.expr) -> tuple[str, str] | None:
    """("app", "0002_name") written as a literal; a swappable dependency or a computed one is not read."""
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2:
        first, second = (e.value if isinstance(e, ast.Constant) else None for e in node.elts)
        if isinstance(first, str) and isinstance(second, str):
            return first, second
    return None


def leaves(nodes: dict[str, Node], app: str) -> list[Node]:
    """The app's leaf migrations as Django's loader finds them with no database: a squash stands for the
    migrations it replaces; a leaf is a migration no other migration of the same app depends on."""
    replaced = {name: n.name for n in nodes.values() for a, name in n.replaces if a == app}
    kept = {name: node for name, node in nodes.items() if name not in replaced}
    followed: set[str] = set()
    for node in kept.values():
        followed.update(replaced.get(n, n) for a, n, _ in node.dependencies if a == app)
        if any(a == app for a, _ in node.run_before):
            followed.add(node.name)
    return [node for name, node in sorted(kept.items()) if name not in followed]


# ---- one reading per tree ------------------------------------------------------------------------------

_T = TypeVar("_T")
_KEPT: dict[int, tuple[Tree, dict[str, Any]]] = {}
_KEEP = 4


def _kept(tree: Tree, what: str, read: Callable[[Tree], _T]) -> _T:
    entry = _KEPT.get(id(tree))
    if entry is None or entry[0] is not tree:
        while len(_KEPT) >= _KEEP:
            del _KEPT[next(iter(_KEPT))]
        entry = _KEPT[id(tree)] = (tree, {})
    if what not in entry[1]:
        entry[1][what] = read(tree)
    result: _T = entry[1][what]
    return result


def _listing(tree: Tree) -> dict[str, list[str]]:
    def read(tree: Tree) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for path in tree.paths():
            directory, _, name = path.rpartition("/")
            found[directory].append(name)
        return dict(found)

    return _kept(tree, "listing", read)
