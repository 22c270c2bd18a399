"""Generate a corpus of realistic PostgreSQL migration files, the same every time for the same seed.

    python bench/corpus.py [--out DIR] [--files N] [--seed N] [--naming flyway|timestamp]

Each file continues the schema the earlier ones built, so applying them in order to an empty schema
succeeds. Some files carry deliberate hazards (non-concurrent indexes, volatile defaults, CASE without
ELSE, enum values added inside a transaction): they are lint input, and still valid SQL.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pickle
import random
import re
from collections.abc import Sequence
from pathlib import Path

import corpus_code as code
import corpus_columns as columns
import corpus_data as data
import corpus_enums as enums
import corpus_indexes as indexes
import corpus_tables as tables
from corpus_schema import Schema
from corpus_words import REASONS, TICKETS
from corpus_writer import Block, Generator, Writer

DEFAULT_OUT = Path(__file__).resolve().parent / "corpus"
MANIFEST = "corpus.json"
GENERATOR_VERSION = 1
MAX_LINES = 150
MIN_LINES = 5
_FRAME = 8  # header comments, BEGIN, settings, COMMIT
_LARGEST_BLOCK = 60  # no generator writes more lines at once

WEIGHTED: tuple[tuple[Generator, int], ...] = (
    (tables.create_table, 12),
    (tables.drop_table, 2),
    (tables.rename_table, 1),
    (tables.create_view, 2),
    (indexes.create_index, 11),
    (indexes.drop_index, 2),
    (indexes.unique_constraint, 2),
    (columns.add_column, 12),
    (columns.drop_column, 4),
    (columns.rename_column, 3),
    (columns.change_type, 4),
    (columns.widen_id, 1),
    (columns.set_default, 3),
    (columns.set_not_null, 4),
    (columns.add_check, 4),
    (columns.add_foreign_key, 4),
    (columns.comment_column, 2),
    (enums.create_enum, 3),
    (enums.add_enum_value, 3),
    (enums.convert_to_enum, 2),
    (code.updated_at_trigger, 3),
    (code.audit_trigger, 2),
    (code.helper_function, 2),
    (code.sql_function, 1),
    (code.guarded_constraint, 2),
    (code.guarded_rename, 1),
    (code.row_report, 1),
    (data.seed_rows, 6),
    (data.backfill_case, 5),
    (data.backfill_batched, 4),
    (data.update_constant, 2),
    (data.delete_old_rows, 1),
)

_SETTINGS = (
    ("lock_timeout", ("2s", "5s", "10s")),
    ("statement_timeout", ("30s", "5min", "15min")),
    ("idle_in_transaction_session_timeout", ("60s",)),
)


def generate(out: Path = DEFAULT_OUT, files: int = 300, seed: int = 7, naming: str = "flyway") -> list[Path]:
    """Write `files` migrations into `out` (replacing an earlier corpus there) and return them in order."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.sql"):
        old.unlink()
    rng, schema = random.Random(seed), Schema()
    moment = datetime.datetime(2023, 1, 9, 9, 30, 0)
    paths = []
    for number in range(1, files + 1):
        blocks, in_transaction = _blocks(rng, schema, number)
        moment += datetime.timedelta(minutes=rng.randint(20, 60 * 24 * 4))
        path = out / _file_name(naming, number, moment, blocks)
        path.write_text("\n".join(_file_lines(rng, blocks, in_transaction)) + "\n")
        paths.append(path)
    manifest = {"generator": GENERATOR_VERSION, "files": files, "seed": seed, "naming": naming}
    manifest["paths"] = [path.name for path in paths]
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return paths


