"""Dropping a table breaks code that still uses it and destroys its data.

## Why is this bad?
Queries, jobs and other services that still read the table fail as soon as it is gone, and its rows
cannot be brought back by a down migration: only a backup restores them. A model class, an association
(`has_many :invoices`, `ForeignKey(Invoice)`, `relationship("Invoice")`) or raw SQL left behind fails
the first time it is used.

Dropped without CASCADE while another table's foreign key (or, on PostgreSQL, a view) still depends on it,
the statement fails on PostgreSQL and MySQL and the deploy stops there: a critical finding of its own.
With CASCADE, PostgreSQL drops those foreign keys and views with it: the other table's rows stay and nothing
checks them any more, which is critical. A CASCADE that takes nothing along (no key or view depends on the
table, or only tables the same change drops as well) is judged as the drop alone.

## Use instead
Remove every use of the table and deploy first; rename it aside (or revoke access) for a release to
prove nothing uses it; keep a copy (`CREATE TABLE … AS` or a dump) before dropping it.

A table dropped and created again by the same migration keeps its name: the review reports the rows lost, and
the columns the new definition no longer has, with the code that still uses them.

`DROP TABLE IF EXISTS` of a table no migration before it creates (a table older installs may still have from
before the history) is a warning that lists the code still naming it, not a critical: most databases have no
such table.

A drop in the same pull request that removes the table's model or the code that uses it is a warning: the
release still running during the deploy executes that code. The columns a migration removes from a table
it then drops (Django removes a model's relations before deleting it) are judged with the table.

## Framework notes
A table whose Django model an earlier migration removed from the state only (`DeleteModel` among a
`SeparateDatabaseAndState`'s `state_operations`), dropped once no code uses it, is a note: that is the
sequence this rule asks for.

The review searches for the table name, its model class (Rails `Order` for `orders`, a Django
`db_table`, SQLAlchemy `__tablename__`, Prisma `@@map`, GORM `TableName()`) and association names.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CreateTable, DataInsert, DropTable, Migration, RawSQL, Truncate
from bot.references.blast_radius import Assessment, assess
from bot.references.search import Target
from bot.references.targets import lost_columns, recreated
from bot.rules._integrity import off_at
from bot.rules._running_release import removed_places
from bot.rules.context import Context
from bot.sql.names import quote_column
from bot.sql.rebuilds import rebuilt_tables

RULE = Rule(
    id="table-dropped",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.WARNING,
    help="Remove every use of the table, deploy, keep a copy of its rows, then drop it in a later pull request.",
    bad=("DROP TABLE legacy_invoices;",),
    good=("CREATE TABLE invoices (id bigint PRIMARY KEY);",),
)


def _gone_before(op: DropTable, migration: Migration, context: Context) -> bool:
    """An earlier statement of the migration already dropped the table (and nothing created it again)."""
    earlier = migration.up[: next(i for i, o in enumerate(migration.up) if o is op)]
    dropped = False
    for each in earlier:
        if isinstance(each, DropTable) and each.table == op.table:
            dropped = True
        elif isinstance(each, CreateTable) and each.table == op.table:
            dropped = False
    return dropped


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    rebuilt = rebuilt_tables(migration)
    for op in migration.up:
        if isinstance(op, RawSQL) and op.category == "drop-all-tables":
            yield from _all_tables(op, context)
            continue
        if not isinstance(op, DropTable | Truncate):
            continue
        if isinstance(op, DropTable) and op.table in rebuilt:
            continue  # create new, copy, drop, rename: one rebuild of the table (column-dropped judges columns)
        if context.catalog.is_new(op.table) and not context.catalog.replaced(op.table):
            continue
        if isinstance(op, DropTable) and op.if_exists and _gone_before(op, migration, context):
            continue  # kpi's `DROP TABLE IF EXISTS …` after the DeleteModel that dropped the table: nothing left
        cascade, takes_along = _cascade(op, migration, context)
        if isinstance(op, Truncate):
            yield op.finding(
                RULE,
                f"Table `{op.table}` is truncated.{cascade}",
                blast_radius=f"All rows of {context.size_words(op.table)} are lost.",
                severity=Severity.CRITICAL if op.cascade else None,
            )
            continue
        again = recreated(migration, op) if isinstance(op, DropTable) else None
        if again is not None:
            yield _replaced(op, again, context)
            continue
        twin = _twin(op, migration, context) if isinstance(op, DropTable) else None
        if twin is not None:
            yield _renamed_as_drop_and_create(op, twin, migration, context)
            continue
        refused = _refused(op, migration, context) if isinstance(op, DropTable) else ""
        target = Target("table", op.table, op.table)
        found = assess(context.uses(target, op), op.table, removed=context.references.removed_uses(target))
        still = f" while {found.still_used()}" if found.blocking else ""
        if refused:
            yield op.finding(
                RULE,
                f"`DROP TABLE {op.table}` fails: {refused}, and without CASCADE the database refuses to drop a "
                f"table that others still depend on."
                + (f" Besides, {found.still_used()}." if found.blocking else ""),
                severity=Severity.CRITICAL,
                blast_radius="The deploy stops at this statement on every database that has those keys or views; "
                "the migrations after it do not run."
                + (f" {found.blast_radius}" if found.references else ""),
                fix="Drop the foreign keys (or views) that point at it first, in the same migration, after checking "
                "nothing still writes them; or use CASCADE knowing it drops them too.",
                references=found.references,
            )
            continue
        detached = context.before(op).detached.get(op.table) if isinstance(op, DropTable) else None
        places = removed_places(context, target)
        if detached and not found.blocking and not places and not cascade:
            # the models stopped mapping it in an earlier migration (and release): what the rule asks for
            yield op.finding(
                RULE,
                f"Table `{op.table}` is dropped; the models stopped mapping it in `{detached}`, which kept "
                "the table, and no code uses it.",
                blast_radius=f"All rows of {context.size_words(op.table)} are lost (no code references were "
                "found).",
                severity=Severity.INFO,
                fix="Keep a copy of its rows (`CREATE TABLE … AS SELECT`, or a dump) if they may be needed.",
            )
            continue
        severity = Severity.CRITICAL if takes_along else found.severity
        if isinstance(op, DropTable) and _never_created(op, context):
            yield _leftover(op, found, cascade, context)
            continue
        gone = ""
        if places and severity is Severity.INFO:
            # the code this change deletes is what the release running during the deploy still executes
            gone = (
                f" This change also removes the code that uses it ({places}): the release still running during "
                "the deploy executes that code, and fails once the table is gone."
            )
            severity = Severity.WARNING
        yield op.finding(
            RULE,
            f"Table `{op.table}` is dropped{still}.{cascade}{gone}",
            blast_radius=f"All rows of {context.size_words(op.table)} are lost. {found.blast_radius}"
            if found.references
            else f"All rows of {context.size_words(op.table)} are lost and any code that queries it fails "
            "(no code references were found).",
            severity=severity,
            references=found.references,
        )


def _never_created(op: DropTable, context: Context) -> bool:
    """`DROP TABLE IF EXISTS` of a table no migration before it creates, in a history that creates others: a
    table some databases may still have from before the history (authelia drops its pre-1.0 `totp_secrets`)."""
    tables = context.before(op).tables
    return op.if_exists and bool(tables) and not any(same_table(name, op.table) for name in tables)


def _leftover(op: DropTable, found: Assessment, cascade: str, context: Context) -> Finding:
    return op.finding(
        RULE,
        f"`DROP TABLE IF EXISTS {op.table}`: no migration before this one creates `{op.table}`, so it is dropped "
        f"only where a database still has it from elsewhere (an install older than the history, a table made by "
        f"hand).{cascade}" + (f" Besides, {found.still_used()}." if found.references else ""),
        severity=Severity.WARNING if found.blocking or cascade else Severity.INFO,
        blast_radius="Where the table exists, its rows are lost"
        + (f"; {found.blast_radius}" if found.references else "."),
        fix=f"Check that no database still uses `{op.table}` (and that the code naming it runs only before this "
        "migration, or never), and keep a copy of its rows where it exists.",
        references=found.references,
    )


def _refused(op: DropTable, migration: Migration, context: Context) -> str:
    """What still depends on the table when it is dropped without CASCADE: other tables' foreign keys, and
    (PostgreSQL) views on it. PostgreSQL and MySQL refuse the drop (MySQL not while `FOREIGN_KEY_CHECKS = 0`);
    SQLite is left out (its checks depend on `PRAGMA foreign_keys`)."""
    if op.cascade or context.dialect == "sqlite" or off_at(migration, op, op.table) is not None:
        return ""
    if migration.framework == "django":
        return ""  # Django's schema editor drops a model's table with CASCADE
    catalog = context.before(op)
    keys = sorted(
        {
            f"`{key.table}` ({', '.join(key.columns)})"
            for key in catalog.foreign_keys.values()
            if same_table(key.references, op.table) and not same_table(key.table, op.table)
        }
    )
    views = (
        sorted({obj.name for obj, _ in catalog.dependents(op.table) if obj.kind == "view" and obj.tracked})
        if context.postgres
        else []
    )
    parts = []
    if keys:
        parts.append(
            f"{', '.join(keys)} still reference{'s' if len(keys) == 1 else ''} it through a foreign key"
        )
    if views:
        parts.append(
            f"the view{'s' if len(views) > 1 else ''} {', '.join(f'`{v}`' for v in views)} read{'s' if len(views) == 1 else ''} it"
        )
    return " and ".join(parts)


def _twin(op: DropTable, migration: Migration, context: Context) -> CreateTable | None:
    """A table of another name the same migration creates with the old one's columns (two or more, of the same
    types): a rename written as a drop and a create, as Prisma writes a renamed model."""
    old = context.before(op).tables.get(op.table)
    if old is None or old.partial or len(old.columns) < 2:
        return None
    shape = {(c.name.lower(), _kind(c.type)) for c in old.columns.values()}
    for each in migration.up:
        if not isinstance(each, CreateTable) or each.table == op.table or each.as_select or each.like:
            continue
        if {(c.name.lower(), _kind(c.type)) for c in each.columns} == shape and not _copied(
            each, op, migration
        ):
            return each
    return None


def _copied(new: CreateTable, old: DropTable, migration: Migration) -> bool:
    """The migration copies the old table's rows into the new one: a replacement, not a lost rename."""
    return any(
        isinstance(each, DataInsert) and each.table == new.table and old.table.lower() in each.sql.lower()
        for each in migration.up
    )


