"""A review with the shadow run's evidence: the one call the command line and the app make."""

from __future__ import annotations

from collections.abc import Sequence

from bot.model.changeset import ChangeSet
from bot.model.facts import Facts
from bot.model.findings import Review
from bot.model.shadow import Shadow
from bot.review import Prepared, prepare
from bot.shadow.embedded import embedded_postgres
from bot.shadow.findings import attach
from bot.shadow.run import Limits, limits_for, shadow
from bot.shadow.server import ShadowError
from bot.shadow.target import shadow_target

EMBEDDED = "embedded"  # the setting's value (and `--shadow`) for a PostgreSQL of our own
FORK = "pull requests from forks are never run on the shadow server"


def with_shadow(
    changeset: ChangeSet,
    result: Review,
    dsn: str,
    *,
    probe_dsns: Sequence[str] = (),
    prepared: Prepared | None = None,
    facts: Facts | None = None,
    dialect: str | None = None,
    limits: Limits | None = None,
) -> Review:
    """`result` with what running the change on a scratch database of `dsn` (or `embedded`) showed.
    A DSN on the probe's server raises ShadowConfigError; anything the server says is in the review.
    `limits` are the server's or the command line's; the repository's file may lower them."""
    if changeset.from_fork:
        return attach(result, Shadow(ran=False, errors=(FORK,)))
    if prepared is None:
        prepared = prepare(changeset, dialect=dialect)
    arguments = {
        "dialect": dialect,
        "facts": facts,
        "queries": result.verification_queries,
        "rollback": result.rollback_plan,
        "limits": limits_for(prepared.config.shadow, limits or Limits()),
        "prepared": prepared,
    }
    if dsn != EMBEDDED:
        target = shadow_target(dsn, tuple(probe_dsns))
        return attach(result, shadow(changeset, target, **arguments))  # type: ignore[arg-type]
    try:
        with embedded_postgres() as target:
            observed = shadow(changeset, target, **arguments)  # type: ignore[arg-type]
    except ShadowError as error:
        observed = Shadow(ran=False, errors=(str(error),))
    return attach(result, observed)
