"""Repository snapshots: a commit's tarball unpacked on disk, with limits, cached by commit.

The tarball comes from a pull request and is hostile until proven otherwise. Only regular files and
directories are written; links of any kind, devices and FIFOs are skipped. Absolute paths and paths
that climb out with `..` are refused, and the unpacked size and file count are capped. Nothing in a
snapshot is ever executed.
"""

from __future__ import annotations

import contextlib
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

KEEP = 16  # snapshots kept in the cache, newest first


class SnapshotError(Exception):
    """The tarball broke a limit or held a path we refuse."""


def cached(cache_dir: Path, sha: str) -> Path | None:
    target = cache_dir / sha
    return target if target.is_dir() else None


def unpack(archive: Path, cache_dir: Path, sha: str, *, max_bytes: int, max_files: int) -> Path:
    """Unpack `archive` (a GitHub tarball, one top-level folder) to `cache_dir/sha` and return it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{sha}-", dir=cache_dir))
    try:
        _extract(archive, work, max_bytes=max_bytes, max_files=max_files)
        target = cache_dir / sha
        try:
            work.rename(target)
        except OSError:  # another job unpacked the same commit first
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(cache_dir)
    return target


def _extract(archive: Path, root: Path, *, max_bytes: int, max_files: int) -> None:
    files = 0
    total = 0
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                relative = _inside(member.name)
                if relative is None:
                    continue
                if member.isdir():
                    (root / relative).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isreg():
                    continue  # symlinks, hard links, devices: never written
                files += 1
                total += member.size
                if files > max_files:
                    raise SnapshotError(f"more than {max_files} files")
                if total > max_bytes:
                    raise SnapshotError(f"more than {max_bytes} bytes unpacked")
                _write(tar, member, root / relative)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise SnapshotError(f"unreadable tarball: {error}") from None


def _inside(name: str) -> PurePosixPath | None:
    """The member's path below the archive's top-level folder; refuses paths that leave the root."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise SnapshotError(f"refused path {name!r}")
    parts = path.parts[1:]  # GitHub wraps everything in owner-repo-sha/
    return PurePosixPath(*parts) if parts else None


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with source, target.open("wb") as out:
        shutil.copyfileobj(source, out)


def _prune(cache_dir: Path) -> None:
    snapshots = sorted(
        (p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in snapshots[KEEP:]:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