def _kind(sql_type: str) -> str:
    return sql_type.lower().split("(")[0].strip().replace("serial", "int").replace("integer", "int")


_RENAMES = {
    "prisma": 'edit the generated migration to `ALTER TABLE "{old}" RENAME TO "{new}"` (or keep the table '
    'name with `@@map("{old}")`)',
    "prisma-push": '`@@map("{old}")` on the renamed model (db push has no rename: the model keeps its table)',
    "rails": "`rename_table :{old}, :{new}`",
    "django": '`migrations.RenameModel(…)` (or keep the table with `Meta.db_table = "{old}"`)',
    "alembic": '`op.rename_table("{old}", "{new}")`',
    "knex": '`knex.schema.renameTable("{old}", "{new}")`',
    "laravel": "`Schema::rename('{old}', '{new}')`",
}


def _renamed_as_drop_and_create(
    op: DropTable, twin: CreateTable, migration: Migration, context: Context
) -> Finding:
    rename = _RENAMES.get(migration.framework, "`ALTER TABLE {old} RENAME TO {new}`").format(
        old=op.table, new=twin.table
    )
    return op.finding(
        RULE,
        f"Table `{op.table}` is dropped, and the same migration creates `{twin.table}` with the same columns: if it "
        f"is meant as a rename, every row of `{op.table}` is lost and `{twin.table}` starts empty.",
        severity=Severity.CRITICAL,
        blast_radius=f"All rows of {context.size_words(op.table)} are deleted with the table; nothing copies them "
        f"into `{twin.table}`.",
        fix=f"Rename instead: {rename}. If the table really is replaced, copy its rows first "
        f"(`INSERT INTO {quote_column(twin.table, context.dialect)} SELECT … FROM "
        f"{quote_column(op.table, context.dialect)}`).",
    )


