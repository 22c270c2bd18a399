"""The rollback plan: what to save before the deploy, which command undoes which migration, in which order,
what to restore from where, and which queries must return what afterwards. Also the patterns that make a
rollback safe (expand/contract, dual-write, a feature flag), credited where the change uses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot import two_cores
from bot.frameworks.forward_only import forward_fix, way_back_words
from bot.model.catalog import Catalog, ForeignKey
from bot.model.findings import RollbackStep
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RawSQL,
    Truncate,
)
from bot.plan.runnable import named, runnable, schema_of
from bot.references.targets import replacements
from bot.sql.checked import Schema
from bot.sql.names import backup_table, quote, quote_column

# Statements that lose data from which a second process writes part of their snapshots (about 0.4 ms each):
# below, forking and sending the SQL back cost more than it saves
_TWO_CORES_STATEMENTS = 100
COMMANDS = {
    "flyway": "flyway undo",
    "golang-migrate": 'migrate -path <dir> -database "$DATABASE_URL" down {n}',
    "goose": "goose down",
    "dbmate": "dbmate rollback",
    "diesel": "diesel migration revert",
    "sqitch": "sqitch revert --to @HEAD^{n}",
    "rails": "bin/rails db:rollback STEP={n}",
    "django": "python manage.py migrate {app} {previous}",
    "alembic": "alembic downgrade -{n}",
    "liquibase": "liquibase rollback-count {n}",
    "typeorm": "npx typeorm migration:revert -d <data-source>",
    "knex": "npx knex migrate:down",
    "db-migrate": "npx db-migrate down",
    "node-pg-migrate": "npx node-pg-migrate down {n}",
    "sequelize": "npx sequelize-cli db:migrate:undo",
    "mikroorm": "npx mikro-orm migration:down",
    "laravel": "php artisan migrate:rollback --step={n}",
    "ecto": "mix ecto.rollback --step {n}",
}
_REPEATED = {
    "flyway",
    "goose",
    "dbmate",
    "diesel",
    "typeorm",
    "knex",
    "sequelize",
    "mikroorm",
}  # one command per migration
_FLAG = re.compile(
    r"(?:feature[ -]?flag|flipper|launchdarkly|unleash|flagsmith|toggle)\b[^`\n]{0,40}`([\w.:-]+)`", re.I
)
_DUAL_WRITE = re.compile(r"\bdual[- ]?writ\w*|\bwrites? (?:to )?both\b", re.I)
Lossy = DropColumn | DropTable | Truncate | DataUpdate | DataDelete


@dataclass(frozen=True)
class Pattern:
    kind: str  # expand-contract | dual-write | feature-flag
    credit: str
    flag: str = ""


def patterns(
    migrations: Sequence[Migration], description: str = "", flags: Sequence[tuple[str, str, int]] = ()
) -> list[Pattern]:
    found = []
    ops = [op for m in migrations for op in m.up]
    dropped = {(op.table, op.column) for op in ops if isinstance(op, DropColumn)}
    added = {(op.table, op.column.name) for op in ops if isinstance(op, AddColumn)}
    # a new column filled from a column of the row that stays (not from values the code computes, which
    # `replacements` leaves out): the running release keeps reading and writing the old one
    copies = [(t, op) for m in migrations for t, op in replacements(m) if (t.table, t.name) not in dropped]
    for target, op in copies:
        if (op.table, target.new_name) in added and not any(t == op.table for t, _ in dropped):
            found.append(
                Pattern(
                    "expand-contract",
                    f"Expand/contract: `{op.table}` gets a new column filled from "
                    f"`{target.name}`, which stays, so the running release keeps working and the "
                    "rollback loses nothing.",
                )
            )
            break
    triggers = [op for op in ops if isinstance(op, RawSQL) and op.category == "trigger"]
    if triggers or _DUAL_WRITE.search(description):
        where = (
            f"a trigger (`{triggers[0].location.path}:{triggers[0].location.line}`)"
            if triggers
            else "the application"
        )
        found.append(
            Pattern(
                "dual-write",
                f"Dual-write: {where} keeps the old and the new shape in step during "
                "the deploy, so either release can run.",
            )
        )
    flag = _FLAG.search(description)
    if flag:
        found.append(
            Pattern(
                "feature-flag",
                f"Feature flag `{flag.group(1)}` gates the new code path: turning it "
                "off is the first, fastest step of a rollback.",
                flag.group(1),
            )
        )
    elif flags:
        label = flags[0][0]
        name = label.split("`")[1] if label.count("`") >= 2 else label
        # The code-reference search already notes where the flag is; the pattern adds the rollback step.
        found.append(Pattern("feature-flag", "", name))
    return found


def steps(
    migrations: Sequence[Migration],
    dialect: str,
    found: Sequence[Pattern] = (),
    catalog: Catalog | None = None,
    schema: Schema | None = None,
) -> Iterator[RollbackStep]:
    """`catalog` is the schema before the change: the key of each table, and the tables a DELETE cascades to;
    `schema` what the review's SQL runs against (`schema_of` the catalog and the change), when the caller has it."""
    if not migrations:
        return
    added = {(op.table, op.column.name) for m in migrations for op in m.up if isinstance(op, AddColumn)}
    lossy = [
        (op, _backup(op), _way_back(m))
        for m in migrations
        for op in _before_the_change(m)
        if isinstance(op, Lossy)
        and named(op)
        and not _saved(op, m)
        and not _fills_new_columns(op, added)
        and not (isinstance(op, DropTable) and op.table in m.rebuilt_tables())
    ]
    if schema is None:
        schema = schema_of(catalog, [op for m in migrations for op in m.up])
    wheres = {id(op): _where(op, dialect, schema) for op, _, _ in lossy}
    lossy = _distinct_backups(_covered_left_out(lossy, wheres))
    keys = {op.table: _key(catalog, op.table) for op, _, _ in lossy}
    # Each snapshot's SELECT is parsed to check it runs: a second core writes those of a long history's later part
    written = two_cores.in_two(
        lambda each: _sql(each[0], each[1], dialect, keys[each[0].table], wheres[id(each[0])], schema),
        lossy,
        minimum=_TWO_CORES_STATEMENTS,
    )
    sql = {id(op): statements for (op, _, _), statements in zip(lossy, written, strict=True)}
    cascaded = [
        c for op, _, _ in lossy if isinstance(op, DataDelete) for c in _cascaded(op, wheres[id(op)], catalog)
    ]
    saved: set[str] = set()
    for op, _, way in lossy:
        text = _save_text(op).replace("the down migration", way)
        yield RollbackStep(text, sql[id(op)].save)
        for child in (c for c in cascaded if c.parent is op and c.backup not in saved):
            saved.add(child.backup)
            yield _save_child(child, dialect)
    for pattern in found:
        if pattern.flag:
            yield RollbackStep(
                f"Turn the feature flag `{pattern.flag}` off, so the code stops using the new schema."
            )
    yield RollbackStep("Revert the application deploy first, so no running code depends on the new schema.")
    yield from _down_steps(migrations)
    for op, backup, way in lossy:
        restore = sql[id(op)].restore
        if restore:
            yield RollbackStep(
                f"Restore `{op.table}` from `{backup}` (after {way} re-created what it needs).",
                restore,
            )
        elif sql[id(op)].unknown:
            yield RollbackStep(
                f"The schema the review read has no {sql[id(op)].unknown} in `{op.table}`: restore the rows of "
                f"`{backup}` by hand."
            )
        elif not keys[op.table] and _saved_columns(op):
            yield RollbackStep(
                f"`{op.table}` has no primary or unique key: match the rows of `{backup}` back by hand."
            )
        for child in (c for c in cascaded if c.parent is op):
            yield _restore_child(child, dialect)
    for op, backup, _ in lossy:
        check = sql[id(op)].check
        if check:
            yield RollbackStep(
                f"Check that every saved row of `{backup}` is back in `{op.table}`: expect 0.", check
            )
    yield RollbackStep(
        "Re-run the validation queries marked 'before the deploy': every count must equal the one recorded before "
        "the deploy."
    )