def ensure(out: Path = DEFAULT_OUT, files: int = 300, seed: int = 7, naming: str = "flyway") -> list[Path]:
    """The corpus in `out`, generated first unless one with the same parameters is already there."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return generate(out, files, seed, naming)
    wanted = {"generator": GENERATOR_VERSION, "files": files, "seed": seed, "naming": naming}
    paths = [out / name for name in manifest.get("paths", [])]
    if any(manifest.get(key) != value for key, value in wanted.items()) or not all(p.exists() for p in paths):
        return generate(out, files, seed, naming)
    return paths


def _blocks(rng: random.Random, schema: Schema, number: int) -> tuple[list[Block], bool]:
    in_transaction = number > 1 and rng.random() < 0.3
    writer = Writer(rng, schema, in_transaction)
    schema.fresh_values.clear()
    budget = _budget(rng, number)
    blocks: list[Block] = []
    used = 0
    for _attempt in range(60):
        if used >= budget:
            break
        # Generators return None before they change anything; a block that turns out too long for the
        # file has changed the schema already, so keep a copy to go back to when one might not fit.
        saved = pickle.dumps(writer.schema) if used + _FRAME + _LARGEST_BLOCK > MAX_LINES else None
        block = _pick(rng, writer.schema)(writer)
        cost = len(block.lines) + 2 if block is not None else 0  # a blank line and a step comment
        if block is None:
            continue
        if used + cost + _FRAME > MAX_LINES:
            assert saved is not None, f"a block of {len(block.lines)} lines: raise _LARGEST_BLOCK"
            writer.schema = pickle.loads(saved)
            continue
        blocks.append(block)
        used += cost
    schema.__dict__.update(writer.schema.__dict__)
    return blocks, in_transaction


def _budget(rng: random.Random, number: int) -> int:
    if number == 1:
        return 110
    shape = rng.random()
    if shape < 0.5:
        return rng.randint(1, 10)
    if shape < 0.85:
        return rng.randint(15, 50)
    return rng.randint(60, 130)


def _pick(rng: random.Random, schema: Schema) -> Generator:
    if len(schema.tables) < 6 and rng.random() < 0.6:
        return tables.create_table
    if not any(table.has_rows for table in schema.tables.values()) and rng.random() < 0.3:
        return data.seed_rows
    generators = [generator for generator, _ in WEIGHTED]
    weights = [weight for _, weight in WEIGHTED]
    return rng.choices(generators, weights)[0]


def _file_name(naming: str, number: int, moment: datetime.datetime, blocks: Sequence[Block]) -> str:
    slug = blocks[0].slug if blocks else "noop"
    if len(blocks) > 2:
        slug += "_and_more"
    elif len(blocks) == 2:
        slug += f"_and_{blocks[1].slug}"
    slug = re.sub(r"[^a-z0-9_]+", "_", slug.lower())
    if len(slug) > 70:
        slug = slug[:70].rsplit("_", 1)[0]
    if naming == "timestamp":
        return f"{moment:%Y%m%d%H%M%S}_{slug}.sql"
    return f"V{number}__{slug}.sql"


def _file_lines(rng: random.Random, blocks: Sequence[Block], in_transaction: bool) -> list[str]:
    title = blocks[0].slug.replace("_", " ") if blocks else "no-op"
    lines = [f"-- {title[:1].upper()}{title[1:]}"]
    if rng.random() < 0.5:
        lines.append(f"-- {rng.choice(TICKETS)}-{rng.randint(100, 4999)}: {rng.choice(REASONS)}")
    settings = [s for s in _SETTINGS if rng.random() < 0.3]
    if in_transaction:
        lines.append("BEGIN;")
    local = "LOCAL " if in_transaction else ""
    lines += [f"SET {local}{name} = '{rng.choice(values)}';" for name, values in settings]
    for index, block in enumerate(blocks):
        lines.append("")
        if len(blocks) > 1 and rng.random() < 0.3:
            lines.append(f"-- Step {index + 1}: {block.slug.replace('_', ' ')}")
        lines += block.lines
    if in_transaction:
        lines += ["", "COMMIT;"]
    down = [line for block in reversed(blocks) for line in block.down]
    if down and rng.random() < 0.25 and len(lines) + len(down) + 2 <= MAX_LINES:
        lines += ["", "-- Down:", *(f"-- {line}" for line in down)]
    while len(lines) < MIN_LINES:
        lines.insert(1, rng.choice(_PADDING))
    return lines


_PADDING = (
    "-- Safe to run while the application is live.",
    "-- Reviewed in the weekly schema sync.",
    "-- See docs/runbooks/migrations.md before re-running.",
    "-- Generated by hand; keep statements idempotent where possible.",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="target directory (default bench/corpus)"
    )
    parser.add_argument("--files", type=int, default=300, help="how many migration files (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--naming", choices=("flyway", "timestamp"), default="flyway")
    args = parser.parse_args(argv)
    paths = generate(args.out, args.files, args.seed, args.naming)
    total = sum(len(path.read_text().splitlines()) for path in paths)
    print(f"wrote {len(paths)} migrations ({total} lines) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
