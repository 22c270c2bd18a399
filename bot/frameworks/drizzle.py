"""Drizzle: the SQL files drizzle-kit generates (`drizzle/0003_brave_hulk.sql`), listed in `meta/_journal.json`.

drizzle-kit separates statements with `--> statement-breakpoint` comments; the SQL reader reads them as
statements at their lines. The migrator applies the files in the journal's order (their number prefix)
and runs the pending ones in one transaction. A file the journal does not list is never run: that is
a finding. drizzle-kit writes no down migrations.
"""

from __future__ import annotations

import dataclasses
import json
import re

from bot.frameworks.sqlfile import WayBack, build, parse_sql, sibling
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Operation, Unparsed

NAME = "drizzle"
BREAKPOINT = "--> statement-breakpoint"
_NAME = re.compile(r"^(\d+)_[\w-]+\.sql$")


def detect(path: str, text: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if _NAME.match(name) is None:
        return False
    return BREAKPOINT in text or "drizzle/" in path.lower()


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _NAME.match(path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up: tuple[Operation, ...] = parse_sql(path, text, dialect)
    if not _journaled(path, tree):
        error = "the file is not in `meta/_journal.json`, so the Drizzle migrator never runs it"
        up = (Unparsed(location=Location(path, 1), error=error), *up)
    back = WayBack(missing="drizzle-kit writes no down migrations")
    note = "the Drizzle migrator runs pending migrations in one transaction"
    built = build(
        path, NAME, dialect, up, back, text=text, in_transaction=True, note=note, version=version(path)
    )
    # PostgreSQL keeps what each migration of the run did uncommitted until the last one ends (an enum value an
    # earlier one adds cannot be used yet); MySQL commits each DDL statement whatever the transaction
    return dataclasses.replace(built, batch_transaction=dialect == "postgres")


def _journaled(path: str, tree: Tree) -> bool:
    """Is the file listed in the journal beside it? True when there is no journal to ask."""
    text = tree.read(sibling(path, "meta/_journal.json"))
    if text is None:
        return True
    try:
        entries = json.loads(text).get("entries", [])
    except (ValueError, AttributeError):
        return True
    tag = path.rsplit("/", 1)[-1].removesuffix(".sql")
    return any(isinstance(entry, dict) and entry.get("tag") == tag for entry in entries)
