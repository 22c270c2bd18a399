"""Snapshots and baselines: migrations that build the whole schema for new installs, beside the history that
existing databases ran.

- Flyway's baseline migrations (`B<version>__….sql`) stand for every versioned migration up to their version:
  a new database runs the newest one and the versioned migrations after it; a database that ran those
  versioned migrations never runs it.
- Liquibase snapshot changelogs: a project may keep a copy of its whole schema per release (the tables, and in
  another changelog the rows every install starts with, often written by `generateChangeLog`) beside the
  update changelogs, and start a new install from the newest. Two changelogs that each create mostly the
  tables the other creates, or insert mostly the rows the other inserts (by table and first value), are two
  versions of one snapshot: no database ran both. A changelog mostly written by `generateChangeLog`
  (changeSets by "… (generated)") whose content lies mostly in a snapshot is an older version of it.

The history replayed for the schema keeps the newest version of each snapshot, in its place among the
updates (a column the updates made NOT NULL that the snapshot leaves NULL is NULL on the newest installs),
and leaves the others out; Flyway's baselines only where no versioned migration they stand for is there, the
newest of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from bot.model.migration import CreateTable, DataInsert, Migration

_BASELINE = re.compile(r"^B(?P<version>\d[\w.]*?)__.+\.sql$")
_LEAST = 3  # tables or rows below which a changelog is too small to be told a snapshot by what it shares


def flyway_baseline(path: str) -> bool:
    """A Flyway baseline migration, `B<version>__<description>.sql`."""
    return _BASELINE.match(path.rsplit("/", 1)[-1]) is not None


class Outline(NamedTuple):
    """What tells a migration a snapshot or a baseline: its name, what it builds, who wrote it."""

    path: str
    framework: str
    contents: frozenset[tuple[str, ...]]  # the tables it creates, or else its rows (table, first value)
    generated: bool = False  # most of its changeSets written by `generateChangeLog` ("… (generated)")
    version: str = ""


def outline(path: str, framework: str, text: str, parsed: Migration | Callable[[], Migration]) -> Outline:
    """A migration's outline; a Liquibase XML changelog's is read from its text (a snapshot is large, and a
    review reads every changelog of the tree to tell one), any other's from its operations (`parsed`, or what
    reads them when they are needed)."""
    if framework == "liquibase" and path.endswith(".xml"):
        return _xml_outline(path, text)
    migration = parsed if isinstance(parsed, Migration) else parsed()
    if framework != "liquibase":  # only Liquibase changelogs are told snapshots by what they build
        return Outline(path, framework, frozenset(), version=migration.version)
    tables = {("table", op.table) for op in migration.up if isinstance(op, CreateTable)}
    rows = {
        ("row", op.table, row[0])
        for op in migration.up
        if isinstance(op, DataInsert)
        for row in op.rows
        if row
    }
    units = {op.applied_unit for op in migration.up if op.applied_unit}
    generated = 2 * sum(1 for u in units if u.split(":", 1)[0].endswith("(generated)")) > len(units)
    return Outline(path, framework, frozenset(tables or rows), generated, migration.version)


_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CREATE_TABLE = re.compile(r"<createTable\b[^>]*?\btableName\s*=\s*\"([^\"]+)\"")
_INSERT = re.compile(
    r"<insert\b[^>]*?\btableName\s*=\s*\"([^\"]+)\"[^>]*>\s*<column\b[^>]*?\bvalue\w*\s*=\s*\"([^\"]*)\""
)
_AUTHOR = re.compile(r"<changeSet\b[^>]*?\bauthor\s*=\s*\"([^\"]*)\"")


def _xml_outline(path: str, text: str) -> Outline:
    text = _XML_COMMENT.sub("", text)
    tables = {("table", name.lower()) for name in _CREATE_TABLE.findall(text)}
    rows = {("row", table.lower(), value) for table, value in _INSERT.findall(text)}
    authors = _AUTHOR.findall(text)
    generated = 2 * sum(1 for a in authors if a.endswith("(generated)")) > len(authors)
    return Outline(path, "liquibase", frozenset(tables or rows), generated)


def snapshots(outlines: Sequence[Outline]) -> dict[str, Snapshot]:
    """The migrations that are snapshots or baselines, by path."""
    found = {
        o.path: Snapshot(
            "is a Flyway baseline migration: only new databases run it, in place of the versioned migrations "
            "up to its version",
            "flyway",
        )
        for o in outlines
        if o.framework == "flyway" and flyway_baseline(o.path)
    }
    changelogs = [o for o in outlines if o.framework == "liquibase"]
    for path, (other, group) in _versions(changelogs).items():
        found[path] = Snapshot(
            f"re-creates what `{other}` creates: a snapshot for new installs, which the databases that ran the "
            "update changelogs never run",
            group,
        )
    return found


def may_be_snapshot(outline: Outline) -> bool:
    """Could the migration be a snapshot or a baseline (is it worth reading the others to tell)?"""
    if outline.framework == "flyway":
        return flyway_baseline(outline.path)
    return outline.framework == "liquibase" and len(outline.contents) >= _LEAST


def replayed(outlines: Sequence[Outline], found: dict[str, Snapshot]) -> list[Outline]:
    """The migrations, in the order given, that build the schema existing databases have: the newest version of
    each Liquibase snapshot in its place (the newest installs start from it; the updates before it are replayed
    too, for the tables and rows it left out), and Flyway's newest baseline where none of the versioned
    migrations it stands for is there."""
    kept: list[Outline] = []
    last = {found[o.path].group: o.path for o in outlines if o.path in found}
    versions = [_numbers(o.version) for o in outlines if o.framework == "flyway" and o.path not in found]
    baselines = [o for o in outlines if o.path in found and o.framework == "flyway"]
    newest = max(baselines, key=lambda o: _numbers(o.version), default=None)
    for each in outlines:
        snapshot = found.get(each.path)
        if snapshot is None:
            kept.append(each)
        elif each.framework == "flyway":
            if each is newest and not any(v <= _numbers(each.version) for v in versions):
                kept.append(each)
        elif last[snapshot.group] == each.path:
            kept.append(each)
    return kept


class Snapshot(NamedTuple):
    what: str  # what it is, said after its path
    group: str  # the versions of one snapshot share it


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _versions(changelogs: Sequence[Outline]) -> dict[str, tuple[str, str]]:
    """The changelogs that are versions of one snapshot: (another version, a name for the snapshot)."""
    contents = {o.path: o.contents for o in changelogs}
    holders: dict[tuple[str, ...], list[str]] = {}
    for path, items in contents.items():
        if len(items) >= _LEAST:
            for item in items:
                holders.setdefault(item, []).append(path)
    shared = {path: _shared(path, items, holders) for path, items in contents.items() if len(items) >= _LEAST}
    group = {path: path for path in contents}

    def root(path: str) -> str:
        while group[path] != path:
            path = group[path]
        return path

    found: dict[str, str] = {}
    for path, counts in shared.items():
        for other, n in sorted(counts.items(), key=lambda pair: -pair[1]):  # the closest version first
            if 2 * n >= len(contents[path]) and 2 * n >= len(contents[other]):
                found.setdefault(path, other)
                group[root(other)] = root(path)
    for changelog in changelogs:  # an older version, mostly inside a newer one, written by generateChangeLog
        counts = shared.get(changelog.path, {})
        inside = [o for o, n in counts.items() if o in found and 2 * n >= len(contents[changelog.path])]
        if changelog.path not in found and inside and changelog.generated:
            found[changelog.path] = inside[0]
            group[root(changelog.path)] = root(inside[0])
    return {path: (other, root(path)) for path, other in found.items()}


def _shared(
    path: str, items: frozenset[tuple[str, ...]], holders: dict[tuple[str, ...], list[str]]
) -> dict[str, int]:
    """How many of a changelog's items each other changelog holds."""
    counts: dict[str, int] = {}
    for item in items:
        for other in holders[item]:
            if other != path:
                counts[other] = counts.get(other, 0) + 1
    return counts
