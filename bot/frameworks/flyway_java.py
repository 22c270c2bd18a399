"""Flyway migrations written in Java or Kotlin: `V<version>__<description>.java` (or `.kt`), a class that
implements `JavaMigration` (usually by extending `BaseJavaMigration`) beside the SQL migrations.

The review does not read Java. Such a migration is named as one it could not read, never passed over: what it
changes, its locks and its way back are checked by hand. Flyway runs it in a transaction unless the class says
`canExecuteInTransaction` is false; Flyway Community runs no undo for it.
"""

from __future__ import annotations

import re

from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Unparsed

NAME = "flyway_java"
_NAME = re.compile(r"^V(?P<version>\d[\w.]*?)__\w+\.(?:java|kt)$")
_CLASS = re.compile(r"\b(?:class|object)\s+\w+[^{]*?\b(?:Base)?JavaMigration\b")
_OUTSIDE = re.compile(
    r"\bcanExecuteInTransaction\b[^{]*\{\s*return\s+false\b|\bcanExecuteInTransaction\b[^=]*=\s*false\b"
)


def detect(path: str, text: str) -> bool:
    return _NAME.match(path.rsplit("/", 1)[-1]) is not None and _CLASS.search(text) is not None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = _NAME.match(path.rsplit("/", 1)[-1])
    return match.group("version") if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    match = _CLASS.search(text)
    assert match is not None  # detect() found it
    line = text.count("\n", 0, match.start()) + 1
    outside = _OUTSIDE.search(text) is not None
    unread = Unparsed(
        error="a Flyway migration written in Java or Kotlin, which the review does not read",
        location=Location(path, line),
        sql=match.group(0),
    )
    return Migration(
        path,
        NAME,
        dialect,
        (unread,),
        None,
        not outside,
        "the migration's canExecuteInTransaction is false: no transaction"
        if outside
        else "Flyway runs each Java migration in a transaction",
        irreversible_reason="Flyway runs no undo for a Java migration",
        version=version(path),
    )


def candidate(path: str) -> bool:
    """A versioned migration's name (`V3__Backfill_notes.java`): not every Java or Kotlin file of a tree."""
    return _NAME.match(path.rsplit("/", 1)[-1]) is not None