def _cascade(op: DropTable | Truncate, migration: Migration, context: Context) -> tuple[str, bool]:
    """What `CASCADE` takes along, and whether any of it outlives the change: `TRUNCATE` empties the tables
    whose keys point at the table; `DROP TABLE` keeps their rows but drops their foreign keys (nothing stops
    orphans from then on) and the views on it. A table the schema knows, that nothing points at or reads,
    or only tables the change drops as well, loses nothing else to it."""
    if not op.cascade or (
        context.mysql and isinstance(op, DropTable)
    ):  # MySQL accepts CASCADE and ignores it
        return "", False
    if isinstance(op, Truncate):
        return " `CASCADE` also empties every table whose foreign keys point at it.", True
    catalog = context.before(op)
    children = sorted(
        {
            key.table
            for key in catalog.foreign_keys.values()
            if key.references == op.table and key.table != op.table
        }
    )
    views = sorted(
        {obj.name for obj, _ in catalog.dependents(op.table) if obj.kind in ("view", "materialized view")}
    )
    known = catalog.tables.get(op.table)
    if known is None or known.partial:
        return " `CASCADE` also drops the foreign keys of any table that points at it.", True
    gone = _dropped_after(op, migration, context)
    staying = [t for t in children if t not in gone]
    if not staying and not views:
        if not children:
            return "", False
        named = ", ".join(f"`{t}`" for t in children[:5]) + (
            f" and {len(children) - 5} more" if len(children) > 5 else ""
        )
        return f" `CASCADE` also drops the foreign keys of {named}, which this change drops as well.", False
    named = ", ".join(f"`{t}`" for t in staying[:5]) + (
        f" and {len(staying) - 5} more" if len(staying) > 5 else ""
    )
    keys = (
        f" `CASCADE` also drops the foreign keys of {named} that point at it: their rows stay, and nothing "
        "keeps them consistent any more."
        if staying
        else ""
    )
    return keys + (
        f" It drops the views {', '.join(f'`{v}`' for v in views[:5])} too." if views else ""
    ), True


