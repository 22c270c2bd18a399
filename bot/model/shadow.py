"""What a shadow run observed: the change run up, down and up again on a scratch database.

Plain, frozen records that the review's callers attach to a review (`Review.shadow`) and that the JSON
output carries as its `shadow` object. Nothing here connects; `bot.shadow` produces them.
"""

from __future__ import annotations

from dataclasses import dataclass

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
UP, DOWN, UP_AGAIN = "up", "down", "up-again"


@dataclass(frozen=True)
class LockHeld:
    """A table lock a statement held: PostgreSQL's mode name (`ACCESS EXCLUSIVE`), and how it was seen."""

    table: str
    mode: str
    milliseconds: float  # from the statement's start until the lock was released (its transaction ended)
    how: str = "held"  # held: read from pg_locks while the transaction was open; sampled: seen while running


@dataclass(frozen=True)
class StatementRun:
    """One statement as the scratch database ran it."""

    step: str  # schema | rows | up | down | up-again | validation
    path: str
    line: int
    sql: str
    milliseconds: float
    error: str = ""
    locks: tuple[LockHeld, ...] = ()
    rewritten: tuple[str, ...] = ()  # tables whose storage was replaced (PostgreSQL relfilenode changed)
    algorithm: str = ""  # MariaDB/MySQL ALTER TABLE: INSTANT | INPLACE | COPY, as the server accepted it
    translated: bool = False  # SQL of ours, from the framework's operation (not the migration's own text)
    cause: str = ""  # rows: the rows made it fail; missing: it names what the scratch database lacks
    rows_changed: int = -1  # an INSERT, UPDATE or DELETE: the rows it changed (-1: not one, or not told)
    reasoned_locks: tuple[LockHeld, ...] = ()  # what the review reasons the statement takes (PostgreSQL)
    # MariaDB/MySQL ALTER TABLE: the lock the server accepted beside its algorithm (NONE | SHARED | EXCLUSIVE)
    lock_level: str = ""


@dataclass(frozen=True)
class Step:
    name: str  # create | schema | rows | up | down | up-again | validation | drop
    status: str  # ok | failed | skipped
    milliseconds: float
    detail: str = ""


@dataclass(frozen=True)
class ColumnDifference:
    table: str
    columns: tuple[str, ...]  # the columns whose values differ after the down from before the up
    rows_before: int
    rows_after: int


@dataclass(frozen=True)
class Shadow:
    ran: bool
    engine: str = ""  # PostgreSQL | MariaDB | MySQL
    version: str = ""
    database: str = ""  # the scratch database's name (dropped at the end)
    steps: tuple[Step, ...] = ()
    statements: tuple[StatementRun, ...] = ()
    errors: tuple[str, ...] = ()  # why the run could not go on: connection, limits, a failed step
    schema_diff: tuple[str, ...] = ()  # what differs after the down from before the up
    data_diff: tuple[ColumnDifference, ...] = ()  # after the down migration alone
    restored_by_plan: tuple[
        str, ...
    ] = ()  # tables of data_diff whose values the rollback plan's SQL gave back
    rows: tuple[tuple[str, int], ...] = ()  # synthetic rows written per table before the up
    shaped: bool = False  # the rows follow the production probe's statistics (else a small default set)
    skipped: tuple[str, ...] = ()  # statements not run on the scratch database, and why
    milliseconds: float = 0.0
    dropped: bool = False  # the scratch database was dropped at the end

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def ok(self, name: str) -> bool:
        found = self.step(name)
        return found is not None and found.status == OK
