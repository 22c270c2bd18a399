"""Time `migration-review lint` against Squawk on the same corpus of PostgreSQL migrations.

    .venv/bin/python bench/lint.py [--files 300] [--runs 5] [--profile]

Generates the corpus first when bench/corpus/ does not hold one with these parameters. Both tools run
as fresh processes, as a user or CI would run them, once to warm the file cache and then `--runs`
times each, alternating. The target: our median wall time within 5x of Squawk's.

Ours runs cold, as Squawk always does: without the cache of what each file read as, which a later run
would otherwise find (MIGRATION_REVIEW_CACHE_DIR=off). A second row runs it with that cache warm (a
folder of its own, filled by the untimed first round), as an editor or a CI with a kept cache would.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import corpus

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_RATIO = 5.0


@dataclass
class Tool:
    name: str
    command: list[str]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process
    findings: int | None = None
    error: str = ""
    environment: dict[str, str] = field(default_factory=dict)  # over the script's own

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    paths = corpus.ensure(args.corpus, args.files, args.seed)
    lines = sum(len(path.read_text().splitlines()) for path in paths)
    # Linted from a folder outside any repository: files inside a git checkout (bench/corpus is in this one)
    # make `lint` search that checkout's code for every table and column the corpus drops or renames,
    # which Squawk never does; the comparison is of reading and checking the migrations.
    outside = Path(tempfile.mkdtemp(prefix="lint-bench-corpus-"))
    atexit.register(shutil.rmtree, outside, True)
    files = []
    for path in paths:
        copy = outside / path.name
        copy.write_bytes(path.read_bytes())
        files.append(str(copy))
    ours, squawk = _ours(files), _squawk(files)
    warm = _ours(files, "migration-review warm")
    load = os.getloadavg()[0]  # before our own runs add to it
    with tempfile.TemporaryDirectory(prefix="lint-bench-cache-") as cache:
        ours.environment["MIGRATION_REVIEW_CACHE_DIR"] = "off"
        warm.environment["MIGRATION_REVIEW_CACHE_DIR"] = cache
        for round_ in range(args.runs + 1):  # the first round warms the caches and is not counted
            for tool in (ours, warm, squawk):
                if not tool.error:
                    _run(tool, counted=round_ > 0)
    print(f"lint benchmark: {len(files)} files, {lines} lines, {args.runs} runs each")
    print(f"corpus: {args.corpus}")
    cpus = os.cpu_count() or 1
    busy = " (busy: other work skews the figures; compare min as well)" if load > cpus / 2 else ""
    print(f"load average before the runs {load:.2f} on {cpus} CPUs{busy}")
    _report(len(files), ours, squawk, warm)
    if args.profile and not ours.error:
        _import_times()
        _profile(files)
    return 1 if ours.error else 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=300, help="migrations in the corpus (default 300)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each tool (default 5)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--corpus", type=Path, default=corpus.DEFAULT_OUT, help="corpus directory")
    parser.add_argument("--profile", action="store_true", help="also profile one lint run in-process")
    return parser.parse_args(argv)


def _ours(files: list[str], name: str = "migration-review") -> Tool:
    script = BIN / "migration-review"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    return Tool(name, [*command, "lint", *files, "--format", "json", "--exit-zero"])


def _squawk(files: list[str]) -> Tool:
    script = BIN / "squawk"
    tool = Tool("squawk", [str(script), "--reporter", "json", *files])
    if not script.exists():
        tool.error = f"{script} is missing: pip install squawk-cli (it is in the dev extra)"
    else:
        version = subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout.split()
        tool.name = " ".join(version) or "squawk"
    return tool


def _run(tool: Tool, counted: bool) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environment = {**_environment(), **tool.environment}
    done = subprocess.run(tool.command, capture_output=True, text=True, env=environment, cwd=ROOT)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if tool.name.startswith("migration-review") and done.returncode != 0:
        tool.error = _explain_failure(done)
        return
    try:
        tool.findings = _count(tool, done.stdout)
    except ValueError:
        tool.error = f"unreadable output (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        return
    if counted:
        tool.times.append(elapsed)
        tool.cpu.append(cpu)


def _environment() -> dict[str, str]:
    """This checkout's `bot` first, even when the venv's editable install points at another one.

    Bytecode caches are allowed, so the untimed first round writes them: an installed wheel ships its
    modules compiled, and without them every run would compile our ~150 modules from source.
    """
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


def _count(tool: Tool, output: str) -> int:
    report = json.loads(output)
    findings = report["findings"] if isinstance(report, dict) else report
    if not isinstance(findings, list):
        raise ValueError("no list of findings")
    return len(findings)


def _explain_failure(done: subprocess.CompletedProcess[str]) -> str:
    stderr = done.stderr.strip()
    if "invalid choice: 'lint'" in stderr:
        return "this checkout has no `migration-review lint` command yet (bot/cli.py); merge main first"
    return f"migration-review lint failed with exit {done.returncode}:\n{stderr[-2000:]}"


def _report(files: int, ours: Tool, squawk: Tool, warm: Tool | None = None) -> None:
    print()
    print(f"{'tool':<22} {'median':>9} {'min':>9} {'cpu':>9} {'files/s':>9} {'findings':>9}")
    for tool in (ours, squawk) if warm is None else (ours, warm, squawk):
        if tool.error or not tool.times:
            print(f"{tool.name:<22} not measured: {tool.error}")
            continue
        cpu = statistics.median(tool.cpu)
        rate = files / tool.median
        print(
            f"{tool.name:<22} {tool.median:>8.3f}s {min(tool.times):>8.3f}s {cpu:>8.3f}s"
            f" {rate:>9.0f} {tool.findings:>9}"
        )
    print()
    if ours.error or squawk.error or not ours.times or not squawk.times:
        print(f"target: migration-review within {TARGET_RATIO:g}x of squawk's wall time: UNKNOWN")
        return
    ratio = ours.median / squawk.median
    print(f"ratio ours/squawk, cold: {_ratios(ours, squawk)}")
    if warm is not None and not warm.error and warm.times:
        print(f"ratio ours/squawk, parse cache warm: {_ratios(warm, squawk)}")
    verdict = "MET" if ratio <= TARGET_RATIO else "NOT MET"
    print(
        f"target: migration-review within {TARGET_RATIO:g}x of squawk's wall time on {files} files"
        f" (cold runs): {verdict}"
    )


def _ratios(ours: Tool, squawk: Tool) -> str:
    ratio = ours.median / squawk.median
    best = min(ours.times) / min(squawk.times)
    cpu_ratio = statistics.median(ours.cpu) / max(statistics.median(squawk.cpu), 1e-6)
    return f"{ratio:.1f}x median wall time, {best:.1f}x best runs, {cpu_ratio:.1f}x CPU time"


def _import_times(count: int = 15) -> None:
    """The slowest imports of a cold `import bot.cli` (python -X importtime), in microseconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.cli"],
        capture_output=True,
        text=True,
        env=_environment(),
        cwd=ROOT,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), int(parts[0]), parts[2].rstrip()))
    rows.sort(reverse=True)
    print()
    print(f"slowest imports of a cold `import bot.cli` (top {count}, microseconds):")
    print(f"{'cumulative':>10} {'self':>8}  module")
    for cumulative, own, name in rows[:count]:
        print(f"{cumulative:>10} {own:>8} {name}")


def _profile(files: list[str]) -> None:
    """Where one in-process lint run spends its time (imports measured apart, they happen once)."""
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    from bot import cli

    imported = time.perf_counter() - started
    profiler = cProfile.Profile()
    sink = io.StringIO()
    os.environ["MIGRATION_REVIEW_CACHE_DIR"] = "off"  # cold, as the timed row
    started = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        profiler.runcall(cli.main, ["lint", *files, "--format", "json", "--exit-zero"])
    elapsed = time.perf_counter() - started
    print()
    print(f"profile: import bot.cli {imported:.3f}s, cold lint run {elapsed:.3f}s under cProfile")
    for order, count in (("cumulative", 25), ("tottime", 15)):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order)
        stats.print_stats(count)
        print(f"\ntop {count} by {order} time:")
        print(_table(text.getvalue()))


def _table(printed: str) -> str:
    """pstats output without its preamble: the column header and the rows."""
    lines = printed.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(line for line in lines[start:] if line.strip())


if __name__ == "__main__":
    raise SystemExit(main())
