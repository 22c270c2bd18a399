"""The vocabulary of a review: severities, dimensions, rules and the findings they produce."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.model.database import DatabaseUse, RunnerSetting
from bot.model.facts import Facts
from bot.model.shadow import Shadow


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"critical": 0, "warning": 1, "info": 2}[self.value]


class Dimension(StrEnum):
    DATA_VERIFICATION = "data-verification"
    MIGRATION_SAFETY = "migration-safety"
    TRANSFORMATION = "transformation"
    OBSERVABILITY = "observability"
    ROLLBACK = "rollback"
    CODE_REFERENCES = "code-references"


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int


@dataclass(frozen=True)
class Reference:
    """A place outside the migration that the finding is about (code that reads a column, say)."""

    path: str
    line: int
    text: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    dimension: Dimension
    severity: Severity
    help: str
    bad: tuple[str, ...]
    good: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    dialects: tuple[str, ...] = ()  # empty: every dialect
    framework_help: tuple[tuple[str, str], ...] = ()  # (framework, what to write instead in its own terms)

    def help_for(self, framework: str) -> str:
        return dict(self.framework_help).get(framework, self.help)

    def finding(
        self,
        path: str,
        line: int,
        message: str,
        *,
        blast_radius: str,
        fix: str,
        severity: Severity | None = None,
        end_line: int | None = None,
    ) -> Finding:
        """A finding of this rule at a place no single operation stands for (a model file, the set of
        migrations); an operation's own findings come from `Operation.finding`."""
        return Finding(
            rule=self.id,
            dimension=self.dimension,
            severity=severity or self.severity,
            path=path,
            line=line,
            message=message,
            blast_radius=blast_radius,
            fix=fix,
            end_line=end_line,
        )

    @property
    def summary(self) -> str:
        return self.help


@dataclass(frozen=True)
class Finding:
    rule: str
    dimension: Dimension
    severity: Severity
    path: str
    line: int
    message: str
    blast_radius: str
    fix: str
    references: tuple[Reference, ...] = ()
    suggestion: str | None = None  # replacement text for the statement's lines, offered only when safe
    end_line: int | None = None
    suppressed: str | None = None  # the reason given in the suppression comment

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def accepted(self, reason: str) -> Finding:
        return replace(self, suppressed=reason)


@dataclass(frozen=True)
class Evidence:
    """Something the review knows about a checklist item, and who established it."""

    text: str
    source: str = "review"  # review | author | probe


@dataclass(frozen=True)
class ChecklistItem:
    section: str
    text: str
    state: str  # checked | unchecked | not-applicable
    detail: str = ""
    source: str = "review"


@dataclass(frozen=True)
class VerificationQuery:
    sql: str
    purpose: str
    expect: str = ""  # the result that means success
    when: str = "within 5 minutes of deploy"
    path: str = ""  # the migration statement the query checks
    line: int = 0


@dataclass(frozen=True)
class MonitoringItem:
    signal: str
    threshold: str
    duration: str


@dataclass(frozen=True)
class RollbackStep:
    text: str
    command: str = ""


@dataclass(frozen=True)
class MigrationSummary:
    path: str
    framework: str
    dialect: str
    in_transaction: bool
    transaction_note: str
    operations: int
    reversible: bool
    has_down: bool
    # the rollback runs and restores nothing (an empty down, or none where the runner runs nothing instead)
    down_does_nothing: bool = False


@dataclass(frozen=True)
class Review:
    approval: str  # APPROVED | BLOCKED
    reasons: tuple[str, ...]
    base: str
    head: str
    migrations: tuple[MigrationSummary, ...]
    findings: tuple[Finding, ...]
    checklist: tuple[ChecklistItem, ...] = ()
    verification_queries: tuple[VerificationQuery, ...] = ()
    rollback_plan: tuple[RollbackStep, ...] = ()
    monitoring: tuple[MonitoringItem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    probe: Facts | None = None  # what the production probe found and every query it ran
    databases: tuple[DatabaseUse, ...] = ()  # the database of each migration, and where that was read
    runner: tuple[RunnerSetting, ...] = ()  # what the repository's runner does for every migration
    shadow: Shadow | None = None  # what running the change on a scratch database showed

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    @property
    def accepted(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is not None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.active if f.severity is severity)
