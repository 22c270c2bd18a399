"""Benchmark: code-reference search over a large generated tree, next to ripgrep on the same tree.

    python bench/references.py [--files 50000 10000] [--repeat 5]

Builds (or reuses) Rails-monolith-like trees under bench/corpus-refs/, searches 20 targets (16 columns,
4 tables: all their spellings and model names, in one pass) and runs `rg -w -F` with the same words.
Prints the best and median wall time of each, the ratio, and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_refs import PLANTED, build

from bot.model.changeset import DirectoryTree
from bot.references import tree_scan
from bot.references.code_match import Matcher
from bot.references.model_map import table_models
from bot.references.search import Target, _needles, search
from bot.references.word_finder import BACKENDS, WordFinder

# A pull request's worth: 16 dropped or renamed columns and 4 dropped tables.
TARGETS = (
    *(Target("column", "daily_orders", name) for name in PLANTED[:12]),
    *(
        Target("column", "daily_orders", old, new)
        for old, new in zip(PLANTED[12:14], ("gift_note", "points"), strict=True)
    ),
    *(Target("column", "weekly_invoices", name) for name in PLANTED[14:]),
    *(
        Target("table", name, name)
        for name in ("legacy_refunds", "bulk_coupons", "nightly_ledgers", "promo_carts")
    ),
)
# A stress case: 20 column names that most files of the tree use.
COMMON = tuple(
    Target("column", "retail_payments", name)
    for name in ("name", "status", "email", "amount_cents", "currency", "state_id", "notes", "external_ref",
                 "archived_at", "position", "priority", "kind", "code", "title", "quantity", "price_cents",
                 "paid_at", "token", "locale", "score")
)  # fmt: skip


def _words(targets: tuple[Target, ...]) -> list[str]:
    tables = {t.table for t in targets}
    models = {t: table_models(t) for t in tables}
    return sorted(Matcher(targets, _needles(targets, models), models).needles)


def _rg(root: Path, words: list[str]) -> tuple[float, int, int]:
    """Wall seconds, matching lines, and peak RSS in KiB of one ripgrep run (measured by GNU time)."""
    args = ["rg", "-w", "-F", "--no-messages", "-c", *(a for w in words for a in ("-e", w)), "."]
    timed = ["/usr/bin/time", "-f", "%M", *args] if Path("/usr/bin/time").exists() else args
    start = time.perf_counter()
    proc = subprocess.run(timed, cwd=root, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    lines = sum(int(row.rpartition(b":")[2]) for row in proc.stdout.splitlines() if row)
    rss = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else b"0"
    return elapsed, lines, int(rss) if rss.isdigit() else 0


def _ours(root: Path, targets: tuple[Target, ...]) -> tuple[float, int]:
    start = time.perf_counter()
    index = search(DirectoryTree(root), targets)
    elapsed = time.perf_counter() - start
    return elapsed, sum(len(index.uses(t)) + len(index.new_uses(t)) for t in targets)


def _traced_peak(root: Path, targets: tuple[Target, ...]) -> int:
    tracemalloc.start()
    search(DirectoryTree(root), targets, workers=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def run(files: int, repeat: int, targets: tuple[Target, ...], label: str) -> None:
    root = build(Path(__file__).resolve().parent / "corpus-refs" / str(files), files)
    words = _words(targets)
    ours: list[float] = []
    theirs: list[float] = []
    uses = lines = rg_rss = 0
    for _ in range(repeat):
        t, lines, rg_rss = _rg(root, words)
        theirs.append(t)
        t, uses = _ours(root, targets)
        ours.append(t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = _traced_peak(root, targets)
    print(f"{label}: {files} files, {len(targets)} targets, {len(words)} words")
    print(f"  ours: best {min(ours):.3f} s  median {statistics.median(ours):.3f} s  ({uses} uses)")
    print(f"  rg:   best {min(theirs):.3f} s  median {statistics.median(theirs):.3f} s  ({lines} lines)")
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  ratio ours/rg: median {ratio:.2f}, best {min(ours) / min(theirs):.2f}")
    print(
        f"  peak memory: ours {rss / 1024:.0f} MiB RSS ({peak / 2**20:.1f} MiB traced), rg {rg_rss / 1024:.0f} MiB RSS"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="+", default=[50_000, 10_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stress", action="store_true", help="also search 20 names most files use")
    parser.add_argument(
        "--engine", choices=BACKENDS, help="force a word-search engine (default: fastest installed)"
    )
    options = parser.parse_args()
    if options.engine:
        engine = options.engine
        tree_scan.WordFinder = lambda words: WordFinder(words, engine)  # type: ignore[assignment,misc]
    print(f"engine: {options.engine or WordFinder(['x']).backend}")
    if shutil.which("rg") is None:
        sys.exit("ripgrep is missing: apt-get install -y ripgrep")
    print(f"cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
    for files in options.files:
        run(files, options.repeat, TARGETS, "pull request")
    if options.stress:
        for files in options.files:
            run(files, options.repeat, COMMON, "stress (common column names)")


if __name__ == "__main__":
    main()
