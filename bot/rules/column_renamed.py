"""Renaming a column breaks every query of the release that is still running.

## Why is this bad?
During a deploy the old release and the new one run side by side. The moment the rename commits,
every query of the old release that names the column fails, and so does any job, report, serializer
or other service that reads or writes the table by the old name. A migration that renames a column and
then adds a new column under the old name (`RENAME COLUMN attestation_type TO attestation_format`, then `ADD
COLUMN attestation_type`) breaks nothing loudly and is worse: the old release's queries go on against the new,
empty column, and its writes during the deploy never reach the renamed one. So does one that moves another
column into the old name (`RENAME description TO summary`, then `RENAME sidebar TO description`): the old
release reads the other column's values under the name it knows, and its writes overwrite them.

## Use instead
Expand and contract: add the new column, write both, backfill, switch reads, stop writing the old one,
drop it later. On PostgreSQL a view or a generated column can keep the old name during the transition.

## Framework notes
The review lists the places that still use the old name (in its snake, camel and Pascal spellings)
and ranks them like `column-dropped`. When the same migration keeps the old name readable (a view
that selects `new AS old`, or a generated column named like the old one), the finding is informational.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, Migration, RawSQL, RenameColumn
from bot.references.blast_radius import assess
from bot.references.search import Target
from bot.rules._running_release import past_the_client, prisma_moved, removed_places
from bot.rules.context import Context

_VIEW = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW", re.I)

RULE = Rule(
    id="column-renamed",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Add the new column, write both, backfill, switch reads, then drop the old column later.",
    bad=("ALTER TABLE users RENAME COLUMN name TO full_name;",),
    good=("ALTER TABLE users ADD COLUMN full_name text;",),
    framework_help=(
        (
            "rails",
            "`add_column` the new name, write both (a `before_save` copying the value), backfill, switch reads, "
            'then `self.ignored_columns += ["old"]` and `remove_column` in later pull requests.',
        ),
        (
            "django",
            "Add the new field, write both in `save()`, backfill with `RunPython`, switch reads, then remove the "
            "old field in a later migration (`db_column` keeps the old name if only the attribute changes).",
        ),
        (
            "knex",
            "Add the new column, write both from the code, backfill, switch reads, then `table.dropColumn` the old one in a later migration.",
        ),
        (
            "node-pg-migrate",
            "Add the new column (`pgm.addColumns`), write both from the code, backfill, switch reads, then `pgm.dropColumns` the old one in a later migration.",
        ),
        (
            "typeorm",
            "Add the new column, write both from the entity, backfill, switch reads, then drop the old one later (`@Column({ name: 'old' })` keeps the old name if only the property changes).",
        ),
        (
            "sequelize",
            "Add the new column, write both from the model, backfill, switch reads, then drop the old one later (`field: 'old'` keeps the old name if only the attribute changes).",
        ),
        (
            "laravel",
            "Add the new column, write both (a model mutator or observer), backfill, switch reads, then `dropColumn` the old one in later pull requests.",
        ),
        (
            "ecto",
            "Add the new column, write both (cast both in the changeset), backfill, switch reads, then `remove` the old one in a later migration (`field :new, source: :old` renames in code only).",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for i, op in enumerate(migration.up):
        if not isinstance(op, RenameColumn) or context.catalog.is_new(op.table):
            continue
        if any(
            isinstance(e, AddColumn) and (e.table, e.column.name) == (op.table, op.column)
            for e in migration.up[:i]
        ):
            continue  # a column this migration added: no code knows its first name
        replaced = next(
            (
                e
                for e in migration.up[i + 1 :]
                if isinstance(e, AddColumn)
                and (e.table, e.column.name.lower()) == (op.table, op.column.lower())
            ),
            None,
        )
        if replaced is not None:
            yield _replaced(op, replaced)
            continue
        taken = next(
            (
                e
                for e in migration.up[i + 1 :]
                if isinstance(e, RenameColumn)
                and e.table == op.table
                and e.new_name.lower() == op.column.lower()
                and e.column.lower() != op.new_name.lower()
            ),
            None,
        )
        if taken is not None:
            yield _taken(op, taken)
            continue
        target = Target("column", op.table, op.column, op.new_name)
        uses = context.uses(target, op)
        field = prisma_moved(context, target)
        if field:
            uses = past_the_client(uses)
        found = assess(uses, op.column, removed=context.references.removed_uses(target))
        kept = _keeps_old_name(migration, op)
        label = f"`{op.table}.{op.column}`"
        if kept:
            message = f"Column {label} is renamed to `{op.new_name}`; {kept} keeps the old name readable."
        elif found.blocking:
            message = (
                f"Column {label} is renamed to `{op.new_name}` while {found.still_used(f'`{op.column}`')}."
            )
        else:
            message = f"Column {label} is renamed to `{op.new_name}`."
        ready = len(context.references.new_uses(target))
        after = (
            f" {ready} place{'s' if ready != 1 else ''} already use{'s' if ready == 1 else ''} `{op.new_name}`."
            if ready
            else ""
        )
        severity = Severity.INFO if kept else found.severity
        # the code this change deletes is what the release running during the deploy still executes
        places = removed_places(context, target)
        if field and not kept and severity in (None, Severity.INFO):
            message += (
                f" This change maps the Prisma field `{field}` to `{op.new_name}` (`@map`): the new release's client "
                f"writes `{op.new_name}`, while the release still running during the deploy names `{op.column}` and "
                "fails once the column is renamed."
            )
            severity = Severity.WARNING
        elif places and not kept and severity in (None, Severity.INFO):
            message += (
                f" This change also moves the code off `{op.column}` ({places}): the release still running during "
                "the deploy executes the old code, and its queries fail once the column is renamed."
            )
            severity = Severity.WARNING
        yield op.finding(
            RULE,
            message,
            blast_radius=(
                found.blast_radius + after
                if uses or found.references
                else f"Every query of the running release that names `{op.column}` fails from the moment the "
                f"migration commits (no code references were found).{after}"
            ),
            severity=severity,
            references=found.references,
        )


def _replaced(op: RenameColumn, added: AddColumn) -> Finding:
    """The old name given to a new column in the same migration: the running release's queries go on, on the
    wrong column."""
    default = added.column.default
    value = (
        f"`{default}`" if default not in (None, "") else "NULL" if added.column.nullable else "its default"
    )
    return op.finding(
        RULE,
        f"Column `{op.table}.{op.column}` is renamed to `{op.new_name}`, and a new `{op.column}` is added in its"
        f" place (line {added.location.line}): queries that name `{op.column}` do not fail, they reach the new,"
        " empty column.",
        blast_radius=f"Until the new code is out, the running release reads {value} from `{op.column}` where it read"
        f" the values now in `{op.new_name}`, and what it writes there never reaches `{op.new_name}`: rows written"
        " during the deploy keep the wrong value in the renamed column.",
        fix=f"Keep `{op.column}` as it was and add `{op.new_name}` beside it: write both, backfill, switch reads,"
        f" then give `{op.column}` its new meaning in a later pull request.",
        severity=Severity.WARNING,
    )


def _taken(op: RenameColumn, other: RenameColumn) -> Finding:
    """The old name given to another column of the table in the same migration (`RENAME description TO
    summary`, then `RENAME sidebar TO description`): the running release's queries go on, on the other
    column's values."""
    return op.finding(
        RULE,
        f"Column `{op.table}.{op.column}` is renamed to `{op.new_name}`, and `{other.column}` is renamed to "
        f"`{op.column}` in its place (line {other.location.line}): queries that name `{op.column}` do not fail, "
        f"they reach the values of `{other.column}`.",
        blast_radius=f"Until the new code is out, the running release reads the values of `{other.column}` where "
        f"it read those now in `{op.new_name}`, and what it writes to `{op.column}` overwrites them: rows written "
        f"during the deploy lose their `{other.column}` value, and their `{op.new_name}` keeps the old one.",
        fix=f"Add `{op.new_name}` beside `{op.column}` and write both, backfill, switch reads; only once no "
        f"running code names `{op.column}` for its old meaning, move `{other.column}` to that name, in a later "
        "pull request.",
        severity=Severity.WARNING,
    )


def _keeps_old_name(migration: Migration, rename: RenameColumn) -> str:
    """What in the same migration keeps the old column name working, if anything."""
    alias = None  # compiled for the first view (a pattern per rename: most migrations have no view)
    for op in migration.up:
        same = isinstance(op, AddColumn) and op.table == rename.table and op.column.name == rename.column
        if same and isinstance(op, AddColumn) and op.column.generated:
            return "a generated column"
        if isinstance(op, RawSQL) and _VIEW.match(op.sql):
            alias = alias or re.compile(
                rf"\b{re.escape(rename.new_name)}\s+AS\s+\"?{re.escape(rename.column)}\b", re.I
            )
            if alias.search(op.sql):
                return "a view"
    return ""
