"""Repository snapshots: a commit's tarball read once into a cache, with limits, keyed by commit.

The tarball comes from a pull request and is hostile until proven otherwise. Nothing from it is ever
written under its own name: the regular files' bytes are appended to one blob file and indexed by
path, so no path can escape the cache and no link can point anywhere (links of any kind, devices and
FIFOs are skipped). Absolute paths and paths that climb with `..` are refused, and the total size and
file count are capped. Nothing in a snapshot is ever executed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

KEEP = 32  # snapshots kept in the cache, newest first
_CHUNK = 1024 * 1024


class SnapshotError(Exception):
    """The tarball broke a limit or held a path we refuse."""


class SnapshotTree:
    """A read-only tree (bot.model.changeset.Tree) over one cached snapshot."""

    def __init__(self, blob: Path, index: dict[str, tuple[int, int]]) -> None:
        self._blob = blob
        self._index = index
        self._fd: int | None = None
        self._lock = threading.Lock()

    def paths(self) -> Iterator[str]:
        return iter(sorted(self._index))

    def read(self, path: str) -> str | None:
        data = self.data(path)
        return None if data is None else data.decode("utf-8", errors="replace")

    def size(self, path: str) -> int | None:
        entry = self._index.get(path)
        return None if entry is None else entry[1]

    def data(self, path: str) -> bytes | None:
        """The file's bytes as stored, or None when the commit has no such file."""
        entry = self._index.get(path)
        if entry is None:
            return None
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self._blob, os.O_RDONLY)
        return os.pread(self._fd, entry[1], entry[0])

    def __getstate__(self) -> dict[str, object]:
        """A tree crosses into the review's worker process as its blob and index, never an open file."""
        return {"blob": self._blob, "index": self._index}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["blob"], state["index"])  # type: ignore[misc]

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def cached(cache_dir: Path, sha: str) -> SnapshotTree | None:
    blob, index = cache_dir / f"{sha}.blob", cache_dir / f"{sha}.json"
    if not (blob.is_file() and index.is_file()):
        return None
    with contextlib.suppress(OSError):
        os.utime(blob)  # keep recently used snapshots
    entries = json.loads(index.read_text(encoding="utf-8"))
    return SnapshotTree(blob, {path: (offset, size) for path, (offset, size) in entries.items()})


def unpack(archive: Path, cache_dir: Path, sha: str, *, max_bytes: int, max_files: int) -> SnapshotTree:
    """Read `archive` (a GitHub tarball with one top-level folder) into the cache as commit `sha`."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{sha}-", dir=cache_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            index = _extract(archive, out, max_bytes=max_bytes, max_files=max_files)
        blob = cache_dir / f"{sha}.blob"
        os.replace(scratch, blob)
        _write_index(cache_dir / f"{sha}.json", index)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise
    _prune(cache_dir)
    return SnapshotTree(blob, index)


def _extract(archive: Path, out: BinaryIO, *, max_bytes: int, max_files: int) -> dict[str, tuple[int, int]]:
    index: dict[str, tuple[int, int]] = {}
    total = 0
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                relative = _inside(member.name)
                if relative is None or not member.isreg():
                    continue  # folders, links, devices: nothing to keep
                total += member.size
                if len(index) >= max_files:
                    raise SnapshotError(f"more than {max_files} files")
                if total > max_bytes:
                    raise SnapshotError(f"more than {max_bytes} bytes unpacked")
                index[str(relative)] = (_copy(tar, member, out), member.size)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise SnapshotError(f"unreadable tarball: {error}") from None
    return index


def _inside(name: str) -> PurePosixPath | None:
    """The member's path below the archive's top-level folder; refuses paths that leave the root."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise SnapshotError(f"refused path {name!r}")
    parts = path.parts[1:]  # GitHub wraps everything in owner-repo-sha/
    return PurePosixPath(*parts) if parts else None


def _copy(tar: tarfile.TarFile, member: tarfile.TarInfo, out: BinaryIO) -> int:
    """Append the member's bytes to the blob; returns where they start."""
    offset = out.tell()
    source = tar.extractfile(member)
    if source is None:
        return offset
    with source:
        while chunk := source.read(_CHUNK):
            out.write(chunk)
    return offset


def _write_index(path: Path, index: dict[str, tuple[int, int]]) -> None:
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(index), encoding="utf-8")
    os.replace(scratch, path)


def _prune(cache_dir: Path) -> None:
    blobs = sorted(cache_dir.glob("*.blob"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in blobs[KEEP:]:
        for stale in (old, old.with_suffix(".json")):
            with contextlib.suppress(OSError):
                stale.unlink()
