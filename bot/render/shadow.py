"""The shadow run as the review comment shows it: ran or not and why, the server, each step with its
status and time, and for each statement of the up the locks observed beside the locks reasoned."""

from __future__ import annotations

from typing import Any

from bot.model.shadow import UP, LockHeld, Shadow, StatementRun


def shadow_view(shadow: Shadow | None) -> dict[str, Any] | None:
    if shadow is None:
        return None
    if not shadow.ran:
        return {"ran": False, "why": shadow.errors[0] if shadow.errors else "not run"}
    rows = sum(n for _, n in shadow.rows)
    return {
        "ran": True,
        "headline": (
            f"Ran on a scratch {shadow.engine} {shadow.version} database with {rows} synthetic "
            f"row{'s' if rows != 1 else ''} in {len(shadow.rows)} table{'s' if len(shadow.rows) != 1 else ''}"
            f"{' shaped by the production probe' if shadow.shaped else ''}, in {_time(shadow.milliseconds)}; "
            + ("the database was dropped." if shadow.dropped else "**the database could not be dropped**.")
        ),
        "steps": [
            {"name": s.name, "status": s.status, "time": _time(s.milliseconds), "detail": s.detail[:300]}
            for s in shadow.steps
        ],
        "statements": _statements([s for s in shadow.statements if s.step == UP]),
        "errors": list(shadow.errors),
    }


def _statements(runs: list[StatementRun]) -> list[dict[str, Any]]:
    """Each statement of the up; one that took no new lock says which locks its migration already holds
    (a lock is held until the transaction ends)."""
    views = []
    held: dict[str, list[tuple[LockHeld, int]]] = {}
    for run in runs:
        earlier = held.setdefault(run.path, [])
        still = "; ".join(f"{lock.mode} on `{lock.table}` from line {line}" for lock, line in earlier)
        views.append(_statement(run, still))
        earlier.extend((lock, run.line) for lock in run.locks if lock.how == "held")
    return views


def _statement(run: StatementRun, still: str) -> dict[str, Any]:
    sql = " ".join(run.sql.split()).replace("`", "'")
    observed = [_lock(lock) for lock in run.locks]
    if not observed and still and not run.error:
        observed.append(f"no new lock; its migration holds {still}")
    if run.rewritten:
        observed.append("rewrote " + ", ".join(f"`{t}`" for t in run.rewritten))
    if run.algorithm:
        observed.append(f"ALGORITHM={run.algorithm}" + (f", LOCK={run.lock_level}" if run.lock_level else ""))
    if run.rows_changed >= 0:
        observed.append(f"{run.rows_changed} row{'s' if run.rows_changed != 1 else ''} changed")
    return {
        "where": f"{run.path}:{run.line}",
        "sql": sql if len(sql) <= 60 else sql[:57] + "…",
        "status": f"failed: {run.error}" if run.error else "ok",
        "time": _time(run.milliseconds),
        "observed": "; ".join(observed) or ("—" if not run.error else "not run to the end"),
        "reasoned": "; ".join(f"{lock.mode} on `{lock.table}`" for lock in run.reasoned_locks) or "—",
    }


def _lock(lock: LockHeld) -> str:
    return f"{lock.mode} on `{lock.table}` for {_time(lock.milliseconds)} ({lock.how})"


def _time(milliseconds: float) -> str:
    return f"{milliseconds:.0f} ms" if milliseconds < 1000 else f"{milliseconds / 1000:.1f} s"