@dataclass(frozen=True)
class _Cascaded:
    """A child table whose rows a DELETE removes through `ON DELETE CASCADE`."""

    parent: Operation  # the DELETE
    table: str
    columns: tuple[str, ...]  # the child's foreign key
    via: str  # the table it references
    referenced: tuple[str, ...]  # the referenced key
    via_condition: str  # which rows of `via` go ("" for all)
    backup: str
    emptied: str = ""  # "set null" / "set default": the rows stay, their key is emptied
    key: tuple[str, ...] = ()  # the child's own row key, to write an emptied link back
    how: str = "`ON DELETE CASCADE`"  # what removes them: the key's action, or the model association
    # a polymorphic child's type column and the SQL of what it holds for the parent (its class as a literal,
    # a Django content type as a query)
    kind: tuple[str, str] = ("", "")


def _save_child(child: _Cascaded, dialect: str) -> RollbackStep:
    table = quote(child.table, dialect)
    if not child.emptied:
        return RollbackStep(
            f"Before deploying, save the rows of `{child.table}` that {child.how} removes with the "
            f"deleted rows of `{child.via}`.",
            f"CREATE TABLE {child.backup} AS SELECT * FROM {table} WHERE {_condition(child, dialect)};",
        )
    kept = ", ".join(quote_column(c, dialect) for c in dict.fromkeys((*child.key, *child.columns)))
    return RollbackStep(
        f"Before deploying, save `{', '.join(child.columns)}` of the rows of `{child.table}` that reference the "
        f"deleted rows of `{child.via}`: the delete sets {'it to NULL' if child.emptied == 'set null' else 'it to its default'}.",
        f"CREATE TABLE {child.backup} AS SELECT {kept} FROM {table} WHERE {_condition(child, dialect)};",
    )


