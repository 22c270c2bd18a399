"""One pass over a tree: every file that contains any of a set of words goes to a handler, once.

Files that cannot hold code are skipped before they are read (vendored and generated paths, old
migrations, the configured excludes) or right after (binary content, files over MAX_BYTES). A directory
on disk is read with plain system calls and, when it is large, by two processes at once; any other Tree
(a commit read from git, a snapshot in memory) is read through its own `read`, and the places found in it
are judged by two processes at once when there are many (`bot.two_cores`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import zlib
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, TypeVar, cast

from bot.model.changeset import DirectoryTree, Tree, read_ahead
from bot.references.path_patterns import PathSpec, compile_patterns
from bot.references.word_finder import Occurrence, WordFinder, char_offsets
from bot.two_cores import in_two

MAX_BYTES = 1_000_000
_PREFETCH = 2_000  # paths read per call of a tree's `prefetch`
_SHARED_FROM = 1_000  # places found in a tree read through `read`, from which a forked child may take half
DEFAULT_EXCLUDES = (
    ".git/", "node_modules/", "vendor/", "third_party/", "bower_components/", "dist/", "build/",
    "coverage/", "tmp/", "log/", "public/assets/", "public/packs/", ".venv/", "venv/", "__pycache__/",
    "*.min.js", "*.css", "*.scss", "*.sass", "*.less", "*.styl", "*.map", "*.lock", "*.csv", "*.tsv", "*.har", "package-lock.json", "pnpm-lock.yaml", "npm-shrinkwrap.json", "go.sum", "*.pb.go", "*_pb2.py", "*.snap",
    # Brakeman's record of the warnings a project ignores: snippets of code as it was when each was ignored, never run
    "brakeman.ignore",
    # translations: words of a language, not names of columns
    "*.po", "*.pot", "*.mo", "*.xlf", "*.xliff", "*.ftl", "*.arb", "**/locale/**/*.json", "**/locales/**/*.json",
    "**/translations/**/*.json", "**/i18n/**/*.json", "**/lang/**/*.json", "**/locale/**/*.yml",
    "**/locales/**/*.yml", "**/locales/**/*.yaml", "**/translations/**/*.yml",
    # old migrations and schema dumps name every column that ever existed (at any depth: a monorepo's
    # `apps/web/db/migrate/`, an `src/app/alembic/versions/`), and so do database dumps with their data
    "**/db/migrate/", "**/db/data_migration/", "**/db/data_migrations/", "**/db/data/", "migrations/", "migration/", "*_migrations/", "**/alembic/versions/", "versions/*.py", "**/db/changelog/",
    "/deploy/*.sql", "/revert/*.sql", "/verify/*.sql", "**/db/schema.rb", "**/db/structure.sql", "schema.sql", "*.dump", "*.sql.gz",
    # scenic's and fx's versions of views, functions and triggers (`search_results_v02.sql`): the live one is
    # read from the history; a file of those folders without a version is applied as it stands, and searched
    "**/db/views/*_v[0-9]*.sql", "**/db/functions/*_v[0-9]*.sql", "**/db/triggers/*_v[0-9]*.sql",
)  # fmt: skip
_BINARY_SUFFIXES = frozenset(
    """png jpg jpeg gif ico webp bmp pdf zip gz tgz bz2 xz 7z jar war class so dylib dll exe o a pyc woff
    woff2 ttf eot otf mp3 mp4 mov avi wav sqlite sqlite3 db bin dat psd xls xlsx docx pptx""".split()  # noqa: SIM905
)

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
R = TypeVar("R")
Handler = Callable[[str, str, list[Occurrence]], list[R]]


@dataclass(frozen=True)
class Scan(Generic[R]):
    results: tuple[R, ...]
    files: int  # files searched (after the skips)


@dataclass(frozen=True)
class _Job(Generic[R]):
    root: str
    spec: PathSpec
    skip_dirs: frozenset[str]
    skip_paths: frozenset[str]
    find: WordFinder
    handle: Handler[R]
    primary: frozenset[str]  # the words that make a file worth handling (the others are hints)


_ACTIVE: list[_Job[object]] = []  # the job a forked worker inherits


def scan(
    tree: Tree,
    words: Collection[str],
    handle: Handler[R],
    *,
    exclude: Sequence[str] = (),
    skip_paths: Collection[str] = (),
    hints: Collection[str] = (),
    workers: int | None = None,
) -> Scan[R]:
    """Call `handle(path, text, occurrences)` for every searchable file containing one of `words`.

    `hints`: more words whose occurrences are reported too, but only in files that contain a word.
    Results come in no particular order.
    """
    if not words:
        return Scan((), 0)
    spec = compile_patterns((*DEFAULT_EXCLUDES, *exclude))
    skip = frozenset(skip_paths)
    primary = frozenset(words)
    find = WordFinder(primary | frozenset(hints))
    if isinstance(tree, DirectoryTree):
        job = _Job(str(tree.root), spec, frozenset(tree.skip_dirs), skip, find, handle, primary)
        return _scan_directory(job, workers)
    wanted: list[tuple[str, str, list[Occurrence]]] = []
    files = 0
    paths = [p for p in tree.paths() if p not in skip and not _skipped(p, spec)]
    for first in range(0, len(paths), _PREFETCH):
        chunk = paths[first : first + _PREFETCH]
        for path in read_ahead(tree, chunk):
            text = tree.read(path)
            if text is None or len(text) > MAX_BYTES or "\0" in text[:8192]:
                continue
            files += 1
            found = find.in_text(text)
            if any(word in primary for _, word in found):
                wanted.append((path, text, found))
    # the judgement of each place found (most of a search) shared with a second core where there is one and
    # more than one process is wanted; the tree itself is read by this process only
    if workers == 1:
        return Scan(tuple(r for file in wanted for r in handle(*file)), files)
    parts = in_two(lambda file: handle(*file), wanted, weight=lambda file: len(file[2]), minimum=_SHARED_FROM)
    return Scan(tuple(r for part in parts for r in part), files)


def _skipped(path: str, spec: PathSpec) -> bool:
    return _binary_name(path.rpartition("/")[2]) or spec.matches(path)


def _walk(job: _Job[R], index: int, step: int) -> Iterator[tuple[str, list[str]]]:
    """(directory, names of its searchable files) for the directories this worker owns."""
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(f"{job.root}/{rel}" if rel else job.root) as it:
                entries = list(it)
        except OSError:
            continue
        mine = step == 1 or zlib.crc32(rel.encode()) % step == index
        names = []
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                child = f"{rel}/{name}" if rel else name
                if name not in job.skip_dirs and not job.spec.skips_dir(child, name):
                    stack.append(child)
            elif mine and entry.is_file(follow_symlinks=False):
                names.append(name)
        if names:
            yield rel, _searchable(job, rel, names)


def _searchable(job: _Job[R], rel: str, names: list[str]) -> list[str]:
    """The names of one directory's files that are neither binary nor excluded."""
    by_name = job.spec.file_names
    names = [n for n in names if not _binary_name(n) and not (by_name and by_name.fullmatch(n))]
    if job.spec.include is not None:
        return [n for n in names if not job.spec.matches(f"{rel}/{n}" if rel else n)]
    if job.spec.anchored is not None and job.spec.anchors_under(rel):
        anchored = job.spec.anchored
        names = [n for n in names if not anchored.fullmatch(f"{rel}/{n}" if rel else n)]
    if job.skip_paths:
        names = [n for n in names if (f"{rel}/{n}" if rel else n) not in job.skip_paths]
    return names