def _dropped_after(op: DropTable, migration: Migration, context: Context) -> frozenset[str]:
    """The tables the change drops after `op`: later in its migration, or in the migrations that follow."""
    ops = migration.up
    at = next((i for i, each in enumerate(ops) if each is op), len(ops))
    later = [*ops[at + 1 :], *(each for m in context.later() for each in m.up)]
    return frozenset(each.table for each in later if isinstance(each, DropTable))


def _replaced(op: DropTable, again: CreateTable, context: Context) -> Finding:
    """Dropped and created again by the same migration: the table stays, its rows and lost columns do not."""
    lost = lost_columns(op.table, again, context.before(op))
    uses = [u for column in lost for u in context.uses(Target("column", op.table, column), op)]
    found = assess(uses, ", ".join(lost)) if lost else None
    gone = ", ".join(f"`{c}`" for c in lost[:6]) + (f" and {len(lost) - 6} more" if len(lost) > 6 else "")
    columns = (
        f" The new table has no {gone}"
        + (f", which {found.still_used('')}." if found is not None and found.blocking else ".")
        if lost
        else ""
    )
    return op.finding(
        RULE,
        f"Table `{op.table}` is dropped and created again by this migration: every row it holds is lost.{columns}",
        blast_radius=f"All rows of {context.size_words(op.table)} are lost; code that reads them finds an empty "
        "table." + (f" {found.blast_radius}" if found is not None and found.references else ""),
        severity=Severity.CRITICAL
        if found is not None and found.severity is Severity.CRITICAL
        else Severity.WARNING,
        references=found.references if found is not None else (),
        fix="Copy the rows into the new table (INSERT … SELECT from a renamed copy) if they are still needed, "
        "and remove the code's uses of the columns the new table drops first.",
    )


def _all_tables(op: RawSQL, context: Context) -> Iterator[Finding]:
    """Sequelize's `dropAllTables`: every table the schema has before it."""
    tables = sorted(t for t in context.catalog.tables if not context.catalog.is_new(t))
    shown = ", ".join(f"`{t}`" for t in tables[:8]) + (
        f" and {len(tables) - 8} more" if len(tables) > 8 else ""
    )
    yield op.finding(
        RULE,
        "Every table of the database is dropped" + (f": {shown}." if tables else "."),
        blast_radius="All rows of every table are lost, and every query of the application fails.",
        severity=Severity.CRITICAL,
    )