def _restore_child(child: _Cascaded, dialect: str) -> RollbackStep:
    table = quote(child.table, dialect)
    if not child.emptied:
        return RollbackStep(
            f"Restore the rows of `{child.table}` the cascade removed, after their parents are back.",
            f"INSERT INTO {table} SELECT * FROM {child.backup};",
        )
    text = f"Give the rows of `{child.table}` back their `{', '.join(child.columns)}`, after the rows of `{child.via}` are back."
    if not child.key:
        return RollbackStep(
            f"{text} `{child.table}` has no primary or unique key: match the rows of `{child.backup}` by hand."
        )
    if dialect in ("mysql", "mariadb"):
        sets = ", ".join(
            f"t.{quote_column(c, dialect)} = b.{quote_column(c, dialect)}" for c in child.columns
        )
        return RollbackStep(
            text,
            f"UPDATE {table} t JOIN {child.backup} b ON {_joined(child.key, 'b', 't', dialect)} SET {sets};",
        )
    sets = ", ".join(f"{quote_column(c, dialect)} = b.{quote_column(c, dialect)}" for c in child.columns)
    return RollbackStep(
        text,
        f"UPDATE {table} SET {sets} FROM {child.backup} b WHERE {_joined(child.key, 'b', table, dialect)};",
    )


def _covered_left_out(
    lossy: list[tuple[Lossy, str, str]], wheres: dict[int, str]
) -> list[tuple[Lossy, str, str]]:
    """Several UPDATEs of the same columns of a table (a data migration that rewrites `styles` model by
    model): every snapshot is taken before the deploy, so one of every row keeps what all of them need;
    the others are left out. Partial snapshots stay apart when no such one exists."""
    whole: dict[tuple[str, tuple[str, ...]], int] = {}
    for op, _, _ in lossy:
        if isinstance(op, DataUpdate) and _saved_columns(op) and not wheres[id(op)]:
            whole.setdefault((op.table, tuple(sorted(_saved_columns(op)))), id(op))
    return [
        item
        for item in lossy
        if not isinstance(item[0], DataUpdate)
        or not _saved_columns(item[0])
        or whole.get((item[0].table, tuple(sorted(_saved_columns(item[0])))), id(item[0])) == id(item[0])
    ]