def _binary_name(name: str) -> bool:
    return "." in name and name.rpartition(".")[2].lower() in _BINARY_SUFFIXES


def _scan_directory(job: _Job[R], workers: int | None) -> Scan[R]:
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    # Forking a process that runs other threads can deadlock the child: then one process does it all.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if count > 1 and forkable:
        _ACTIVE[:] = [job]  # type: ignore[list-item]
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                parts = cast(list[Scan[R]], pool.starmap(_run_active, [(i, count) for i in range(count)]))
        finally:
            _ACTIVE.clear()
        return Scan(tuple(r for part in parts for r in part.results), sum(p.files for p in parts))
    return _run(job, 0, 1)


def _run_active(index: int, step: int) -> Scan[object]:
    return _run(_ACTIVE[0], index, step)


def _run(job: _Job[R], index: int, step: int) -> Scan[R]:
    results: list[R] = []
    files = 0
    for rel, names in _walk(job, index, step):
        batch = _read_dir(f"{job.root}/{rel}" if rel else job.root, names)
        files += len(batch)
        results.extend(_search_batch(job, rel, batch))
    return Scan(tuple(results), files)


def _search_batch(job: _Job[R], rel: str, batch: list[tuple[str, bytes]]) -> list[R]:
    """One search over the files of a directory joined by NUL (binary files were left out)."""
    if job.find.native_bytes:
        joined_bytes = b"\0".join(data for _, data in batch)
        found = job.find.in_bytes(joined_bytes)
        sizes = [len(data) for _, data in batch]
        texts: list[str] | None = None
    else:
        joined = b"\0".join(data for _, data in batch).decode("utf-8", "replace")
        found = job.find.in_text(joined)
        texts = joined.split("\0")
        sizes = [len(t) for t in texts]
    if not found:
        return []
    starts = list(accumulate((size + 1 for size in sizes[:-1]), initial=0))
    per_file: dict[int, list[Occurrence]] = {}
    for pos, word in found:
        i = bisect_right(starts, pos) - 1
        per_file.setdefault(i, []).append((pos - starts[i], word))
    results: list[R] = []
    for i, occurrences in sorted(per_file.items()):
        if not any(word in job.primary for _, word in occurrences):
            continue
        name, data = batch[i]
        if texts is None:
            text, occurrences = data.decode("utf-8", "replace"), char_offsets(data, occurrences)
        else:
            text = texts[i]
        results.extend(job.handle(f"{rel}/{name}" if rel else name, text, occurrences))
    return results


def _read_dir(directory: str, names: list[str]) -> list[tuple[str, bytes]]:
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return []
    try:
        batch = []
        for name in names:
            data = _read(name, dir_fd)
            if data is not None and b"\0" not in data:
                batch.append((name, data))
        return batch
    finally:
        os.close(dir_fd)


def _read(name: str, dir_fd: int) -> bytes | None:
    try:
        fd = os.open(name, _FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        data = os.read(fd, 65536)
        if len(data) == 65536:
            rest = os.read(fd, MAX_BYTES)
            if len(data) + len(rest) > MAX_BYTES:
                return None
            data += rest
        return data
    except OSError:
        return None
    finally:
        os.close(fd)
