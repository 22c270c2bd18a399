"""Count what the review cannot read in the PostgreSQL migration histories of real repositories.

    .venv/bin/python bench/unparsed.py CHECKOUT [CHECKOUT ...] [--glob PATTERN ...] [--show 5]

For each checkout, the PostgreSQL migration files (Diesel `migrations/*/up.sql` and `down.sql`, Prisma
`prisma/migrations/*/migration.sql`, multi-dialect `*.postgres.up.sql` / `*.postgres.down.sql`, or the
files `--glob` names) are read as `migration-review lint` reads them, in-process: the framework of each
file, then PostgreSQL's own grammar. Printed per repository: files, statements, `unparsed-statement`
findings, and the wall time of reading the files into operations next to the time sqlglot's reader
(the one MySQL, MariaDB and SQLite still use) takes on the same files, with its own count of statements
it could not read.
The target: zero `unparsed-statement` findings on every repository's PostgreSQL files.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.frameworks.sqlfile import parse_sql  # noqa: E402
from bot.local import lintset  # noqa: E402
from bot.model.config import Config  # noqa: E402
from bot.model.migration import Unparsed, statement_count  # noqa: E402
from bot.review import prepare  # noqa: E402
from bot.sql.statements import split  # noqa: E402
from bot.sql.translate import operations  # noqa: E402

PATTERNS = (
    "*/migrations/*/up.sql",
    "*/migrations/*/down.sql",
    "*/prisma/migrations/*/migration.sql",
    "*.postgres.up.sql",
    "*.postgres.down.sql",
)
SKIPPED_DIRS = {".git", "node_modules", "target", "vendor", "dist", "build"}


@dataclass
class Figures:
    repository: str
    files: int = 0
    statements: int = 0
    unparsed: int = 0
    seconds: float = 0.0
    sqlglot_unparsed: int = 0
    sqlglot_seconds: float = 0.0


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    rows = [_measure(Path(checkout), tuple(args.glob) or PATTERNS, args.show) for checkout in args.checkouts]
    print(
        f"{'repository':32} {'files':>6} {'stmts':>7} {'unparsed':>8} {'pglast s':>9} {'sqlglot s':>9} {'sqlglot unparsed':>16}"
    )
    for row in rows:
        print(
            f"{row.repository[:32]:32} {row.files:6} {row.statements:7} {row.unparsed:8} "
            f"{row.seconds:9.2f} {row.sqlglot_seconds:9.2f} {row.sqlglot_unparsed:16}"
        )
    return 1 if any(row.unparsed for row in rows) else 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkouts", nargs="+", help="checked-out repositories")
    parser.add_argument(
        "--glob", action="append", default=[], help="file pattern (repeatable) instead of the defaults"
    )
    parser.add_argument("--show", type=int, default=5, help="unparsed statements to print per repository")
    return parser.parse_args(argv)


def _measure(checkout: Path, patterns: tuple[str, ...], show: int) -> Figures:
    files = sorted(_files(checkout, patterns))
    figures = Figures(checkout.name, files=len(files))
    if not files:
        return figures
    changeset = lintset.changeset(lintset.gather(files), Config())
    prepared = prepare(changeset, dialect="postgres", lint=True)
    shown = 0
    for migration in prepared.migrations:
        figures.statements += statement_count(migration.up)
        for op in migration.up:
            if isinstance(op, Unparsed):
                figures.unparsed += 1
                if shown < show:
                    shown += 1
                    print(f"  {migration.path}:{op.location.line}: {op.error}", file=sys.stderr)
    texts = [(str(path), path.read_text(errors="replace")) for path in files]
    figures.seconds = _pglast(texts)
    figures.sqlglot_unparsed, figures.sqlglot_seconds = _sqlglot(texts)
    return figures


def _pglast(texts: list[tuple[str, str]]) -> float:
    """The time PostgreSQL's grammar takes to read the files into operations (what lint does per file)."""
    started = time.perf_counter()
    for path, text in texts:
        parse_sql(path, text, "postgres")
    return time.perf_counter() - started


def _sqlglot(texts: list[tuple[str, str]]) -> tuple[int, float]:
    """The same files through sqlglot's reader (statement splitting and translation) for comparison."""
    started = time.perf_counter()
    unparsed = 0
    for path, text in texts:
        for statement in split(text, "postgres"):
            try:
                ops = operations(statement, path, "postgres")
            except Exception:  # counted like the review counts it: one unreadable statement
                unparsed += 1
                continue
            unparsed += sum(isinstance(op, Unparsed) for op in ops)
    return unparsed, time.perf_counter() - started


def _files(checkout: Path, patterns: tuple[str, ...]) -> Iterator[Path]:
    for path in checkout.rglob("*.sql"):
        relative = "/" + path.relative_to(checkout).as_posix()
        if SKIPPED_DIRS & set(path.relative_to(checkout).parts):
            continue
        if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
            yield path


if __name__ == "__main__":
    raise SystemExit(main())
