"""ChangeSets from a local git repository: the commits, the changed files and read-only trees of both sides."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.model.changeset import ChangedFile, ChangeSet, DirectoryTree
from bot.model.config import DEFAULT_PATH

_STATUS = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "added", "T": "modified"}


class GitError(Exception):
    pass


def _git(repo: Path, *args: str, check: bool = True) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and done.returncode != 0:
        raise GitError(_rephrase(repo, args, done.stderr))
    return done.stdout


def _rephrase(repo: Path, args: Sequence[str], stderr: str) -> str:
    """git's own error, in the words of the command line: which commit, which repository."""
    text = stderr.strip()
    if "not a git repository" in text.lower():
        return f"not a git repository: {repo}"
    first = next((line for line in text.splitlines() if line.strip()), "failed")
    return f"git {args[0]} failed: {first.removeprefix('fatal: ').removeprefix('error: ')}"


def _commit(repo: Path, ref: str) -> str:
    sha = _git(repo, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False).strip()
    if not sha:
        raise GitError(f"no commit `{ref}` in this repository ({repo})")
    return sha


@dataclass(eq=False)  # compared and hashed as the object: the caches kept per tree (weak keys) find it
class GitTree:
    """One commit's files, read with `git cat-file`; `prefetch` reads many in one process."""

    repo: Path
    rev: str
    _cache: dict[str, str | None] = field(default_factory=dict, repr=False)
    _paths: list[str] | None = field(default=None, repr=False)
    _known: frozenset[str] | None = field(default=None, repr=False)  # the same paths, to look one up

    def paths(self) -> Iterator[str]:
        if self._paths is None:  # listed once: a review walks the tree several times
            self._paths = _git(self.repo, "ls-tree", "-r", "--name-only", "-z", self.rev).split("\0")[:-1]
        yield from self._paths

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            if self._paths is not None and path not in self._listed():
                return None  # not a file of the commit: no git process to say so
            self.prefetch([path])
        return self._cache[path]

    def _listed(self) -> frozenset[str]:
        if self._known is None:
            self._known = frozenset(self.paths())
        return self._known

    def prefetch(self, paths: Sequence[str]) -> None:
        wanted = [p for p in paths if p not in self._cache]
        if not wanted:
            return
        request = "".join(f"{self.rev}:{p}\n" for p in wanted).encode()
        done = subprocess.run(
            ["git", "-C", str(self.repo), "cat-file", "--batch"],
            input=request,
            capture_output=True,
            check=False,
        )
        data, offset = done.stdout, 0
        for path in wanted:
            end = data.find(b"\n", offset)
            header = data[offset:end].decode(errors="replace").split()
            offset = end + 1
            if len(header) < 3 or header[1] != "blob":
                self._cache[path] = None
                continue
            size = int(header[2])
            self._cache[path] = data[offset : offset + size].decode("utf-8", errors="replace")
            offset += size + 1


def default_base(repo: Path, head: str) -> str:
    for ref in ("refs/remotes/origin/HEAD", "refs/remotes/upstream/HEAD"):
        target = _git(repo, "symbolic-ref", "-q", ref, check=False).strip()
        if target:
            break
    else:
        target = next(
            (
                b
                for b in ("main", "master", "trunk", "develop")
                if _git(repo, "rev-parse", "-q", "--verify", f"refs/heads/{b}", check=False).strip()
            ),
            "",
        )
    head_sha = _git(repo, "rev-parse", head).strip()
    base = _git(repo, "merge-base", head, target, check=False).strip() if target else ""
    if not base or base == head_sha:
        # On the default branch itself: review the last commit.
        parent = _git(repo, "rev-parse", "-q", "--verify", f"{head}~1", check=False).strip()
        return parent or _git(repo, "hash-object", "-t", "tree", "/dev/null").strip()
    return base


def changeset_from_git(
    repo: Path, base: str | None, head: str = "HEAD", *, description: str = ""
) -> ChangeSet:
    repo = repo.resolve()
    if not repo.is_dir():
        raise GitError(f"no such directory: {repo}")
    inside = _git(repo, "rev-parse", "--is-inside-work-tree", check=False).strip()
    if not inside:
        raise GitError(f"not a git repository: {repo}")
    head_sha = _commit(repo, head)
    base_sha = _commit(repo, base) if base else default_base(repo, head_sha)
    base_tree, head_tree = GitTree(repo, base_sha), GitTree(repo, head_sha)
    files = []
    diff = _git(repo, "diff", "--name-status", "-z", "-M", base_sha, head_sha).split("\0")
    named = [entry for entry in diff if entry and not re.fullmatch(r"[A-Z]\d*", entry)]
    base_tree.prefetch([*named, DEFAULT_PATH])
    head_tree.prefetch(named)
    index = 0
    while index < len(diff) - 1:
        code = diff[index][:1]
        if code in ("R", "C"):
            old, new = diff[index + 1], diff[index + 2]
            index += 3
        else:
            old = new = diff[index + 1]
            index += 2
        status = _STATUS.get(code, "modified")
        files.append(
            ChangedFile(
                path=new,
                status=status,
                base_text=base_tree.read(old) if status != "added" else None,
                head_text=head_tree.read(new) if status != "removed" else None,
                previous_path=old if old != new else None,
            )
        )
    current = _git(repo, "rev-parse", "HEAD", check=False).strip()
    # a bare repository (a mirror) has no files to read, even when its HEAD is the head commit
    clean = (
        inside == "true"
        and not _git(repo, "status", "--porcelain", "--untracked-files=no", check=False).strip()
    )
    tree = (
        DirectoryTree(Path(_git(repo, "rev-parse", "--show-toplevel").strip()))
        if current == head_sha and clean
        else head_tree
    )
    return ChangeSet(
        base=base_sha,
        head=head_sha,
        files=tuple(files),
        head_tree=tree,
        base_tree=base_tree,
        description=description,
        config_text=base_tree.read(DEFAULT_PATH),
    )
