"""A migration of which nothing could be read: no rule has checked any of it.

## Why is this bad?
Every rule reads the operations of a migration. When not one statement of a file could be understood (a
file in another dialect, a syntax error, a binary or mis-encoded file, a migration written in a way the
review does not know), the review has nothing to say about it, and saying nothing would read as an
approval: the file may take any lock, drop any table or rewrite any value.

## Use instead
Check that the file is the migration you meant (encoding, dialect, framework). If the dialect is wrong,
set `dialect` in `.github/migration-review.yml`; if the framework is not detected, map the file with
`migrations:` globs. Review the file by hand and suppress this finding with a reason once you have.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, Transaction, Unparsed
from bot.rules.context import Context

RULE = Rule(
    id="unreadable-migration",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Check the file's dialect, encoding and framework, review it by hand, and suppress this with a reason.",
    bad=("ALTER TABLE ((( 'unterminated\n",),
    good=("ALTER TABLE users ADD COLUMN nickname text;",),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    unparsed = [op for op in migration.up if isinstance(op, Unparsed)]
    understood = [op for op in migration.up if not isinstance(op, Unparsed | Transaction)]
    if not unparsed or understood:
        return
    yield unparsed[0].finding(
        RULE,
        f"Nothing in `{migration.path}` could be read ({unparsed[0].error}); "
        f"{len(unparsed)} statement{'s' if len(unparsed) != 1 else ''} went unchecked.",
        blast_radius="Unknown: no rule has checked this migration, so its locks, the rows it changes and its "
        "way back are all unknown.",
    )
