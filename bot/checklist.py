"""The review's checklist, item by item, and the approval that follows from it and from the findings.

Every item is checked with its evidence, unchecked with the reason, or not applicable with why. Evidence
comes from the review itself (the migration's own code and the findings), from the author (a checked box
or a statement in the description, a comment in the migration that records the production query and its
result: shown as "documented by the author"), or from the production probe ("verified by the probe").

BLOCKED when a critical finding stands, or when evidence the design requires is missing: production
values for a change that reads or transforms existing rows, a rollback procedure for a change that
destroys data, validation queries for a data change, a blast radius for each critical issue. The review
writes the last three itself wherever it can, so a careful pull request is not blocked for paperwork.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot import evidence, safety_checklist
from bot.changeset import ChangeSet
from bot.evidence import Statement
from bot.findings import ChecklistItem, Finding, MigrationSummary, Review, Severity
from bot.migration import (
    DATA_CHANGES,
    AddConstraint,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    SetNotNull,
)
from bot.plan import Plan
from bot.references import ReferenceIndex

DATA = "Production Data Analysis Required"
EDGE_RULES = (
    "null-dropping-comparison",
    "case-value-mismatch",
    "case-without-else",
    "duplicate-case-branch",
    "unmapped-code-value",
    "swapped-values",
)
_ID_SQL = re.compile(r"\b\w*id\b\s*(?:=|IN)\s*\(?\s*\d", re.I)


def decide(
    changeset: ChangeSet,
    migrations: Sequence[Migration],
    findings: Sequence[Finding],
    plan: Plan,
    references: ReferenceIndex,
) -> Review:
    texts = {f.path: f.head_text or "" for f in changeset.files}
    said = evidence.gather(changeset.description, {m.path: texts.get(m.path, "") for m in migrations})
    findings = _credit_rollback(findings, evidence.about(said, evidence.ROLLBACK))
    active = [f for f in findings if f.suppressed is None]
    items = _data_items(migrations, active, said) + safety_checklist.items(migrations, active)
    return Review(
        approval="BLOCKED" if (reasons := _reasons(migrations, active, items, plan)) else "APPROVED",
        reasons=tuple(reasons),
        base=changeset.base,
        head=changeset.head,
        migrations=tuple(_summary(m) for m in migrations),
        findings=tuple(findings),
        checklist=tuple(items),
        verification_queries=plan.queries,
        rollback_plan=plan.rollback,
        monitoring=plan.monitoring,
        notes=references.notes() + plan.credits,
    )


def reads_existing_data(op: Operation) -> bool:
    if isinstance(op, DataInsert):
        return op.from_select
    return isinstance(op, DataUpdate | DataDelete | SetNotNull) or (
        isinstance(op, AddConstraint)
        and not op.not_valid
        and op.constraint in ("unique", "foreign_key", "check", "primary_key")
    )


def _data_items(
    migrations: Sequence[Migration], active: list[Finding], said: list[Statement]
) -> list[ChecklistItem]:
    ops = [op for m in migrations for op in m.up]
    reading = [op for op in ops if reads_existing_data(op)]
    transforms = [op for op in reading if isinstance(op, DATA_CHANGES)]
    id_findings = [f for f in active if f.rule == "hard-coded-id"]
    ids = [
        op
        for op in transforms
        if (isinstance(op, DataUpdate | DataDelete) and _ID_SQL.search(op.sql)) or _maps_to_ids(op)
    ]
    edges = [f for f in active if f.rule in EDGE_RULES and f.severity is not Severity.INFO]
    return [
        _item(
            "Query production for actual value distribution",
            reading,
            "reads existing values",
            evidence.about(said, evidence.DISTRIBUTION),
            [],
            "run the queries marked 'before the deploy' below",
        ),
        _item(
            "Verify ID mappings match production",
            ids or id_findings,
            "uses hard-coded IDs",
            evidence.about(said, evidence.IDS),
            id_findings,
            "check the IDs with the query in the finding",
            code_ok="the IDs match the constants the code defines",
        ),
        _item(
            "Check for edge cases in production data",
            transforms,
            "maps or filters existing values",
            evidence.about(said, evidence.EDGE_CASES),
            edges,
            "count NULL, '' and case or whitespace variants of the values it compares",
        ),
    ]


def _maps_to_ids(op: Operation) -> bool:
    mappings = getattr(op, "case_mappings", ())
    return any(m.target.endswith("_id") and any(r.isdigit() for _, r in m.whens) for m in mappings)


def _item(
    text: str,
    relevant: Sequence[Operation | Finding],
    what: str,
    said: list[Statement],
    problems: list[Finding],
    todo: str,
    code_ok: str = "",
) -> ChecklistItem:
    if not relevant:
        return ChecklistItem(DATA, text, "not-applicable", f"no statement {what}")
    blocking = [f for f in problems if f.severity is Severity.CRITICAL] or problems
    if blocking:
        first = blocking[0]
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        return ChecklistItem(DATA, text, "unchecked", f"`{first.path}:{first.line}`: {first.message}{more}")
    if said:
        return ChecklistItem(DATA, text, "checked", "; ".join(s.echo for s in said[:3]), source="author")
    if code_ok:
        return ChecklistItem(DATA, text, "checked", code_ok)
    where = ", ".join(sorted({f"`{_location(r)}`" for r in relevant})[:3])
    return ChecklistItem(
        DATA,
        text,
        "unchecked",
        f"not verified: no production probe is configured and the "
        f"description documents no check; {todo} ({where})",
    )


def _location(item: Operation | Finding) -> str:
    return f"{item.location.path}:{item.location.line}"


def _reasons(
    migrations: Sequence[Migration], active: list[Finding], items: list[ChecklistItem], plan: Plan
) -> list[str]:
    reasons = []
    critical = [f for f in active if f.severity is Severity.CRITICAL]
    if critical:
        reasons.append(f"{len(critical)} critical issue{'s' if len(critical) != 1 else ''}")
    if any(not f.blast_radius.strip() for f in critical):
        reasons.append("a critical issue has no blast radius")
    transforms = [
        op for m in migrations for op in m.up if isinstance(op, DATA_CHANGES) and reads_existing_data(op)
    ]
    if items[0].state == "unchecked" and transforms:
        count = len(transforms)
        reasons.append(f"production values not verified for {count} data change{'s' if count != 1 else ''}")
    if transforms and not plan.queries:
        reasons.append("no post-deploy validation queries")
    if not plan.rollback and any(m.down is None for m in migrations):
        reasons.append("no rollback procedure")
    return reasons


def _credit_rollback(findings: Sequence[Finding], said: list[Statement]) -> list[Finding]:
    """A restore procedure the author documents stands in for a missing down migration (still a warning)."""
    if not said:
        return list(findings)
    note = f" {said[0].echo}."
    return [
        replace(f, severity=Severity.WARNING, message=f.message + note)
        if f.rule == "missing-down-migration" and f.severity is Severity.CRITICAL
        else f
        for f in findings
    ]


def _summary(m: Migration) -> MigrationSummary:
    return MigrationSummary(
        path=m.path,
        framework=m.framework,
        dialect=m.dialect,
        in_transaction=m.in_transaction,
        transaction_note=m.transaction_note,
        operations=len(m.up),
        reversible=m.down is not None,
        has_down=m.down is not None,
    )
