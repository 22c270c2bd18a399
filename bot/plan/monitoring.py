"""The monitoring checklist: which signal to watch after the deploy, the threshold that means trouble, and
for how long. Each item follows from something the change does (a removed column, a backfill, a new
constraint), so a change that does none of these gets no boilerplate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.model.findings import Finding, MonitoringItem
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    SetNotNull,
)

_ERRORS = {
    "postgres": {
        "missing": "undefined column / table errors (SQLSTATE 42703, 42P01; `PG::UndefinedColumn`)",
        "fk": "foreign key violations (SQLSTATE 23503)",
        "unique": "unique violations (SQLSTATE 23505)",
        "not_null": "not-null violations (SQLSTATE 23502)",
        "data": "value too long / out of range errors (SQLSTATE 22001, 22003)",
    },
    "mysql": {
        "missing": "unknown column / table errors (MySQL 1054, 1146)",
        "fk": "foreign key errors (MySQL 1452)",
        "unique": "duplicate entry errors (MySQL 1062)",
        "not_null": "column cannot be null errors (MySQL 1048)",
        "data": "data too long / out of range errors and warnings (MySQL 1406, 1264)",
    },
    # SQLite keeps no length or range on a type: no data errors to watch
    "sqlite": {
        "missing": "`no such column` / `no such table` errors (SQLITE_ERROR)",
        "fk": "`FOREIGN KEY constraint failed` errors (SQLITE_CONSTRAINT_FOREIGNKEY, with `PRAGMA foreign_keys` on)",
        "unique": "`UNIQUE constraint failed` errors (SQLITE_CONSTRAINT_UNIQUE)",
        "not_null": "`NOT NULL constraint failed` errors (SQLITE_CONSTRAINT_NOTNULL)",
        "data": "",
    },
}


def items(ops: Sequence[Operation], findings: Sequence[Finding], dialect: str) -> Iterator[MonitoringItem]:
    errors = _ERRORS.get("mysql" if dialect == "mariadb" else dialect, _ERRORS["postgres"])
    if any(isinstance(op, DropColumn | DropTable | RenameColumn | RenameTable) for op in ops):
        yield MonitoringItem(
            f"Application errors: {errors['missing']}",
            "alert on any",
            "30 min after deploy, and after the first run of every background job",
        )
    data = [op for op in ops if isinstance(op, DataUpdate | DataDelete | DataInsert)]
    if data:
        yield from _data_items(data, dialect)
    if any(
        (isinstance(op, AddConstraint) and op.constraint == "foreign_key")
        or (isinstance(op, AddColumn) and op.column.references)
        for op in ops
    ):
        yield MonitoringItem(f"Write errors: {errors['fk']}", "alert on any", "1 h after deploy")
    if any(_adds_unique(op) for op in ops):
        yield MonitoringItem(
            f"Write errors: {errors['unique']}", "alert above the pre-deploy rate", "1 h after deploy"
        )
    if any(
        isinstance(op, SetNotNull) or (isinstance(op, AddColumn) and not op.column.nullable) for op in ops
    ):
        yield MonitoringItem(f"Write errors: {errors['not_null']}", "alert on any", "1 h after deploy")
    if errors["data"] and any(isinstance(op, AlterColumnType) for op in ops):
        yield MonitoringItem(f"Write errors: {errors['data']}", "alert on any", "24 h after deploy")
    if any(
        isinstance(op, AddColumn | AddConstraint | AddIndex | AlterColumnType | SetNotNull | DropColumn)
        for op in ops
    ):
        lock = (
            "sessions waiting on locks (`pg_stat_activity.wait_event_type = 'Lock'`)"
            if dialect == "postgres"
            # the migration holds the database file's write lock: other writers wait, then give up
            else "`database is locked` errors (SQLITE_BUSY) of writers waiting on the migration"
            if dialect == "sqlite"
            else "sessions waiting on metadata locks (`performance_schema.metadata_locks`)"
        )
        yield MonitoringItem(
            lock, "alert above 5 for 10 s; cancel the migration above 30 s", "during the migration"
        )
        yield MonitoringItem(
            "p99 latency and error rate of requests that write the changed tables",
            "alert at 2x the pre-deploy baseline",
            "1 h after deploy",
        )
    if any(f.rule == "lossy-type-change" and f.suppressed is None for f in findings):
        yield MonitoringItem(
            "Support tickets and error reports about truncated or rounded values",
            "investigate any",
            "7 days after deploy",
        )


def _data_items(data: Sequence[Operation], dialect: str) -> Iterator[MonitoringItem]:
    lag = (
        "replica lag (`pg_stat_replication.replay_lag`)"
        if dialect == "postgres"
        else "replica lag (`Seconds_Behind_Source`)"
    )
    if dialect != "sqlite":  # a file, with no replica of its own to lag
        yield MonitoringItem(
            f"Replication: {lag}",
            "alert above 30 s; pause the batches above 60 s",
            "until the data change finishes",
        )
    if dialect == "postgres":
        yield MonitoringItem(
            "Transactions open longer than 5 min (`pg_stat_activity.xact_start`)",
            "alert on any",
            "until the data change finishes",
        )
        tables = sorted(
            {str(getattr(op, "table", "")) for op in data if isinstance(op, DataUpdate | DataDelete)}
        )
        if tables:
            yield MonitoringItem(
                f"Dead tuples of {', '.join(f'`{t}`' for t in tables)} (`pg_stat_user_tables.n_dead_tup`) "
                "and autovacuum progress",
                "alert if not falling within 2 h",
                "24 h after the data change",
            )
    for op in data:
        for mapping in op.case_mappings if isinstance(op, DataUpdate | DataInsert) else ():
            if mapping.target:
                yield MonitoringItem(
                    f"`SELECT count(*) FROM {_table(op)} WHERE {mapping.target} IS NULL` (rows the new code cannot read)",
                    "alert above the count right after the backfill",
                    "24 h, then daily for a week",
                )


def _adds_unique(op: Operation) -> bool:
    if isinstance(op, AddIndex):
        return op.unique
    if isinstance(op, AddConstraint):
        return op.constraint in ("unique", "primary_key")
    return isinstance(op, AddColumn) and op.column.unique


def _table(op: Operation) -> str:
    return str(getattr(op, "table", ""))
