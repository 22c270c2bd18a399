"""One pass over a tree: every file that contains any of a set of words goes to a handler, once.

Files that cannot hold code are skipped before they are read (vendored and generated paths, old
migrations, the configured excludes) or right after (binary content, files over MAX_BYTES). A directory
on disk is read with plain system calls and, when it is large, by two processes at once; any other Tree
(a snapshot in memory, say) is read through its own `read`.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from bot.changeset import DirectoryTree, Tree
from bot.pathspec import PathSpec, compile_patterns

MAX_BYTES = 1_000_000
DEFAULT_EXCLUDES = (
    ".git/", "node_modules/", "vendor/", "third_party/", "bower_components/", "dist/", "build/",
    "coverage/", "tmp/", "log/", "public/assets/", "public/packs/", ".venv/", "venv/", "__pycache__/",
    "*.min.js", "*.min.css", "*.map", "*.lock", "package-lock.json", "*.pb.go", "*_pb2.py", "*.snap",
    # old migrations and schema dumps name every column that ever existed
    "db/migrate/", "migrations/", "alembic/versions/", "versions/*.py", "db/schema.rb", "db/structure.sql",
)  # fmt: skip
_BINARY_SUFFIXES = frozenset(
    """png jpg jpeg gif ico webp bmp pdf zip gz tgz bz2 xz 7z jar war class so dylib dll exe o a pyc woff
    woff2 ttf eot otf mp3 mp4 mov avi wav sqlite sqlite3 db bin dat psd xls xlsx docx pptx""".split()  # noqa: SIM905
)

R = TypeVar("R")
Handler = Callable[[str, str], list[R]]


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
    prefilter: re.Pattern[bytes]
    handle: Handler[R]


_ACTIVE: list[_Job[object]] = []  # the job a forked worker inherits


def scan(
    tree: Tree,
    words: Collection[str],
    handle: Handler[R],
    *,
    exclude: Sequence[str] = (),
    skip_paths: Collection[str] = (),
    workers: int | None = None,
) -> Scan[R]:
    """Call `handle(path, text)` for every searchable file containing one of `words`; collect results.

    Results come in no particular order.
    """
    if not words:
        return Scan((), 0)
    spec = compile_patterns((*DEFAULT_EXCLUDES, *exclude))
    skip = frozenset(skip_paths)
    ordered = sorted(words, key=len, reverse=True)
    if isinstance(tree, DirectoryTree):
        prefilter = re.compile(b"|".join(re.escape(w.encode()) for w in ordered))
        job = _Job(str(tree.root), spec, frozenset(tree.skip_dirs), skip, prefilter, handle)
        return _scan_directory(job, workers)
    text_filter = re.compile("|".join(re.escape(w) for w in ordered))
    results: list[R] = []
    files = 0
    for path in tree.paths():
        if path in skip or _skipped(path, spec):
            continue
        text = tree.read(path)
        if text is None or len(text) > MAX_BYTES or "\0" in text[:8192]:
            continue
        files += 1
        if text_filter.search(text):
            results.extend(handle(path, text))
    return Scan(tuple(results), files)


def _skipped(path: str, spec: PathSpec) -> bool:
    return _binary_name(path.rpartition("/")[2]) or spec.matches(path)


def _walk(job: _Job[R], index: int, step: int) -> Iterator[str]:
    """The files of the directories this worker owns (every directory, when step is 1)."""
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(f"{job.root}/{rel}" if rel else job.root) as it:
                entries = list(it)
        except OSError:
            continue
        mine = step == 1 or zlib.crc32(rel.encode()) % step == index
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in job.skip_dirs and not job.spec.skips_dir(child, entry.name):
                    stack.append(child)
            elif mine and entry.is_file(follow_symlinks=False) and not _skips_file(job, child, entry.name):
                yield child


def _skips_file(job: _Job[R], path: str, name: str) -> bool:
    return _binary_name(name) or path in job.skip_paths or job.spec.skips_file(path, name)


def _binary_name(name: str) -> bool:
    return "." in name and name.rpartition(".")[2].lower() in _BINARY_SUFFIXES


def _scan_directory(job: _Job[R], workers: int | None) -> Scan[R]:
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if count > 1 and "fork" in multiprocessing.get_all_start_methods():
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
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    for rel in _walk(job, index, step):
        data = _read(f"{job.root}/{rel}", flags)
        if data is None or b"\0" in data[:8192]:
            continue
        files += 1
        if job.prefilter.search(data):
            results.extend(job.handle(rel, data.decode("utf-8", "replace")))
    return Scan(tuple(results), files)


def _read(path: str, flags: int) -> bytes | None:
    try:
        fd = os.open(path, flags)
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
