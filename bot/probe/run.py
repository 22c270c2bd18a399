"""Ask production the questions a change raises: statistics first, exact counts within budget, samples above.

`probe(questions, target)` never raises and never writes: a question it cannot answer becomes a
`Failure` with the reason, and a connection that fails becomes one failure for the whole probe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.model.facts import Facts, Failure
from bot.probe import statistics
from bot.probe.answers import Answers
from bot.probe.policy import Target
from bot.probe.questions import DISTRIBUTION, DOMAIN, LOOKUP, VIA_FOREIGN_KEY, Question
from bot.probe.session import ProbeError, Session, read_only


def probe(
    questions: Sequence[Question],
    target: Target,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Facts:
    start = time.perf_counter()
    taken_at = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    answers: Answers | None = None
    failures: list[Failure] = []
    session: Session | None = None
    version = ""
    try:
        with read_only(target) as session:
            version = _server_version(session)
            answers = Answers(session, target.policy, statistics.default_schema(session))
            _ask_all(answers, _merged(questions), start + target.policy.time_budget_ms / 1000, failures)
    except ProbeError as error:
        failures.append(Failure("", str(error)))
    except Exception as error:  # never a crash: the review goes on, unverified
        logging.getLogger("migration_review.probe").warning("the probe failed", exc_info=error)
        failures.append(
            Failure("", f"the probe failed ({type(error).__name__}); the server's logs have the details")
        )
    return Facts(
        connection=target.name,
        dialect=target.dialect,
        taken_at=taken_at,
        tables=tuple(answers.tables.values()) if answers else (),
        columns=tuple(answers.columns) if answers else (),
        lookups=tuple(answers.lookups) if answers else (),
        counts=tuple(answers.counts) if answers else (),
        failures=tuple(failures),
        queries=tuple(session.queries) if session is not None else (),
        milliseconds=round((time.perf_counter() - start) * 1000, 3),
        version=version,
    )


def _server_version(session: Session) -> str:
    """The server's version as it reports it, "" when it will not say: rules whose answer depends on a
    minor version (a bug fixed in a point release) judge production's, not a development container's."""
    sql = "SHOW server_version" if session.dialect == "postgres" else "SELECT VERSION()"
    try:
        rows = session.fetch(sql, "the server's version, for rules that depend on it")
    except ProbeError:
        return ""
    return str(rows[0][0]) if rows and rows[0] else ""


def _ask_all(answers: Answers, questions: list[Question], deadline: float, failures: list[Failure]) -> None:
    """Answer each question in turn; one that fails, or comes after the deadline, becomes a failure."""
    budget = answers.policy.time_budget_ms / 1000
    for question in questions:
        try:
            if time.perf_counter() > deadline:
                raise ProbeError(f"the probe's time budget ({budget:g} s) was spent")
            answers.answer(question)
        except ProbeError as error:
            # a lookup through production's foreign key belongs to its column: other answers about the table stand
            where = (
                f"{question.table}.{question.columns[0]}"
                if question.check == VIA_FOREIGN_KEY
                else question.table
            )
            failure = Failure(where, str(error))
            failures += [failure] if failure not in failures else []


def _merged(questions: Sequence[Question]) -> list[Question]:
    """One distribution per column, listing every value any statement compares it with, over the rows any
    of them touches (their guards joined by OR; one without a guard reads every row); one lookup per table."""
    merged: dict[tuple[str, str, tuple[str, ...]], Question] = {}
    for q in questions:
        if q.kind in (DISTRIBUTION, LOOKUP, DOMAIN):
            key = (q.kind, q.table, q.columns)
        else:
            key = (q.kind, q.table, (repr(q),))
        seen = merged.get(key)
        if seen is None:
            merged[key] = q
            continue
        where = f"({seen.where}) OR ({q.where})" if seen.where and q.where else ""
        merged[key] = replace(
            seen,
            values=tuple(dict.fromkeys(seen.values + q.values)),
            labels=tuple(dict.fromkeys(seen.labels + q.labels)),
            where=where if where != f"({q.where}) OR ({q.where})" else q.where,
        )
    return list(merged.values())