def _distinct_backups(
    lossy: list[tuple[Lossy, str, str]],
) -> list[tuple[Lossy, str, str]]:
    """One snapshot table per statement: the second DELETE of a table saves into `<table>_backup_2`."""
    used: dict[str, int] = {}
    found = []
    for op, backup, way in lossy:
        used[backup] = used.get(backup, 0) + 1
        found.append((op, backup if used[backup] == 1 else f"{backup}_{used[backup]}", way))
    return found


@dataclass(frozen=True)
class _Statements:
    """The SQL that saves, restores and checks one statement's data; "" where none can be written."""

    save: str
    restore: str
    check: str
    unknown: str = ""  # the key or columns the schema the review read lacks (the snapshot then keeps rows)


def _sql(
    op: Lossy, backup: str, dialect: str, key: tuple[str, ...], where: str, schema: Schema
) -> _Statements:
    """Each statement names only columns the schema knows: a key or a saved column it lacks (a table with no
    `id`, a column its history does not show) makes the snapshot keep whole rows, restored by hand."""
    save = _save_sql(op, backup, dialect, key, where)
    columns = schema.get(op.table, {})
    if not runnable(save.split(" AS ", 1)[1], dialect, schema):  # the SELECT: the new table is not known
        missing = [c for c in (*key, *_saved_columns(op)) if c not in columns]
        named = ", ".join(f"`{c}`" for c in missing) or "column it names"
        condition = f" WHERE {where}" if where and isinstance(op, DataUpdate | DataDelete) else ""
        whole = f"CREATE TABLE {backup} AS SELECT * FROM {quote(op.table, dialect)}{condition};"
        return _Statements(whole, "", "", named)
    picked = (
        [c for c in (*key, *_saved_columns(op)) if c in columns] if "SELECT *" not in save else list(columns)
    )
    with_backup = {**schema, backup: {c: columns.get(c, "text") for c in picked}} if columns else schema
    restore = _restore_sql(op, backup, dialect, key)
    check = _restored_sql(op, backup, dialect, key)
    return _Statements(
        save,
        restore if restore and runnable(restore, dialect, with_backup) else "",
        check if check and runnable(check, dialect, with_backup) else "",
    )


def _key(catalog: Catalog | None, table: str) -> tuple[str, ...]:
    return catalog.row_key(table) if catalog is not None else ("id",)


def _where(op: Operation, dialect: str, schema: Schema) -> str:
    """The condition of an UPDATE or DELETE when a snapshot can reuse it: SQL naming known columns, and not
    the key range of one batch; "" otherwise (the snapshot then keeps every row)."""
    where = getattr(op, "where", None)
    if not where or getattr(op, "batched", False) or PLACEHOLDER in where:
        return ""  # a batch's key range, a value the migration's code fills in: keep every row
    table = quote(str(getattr(op, "table", "")), dialect)
    return where if runnable(f"SELECT 1 FROM {table} WHERE {where}", dialect, schema) else ""


def _cascaded(op: DataDelete, where: str, catalog: Catalog | None) -> list[_Cascaded]:
    if catalog is None:
        return []
    conditions = {op.table: where}
    found = []
    for key in catalog.cascades_to(op.table, in_code=op.cascades_in_code, dependents=op.dependents_run):
        via = next((t for t in conditions if t.rsplit(".", 1)[-1] == key.references.rsplit(".", 1)[-1]), "")
        referenced = key.referenced_columns or catalog.row_key(via)
        if not via or len(referenced) != len(key.columns):
            continue
        child = _Cascaded(
            op,
            key.table,
            key.columns,
            via,
            referenced,
            conditions[via],
            backup_table(f"{key.table.replace('.', '_')}_cascade"),
            how=key.declared if key.declared and not key.on_delete else "`ON DELETE CASCADE`",
            kind=_kind(key),
        )
        conditions.setdefault(key.table, _condition(child, ""))
        found.append(child)
    for key in catalog.nullified_by(op.table, in_code=op.cascades_in_code, dependents=op.dependents_run):
        via = next((t for t in conditions if t.rsplit(".", 1)[-1] == key.references.rsplit(".", 1)[-1]), "")
        referenced = key.referenced_columns or catalog.row_key(via)
        if not via or len(referenced) != len(key.columns):
            continue
        action = key.on_delete if key.on_delete or not op.cascades_in_code else key.orm_on_delete
        own = catalog.row_key(key.table)
        found.append(
            _Cascaded(
                op,
                key.table,
                key.columns,
                via,
                referenced,
                conditions[via],
                backup_table(f"{key.table.replace('.', '_')}_{'_'.join(key.columns)}_links"),
                emptied=action,
                key=own if not set(own) & set(key.columns) else (),
                kind=_kind(key),
            )
        )
    return found


