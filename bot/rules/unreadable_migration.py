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

A migration of a runner the review does not read (Go code of bun or GORM, an Entity Framework class, …) has no
dialect to fix: read it by hand, then put `// migration-review: ignore-file unreadable-migration,
unparsed-statement <what you checked>` in it (`#` in Python or Ruby), or leave that runner's files out of every
review with the configuration's `exclude` globs (`exclude: ["internal/db/migrations/*.go"]`).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.frameworks import unknown
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
    if migration.unreached and migration.framework == unknown.NAME:
        return  # its runner never finds it (migration-never-runs): how a runner the review lacks reads it is moot
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
        fix=_unknown_runner_fix(migration.path) if migration.framework == unknown.NAME else None,
    )


def _unknown_runner_fix(path: str) -> str:
    """What to do with a migration of a runner the review does not read: no dialect or encoding to fix."""
    folder, _, name = path.rpartition("/")
    suffix = name.rsplit(".", 1)[-1]
    glob = f"{folder}/*.{suffix}" if folder else f"*.{suffix}"
    start = unknown.comment(path)
    comment = (
        f"then say so in the file with `{start} migration-review: ignore-file unreadable-migration, "
        "unparsed-statement <what you checked>` (a suppression of a critical finding counts once someone with "
        "write access other than the author accepts it, where `suppressions.need_acceptance` asks for that), or "
        if start
        else "then "
    )
    return (
        "The review does not read this runner's migrations, so read this one by hand: the locks it takes, the "
        f"rows it changes, its way back; {comment}leave the runner's files out of every review with "
        f'`exclude: ["{glob}"]` in `.github/migration-review.yml` (read from the base branch).'
    )
