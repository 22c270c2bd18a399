"""Benchmark: reviews of real pull requests, cold from the command line, next to ripgrep on the same tree.

    python bench/pull_requests.py CHECKOUT:BASE..HEAD [CHECKOUT:COMMIT ...] [--repeat 3]
    python bench/pull_requests.py --last 15 CHECKOUT [CHECKOUT ...]

CHECKOUT is a local clone or a bare mirror; `CHECKOUT:COMMIT` is the pull request merged as COMMIT
(`COMMIT^..COMMIT`).

For each pull request (a local git repository and two commits) it runs `migration-review review --format json`
as a user does (a new process each time) and prints the files in the head tree, the migrations reviewed, the
findings, and wall and CPU time of three kinds of run: cold (nothing kept on disk: the whole history is read
and replayed), new base (the history's SQL files kept by an earlier review of the repository, but no replay
of this base commit: the usual case of a pull request opened after the main branch moved), and warm (the
replay of this base commit kept: a new push to the same pull request; median of `--repeat` runs).
Python's bytecode is written and read as an installed package has it (`PYTHONDONTWRITEBYTECODE` is not
passed on), so the figures do not include compiling the package's source at every start. The baseline, in the same run: `rg -w -F -c` over the head
tree (checked out once into a temporary folder) for every word the code-reference search looks for in that
pull request (the names the change removes or renames and their spellings). Target: under 5 s a review
of a repository of 10,000-50,000 files with a history of about 400 migrations; each pull request's line
says whether its review met it, and whether its repository is of that size. The load average is printed
before and after: on a shared machine wall time says little, CPU time (user + system) is the figure.

`--last N` reviews instead, once each and cold, the last N pull requests of each CHECKOUT that change a
migration file (the first-parent commits of its HEAD: a merge commit, or a pull request squashed into one),
and prints wall and CPU time of each and the slowest: a sweep for the reviews over the target.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.local.git import GitTree, changeset_from_git
from bot.references.targets import targets_of
from bot.references.usage import spellings
from bot.review import prepare

CLI = [sys.executable, "-m", "bot"]
TARGET = 5.0  # seconds
FILES = (10_000, 50_000)  # the repository size the target is set for
# Migration files of the frameworks a history is read for: Django's numbered modules, a migration folder's
# SQL (Prisma's `migrations/<name>/migration.sql`, formbricks' `migration/<name>/`, Diesel's `up.sql`), Rails'
# and Alembic's files.
_MIGRATION = re.compile(
    r"(?:^|/)(?:\w+_)?migrations/\d{4}_[\w-]+\.py$|(?:^|/)migrations?/[^/]+/(?:migration|up)\.sql$"
    r"|(?:^|/)db/migrate/\d+_\w+\.rb$|(?:^|/)versions/[\w-]+\.py$"
    r"|(?:^|/)database/migrations/\d{4}_\d{2}_\d{2}_\d{6}_\w+\.php$"  # Laravel
    r"|(?:^|/)migrations/\d{8,14}[-_][\w.-]+\.[cm]?[jt]s$"  # Knex, db-migrate, TypeORM and Sequelize by date
)


def _review(repo: str, base: str, head: str, cache: str) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (user + system of the child) and the JSON review; `cache`: the folder
    of kept history replays (empty before the first run of each pull request)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [*CLI, "review", "--repo", repo, "--base", base, "--head", head, "--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "MIGRATION_REVIEW_CACHE_DIR": cache,
        },
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{repo} {base}..{head}: review failed: {done.stderr.strip()[-400:]}")
    return wall, cpu, json.loads(done.stdout)


def _words(repo: str, base: str, head: str) -> list[str]:
    """The words the code-reference search looks for in this pull request."""
    changeset = changeset_from_git(Path(repo), base, head)
    targets = targets_of(list(prepare(changeset).migrations))
    names = {w for t in targets for n in (t.name, t.new_name or "", t.table) if n for w in spellings(n)}
    return sorted(names)


def _rg(repo: str, head: str, words: list[str]) -> float | None:
    """Wall seconds of one `rg -w -F -c` over the head tree; None where the tree cannot be checked out."""
    if shutil.which("rg") is None or not words:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-pr-") as folder:
        archive = subprocess.run(["git", "-C", repo, "archive", head], capture_output=True, check=False)
        if archive.returncode == 0:
            subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        elif not _write_tree(repo, head, Path(folder)):
            return None
        start = time.perf_counter()
        args = ["rg", "-w", "-F", "--no-messages", "-c", *(a for w in words for a in ("-e", w)), "."]
        subprocess.run(args, cwd=folder, capture_output=True, check=False)
        return time.perf_counter() - start


def _write_tree(repo: str, head: str, folder: Path) -> bool:
    """The blobs of `head` that the repository has (a partial clone lacks some), written under `folder`."""
    tree = GitTree(Path(repo), head)
    paths = list(tree.paths())
    tree.prefetch(paths)
    for path in paths:
        text = tree.read(path)
        if text is not None:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
    return bool(paths)


def _count(repo: str, commit: str) -> tuple[int, int]:
    """(files, migration files) of the commit's tree."""
    paths = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return len(paths), sum(1 for p in paths if _MIGRATION.search(p))


