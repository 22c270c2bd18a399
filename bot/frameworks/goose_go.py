"""goose migrations written in Go: a `.go` file that registers its functions with `goose.AddMigration…`.

The review does not read Go. Such a migration is named as one it could not read, never passed over: its
locks, the rows it changes and its way back are checked by hand. The registration says the rest: the
`NoTx` variants run outside a transaction, and a `nil` down function means there is no way back.
"""

from __future__ import annotations

import re

from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Unparsed

NAME = "goose_go"
_REGISTER = re.compile(r"\bgoose\.Add(?:Named)?Migration(NoTx)?(?:Context)?\s*\(([^)]*)\)")


def detect(path: str, text: str) -> bool:
    return path.endswith(".go") and not path.endswith("_test.go") and _REGISTER.search(text) is not None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return path.rsplit("/", 1)[-1].split("_", 1)[0]


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    match = _REGISTER.search(text)
    assert match is not None  # detect() found it
    line = text.count("\n", 0, match.start()) + 1
    no_transaction = match.group(1) is not None
    arguments = [a.strip() for a in match.group(2).split(",")]
    unread = Unparsed(
        error="a goose migration written in Go, which the review does not read",
        location=Location(path, line),
        sql=match.group(0),
    )
    has_down = len(arguments) >= 2 and arguments[-1] != "nil"
    return Migration(
        path,
        NAME,
        dialect,
        (unread,),
        () if has_down else None,
        not no_transaction,
        "the migration registers with goose.AddMigrationNoTx…: no transaction"
        if no_transaction
        else "goose runs each Go migration in a transaction",
        irreversible_reason="" if has_down else "its down function is nil",
        version=version(path),
    )


def candidate(path: str) -> bool:
    """Go migrations live in a migrations folder (`migrations/`, `db/migrate/`, `migration/`)."""
    return "migrat" in path.lower()
