"""Who may accept a risk in a pull request: the base configuration decides, someone other than the author confirms.

An in-file suppression and the statements in the description are written by the pull request's author,
also from a fork. When the change set names its author (the app sets it; a local run does not), the base
branch's `suppressions` configuration decides which rules a suppression may cover at all
(`suppressions.allow`) and which suppressions count only once accepted (`suppressions.need_acceptance`,
default: those of critical findings). The author's evidence counts only once accepted too, unless
`need_acceptance` is `none`. An acceptance comes from someone with write access other than the author:
`/accept RULE reason` (or `/accept evidence reason`) in a comment, or an approving review (everything).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from bot.model.changeset import Acceptance, ChangeSet
from bot.model.config import Config
from bot.model.findings import Finding, Severity

T = TypeVar("T")

EVIDENCE = "evidence"
EVERYTHING = "*"
NOT_ALLOWED = (
    " A suppression in the migration was ignored: the base branch's `{path}` does not list `{rule}` in"
    " `suppressions.allow`."
)
PENDING = (
    " It is suppressed in the migration; that counts once someone with write access other than @{author}"
    " comments `/accept {rule} <reason>` or approves the pull request."
)
PENDING_EVIDENCE = (
    "The author's statements ({count}) count once someone with write access other than @{author} comments"
    " `/accept evidence <reason>` or approves the pull request."
)


def govern(finding: Finding, reason: str, changeset: ChangeSet, config: Config) -> Finding:
    """A finding a suppression in the migration covers: accepted, or left standing with the reason why."""
    if not changeset.author:
        return finding.accepted(reason)
    allow = config.suppressions.allow
    if allow is not None and finding.rule not in allow:
        note = NOT_ALLOWED.format(path=changeset.config_path, rule=finding.rule)
        return replace(finding, message=finding.message + note)
    if not needs_acceptance(config, finding):
        return finding.accepted(reason)
    acceptance = accepted_by(changeset.acceptances, finding.rule)
    if acceptance is None:
        return replace(
            finding, message=finding.message + PENDING.format(author=changeset.author, rule=finding.rule)
        )
    return finding.accepted(f"{reason} (accepted by @{acceptance.login}{_how(acceptance)})")


def needs_acceptance(config: Config, finding: Finding) -> bool:
    need = config.suppressions.need_acceptance
    if isinstance(need, tuple):
        return finding.rule in need
    return need == "all" or (need == "critical" and finding.severity is Severity.CRITICAL)


def accepted_by(acceptances: Sequence[Acceptance], rule: str) -> Acceptance | None:
    return next((a for a in acceptances if a.rule in (rule, EVERYTHING)), None)


def credited(statements: list[T], changeset: ChangeSet, config: Config) -> tuple[list[T], tuple[str, ...]]:
    """The author's statements that count, and a note saying who accepted them or who must."""
    if not changeset.author or not statements or config.suppressions.need_acceptance == "none":
        return statements, ()
    acceptance = accepted_by(changeset.acceptances, EVIDENCE)
    if acceptance is None:
        return [], (PENDING_EVIDENCE.format(count=len(statements), author=changeset.author),)
    return statements, (f"The author's statements were accepted by @{acceptance.login}{_how(acceptance)}.",)


def trusted_description(changeset: ChangeSet, config: Config) -> str:
    """The description as evidence for the rollback plan: only once it counts (see `credited`)."""
    counted, _ = credited([changeset.description], changeset, config)
    return changeset.description if counted else ""


def _how(acceptance: Acceptance) -> str:
    if acceptance.via == "review":
        return ", who approved the pull request"
    return f": {acceptance.reason}" if acceptance.reason else ""
