"""Verify a change against production: parse it as the review does, ask the probe, and return the facts.

It sits above the review (it reads the change with `prepare`) and beside the renderers; the connection
itself is opened only inside `bot.probe`.

The review stays pure: callers run `verify` first (it does I/O) and hand its facts to `review(…, facts=…)`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model.changeset import ChangeSet
from bot.model.config import Config
from bot.model.facts import Facts, Failure
from bot.probe.policy import Target
from bot.probe.questions import ask
from bot.probe.run import probe
from bot.review import Prepared, prepare

FORK = "pull requests from forks are never probed"


def verify(
    changeset: ChangeSet,
    target: Target,
    *,
    config: Config | None = None,
    dialect: str | None = None,
    lint: bool = False,
    prepared: Prepared | None = None,
) -> Facts:
    """What production says about the questions this change raises; failures inside, never raised.

    `prepared`: the change as the review parsed it, reused when it was parsed in the dialect the probe
    would choose (the configured or given one, else the connection's), so the change is parsed once."""
    if changeset.from_fork:
        return _refused(target, FORK)
    if prepared is None or not _same_dialect(prepared, dialect, target):
        prepared = prepare(changeset, config=config, dialect=dialect or target.dialect, lint=lint)
    uncovered = [m.path for m in prepared.migrations if not target.covers(m.path)]
    if uncovered:
        return _refused(target, f"`{uncovered[0]}` is outside the directories configured for {target.name}")
    return probe(ask(prepared.migrations, prepared.catalog), target)


def _same_dialect(prepared: Prepared, dialect: str | None, target: Target) -> bool:
    if prepared.config.dialect or dialect:
        return True  # both parses were told the same dialect
    return prepared.dialect == ("mysql" if target.dialect == "mariadb" else target.dialect)


def _refused(target: Target, reason: str) -> Facts:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Facts(target.name, target.dialect, now, failures=(Failure("", reason),))
