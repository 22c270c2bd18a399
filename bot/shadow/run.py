"""One shadow run: a scratch database, the schema before the change, synthetic rows, then up, down, up.

`shadow(changeset, target, …)` never raises for what the database says: a connection that fails, a
statement that fails or a limit reached is recorded in the returned `Shadow`. The scratch database is
dropped in a `finally`, and every run first drops the scratch databases older than `stale_minutes` that a
crashed run left behind.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.model.catalog import base_type
from bot.model.changeset import ChangeSet
from bot.model.config import Config, ShadowConfig
from bot.model.facts import Facts
from bot.model.findings import RollbackStep, VerificationQuery
from bot.model.migration import AlterColumnType, ColumnSpec, CreateTable, Migration, Operation
from bot.model.shadow import (
    DOWN,
    FAILED,
    OK,
    SKIPPED,
    UP,
    UP_AGAIN,
    ColumnDifference,
    LockHeld,
    Shadow,
    StatementRun,
    Step,
)
from bot.review import Prepared, base_operations, prepare
from bot.shadow import checksum, locks, rows, schema
from bot.shadow.server import Server, Session, ShadowError, scratch_name
from bot.shadow.statements import Statement, is_sql, plan
from bot.shadow.target import ShadowTarget
from bot.sql.pg_extensions import TYPE_EXTENSION


@dataclass(frozen=True)
class Limits:
    seconds: float = 300.0  # the whole run
    statement_ms: int = 60_000  # one statement
    rows_per_table: int = rows.DEFAULT_ROWS  # without the probe's row counts
    max_rows_per_table: int = 10_000  # with them (production's rows scaled down, capped here)
    stale_minutes: float = 30.0  # scratch databases older than this are swept


def limits_for(config: ShadowConfig, ceiling: Limits) -> Limits:
    """The server's (or the command line's) limits, lowered where the repository's file asks for less: a
    file on the base branch may make the run shorter or smaller, never longer or larger."""

    def lower(mine: float | None, theirs: float) -> float:
        return theirs if mine is None else min(mine, theirs)

    statement = config.statement_timeout_seconds
    return replace(
        ceiling,
        seconds=lower(config.timeout_seconds, ceiling.seconds),
        statement_ms=int(lower(statement * 1000 if statement is not None else None, ceiling.statement_ms)),
        rows_per_table=int(lower(config.rows_per_table, ceiling.rows_per_table)),
        max_rows_per_table=int(lower(config.max_rows_per_table, ceiling.max_rows_per_table)),
    )


class _OutOfTime(Exception):
    pass


@dataclass
class _Run:
    server: Server
    runner: Session
    watcher: Session | None
    deadline: float
    statements: list[StatementRun] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def shadow(
    changeset: ChangeSet,
    target: ShadowTarget,
    *,
    config: Config | None = None,
    dialect: str | None = None,
    facts: Facts | None = None,
    queries: Sequence[VerificationQuery] = (),
    rollback: Sequence[RollbackStep] = (),
    limits: Limits = Limits(),
    prepared: Prepared | None = None,
) -> Shadow:
    """Run the change on a scratch database of `target`. `queries` and `rollback` are the review's own
    validation queries (run after the up) and rollback plan (its SQL run around the down): a statement
    of ours that fails there is reported as our bug."""
    start = time.perf_counter()
    if prepared is None:
        prepared = prepare(changeset, config=config, dialect=dialect)
    family = "postgres" if target.dialect == "postgres" else "mysql"
    migrations = [m for m in prepared.migrations if _family(m.dialect) == family]
    if not migrations:
        reason = (
            "no migration of this change runs on the shadow server's database"
            if prepared.migrations
            else "no migration changed"
        )
        return Shadow(ran=False, errors=(reason,))
    try:
        server = Server(target, limits.statement_ms)
    except ShadowError as error:
        return Shadow(ran=False, errors=(str(error),), milliseconds=_ms(start))
    name = scratch_name()
    steps: list[Step] = []
    dropped = False
    run: _Run | None = None
    try:
        server.sweep(limits.stale_minutes * 60)
        began = time.perf_counter()
        server.create(name)
        steps.append(Step("create", OK, _ms(began), name))
        runner = server.open(name)
        watcher = server.open(name) if family == "postgres" else None
        run = _Run(server, runner, watcher, start + limits.seconds, steps=steps)
        try:
            values = _go(run, changeset, prepared, migrations, facts, queries, rollback, limits)
        except _OutOfTime:
            run.errors.append(f"the run's time limit ({limits.seconds:g} s) was reached")
            values = _Values()
        finally:
            runner.close()
            if watcher is not None:
                watcher.close()
    except ShadowError as error:
        if run is None:
            return Shadow(
                ran=False,
                engine=server.engine,
                version=server.version,
                errors=(str(error),),
                milliseconds=_ms(start),
            )
        run.errors.append(str(error))
        values = _Values()
    finally:
        began = time.perf_counter()
        try:
            server.drop(name)
            dropped = True
            steps.append(Step("drop", OK, _ms(began)))
        except ShadowError as error:
            steps.append(Step("drop", FAILED, _ms(began), str(error)))
        server.close()
    assert run is not None
    return Shadow(
        ran=True,
        engine=server.engine,
        version=server.version,
        database=name,
        steps=tuple(steps),
        statements=tuple(run.statements),
        errors=tuple(run.errors),
        schema_diff=values.schema_diff,
        data_diff=values.data_diff,
        restored_by_plan=values.restored_by_plan,
        rows=values.rows,
        shaped=facts is not None and bool(facts.tables or facts.columns),
        skipped=tuple(dict.fromkeys(run.skipped)),
        milliseconds=_ms(start),
        dropped=dropped,
    )


@dataclass
class _Values:
    schema_diff: tuple[str, ...] = ()
    data_diff: tuple[ColumnDifference, ...] = ()
    restored_by_plan: tuple[str, ...] = ()
    rows: tuple[tuple[str, int], ...] = ()


def _go(
    run: _Run,
    changeset: ChangeSet,
    prepared: Prepared,
    migrations: list[Migration],
    facts: Facts | None,
    queries: Sequence[VerificationQuery],
    rollback: Sequence[RollbackStep],
    limits: Limits,
) -> _Values:
    dialect = "postgres" if run.runner.dialect == "postgres" else "mysql"
    values = _Values()
    # 1. the schema before the change
    began = time.perf_counter()
    changed = {m.path for m in prepared.migrations}
    history, from_dumps = base_operations(changeset.base_tree, prepared.config, dialect, changed)
    if not from_dumps:
        history = same_sets(history, migrations)
    failures = 0
    count = 0
    if dialect == "postgres":
        _extensions(
            run, [op for _, _, ops in history for op in ops] + [op for m in migrations for op in m.up]
        )
    for _path, framework, ops in history:
        planned = plan(ops, framework, dialect)
        run.skipped.extend(planned.skipped)
        count += len(planned.statements)
        failures += _base_migration(run, planned.statements)
    if dialect == "postgres":
        run.runner.execute("RESET ALL")  # a schema dump may empty search_path for its own statements
    source = f"{len(history)} schema dump(s)" if from_dumps else f"{len(history)} base migrations"
    detail = f"{count} statements from {source}" + (f"; {failures} failed" if failures else "")
    run.steps.append(Step("schema", FAILED if failures else OK, _ms(began), detail))
    # 2. synthetic rows in the tables the change touches
    began = time.perf_counter()
    touched = list(dict.fromkeys(t.rsplit(".", 1)[-1] for m in migrations for op in m.up for t in op.tables))
    written, notes = rows.fill(
        run.runner,
        touched,
        facts=facts,
        rows_per_table=limits.rows_per_table,
        max_rows=limits.max_rows_per_table,
    )
    values.rows = tuple(sorted(written.items()))
    run.steps.append(
        Step(
            "rows",
            OK,
            _ms(began),
            "; ".join([f"{sum(written.values())} rows in {len(written)} tables", *notes]),
        )
    )
    before_values = {t: checksum.read(run.runner, t, _columns(run.runner, t)) for t in written}
    before_plan, after_plan = _rollback_sql(rollback)
    _ours(run, before_plan, "rollback-plan")
    before_schema = schema.describe(run.runner)  # after the plan's backups: the down drops none of them
    # 3. up
    if not _step(run, UP, migrations, dialect, down=False):
        _skip(run, DOWN, "the up failed")
        _skip(run, UP_AGAIN, "the up failed")
        return values
    _validate(run, queries)
    # 4. down
    missing = [m for m in migrations if m.down is None]
    if missing:
        _skip(run, DOWN, f"`{missing[-1].path}` has no down migration")
        _skip(run, UP_AGAIN, "there was no down")
        return values
    if not _step(run, DOWN, list(reversed(migrations)), dialect, down=True):
        _skip(run, UP_AGAIN, "the down failed")
        return values
    after_down = schema.describe(run.runner)
    values.schema_diff = schema.difference(before_schema, after_down)
    values.data_diff = _data_diff(run.runner, before_values)
    if after_plan:
        _ours(run, after_plan, "rollback-plan")
        still = {d.table for d in _data_diff(run.runner, before_values)}
        values.restored_by_plan = tuple(d.table for d in values.data_diff if d.table not in still)
    # 5. up again
    _step(run, UP_AGAIN, migrations, dialect, down=False)
    return values


# frameworks whose runner reads migrations from more than one directory as one history
_SPREAD = {"django", "liquibase", "flyway"}


def same_sets(
    history: list[tuple[str, str, tuple[Operation, ...]]], migrations: Sequence[Migration]
) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """The base migrations of the sets the changed ones belong to. A runner applies one directory (a
    golang-migrate `-path`, Rails' `db/migrate`, an Alembic versions folder): a copy of the migrations
    under `testdata/`, another tool's scripts or another service's directory is another database."""
    wanted = {_set_of(m.path, m.framework) for m in migrations}
    kept = [entry for entry in history if _set_of(entry[0], entry[1]) in wanted]
    return kept if kept else history


def _set_of(path: str, framework: str) -> tuple[str, str]:
    if framework in _SPREAD:
        return (framework, "")
    parts = path.split("/")
    name = parts[-1]
    # a migration in a folder of its own (Diesel `…/<version>_name/up.sql`, Prisma `…/migration.sql`)
    depth = 2 if not any(c.isdigit() for c in name) and len(parts) > 2 else 1
    return (framework, "/".join(parts[:-depth]))


def _extensions(run: _Run, ops: list[Operation]) -> None:
    """The contrib extensions whose types the schema uses (`citext`, `hstore`, …), created first: the
    repository often creates them outside its migrations (an ORM helper, a provisioning script). One the
    server refuses is noted; the statements that need it then fail and say so."""
    types = set()
    for op in ops:
        specs = getattr(op, "columns", ()) if isinstance(op, CreateTable) else ()
        column = getattr(op, "column", None)
        for spec in (*specs, column):
            if isinstance(spec, ColumnSpec):
                types.add(base_type(spec.type))
        if isinstance(op, AlterColumnType):
            types.add(base_type(op.new_type))
    for name in sorted({TYPE_EXTENSION[t] for t in types if t in TYPE_EXTENSION}):
        try:
            run.runner.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}"')
        except ShadowError as error:
            run.skipped.append(f"extension `{name}` could not be created: {error}")


def _base_migration(run: _Run, statements: tuple[Statement, ...]) -> int:
    """One base migration of the schema step; the number of its statements that failed. On PostgreSQL
    its statements share one transaction, as its runner's would (a `CREATE TEMPORARY TABLE … ON COMMIT
    DROP` lives until the migration ends), each behind a savepoint so one failure loses only itself."""
    wrap = run.runner.dialect == "postgres" and len(statements) > 1
    wrap = wrap and not any(s.no_transaction for s in statements)
    if wrap:
        run.runner.execute("BEGIN")
    failed = 0
    try:
        for statement in statements:
            if wrap:
                run.runner.execute("SAVEPOINT mr_statement")
            result = _execute(run, statement, "schema", observe=False, transaction=False)
            failed += bool(result.error)
            if wrap:
                run.runner.execute(
                    "ROLLBACK TO SAVEPOINT mr_statement" if result.error else "RELEASE SAVEPOINT mr_statement"
                )
    finally:
        if wrap:
            run.runner.execute("COMMIT")
    return failed


def _data_diff(
    session: Session, before_values: dict[str, checksum.TableValues]
) -> tuple[ColumnDifference, ...]:
    diffs = []
    existing = _tables(session)
    for table, before in before_values.items():
        present = set(_columns(session, table)) if table in existing else set()
        if not present:
            diffs.append(ColumnDifference(table, before.columns, before.rows, 0))
            continue
        after = checksum.read(session, table, [c for c in before.columns if c in present])
        changed_columns = checksum.differing(before, after)
        if changed_columns or after.rows != before.rows:
            diffs.append(ColumnDifference(table, changed_columns, before.rows, after.rows))
    return tuple(diffs)


def _family(dialect: str) -> str:
    return "postgres" if dialect == "postgres" else "mysql" if dialect in ("mysql", "mariadb") else dialect


def _tables(session: Session) -> set[str]:
    return set(schema.tables(session))


def _columns(session: Session, table: str) -> list[str]:
    return [c for c, *_ in schema.tables(session).get(table, [])]


def _skip(run: _Run, name: str, why: str) -> None:
    run.steps.append(Step(name, SKIPPED, 0.0, why))


def _step(run: _Run, name: str, migrations: list[Migration], dialect: str, *, down: bool) -> bool:
    began = time.perf_counter()
    ran = 0
    for migration in migrations:
        ops = migration.down if down else migration.up
        planned = plan(ops or (), migration.framework, dialect)
        run.skipped.extend(planned.skipped)
        transaction = migration.in_transaction and dialect == "postgres"
        if not _migration(run, name, planned.statements, transaction):
            run.steps.append(Step(name, FAILED, _ms(began), f"`{migration.path}` failed"))
            return False
        ran += len(planned.statements)
    run.steps.append(Step(name, OK, _ms(began), f"{ran} statements in {len(migrations)} migrations"))
    return True


def _migration(run: _Run, step: str, statements: tuple[Statement, ...], transaction: bool) -> bool:
    """Run one migration's statements, in one transaction when its runner opens one (PostgreSQL)."""
    if transaction and not any(s.no_transaction for s in statements):
        run.runner.execute("BEGIN")
        started = time.perf_counter()
        results = []
        for statement in statements:
            result = _execute(run, statement, step, observe=True, transaction=True, open_since=started)
            results.append(result)
            if result.error:
                run.runner.execute("ROLLBACK")
                run.statements.extend(results)
                return False
        run.runner.execute("COMMIT")
        ended = _ms(started)
        # a lock taken in a migration's transaction is held until its COMMIT
        for result in results:
            run.statements.append(_held_until(result, ended))
        return True
    for statement in statements:
        result = _execute(run, statement, step, observe=True, transaction=False)
        run.statements.append(result)
        if result.error:
            return False
    return True


def _held_until(result: StatementRun, ended: float) -> StatementRun:
    offset = result.milliseconds  # milliseconds stored as the offset from the transaction's start
    locks = tuple(replace(lock, milliseconds=round(ended - lock.milliseconds, 3)) for lock in result.locks)
    return replace(result, locks=locks, milliseconds=offset if offset >= 0 else 0.0)


def _execute(
    run: _Run,
    statement: Statement,
    step: str,
    *,
    observe: bool,
    transaction: bool,
    open_since: float | None = None,
) -> StatementRun:
    if time.perf_counter() > run.deadline:
        raise _OutOfTime()
    session, watcher = run.runner, run.watcher
    postgres = session.dialect == "postgres"
    before_files = locks.files(session) if observe and postgres else {}
    before_locks = locks.held(watcher, session.pid) if observe and transaction and watcher else set()
    began = time.perf_counter()
    error, algorithm, how, why, level = "", "", "held", "", ""
    changed = -1
    seen: set[tuple[str, str]] = set()
    try:
        if postgres and observe and not transaction and watcher is not None:
            seen, how, changed = _alone(run, statement)
        elif not postgres and statement.alter_table and observe:
            algorithm, level = locks.try_algorithms(session, statement.sql)
        else:
            changed = session.execute(statement.sql)
            if observe and transaction and watcher is not None:
                seen = locks.held(watcher, session.pid) - before_locks
    except ShadowError as failure:
        error, why = str(failure), failure.cause
    elapsed = _ms(began)
    rewritten: tuple[str, ...] = ()
    if observe and postgres and not error:
        rewritten = locks.rewritten(before_files, locks.files(session))
    start_offset = (began - open_since) * 1000 if open_since is not None else 0.0
    found = (
        locks.as_locks(seen, start_offset, how)
        if open_since is not None
        else locks.as_locks(seen, elapsed, how)
    )
    result = StatementRun(
        step,
        statement.path,
        statement.line,
        statement.sql,
        elapsed,
        error,
        found,
        rewritten,
        algorithm,
        statement.translated,
        why,
        changed if statement.data_change and not error else -1,
        tuple(LockHeld(table, mode, 0.0, "reasoned") for table, mode in statement.reasoned),
        level,
    )
    if run.statements is not None and not observe:
        run.statements.append(result)
    return result


def _alone(run: _Run, statement: Statement) -> tuple[set[tuple[str, str]], str, int]:
    """A statement outside a transaction: in one of its own when PostgreSQL allows it (every lock read
    before its COMMIT), else on its own with pg_locks sampled while it runs."""
    session, watcher = run.runner, run.watcher
    assert watcher is not None
    if not statement.no_transaction:
        session.execute("BEGIN")
        try:
            changed = session.execute(statement.sql)
        except ShadowError:
            session.execute("ROLLBACK")
            raise
        seen = locks.held(watcher, session.pid)
        session.execute("COMMIT")
        return seen, "held", changed
    with locks.Sampler(watcher, session.pid) as sampler:
        changed = session.execute(statement.sql)
    return sampler.seen, "sampled", changed


def _rollback_sql(plan: Sequence[RollbackStep]) -> tuple[list[str], list[str]]:
    """The SQL of the review's rollback plan: what it says to run before the deploy, and after the down."""
    before: list[str] = []
    after: list[str] = []
    for step in plan:
        command = step.command.strip()
        if not command or not is_sql(command):
            continue  # the framework's own command is the down step itself
        (before if step.text.lower().startswith("before") else after).append(command)
    return before, after


def _ours(run: _Run, commands: list[str], step: str) -> None:
    if not commands:
        return
    began = time.perf_counter()
    failed = 0
    for command in commands:
        result = _execute(
            run, Statement("", 0, command.rstrip(";"), ()), step, observe=False, transaction=False
        )
        failed += bool(result.error)
    detail = f"{len(commands) - failed} of {len(commands)} statements of the rollback plan ran"
    previous = next((s for s in run.steps if s.name == step), None)
    if previous is not None:
        run.steps.remove(previous)
        failed += previous.status == FAILED
        detail = f"{previous.detail}; {detail}"
    run.steps.append(Step(step, FAILED if failed else OK, _ms(began), detail))


def _validate(run: _Run, queries: Sequence[VerificationQuery]) -> None:
    """The review's own verification queries, run after the up in a transaction rolled back."""
    if not queries:
        return
    began = time.perf_counter()
    failed = 0
    for query in queries:
        statement = Statement("", 0, query.sql.strip().rstrip(";"), ())
        result = _execute(run, statement, "validation", observe=False, transaction=False)
        failed += bool(result.error)
    run.steps.append(
        Step(
            "validation",
            FAILED if failed else OK,
            _ms(began),
            f"{len(queries) - failed} of {len(queries)} ran",
        )
    )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)
