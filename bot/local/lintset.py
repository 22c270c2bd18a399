"""The ChangeSet of `migration-review lint`: files and directories given directly, as an editor or a
pre-commit hook passes them, without git.

- Paths are made relative to the repository the files live in: the nearest folder above them with the
  repository configuration (`.github/migration-review.yml`), else a git work tree, else the current
  directory (when the files are under it), else the folder they share. Frameworks recognise their
  layouts (`db/migrate/`, `*/migrations/`) from those paths, and the configuration's globs match them.
- A directory stands for the migrations under it, recursively: each file detected by its framework;
  files that are no migration are skipped in silence. A file named directly is always linted.
- Down files (`*.down.sql`, Flyway `U…`, Diesel `down.sql`, Sqitch revert) are the way back of their up
  migration, read beside it, never linted as forward migrations.
- Files named one by one in a git repository (an editor, a pre-commit hook: the new migrations, not a whole
  history) are checked against the rest of the repository as a review checks a pull request's head: the
  code-reference search walks the whole work tree, so code, raw SQL and the SQL files outside the
  migrations (functions, views, triggers) that still use a dropped or renamed name are found. A directory
  given stands for a history, whose drops of long ago the code need not honour: only its files are read.
- The tree lists the given files and reads any other file of the repository on demand, so the down file
  beside an up migration, Diesel's `metadata.toml` or Flyway's `.conf` are found. Its `whole` view also
  lists the repository's other files, for the settings that name the database: `docker-compose.yml`, a CI
  service, Laravel's `app/Config/database.php` anywhere in the repository.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot import frameworks
from bot.model.changeset import ChangedFile, ChangeSet, DirectoryTree, MemoryTree, Tree
from bot.model.config import DEFAULT_PATH, Config

_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "vendor", "target"})
_MAX_LISTED = 200_000
_VERSIONED = re.compile(r"^(?:[VR]?\d|R__)")


class LintInputError(Exception):
    """A path that does not exist or cannot be read: a usage error."""


@dataclass(frozen=True)
class LintInput:
    root: Path  # the repository the files belong to (or the folder they share)
    relative: bool  # name files relative to `root` (a repository, or the current directory), else absolute
    config_file: Path | None  # the repository configuration found above them, if any
    named: tuple[Path, ...]  # files given directly
    found: tuple[Path, ...]  # files under the directories given
    directories: bool = False  # a directory was given (a history), not only files


@dataclass(frozen=True)
class RepositoryFiles:
    """The given files by repository-relative path; any other file under `root` is read from disk."""

    root: Path
    listed: dict[str, str] = field(default_factory=dict)
    repository: bool = False  # `root` is a repository: `whole` lists its other files too
    # the tree the code-reference search walks, when not only the given files: the git work tree
    searched: Tree | None = None
    # files read from disk (or found missing), once each: the rules ask for the same neighbours many times
    _read: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def paths(self) -> Iterator[str]:
        return iter(sorted(self.listed))

    @functools.cached_property
    def whole(self) -> MemoryListing:
        """The repository as a review's tree sees it: every file listed, for the settings that name its
        database; only the given files when `root` is no repository (a folder they merely share)."""
        found = _repository_files(self.root) if self.repository else ()
        return MemoryListing(tuple(sorted({*self.listed, *found})), self.read)

    def read(self, path: str) -> str | None:
        if path in self.listed:
            return self.listed[path]
        if path not in self._read:
            self._read[path] = self._from_disk(path)
        return self._read[path]

    def _from_disk(self, path: str) -> str | None:
        # Most neighbours asked for do not exist: is_file first, the costlier resolve only for files.
        if not (self.root / path).is_file():
            return None
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            return None
        try:
            return target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


@dataclass(frozen=True)
class MemoryListing:
    """A listing of paths read through another tree's reader."""

    listed: tuple[str, ...]
    reader: Callable[[str], str | None]

    def paths(self) -> Iterator[str]:
        return iter(self.listed)

    def read(self, path: str) -> str | None:
        return self.reader(path)


def _repository_files(root: Path) -> Iterator[str]:
    """The repository's files by relative path, without dependencies, build output or git's own folder;
    at most `_MAX_LISTED` of them."""
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        folder = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            count += 1
            if count > _MAX_LISTED:
                return
            yield name if folder == "." else f"{folder}/{name}"


def gather(arguments: Sequence[Path]) -> LintInput:
    """The files to lint, the repository root and its configuration file."""
    missing = [str(p) for p in arguments if not p.exists()]
    if missing:
        raise LintInputError(f"no such file or directory: {missing[0]}")
    resolved = [p.resolve() for p in arguments]
    common = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in resolved]))
    root, config_file, relative = _root(common)
    named = tuple(p for p in resolved if not p.is_dir())
    found = tuple(f for p in resolved if p.is_dir() for f in _walk(p) if f not in named)
    return LintInput(root, relative, config_file, named, found, any(p.is_dir() for p in resolved))


def _root(start: Path) -> tuple[Path, Path | None, bool]:
    for folder in (start, *start.parents):
        if (folder / DEFAULT_PATH).is_file():
            return folder, folder / DEFAULT_PATH, True
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder, None, True
    cwd = Path.cwd().resolve()
    # Outside any repository and the current directory, absolute paths keep the folders that name a layout.
    return (cwd, None, True) if start.is_relative_to(cwd) else (start, None, False)


def _walk(directory: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(frameworks.suffixes()):
                yield Path(dirpath) / name


def changeset(given: LintInput, config: Config) -> ChangeSet:
    """The lint ChangeSet: every given file, and every migration under the given directories."""
    listed: dict[str, str] = {}
    for file in given.named:
        path, text = _name(given, file), _read(file)
        if not frameworks.is_down_file(path, text):
            listed[path] = text
    for file in given.found:
        path, text = _name(given, file), _read(file)
        if _is_migration(path, text, config):
            listed[path] = text
    changed = tuple(
        ChangedFile(path=path, status="added", base_text=None, head_text=text)
        for path, text in listed.items()
    )
    # Named absolutely, a file's neighbours (a Sqitch `revert/` beside `deploy/`) may lie above `root`.
    readable = given.root if given.relative else Path(given.root.anchor)
    repository = given.relative and ((given.root / ".git").exists() or given.config_file is not None)
    searched = (
        DirectoryTree(given.root)
        if given.relative and not given.directories and (given.root / ".git").exists()
        else None
    )
    tree = RepositoryFiles(readable, listed, repository=repository, searched=searched)
    return ChangeSet(base="", head="", files=changed, head_tree=tree, base_tree=MemoryTree())


def _is_migration(path: str, text: str, config: Config) -> bool:
    """A file under a given directory is linted when a framework knows it, or when it is a SQL file named
    like a migration (`001_…`, `20260101_…`, `V3__…`) and no down file; schema dumps, seeds and queries
    are not migrations."""
    if frameworks.detect(path, text, config) is not None:
        return True
    if frameworks.is_down_file(path, text) or any(fnmatch.fnmatch(path, p) for p in config.exclude):
        return False
    if path.endswith(".sql"):
        return _VERSIONED.match(path.rsplit("/", 1)[-1]) is not None
    return frameworks.sniff(path, text) is not frameworks.plain


def _name(given: LintInput, file: Path) -> str:
    return file.relative_to(given.root).as_posix() if given.relative else file.as_posix()


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise LintInputError(f"cannot read {file}: {error.strerror or error}") from None
