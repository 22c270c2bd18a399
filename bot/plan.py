"""The parts of a review a person would otherwise write: validation queries, rollback plan, monitoring."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.findings import Finding, MonitoringItem, RollbackStep, VerificationQuery
from bot.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataDelete,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameTable,
    SetNotNull,
    Truncate,
)

ROLLBACK_COMMANDS = {
    "flyway": "flyway undo",
    "golang-migrate": 'migrate -path <dir> -database "$DATABASE_URL" down 1',
    "goose": "goose down",
    "dbmate": "dbmate rollback",
    "diesel": "diesel migration revert",
    "sqitch": "sqitch revert --to @HEAD^",
    "rails": "bin/rails db:rollback STEP=1",
    "django": "python manage.py migrate <app> <previous_migration>",
    "alembic": "alembic downgrade -1",
    "liquibase": "liquibase rollback-count 1",
}


@dataclass(frozen=True)
class Plan:
    queries: tuple[VerificationQuery, ...]
    rollback: tuple[RollbackStep, ...]
    monitoring: tuple[MonitoringItem, ...]


def build(migrations: Sequence[Migration], findings: Sequence[Finding], dialect: str) -> Plan:
    ops = [op for m in migrations for op in m.up]
    queries: dict[str, VerificationQuery] = {}
    for op in ops:
        for query in _queries(op, dialect):
            queries.setdefault(query.sql, query)
    return Plan(tuple(queries.values()), tuple(_rollback(migrations)), tuple(_monitoring(ops, dialect)))


def _q(name: str, dialect: str) -> str:
    if "." in name:
        return ".".join(_q(part, dialect) for part in name.split("."))
    plain = name.isidentifier() and name == name.lower()
    if plain:
        return name
    return f"`{name}`" if dialect in ("mysql", "mariadb") else f'"{name}"'


def _queries(op: Operation, dialect: str) -> Iterator[VerificationQuery]:
    if isinstance(op, DataUpdate):
        t = _q(op.table, dialect)
        for mapping in op.case_mappings:
            if mapping.source:
                yield VerificationQuery(
                    f"SELECT {_q(mapping.source, dialect)}, {_q(mapping.target, dialect)}, count(*) FROM {t} GROUP BY 1, 2 ORDER BY 3 DESC;",
                    f"distribution of `{mapping.target}` against `{mapping.source}` after the backfill",
                    "every old value maps to the intended new value",
                )
            yield VerificationQuery(
                f"SELECT count(*) AS unmapped FROM {t} WHERE {_q(mapping.target, dialect)} IS NULL;",
                f"rows the CASE on `{mapping.target}` left NULL",
                "0",
            )
        if op.where and not op.case_mappings:
            yield VerificationQuery(
                f"SELECT count(*) FROM {t} WHERE {op.where};",
                f"rows of `{op.table}` still matching the UPDATE's condition",
                "0 if the update should have changed all of them",
            )
    elif isinstance(op, DataDelete):
        condition = f" WHERE {op.where}" if op.where else ""
        yield VerificationQuery(
            f"SELECT count(*) FROM {_q(op.table, dialect)}{condition};",
            f"rows of `{op.table}` the DELETE should have removed",
            "0",
        )
    elif isinstance(op, AddColumn) and not op.column.nullable:
        yield VerificationQuery(
            f"SELECT count(*) FROM {_q(op.table, dialect)} WHERE {_q(op.column.name, dialect)} IS NULL;",
            f"NULLs in the new NOT NULL column `{op.table}.{op.column.name}`",
            "0",
        )
    elif isinstance(op, SetNotNull):
        yield VerificationQuery(
            f"SELECT count(*) FROM {_q(op.table, dialect)} WHERE {_q(op.column, dialect)} IS NULL;",
            f"NULLs in `{op.table}.{op.column}`: run before the deploy too, the migration fails if any",
            "0",
            when="before and after deploy",
        )
    elif isinstance(op, AddConstraint):
        yield from _constraint_queries(op, dialect)
    elif isinstance(op, AddIndex) and op.concurrently and dialect == "postgres":
        yield VerificationQuery(
            f"SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indexrelid = '{op.name}'::regclass;",
            f"the concurrent build of `{op.name}` finished and the index is valid",
            "indisvalid = true",
        )
    elif isinstance(op, AlterColumnType):
        yield VerificationQuery(
            f"SELECT count(*) FROM {_q(op.table, dialect)} WHERE {_q(op.column, dialect)} IS NULL;",
            f"NULLs in `{op.table}.{op.column}` after the type change (values the conversion lost)",
            "the same count as before the deploy",
        )


def _constraint_queries(op: AddConstraint, dialect: str) -> Iterator[VerificationQuery]:
    t = _q(op.table, dialect)
    cols = ", ".join(_q(c, dialect) for c in op.columns)
    if op.constraint == "foreign_key" and op.references and len(op.columns) == 1:
        c = _q(op.columns[0], dialect)
        yield VerificationQuery(
            f"SELECT count(*) AS orphans FROM {t} child WHERE child.{c} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {_q(op.references, dialect)} parent WHERE parent.id = child.{c});",
            f"rows of `{op.table}` whose `{op.columns[0]}` points nowhere",
            "0",
            when="before and after deploy",
        )
    elif op.constraint in ("unique", "primary_key") and op.columns:
        yield VerificationQuery(
            f"SELECT {cols}, count(*) FROM {t} GROUP BY {cols} HAVING count(*) > 1 LIMIT 20;",
            f"duplicates of ({', '.join(op.columns)}) in `{op.table}`",
            "no rows",
            when="before and after deploy",
        )
    elif op.constraint == "check" and op.expression_sql:
        yield VerificationQuery(
            f"SELECT count(*) FROM {t} WHERE NOT ({op.expression_sql});",
            f"rows of `{op.table}` that violate the new CHECK",
            "0",
            when="before and after deploy",
        )


def _rollback(migrations: Sequence[Migration]) -> Iterator[RollbackStep]:
    if not migrations:
        return
    lossy = [
        op
        for m in migrations
        for op in m.up
        if isinstance(op, DropColumn | DropTable | Truncate | DataUpdate | DataDelete)
    ]
    if lossy:
        for op in lossy:
            yield RollbackStep(*_snapshot(op))
    yield RollbackStep("Revert the application deploy first, so no code depends on the new schema.")
    for migration in reversed(migrations):
        command = ROLLBACK_COMMANDS.get(migration.framework, "")
        if migration.down is None:
            yield RollbackStep(
                f"`{migration.path}` has no way back ({migration.irreversible_reason or 'no down migration'}): "
                "write the reverse as a new migration before deploying."
            )
        else:
            yield RollbackStep(
                f"Run the down migration of `{migration.path}`"
                + (
                    f" (`{migration.down_path}`)"
                    if migration.down_path and migration.down_path != migration.path
                    else ""
                )
                + ".",
                command,
            )
    if lossy:
        yield RollbackStep(
            "Restore the saved rows from the snapshots above, then re-run the verification queries: "
            "their counts must match the ones taken before the deploy."
        )


def _snapshot(op: Operation) -> tuple[str, str]:
    table = getattr(op, "table", "")
    backup = f"{table.replace('.', '_')}_{getattr(op, 'column', '') or 'rows'}_backup"
    if isinstance(op, DropColumn):
        return (
            f"Before deploying, save `{op.table}.{op.column}`: the down migration can only re-create it empty.",
            f"CREATE TABLE {backup} AS SELECT id, {op.column} FROM {op.table};",
        )
    if isinstance(op, DataUpdate):
        columns = ", ".join(c for c, _ in op.assignments) or "*"
        return (
            f"Before deploying, save the values the UPDATE of `{table}` overwrites.",
            f"CREATE TABLE {backup} AS SELECT id, {columns} FROM {table}"
            + (f" WHERE {op.where}" if op.where else "")
            + ";",
        )
    return (
        f"Before deploying, save the rows of `{table}` that the migration removes.",
        f"CREATE TABLE {backup} AS SELECT * FROM {table}"
        + (f" WHERE {op.where}" if isinstance(op, DataDelete) and op.where else "")
        + ";",
    )


def _monitoring(ops: Sequence[Operation], dialect: str) -> Iterator[MonitoringItem]:
    removed = [op for op in ops if isinstance(op, DropColumn | DropTable | RenameColumn | RenameTable)]
    if removed:
        error = (
            "PG::UndefinedColumn / UndefinedTable (SQLSTATE 42703, 42P01)"
            if dialect == "postgres"
            else "unknown column / table errors (1054, 1146)"
        )
        yield MonitoringItem(f"Application errors of the kind {error}", "alert on any", "30 min after deploy")
    if any(isinstance(op, DataUpdate | DataDelete) for op in ops):
        yield MonitoringItem(
            "Replication lag during the data change", "alert above 30 s", "until the change finishes"
        )
    for op in ops:
        if isinstance(op, DataUpdate):
            for mapping in op.case_mappings:
                yield MonitoringItem(f"`{op.table}.{mapping.target} IS NULL` count", "alert above 0", "24 h")
    if any(
        isinstance(op, AddColumn | AddConstraint | AddIndex | AlterColumnType | SetNotNull | DropColumn)
        for op in ops
    ):
        lock = (
            "sessions waiting on locks (pg_stat_activity.wait_event_type = 'Lock')"
            if dialect == "postgres"
            else "sessions waiting on metadata locks (performance_schema.metadata_locks)"
        )
        yield MonitoringItem(lock, "alert above 5 for 10 s", "during the migration")
        yield MonitoringItem(
            "p99 latency and error rate of requests that write the changed tables",
            "alert at 2x baseline",
            "1 h after deploy",
        )