def _kind(key: ForeignKey) -> tuple[str, str]:
    """The type column of a polymorphic or generic child and the SQL of the value that means the parent."""
    if not key.type_column:
        return ("", "")
    return (key.type_column, key.type_condition.partition(" = ")[2])


def _condition(child: _Cascaded, dialect: str) -> str:
    """The rows of the child that reference the deleted rows of its parent."""

    def q(name: str) -> str:
        return quote(name, dialect) if dialect else name

    columns = ", ".join(q(c) for c in child.columns)
    referenced = ", ".join(q(c) for c in child.referenced)
    where = f" WHERE {child.via_condition}" if child.via_condition else ""
    left = f"({columns})" if len(child.columns) > 1 else columns
    column, value = child.kind
    kind = f" AND {q(column)} = {value}" if column and value else ""
    return f"{left} IN (SELECT {referenced} FROM {q(child.via)}{where}){kind}"


def _way_back(migration: Migration) -> str:
    return "the forward fix" if forward_fix(migration) else "the down migration"


def _down_steps(migrations: Sequence[Migration]) -> Iterator[RollbackStep]:
    for index, migration in enumerate(reversed(migrations)):
        if forward_fix(migration):
            yield RollbackStep(f"`{migration.path}`: {forward_fix(migration)}")
            continue
        if migration.down is None:
            yield RollbackStep(
                f"`{migration.path}` {way_back_words(migration)}: write the reverse as a new migration, and test "
                "it, before deploying."
            )
            continue
        down = (
            f" (`{migration.down_path}`)"
            if migration.down_path and migration.down_path != migration.path
            else ""
        )
        yield RollbackStep(f"Run the down migration of `{migration.path}`{down}.", _command(migration, index))


def _command(migration: Migration, position: int) -> str:
    template = COMMANDS.get(migration.framework, "")
    if migration.framework in _REPEATED or ("{n}" not in template and "{app}" not in template):
        return template
    parts = migration.path.split("/")
    app = parts[parts.index("migrations") - 1] if "migrations" in parts[1:] else "<app>"
    version = re.match(r"\d+", parts[-1])
    previous = f"{int(version.group()) - 1:0{len(version.group())}d}" if version else "<previous_migration>"
    return template.format(n=1, app=app, previous=previous)


def _before_the_change(migration: Migration) -> Iterator[Operation]:
    """The migration's operations, a row change on the copy a rebuild fills named as the rebuilt table (whose
    rows it started from); other operations on a table the migration creates are left out: its rows did not
    exist before the deploy, there is nothing to save of them."""
    created: set[str] = set()
    rebuilt = {rebuild.table for rebuild in migration.rebuilds()}
    for op in migration.named_as_rebuilt():
        if isinstance(op, CreateTable):
            created.add(op.table)
        if getattr(op, "table", None) not in created - rebuilt or not isinstance(op, Lossy):
            yield op


def _fills_new_columns(op: Operation, added: set[tuple[str, str]]) -> bool:
    """A backfill of columns the change adds overwrites nothing, and its down migration drops them."""
    return (
        isinstance(op, DataUpdate)
        and bool(op.assignments)
        and all((op.table, c) in added for c, _ in op.assignments)
    )


def _saved(op: Operation, migration: Migration) -> bool:
    """Does the migration itself copy the table's data aside before this statement?"""
    table = str(getattr(op, "table", ""))
    return any(
        isinstance(other, CreateTable)
        and other.as_select
        and re.search(rf"\bFROM\s+{re.escape(table)}\b", other.sql, re.I)
        for other in migration.up
        if other.location.line < op.location.line
    )


