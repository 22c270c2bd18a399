"""Dropping a column breaks code that still reads or writes it.

## Why is this bad?
The old release keeps running during a deploy; its queries name the column and fail the moment the
migration commits. ORMs that cache the table's columns (Rails, Django's model state) fail until they
restart, and the column's data is gone: a rollback brings back an empty column. A background job or an
API serializer that still reads the column fails on its next run or request.

A column dropped and added back under the same name by one migration (a type changed by drop and add, as
Prisma generates for a cast it cannot make) keeps working for the code, but starts empty on every row: all
of its values are lost unless the migration writes them back (from rows it read first, or from a copy).
So are the values of a column the same migration seems to move to a new table (one with a column of that name
and a foreign key to the old table, `users.provider` to `account.provider` beside `account.user_id`) when nothing
copies them there before the drop: a critical finding.

A column another table's foreign key references (`orders.user_code REFERENCES users (code)`) cannot be dropped:
PostgreSQL refuses without CASCADE ("other objects depend on it"), MySQL and MariaDB refuse whatever is written,
and the deploy stops there. With CASCADE, PostgreSQL drops the key with the column, and nothing checks the
referencing rows any more.

## Use instead
Stop reading and writing the column (Rails: `self.ignored_columns += ["col"]`; Django:
remove the field with `SeparateDatabaseAndState`), deploy, then drop it in a later pull request,
after saving its values if they may be needed.

## Framework notes
The review searches the head of the pull request for the column in every spelling code uses
(`legacy_status`, `legacyStatus`, `LegacyStatus`, `find_by_legacy_status`, `legacy_status__in`) and
ranks each place: a job, an API contract, raw SQL or a model makes the finding critical; only tests
and docs make it informational. A model that lists the column in `ignored_columns`, and uses the pull
request itself deletes, count as safe.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    CreateTable,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
)
from bot.references.blast_radius import assess
from bot.references.inflection import model_name
from bot.references.search import Target, Use
from bot.rules._running_release import removed_places
from bot.rules._whole_table import drops_table_later
from bot.rules.context import Context
from bot.rules.swapped_values import opposite
from bot.sql.names import quote_column
from bot.sql.rebuilds import columns_left_out, rebuilt_tables

RULE = Rule(
    id="column-dropped",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Remove every use of the column and deploy before dropping it in a later pull request.",
    bad=("ALTER TABLE users DROP COLUMN legacy_status;",),
    good=("ALTER TABLE users ADD COLUMN status text;",),
    framework_help=(
        (
            "rails",
            'Add `self.ignored_columns += ["col"]` to the model and remove every use, deploy, then '
            "`remove_column` in a later pull request.",
        ),
        (
            "django",
            "Remove the field from the model with `SeparateDatabaseAndState` (state only), remove every use, "
            "deploy, then drop the column in a later migration.",
        ),
        (
            "knex",
            "Remove every use of the column from the code and deploy, then `table.dropColumn(…)` in a later migration.",
        ),
        (
            "node-pg-migrate",
            "Remove every use of the column from the code and deploy, then `pgm.dropColumns(…)` in a later migration.",
        ),
        (
            "typeorm",
            "Remove the `@Column` from the entity and every use of it, deploy, then `queryRunner.dropColumn(…)` in a later migration.",
        ),
        (
            "sequelize",
            "Remove the attribute from the model and every use of it, deploy, then `queryInterface.removeColumn(…)` in a later migration.",
        ),
        (
            "laravel",
            "Remove the column from the Eloquent model (`$fillable`, `$casts`, accessors) and every use, deploy, then `dropColumn` in a later pull request.",
        ),
        (
            "ecto",
            "Remove the `field` from the Ecto schema and every use, deploy, then `remove` the column in a later migration.",
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    rebuilt = rebuilt_tables(migration)
    for i, op in enumerate(migration.up):
        if not isinstance(op, DropColumn) or context.catalog.is_new(op.table):
            continue
        if op.table not in rebuilt and drops_table_later(migration.up[i + 1 :], op.table):
            # Django's autodetector removes a model's relations before it deletes the model: the table's drop
            # is what loses the data and what the code must no longer use (`table-dropped` judges it)
            continue
        if _rebuilt(op, migration.up[i + 1 :]):
            continue  # SQLite's rebuild: `x_old` filled from `x`, `x` dropped, `x_old` renamed back to `x`
        added = _added_again(op, migration.up[i + 1 :])
        if added is not None:
            if not _restored(op, migration.up[i + 1 :]):
                yield _recreated_empty(op, added, context)
            continue  # the values read before the drop are written back into the new column
        yield _judged(op, migration, context)
    yield from _left_out_of_rebuilds(migration, context)


def _left_out_of_rebuilds(migration: Migration, context: Context) -> Iterator[Finding]:
    """Create new, copy, drop old, rename: each column of the old table the new one leaves out is dropped,
    with its values, as surely as by `DROP COLUMN`."""
    for dropped, definition in rebuilt_tables(migration).items():
        drop = next((op for op in migration.up if isinstance(op, DropTable) and op.table == dropped), None)
        if drop is None or context.catalog.is_new(dropped):
            continue
        old = context.before(drop).tables.get(dropped)
        if old is None or old.partial:
            continue
        name = next((r.table for r in migration.rebuilds() if r.dropped == dropped), dropped)
        for column in columns_left_out(definition, list(old.columns)):
            virtual = DropColumn(
                table=name, column=column, location=drop.location, end_line=drop.end_line, sql=drop.sql
            )
            yield _judged(
                virtual,
                migration,
                context,
                note=f" The rebuild of `{name}` (a new table, the rows copied, the old one dropped) leaves it out.",
            )


def _judged(op: DropColumn, migration: Migration, context: Context, note: str = "") -> Finding:
    target = Target("column", op.table, op.column)
    uses = context.uses(target, op)
    found = assess(uses, op.column, removed=context.references.removed_uses(target))
    # the model ignores it in the head, or in the base while this change removes that declaration with it
    ignored = [u for u in uses if u.safe == "ignored_columns"] or [
        u for u in context.references.removed_uses(target) if u.safe == "ignored_columns"
    ]
    kept = [u for u in uses if (u.safe or "").startswith("the model's own")]
    rails = (
        bool(kept) and not ignored and any(m[2].endswith(".rb") for m in context.references.models(op.table))
    )
    # A model that maps the table but no longer declares the column (Rails caches columns regardless).
    models = [m for m in context.references.models(op.table) if not m[2].endswith(".rb")]
    # several schemas declare it (one per database: `db/mysql/schema.prisma`, `db/postgresql/schema.prisma`):
    # the one beside the migration first
    models.sort(key=lambda m: -_shared_folders(m[2], migration.path))
    label = f"`{op.table}.{op.column}`"
    if found.blocking:
        message = f"Column {label} is dropped while {found.still_used()}."
    elif ignored:
        message = f"Column {label} is dropped; the model already ignores it (`ignored_columns`)."
    elif kept and rails:
        message = (
            f"Column {label} is dropped; the code's {_places(len(uses))} read {kept[0].safe}, "
            "not the column, but Rails caches the table's columns: the running release still writes it."
        )
    elif kept:
        message = (
            f"Column {label} is dropped; the code's {_places(len(uses))} read {kept[0].safe}, not the column."
        )
    elif models and not uses:
        _, cls, path, line = models[0]
        message = f"Column {label} is dropped; the model `{cls}` (`{path}:{line}`) no longer declares it."
    else:
        message = f"Column {label} is dropped."
    renamed, likely = _renamed_as_drop_and_add(op, migration, context)
    moved = "" if renamed else _moved_without_values(op, migration, context)
    likely = likely or bool(moved)
    message += note + renamed + moved
    safe = not found.blocking and bool(ignored or kept or (models and not uses))
    severity = Severity.WARNING if safe and rails else Severity.INFO if safe else found.severity
    keys = (
        []
        if context.dialect == "sqlite" or (migration.framework == "django" and not op.spelled_out)
        else _referencing(op, context)
    )
    cascade = context.postgres and re.search(r"\bCASCADE\s*;?\s*$", op.sql, re.I) is not None
    if keys and cascade:
        message += (
            f" CASCADE drops the foreign {'keys' if len(keys) > 1 else 'key'} {', '.join(keys)} with it: nothing "
            "checks those rows against the table any more."
        )
        severity = severity if severity is Severity.CRITICAL else Severity.WARNING
    elif keys:
        message = (
            f"Dropping {label} fails: the foreign {'keys' if len(keys) > 1 else 'key'} {', '.join(keys)} "
            f"{'reference' if len(keys) > 1 else 'references'} it, and the database refuses to drop a column another "
            "table's key points at (PostgreSQL without CASCADE; MySQL and MariaDB always). " + message
        )
        severity = Severity.CRITICAL
    if likely and not found.blocking:
        # `name` dropped while `fullName` is added: a rename written as a drop and an add loses every value
        severity = Severity.CRITICAL
    # the code this change deletes is what the release running during the deploy still executes
    places = removed_places(context, target)
    if places and not ignored and severity in (None, Severity.INFO):
        message += (
            f" This change also removes the code that uses it ({places}): the release still running during the "
            "deploy executes that code, and fails once the column is gone."
        )
        severity = Severity.WARNING
    return op.finding(
        RULE,
        message,
        blast_radius=(
            f"{found.blast_radius} Its values are lost."
            if uses or found.references
            else f"The release still running during the deploy fails on any query that names `{op.column}`; "
            "its values are lost (no code references were found)."
        ),
        severity=severity,
        references=found.references,
        fix=_fix(op, found.blocking, bool(ignored))
        if not rails
        else _RAILS_CACHE.format(model=model_name(op.table), column=op.column),
    )


def _referencing(op: DropColumn, context: Context) -> list[str]:
    """The foreign keys of other tables (or of this one) that point at the dropped column, described."""
    catalog = context.before(op)
    found = []
    for name, key in catalog.foreign_keys.items():
        if key.declared or not same_table(key.references, op.table):
            continue
        referenced = key.referenced_columns or catalog.row_key(op.table)
        if op.column in referenced and not (same_table(key.table, op.table) and op.column in key.columns):
            found.append(f"`{name}` (`{key.table}` ({', '.join(key.columns)}))")
    return found


_TEXT = (
    "text",
    "varchar",
    "character varying",
    "char",
    "character",
    "bpchar",
    "citext",
    "string",
    "nvarchar",
)
_INTEGER = ("int", "integer", "int4", "int8", "bigint", "smallint", "int2", "serial", "bigserial", "tinyint")


def _family(type_sql: str) -> str:
    base = type_sql.lower().split("(")[0].strip()
    return "text" if base in _TEXT else "integer" if base in _INTEGER else base


def _keyish(name: str) -> bool:
    """`id`, `user_id`, `modelVersionId`: a key, whose replacement points somewhere else rather than renames."""
    return name.lower() == "id" or name.lower().endswith("_id") or (name.endswith("Id") and len(name) > 2)


def _renamed_as_drop_and_add(op: DropColumn, migration: Migration, context: Context) -> tuple[str, bool]:
    """A column of the same kind added to the same table by the same migration, not filled from the dropped
    one: what a rename written as a drop and an add looks like (Prisma writes one for every renamed field).
    The text to add to the message, and whether the names make the rename likely (`name` → `fullName`)."""
    dropped = context.before(op).column(op.table, op.column)
    if dropped is None or not dropped.type or _keyish(op.column):
        return "", False
    drops = [e for e in migration.up if isinstance(e, DropColumn) and same_table(e.table, op.table)]
    if len(drops) != 1:
        return "", False  # several columns go: no one-to-one rename to point at
    added = [
        each.column
        for each in migration.up
        if isinstance(each, AddColumn)
        and same_table(each.table, op.table)
        and each.column.name != op.column
        and _family(each.column.type) == _family(dropped.type)
        and not _keyish(each.column.name)
    ]
    copied = any(
        isinstance(each, DataUpdate)
        and same_table(each.table, op.table)
        and (
            op.column in each.reads
            or any(re.search(rf"\b{re.escape(op.column)}\b", value, re.I) for _, value in each.assignments)
        )
        for each in migration.up
    )
    if len(added) != 1 or copied:
        return "", False
    new = added[0]
    # the new column filled from anything but a constant (a loop over the records, a variable): not lost
    if any(
        isinstance(each, DataUpdate)
        and same_table(each.table, op.table)
        and any(column == new.name and not _constant(value) for column, value in each.assignments)
        for each in migration.up
    ):
        return "", False
    old, renamed = quote_column(op.column, context.dialect), quote_column(new.name, context.dialect)
    if opposite(op.column, new.name):
        return (
            f" The same migration adds `{new.name}` to `{op.table}`, which means the opposite of `{op.column}`: fill it "
            f"with `NOT {old}` before the drop, or every row loses its setting."
        ), False
    hint = (
        " (Prisma writes a renamed field this way: edit the generated migration)"
        if migration.framework == "prisma"
        else ""
    )
    framework = _RENAMES.get(migration.framework)
    rename = (
        framework.format(table=op.table.strip('"'), old=op.column, new=new.name, model=_model_name(op))
        if framework
        else f"`RENAME COLUMN {old} TO {renamed}`"
    )  # a framework's call takes the names as they are; only SQL quotes them
    likely = _alike(op.column, new.name)
    lost = f"the values of `{op.column}` are not carried over to it"
    said = (
        f"it reads as a rename, and {lost}; write {rename} instead{hint}."
        if likely
        else f"{lost}; if it is meant as a rename, write {rename} instead{hint}."
    )
    return f" The same migration adds `{new.name}` ({new.type}) to `{op.table}`: {said}", likely


def _copies(op: DataInsert | DataUpdate, column: str) -> bool:
    """Does the data change write `column` with a value the code reads from a row's attribute of that name
    (Kitsune's `ZendeskTopicConfiguration.objects.create(…, display_order=topic.display_order)` in the
    migration's RunPython)?"""
    written = (
        column in op.columns if isinstance(op, DataInsert) else any(c == column for c, _ in op.assignments)
    )
    return written and re.search(rf"\.{re.escape(column)}\b", op.sql) is not None


def _moved_without_values(op: DropColumn, migration: Migration, context: Context) -> str:
    """The same migration creates a table that points at this one (a foreign key to it) and has a column of the
    dropped one's name and kind: the values look meant to move there (`users.provider` to `account.provider`,
    beside `account.user_id`), yet nothing copies them before the drop."""
    dropped = context.before(op).column(op.table, op.column)
    if dropped is None or not dropped.type or _keyish(op.column):
        return ""
    for each in migration.up:
        if not isinstance(each, CreateTable) or each.as_select or each.like:
            continue
        if not any(
            c.name == op.column and _family(c.type) == _family(dropped.type) for c in each.columns
        ) or not _points_at(each, op.table, migration):
            continue
        if any(
            isinstance(o, DropColumn)
            and o.column == op.column
            and not same_table(o.table, op.table)
            and _points_at(each, o.table, migration)
            for o in migration.up
        ):
            continue  # `name` dropped from two tables the new one points at: no one source to move it from
        source = re.compile(rf"\b{re.escape(op.table.rpartition('.')[2].strip(chr(34)))}\b", re.I)
        if any(
            isinstance(o, DataInsert | DataUpdate)
            and same_table(o.table, each.table)
            and (source.search(o.sql) or _copies(o, op.column))
            for o in migration.up
        ):
            return ""  # `INSERT INTO account (…) SELECT … FROM users`: the values go with the rows
        return (
            f" The same migration creates `{each.table}`, which points at `{op.table}` and has a `{op.column}` "
            f"column too: the values look meant to move there, but nothing copies them before the drop "
            f"(`INSERT INTO {quote_column(each.table, context.dialect)} (…) SELECT … FROM "
            f"{quote_column(op.table, context.dialect)}`)."
        )
    return ""


def _points_at(table: CreateTable, target: str, migration: Migration) -> bool:
    """A foreign key of the new table to `target`: written on a column, in the table, or added after it."""
    return (
        any(c.references and same_table(c.references, target) for c in table.columns)
        or any(k.references and same_table(k.references, target) for k in table.constraints)
        or any(
            isinstance(o, AddConstraint)
            and o.constraint == "foreign_key"
            and same_table(o.table, table.table)
            and o.references is not None
            and same_table(o.references, target)
            for o in migration.up
        )
    )


def _alike(old: str, new: str) -> bool:
    """Names a rename gives: one holds the other (`name`, `fullName`; `email`, `email_address`), or they
    differ by a few letters (`state`, `status`). A shared word alone is not enough: `start_date` and
    `expiry_date`, `embed_html` and `embed_video_url` are other values."""
    a, b = old.lower().replace("_", ""), new.lower().replace("_", "")
    if min(len(a), len(b)) >= 4 and (a in b or b in a):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.7


def _model_name(op: DropColumn) -> str:
    """Django's `RemoveField(model_name="author", …)`: the model the field belongs to."""
    found = re.search(r"model_name\s*=\s*[\"'](\w+)[\"']", op.sql)
    return found.group(1) if found else op.table.rpartition("_")[2]


# how each framework renames a column, keeping its values
_RENAMES = {
    "rails": "`rename_column :{table}, :{old}, :{new}`",
    "django": '`migrations.RenameField(model_name="{model}", old_name="{old}", new_name="{new}")`',
    "alembic": '`op.alter_column("{table}", "{old}", new_column_name="{new}")`',
    "knex": '`table.renameColumn("{old}", "{new}")`',
    "node-pg-migrate": '`pgm.renameColumn("{table}", "{old}", "{new}")`',
    "laravel": "`$table->renameColumn('{old}', '{new}')`",
    "ecto": "`rename table(:{table}), :{old}, to: :{new}`",
    "sequelize": '`queryInterface.renameColumn("{table}", "{old}", "{new}")`',
    "typeorm": '`queryRunner.renameColumn("{table}", "{old}", "{new}")`',
    # db push has no rename: the field keeps its column when the schema says so
    "prisma-push": '`{new} … @map("{old}")` in the schema (the field renamed, its column kept)',
}


_RAILS_CACHE = 'Add `self.ignored_columns += ["{column}"]` to `{model}`, deploy, then drop the column in a later pull request.'


def _rebuilt(op: DropColumn, after: Sequence[Operation]) -> bool:
    """Is the column given its name back later in the same migration (a copy renamed to it)?"""
    return any(
        isinstance(later, RenameColumn) and later.table == op.table and later.new_name == op.column
        for later in after
    )


def _added_again(op: DropColumn, after: Sequence[Operation]) -> AddColumn | None:
    """The same migration adds a column of the same name back to the table (a retype by drop and add)."""
    return next(
        (
            later
            for later in after
            if isinstance(later, AddColumn) and later.table == op.table and later.column.name == op.column
        ),
        None,
    )


def _restored(op: DropColumn, after: Sequence[Operation]) -> bool:
    """After the column is added back, the migration writes it from something other than a constant: the
    values it read before the drop (a loop over saved rows), or a copy kept in another table or column."""
    for later in after:
        if isinstance(later, DataUpdate) and later.table == op.table:
            for column, value in later.assignments:
                if column == op.column and not _constant(value):
                    return True
    return False


def _constant(value: str) -> bool:
    text = value.strip().lower()
    return text in ("null", "true", "false", "default") or bool(
        re.fullmatch(r"'(?:[^']|'')*'|-?[\d.]+", text)
    )


def _recreated_empty(op: DropColumn, added: AddColumn, context: Context) -> Finding:
    kept = f" (its default `{added.column.default}`)" if added.column.default else " (NULL)"
    return op.finding(
        RULE,
        f"Column `{op.table}.{op.column}` is dropped and added again by the same migration: the new column "
        f"starts empty{kept} on every row, and nothing writes the old values back.",
        blast_radius=f"Every value of `{op.table}.{op.column}` is lost, on {context.size_words(op.table)}; the "
        "code keeps running and reads the empty column as if it were data.",
        severity=Severity.CRITICAL,
        fix="Change the column in place (`ALTER COLUMN … TYPE`, the framework's change/alter of the column), "
        "or add the new column under another name, copy the values into it, drop the old one and rename.",
    )


def _fix(op: DropColumn, blocking: Sequence[Use], ignored: bool) -> str:
    if not blocking:
        return RULE.help
    steps = []
    if any(u.path.endswith((".rb", ".erb", ".haml", ".slim", ".jbuilder")) for u in blocking) and not ignored:
        steps.append(f'add `self.ignored_columns += ["{op.column}"]` to `{model_name(op.table)}`')
    elif any(u.path.endswith(".py") and u.area == "model" for u in blocking):
        steps.append("remove the field from the model (Django: `SeparateDatabaseAndState`)")
    production = [u for u in blocking if u.area not in ("test", "doc")] or list(blocking)
    steps.append("remove the uses (" + ", ".join(f"`{u.path}:{u.line}`" for u in production[:3]) + ")")
    text = ", ".join(steps) + ", deploy, then drop the column in a later pull request."
    return text[:1].upper() + text[1:]


def _places(n: int) -> str:
    return "1 place" if n == 1 else f"{n} places"


def _shared_folders(path: str, other: str) -> int:
    """How many leading folders the two paths share."""
    shared = 0
    for a, b in zip(path.split("/")[:-1], other.split("/")[:-1], strict=False):
        if a != b:
            break
        shared += 1
    return shared
