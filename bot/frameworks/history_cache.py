"""What replaying a migration history produces, kept on disk per base commit.

A review replays every earlier migration of the base commit to know the schema before the change (and,
for Django, each app's models before its next migration). The same base commit gives the same result
until the code of this package changes: the result is stored under the commit, the dialect, the
configuration and the files the change edits, and a later review of another pull request on the same
base reads it back instead of replaying hundreds of migrations.

What one SQL migration file reads as is kept too, under its text (`remembered`): a review on a base commit
not seen before still finds most of the history's files read by an earlier review of the repository.

The folder is `$MIGRATION_REVIEW_CACHE_DIR`, else `$XDG_CACHE_HOME/migration-review`, else
`~/.cache/migration-review`; `MIGRATION_REVIEW_CACHE_DIR=off` turns the cache off. Entries unused for a
week are removed, looked for at most once a day (a folder of a repository's file readings holds tens of
thousands of entries: listing them at every review took longer than most of the review's other reads).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_KEEP_SECONDS = 7 * 24 * 3600
_PRUNE_SECONDS = 24 * 3600  # how often a folder's entries are looked over for old ones
_PRUNED = "last-pruned"  # the file whose time says when its folder was looked over
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_CODE: str | None = None


def _code_version() -> str:
    """Changes whenever a file of this package changes, so that a new release never reads old entries."""
    global _CODE
    if _CODE is None:
        root = Path(__file__).resolve().parent.parent
        digest = hashlib.blake2b(digest_size=12)
        for path in sorted(root.rglob("*.py")):
            with contextlib.suppress(OSError):
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        _CODE = digest.hexdigest()
    return _CODE


def folder() -> Path | None:
    configured = os.environ.get("MIGRATION_REVIEW_CACHE_DIR", "")
    if configured.lower() in ("off", "0", "false", "no"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migration-review"


def digest(text: str) -> str:
    """A short fingerprint of a file's text, for keys."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def key(commit: str | None, *parts: object) -> str | None:
    """The entry's name for a history at `commit` (a full commit id) and whatever else decides it."""
    if not commit or not _SHA.fullmatch(commit):
        return None
    digest = hashlib.blake2b(repr((commit, _code_version(), parts)).encode(), digest_size=16)
    return digest.hexdigest()


def load(name: str | None) -> Any:
    where = folder()
    if name is None or where is None:
        return None
    path = where / f"{name}.pickle"
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)  # our own file, written by `save`
        os.utime(path)
        return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def save(name: str | None, value: object) -> None:
    where = folder()
    if name is None or where is None:
        return
    if _write(where, name, value):
        _prune(where)
        _prune(where / _FILES)


_FILES = "files"  # what single files read as, by their text (`remembered`)
# a one-statement text parses about as fast as its entry is read; a 300-character file four times slower
_MIN_TEXT = 64


def remembered(compute: Callable[[], T], text: str, *parts: object) -> T:
    """`compute()`, which depends only on `text`, `parts` and this package's code, kept on disk under them."""
    where = folder()
    if where is None or len(text) < _MIN_TEXT:
        return compute()
    name = hashlib.blake2b(repr((_code_version(), parts, text)).encode(), digest_size=16).hexdigest()
    found = load(f"{_FILES}/{name}")
    if found is None:
        found = compute()
        _write(where / _FILES, name, found)
    return found  # type: ignore[no-any-return]


def _write(where: Path, name: str, value: object) -> bool:
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, RecursionError):
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, suffix=".part", delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, where / f"{name}.pickle")
        return True
    return False


def _prune(where: Path) -> None:
    now = time.time()
    marker = where / _PRUNED
    with contextlib.suppress(OSError):
        if now - marker.stat().st_mtime < _PRUNE_SECONDS:
            return
    with contextlib.suppress(OSError):
        marker.touch()
    for path in where.glob("*.p*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > _KEEP_SECONDS:
                path.unlink()