def _backup(op: Lossy) -> str:
    table = op.table.replace(".", "_")
    if isinstance(op, DropColumn):
        return backup_table(f"{table}_{op.column}")
    if isinstance(op, DataUpdate) and 0 < len(written := _saved_columns(op)) <= 2:
        return backup_table(f"{table}_{'_'.join(written)}")
    return backup_table(table)


def _save_text(op: Lossy) -> str:
    if isinstance(op, DropColumn):
        return f"Before deploying, save `{op.table}.{op.column}`: the down migration can only re-create it empty."
    if isinstance(op, DataUpdate):
        return f"Before deploying, save the values the UPDATE of `{op.table}` overwrites."
    return f"Before deploying, save the rows of `{op.table}` that the migration removes."


def _save_sql(op: Lossy, backup: str, dialect: str, key: tuple[str, ...], condition: str) -> str:
    t = quote(op.table, dialect)
    saved = [c for c in _saved_columns(op) if c not in key]
    picked = ", ".join(quote_column(c, dialect) for c in (*key, *saved)) if key and saved else "*"
    if isinstance(op, DropColumn):
        return f"CREATE TABLE {backup} AS SELECT {picked} FROM {t};"
    where = f" WHERE {condition}" if condition and isinstance(op, DataUpdate | DataDelete) else ""
    if isinstance(op, DataUpdate):
        return f"CREATE TABLE {backup} AS SELECT {picked} FROM {t}{where};"
    return f"CREATE TABLE {backup} AS SELECT * FROM {t}{where};"


def _saved_columns(op: Lossy) -> list[str]:
    """The columns a snapshot keeps (a dropped column, the columns an UPDATE overwrites); none: whole rows."""
    if isinstance(op, DropColumn):
        return [op.column]
    if isinstance(op, DataUpdate):
        return list(dict.fromkeys(c for c, _ in op.assignments))  # a column assigned twice is saved once
    return []


def _joined(key: tuple[str, ...], left: str, right: str, dialect: str) -> str:
    return " AND ".join(
        f"{left}.{quote_column(c, dialect)} = {right}.{quote_column(c, dialect)}" for c in key
    )


def _restore_sql(op: Lossy, backup: str, dialect: str, key: tuple[str, ...] = ("id",)) -> str:
    t = quote(op.table, dialect)
    columns = [c for c in _saved_columns(op) if c not in key]
    if _saved_columns(op):
        if not key or not columns:
            return ""
        if dialect in ("mysql", "mariadb"):
            sets = ", ".join(f"t.{quote_column(c, dialect)} = b.{quote_column(c, dialect)}" for c in columns)
            return f"UPDATE {t} t JOIN {backup} b ON {_joined(key, 'b', 't', dialect)} SET {sets};"
        sets = ", ".join(f"{quote_column(c, dialect)} = b.{quote_column(c, dialect)}" for c in columns)
        return f"UPDATE {t} SET {sets} FROM {backup} b WHERE {_joined(key, 'b', t, dialect)};"
    if isinstance(op, DataInsert):
        return ""
    return f"INSERT INTO {t} SELECT * FROM {backup};"


def _restored_sql(op: Lossy, backup: str, dialect: str, key: tuple[str, ...] = ("id",)) -> str:
    t = quote(op.table, dialect)
    columns = [c for c in _saved_columns(op) if c not in key]
    if not key:
        return ""
    if _saved_columns(op):
        if not columns:
            return ""
        mysql = dialect in ("mysql", "mariadb")
        differs = " OR ".join(
            f"NOT (t.{quote_column(c, dialect)} <=> b.{quote_column(c, dialect)})"
            if mysql
            else f"t.{quote_column(c, dialect)} IS DISTINCT FROM b.{quote_column(c, dialect)}"
            for c in columns
        )
        return f"SELECT count(*) FROM {backup} b JOIN {t} t ON {_joined(key, 't', 'b', dialect)} WHERE {differs};"
    return f"SELECT count(*) FROM {backup} b WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {_joined(key, 't', 'b', dialect)});"
