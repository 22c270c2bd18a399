"""The rollback plan: what to save before the deploy, which command undoes which migration, in which order,
what to restore from where, and which queries must return what afterwards. Also the patterns that make a
rollback safe (expand/contract, dual-write, a feature flag), credited where the change uses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.frameworks.forward_only import forward_fix
from bot.model.findings import RollbackStep
from bot.model.migration import (
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
from bot.sql.names import quote

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
    for op in ops:
        if isinstance(op, DataUpdate) and any((op.table, c) in added for c, _ in op.assignments):
            kept = [c for c in op.reads if (op.table, c) not in dropped]
            if kept and not any(t == op.table for t, _ in dropped):
                found.append(
                    Pattern(
                        "expand-contract",
                        f"Expand/contract: `{op.table}` gets a new column filled from "
                        f"`{kept[0]}`, which stays, so the running release keeps working and the "
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
    migrations: Sequence[Migration], dialect: str, found: Sequence[Pattern] = ()
) -> Iterator[RollbackStep]:
    if not migrations:
        return
    added = {(op.table, op.column.name) for m in migrations for op in m.up if isinstance(op, AddColumn)}
    lossy = [
        (op, _backup(op), _way_back(m))
        for m in migrations
        for op in m.up
        if isinstance(op, Lossy)
        and not _saved(op, m)
        and not _fills_new_columns(op, added)
        and not (isinstance(op, DropTable) and op.table in m.rebuilt_tables())
    ]
    for op, backup, way in lossy:
        yield RollbackStep(_save_text(op).replace("the down migration", way), _save_sql(op, backup, dialect))
    for pattern in found:
        if pattern.flag:
            yield RollbackStep(
                f"Turn the feature flag `{pattern.flag}` off, so the code stops using the new schema."
            )
    yield RollbackStep("Revert the application deploy first, so no running code depends on the new schema.")
    yield from _down_steps(migrations)
    for op, backup, way in lossy:
        restore = _restore_sql(op, backup, dialect)
        if restore:
            yield RollbackStep(
                f"Restore `{op.table}` from `{backup}` (after {way} re-created what it needs).",
                restore,
            )
    for op, backup, _ in lossy:
        check = _restored_sql(op, backup, dialect)
        if check:
            yield RollbackStep(
                f"Check that every saved row of `{backup}` is back in `{op.table}`: expect 0.", check
            )
    yield RollbackStep(
        "Re-run the validation queries marked 'before the deploy': every count must equal the one recorded before "
        "the deploy."
    )


def _way_back(migration: Migration) -> str:
    return "the forward fix" if forward_fix(migration) else "the down migration"


def _down_steps(migrations: Sequence[Migration]) -> Iterator[RollbackStep]:
    for index, migration in enumerate(reversed(migrations)):
        if forward_fix(migration):
            yield RollbackStep(f"`{migration.path}`: {forward_fix(migration)}")
            continue
        if migration.down is None:
            yield RollbackStep(
                f"`{migration.path}` has no way back ({migration.irreversible_reason or 'no down migration'}): write "
                "the reverse as a new migration, and test it, before deploying."
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
        return f"{table}_{op.column}_backup"
    if isinstance(op, DataUpdate) and 0 < len(op.assignments) <= 2:
        return f"{table}_{'_'.join(c for c, _ in op.assignments)}_backup"
    return f"{table}_backup"


def _save_text(op: Lossy) -> str:
    if isinstance(op, DropColumn):
        return f"Before deploying, save `{op.table}.{op.column}`: the down migration can only re-create it empty."
    if isinstance(op, DataUpdate):
        return f"Before deploying, save the values the UPDATE of `{op.table}` overwrites."
    return f"Before deploying, save the rows of `{op.table}` that the migration removes."


def _save_sql(op: Lossy, backup: str, dialect: str) -> str:
    t = quote(op.table, dialect)
    if isinstance(op, DropColumn):
        return f"CREATE TABLE {backup} AS SELECT id, {quote(op.column, dialect)} FROM {t};"
    if isinstance(op, DataUpdate):
        columns = ", ".join(quote(c, dialect) for c, _ in op.assignments)
        where = f" WHERE {op.where}" if op.where and not op.batched else ""
        return f"CREATE TABLE {backup} AS SELECT id, {columns or '*'} FROM {t}{where};"
    where = f" WHERE {op.where}" if isinstance(op, DataDelete) and op.where and not op.batched else ""
    return f"CREATE TABLE {backup} AS SELECT * FROM {t}{where};"


def _saved_columns(op: Lossy) -> list[str]:
    """The columns a snapshot keeps (a dropped column, the columns an UPDATE overwrites); none: whole rows."""
    if isinstance(op, DropColumn):
        return [op.column]
    if isinstance(op, DataUpdate):
        return [c for c, _ in op.assignments]
    return []


def _restore_sql(op: Lossy, backup: str, dialect: str) -> str:
    t = quote(op.table, dialect)
    columns = _saved_columns(op)
    if columns:
        if dialect in ("mysql", "mariadb"):
            sets = ", ".join(f"t.{quote(c, dialect)} = b.{quote(c, dialect)}" for c in columns)
            return f"UPDATE {t} t JOIN {backup} b ON b.id = t.id SET {sets};"
        sets = ", ".join(f"{quote(c, dialect)} = b.{quote(c, dialect)}" for c in columns)
        return f"UPDATE {t} SET {sets} FROM {backup} b WHERE b.id = {t}.id;"
    if isinstance(op, DataInsert):
        return ""
    return f"INSERT INTO {t} SELECT * FROM {backup};"


def _restored_sql(op: Lossy, backup: str, dialect: str) -> str:
    t = quote(op.table, dialect)
    columns = _saved_columns(op)
    if columns:
        mysql = dialect in ("mysql", "mariadb")
        differs = " OR ".join(
            f"NOT (t.{quote(c, dialect)} <=> b.{quote(c, dialect)})"
            if mysql
            else f"t.{quote(c, dialect)} IS DISTINCT FROM b.{quote(c, dialect)}"
            for c in columns
        )
        return f"SELECT count(*) FROM {backup} b JOIN {t} t ON t.id = b.id WHERE {differs};"
    return f"SELECT count(*) FROM {backup} b WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE t.id = b.id);"