def _recent(repo: str, count: int) -> list[str]:
    """The last `count` first-parent commits of the checkout's HEAD that change a migration file (its
    history's files, or a Prisma schema)."""
    log = subprocess.run(
        [
            "git",
            "-C",
            repo,
            "log",
            "--first-parent",
            "-m",
            "--format=%x00%h",
            "--name-only",
            "-n",
            "500",
            "HEAD",
        ],
        capture_output=True,
        text=True,
        check=False,  # a mirror may lack old objects: what was listed before them is enough
    ).stdout
    found = []
    for entry in log.split("\0")[1:]:
        commit, *paths = entry.split()
        if any(_MIGRATION.search(p) or p.endswith(".prisma") for p in paths) and commit not in found:
            found.append(commit)
            if len(found) == count:
                break
    return found


def _sweep(repos: list[str], count: int) -> None:
    """Each checkout's last `count` pull requests changing a migration, reviewed once each, cold."""
    print(f"{_load()} before the runs")
    slowest: list[tuple[float, float, str]] = []
    for repo in repos:
        name = repo.removesuffix("/repo").removesuffix("/.git").rstrip("/").rpartition("/")[2]
        for commit in _recent(repo, count):
            with tempfile.TemporaryDirectory(prefix="bench-cache-") as cold:
                wall, cpu, result = _review(repo, f"{commit}^", commit, cold)
            migrations, findings = len(result["migrations"]), len(result["findings"])  # type: ignore[arg-type]
            print(
                f"{name} {commit}: {migrations} migrations, {findings} findings; cold {wall:.2f} s wall,"
                f" {cpu:.2f} s CPU; {_met(cpu)} in CPU, {_met(wall)} in wall time"
            )
            slowest.append((cpu, wall, f"{name} {commit}"))
    print(f"{_load()} after the runs")
    for cpu, wall, label in sorted(slowest, reverse=True)[:5]:
        print(f"slowest: {label} {cpu:.2f} s CPU, {wall:.2f} s wall")


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def _met(seconds: float) -> str:
    return "met" if seconds < TARGET else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pulls", nargs="+", metavar="CHECKOUT:BASE..HEAD")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--last", type=int, metavar="N", help="review the last N pull requests of each CHECKOUT"
    )
    args = parser.parse_args()
    if args.last:
        _sweep(args.pulls, args.last)
        return
    print(f"{_load()} before the runs")
    rows = []
    for pull in args.pulls:
        repo, _, commits = pull.rpartition(":")
        base, _, head = commits.partition("..")
        if not head:  # `CHECKOUT:COMMIT`: the commit a pull request was merged as, against its parent
            base, head = f"{commits}^", commits
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as cold:
            first = _review(repo, base, head, cold)
            with tempfile.TemporaryDirectory(prefix="bench-cache-") as kept:
                if (Path(cold) / "files").is_dir():  # the history's files, without this base's replay
                    shutil.copytree(Path(cold) / "files", Path(kept) / "files")
                fresh = _review(repo, base, head, kept)
                runs = [_review(repo, base, head, kept) for _ in range(args.repeat)]
        walls, cpus, result = [r[0] for r in runs], [r[1] for r in runs], runs[-1][2]
        if result != first[2] or result != fresh[2]:
            print(f"  warning: the findings differ between the cold, new-base and warm runs of {pull}")
        files, _ = _count(repo, head)
        _, history = _count(repo, base)
        words = _words(repo, base, head)
        rg = _rg(repo, head, words)
        migrations, findings = len(result["migrations"]), len(result["findings"])  # type: ignore[arg-type]
        name = repo.removesuffix("/repo").removesuffix("/.git").rstrip("/").rpartition("/")[2]
        print(
            f"{name} {base}..{head}: {files} files in the head, {history} migration files in the base,"
            f" {migrations} migrations reviewed, {findings} findings"
        )
        print(
            f"  ours: cold {first[0]:.2f} s wall, {first[1]:.2f} s CPU; new base {fresh[0]:.2f} s wall,"
            f" {fresh[1]:.2f} s CPU; warm median {statistics.median(walls):.2f} s wall,"
            f" {statistics.median(cpus):.2f} s CPU"
        )
        if rg is None:
            print(
                f"  rg:   not run ({'no words searched' if not words else 'rg missing or tree unreadable'})"
            )
        else:
            print(f"  rg:   {rg:.3f} s for {len(words)} words; ratio ours (cold)/rg {first[0] / rg:.1f}")
        worst_cpu, worst_wall = max(first[1], fresh[1], *cpus), max(first[0], fresh[0], *walls)
        sized = FILES[0] <= files <= FILES[1]
        print(
            f"  target under {TARGET:.0f} s, every run: {_met(worst_cpu)} in CPU ({worst_cpu:.2f} s),"
            f" {_met(worst_wall)} in wall time ({worst_wall:.2f} s); repository"
            f" {'of' if sized else 'not of'} the target's size ({FILES[0]:,}-{FILES[1]:,} files)"
        )
        rows.append((f"{name} {head[:10]}", files, history, worst_cpu, worst_wall, rg))
    print(f"{_load()} after the runs")
    print(f"\n{'pull request':38} {'files':>7} {'history':>7} {'worst CPU':>9} {'worst wall':>10} {'rg':>7}")
    for label, files, history, cpu, wall, rg in rows:
        searched = f"{rg:.2f}s" if rg is not None else "-"
        print(f"{label:38} {files:>7} {history:>7} {cpu:>8.2f}s {wall:>9.2f}s {searched:>7}")


if __name__ == "__main__":
    main()
