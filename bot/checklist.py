"""The review's checklist, item by item, and the approval that follows from it and from the findings.

BLOCKED when a critical finding stands, or when evidence the design requires is missing: production
values for a change that reads or transforms existing rows, a rollback procedure, validation queries.
The review writes the last two itself wherever it can, so a careful pull request is not blocked for
paperwork. Evidence the author states (a checked box in the description, a comment in the migration
that records the production query and its result) counts, and is shown as documented by the author.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.changeset import ChangeSet
from bot.findings import ChecklistItem, Finding, MigrationSummary, Review, Severity
from bot.migration import (
    DATA_CHANGES,
    AddConstraint,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
    SetNotNull,
    Truncate,
)
from bot.plan import Plan
from bot.references import ReferenceIndex

DATA = "Production Data Analysis Required"
SAFETY = "Migration Safety Checklist"
_VERIFIED = re.compile(r"^\s*[-*]\s*\[[xX]\]\s*(.*(?:production|prod\b|replica|verified).*)$", re.M | re.I)
_IN_FILE = re.compile(
    r"(?:--|#)\s*(?:verified|checked)\s+(?:in|against|on)\s+(?:production|prod|replica)\b(.*)$", re.M | re.I
)


def decide(
    changeset: ChangeSet,
    migrations: Sequence[Migration],
    findings: Sequence[Finding],
    plan: Plan,
    references: ReferenceIndex,
) -> Review:
    texts = {f.path: f.head_text or "" for f in changeset.files}
    evidence = _author_evidence(changeset.description, [texts.get(m.path, "") for m in migrations])
    items = _data_items(migrations, evidence) + _safety_items(migrations, findings)
    reasons = _reasons(migrations, findings, items, plan)
    return Review(
        approval="BLOCKED" if reasons else "APPROVED",
        reasons=tuple(reasons),
        base=changeset.base,
        head=changeset.head,
        migrations=tuple(_summary(m) for m in migrations),
        findings=tuple(findings),
        checklist=tuple(items),
        verification_queries=plan.queries,
        rollback_plan=plan.rollback,
        monitoring=plan.monitoring,
        notes=references.notes(),
    )


def reads_existing_data(op: Operation) -> bool:
    if isinstance(op, DataInsert):
        return op.from_select
    return isinstance(op, DataUpdate | DataDelete | SetNotNull) or (
        isinstance(op, AddConstraint)
        and not op.not_valid
        and op.constraint in ("unique", "foreign_key", "check", "primary_key")
    )


def _data_items(migrations: Sequence[Migration], evidence: list[str]) -> list[ChecklistItem]:
    ops = [op for m in migrations for op in m.up]
    transforms = [op for op in ops if isinstance(op, DATA_CHANGES) and reads_existing_data(op)]
    reading = [op for op in ops if reads_existing_data(op)]
    ids = [op for op in transforms if re.search(r"\b\w*id\b\s*(?:=|IN)\s*\(?\s*\d", op.sql, re.I)]
    cases = [op for op in transforms if isinstance(op, DataUpdate | DataInsert) and op.case_mappings]
    documented = "; ".join(evidence)

    def item(text: str, relevant: Sequence[Operation], what: str) -> ChecklistItem:
        if not relevant:
            return ChecklistItem(DATA, text, "not-applicable", f"no statement {what}")
        if documented:
            return ChecklistItem(
                DATA, text, "checked", f"documented by the author: {documented}", source="author"
            )
        where = ", ".join(f"`{op.location.path}:{op.location.line}`" for op in relevant[:3])
        return ChecklistItem(
            DATA, text, "unchecked", f"not verified: no production probe is configured ({where})"
        )

    return [
        item("Query production for actual value distribution", reading, "reads existing values"),
        item("Verify ID mappings match production", ids, "uses hard-coded IDs"),
        item(
            "Check for edge cases in production data", cases or transforms, "maps or filters existing values"
        ),
    ]


def _safety_items(migrations: Sequence[Migration], findings: Sequence[Finding]) -> list[ChecklistItem]:
    active = [f for f in findings if f.suppressed is None]
    by_rule = {f.rule for f in active}
    ops = [op for m in migrations for op in m.up]
    items = []
    wrapped = [m for m in migrations if m.in_transaction or _atomic(m)]
    if not migrations:
        items.append(ChecklistItem(SAFETY, "Transaction wrapped", "not-applicable", "no migration changed"))
    elif (
        "concurrent-in-transaction" in by_rule
        or "nested-transaction" in by_rule
        or "uncommitted-transaction" in by_rule
    ):
        items.append(
            ChecklistItem(
                SAFETY, "Transaction wrapped", "unchecked", "transaction handling is wrong: see the findings"
            )
        )
    elif len(wrapped) == len(migrations):
        notes = sorted(
            {m.transaction_note if m.in_transaction else "a single statement is atomic" for m in migrations}
        )
        items.append(ChecklistItem(SAFETY, "Transaction wrapped", "checked", "; ".join(notes)))
    elif all(m in wrapped or _concurrent(m) for m in migrations):
        outside = ", ".join(f"`{m.path}`" for m in migrations if m not in wrapped)
        detail = f"{outside} runs CONCURRENTLY statements, which cannot run in a transaction"
        items.append(ChecklistItem(SAFETY, "Transaction wrapped", "not-applicable", detail))
    else:
        outside = ", ".join(f"`{m.path}`" for m in migrations if m not in wrapped)
        items.append(
            ChecklistItem(SAFETY, "Transaction wrapped", "unchecked", f"not in a transaction: {outside}")
        )
    data = [op for op in ops if isinstance(op, DataUpdate | DataDelete)]
    unbatched = [f for f in active if f.rule == "unbatched-data-change"]
    if not data:
        items.append(
            ChecklistItem(
                SAFETY,
                "Batched processing for large tables",
                "not-applicable",
                "no UPDATE or DELETE of existing rows",
            )
        )
    elif unbatched:
        items.append(
            ChecklistItem(SAFETY, "Batched processing for large tables", "unchecked", unbatched[0].message)
        )
    else:
        items.append(
            ChecklistItem(
                SAFETY,
                "Batched processing for large tables",
                "checked",
                "every data change runs in batches or touches a new or small table",
            )
        )
    irreversible = [m for m in migrations if m.down is None]
    lossy = [op for op in ops if isinstance(op, DropColumn | DropTable | Truncate)]
    if not migrations:
        items.append(
            ChecklistItem(SAFETY, "Reversible without data loss", "not-applicable", "no migration changed")
        )
    elif irreversible or lossy:
        why = [f"`{m.path}` has no way back" for m in irreversible[:2]] + [
            f"`{op.sql.strip()[:60]}` loses data" for op in lossy[:2]
        ]
        items.append(ChecklistItem(SAFETY, "Reversible without data loss", "unchecked", "; ".join(why)))
    else:
        items.append(
            ChecklistItem(
                SAFETY,
                "Reversible without data loss",
                "checked",
                "every migration has a down migration and drops nothing",
            )
        )
    timeout = [f for f in active if f.rule == "missing-lock-timeout"]
    locking = (
        any(
            f.dimension.value == "migration-safety" and f.rule not in ("unparsed-statement",)
            for f in findings
        )
        or timeout
    )
    if timeout:
        items.append(ChecklistItem(SAFETY, "Timeout handling in place", "unchecked", timeout[0].message))
    elif locking or any(op.kind == "SetTimeout" for op in ops):
        items.append(
            ChecklistItem(
                SAFETY,
                "Timeout handling in place",
                "checked",
                "a lock timeout is set before the DDL, or by the runner",
            )
        )
    else:
        items.append(
            ChecklistItem(
                SAFETY, "Timeout handling in place", "not-applicable", "no lock is taken on an existing table"
            )
        )
    return items


def _atomic(m: Migration) -> bool:
    return len({op.location.line for op in m.up if op.kind != "Transaction"}) <= 1


def _concurrent(m: Migration) -> bool:
    return any(getattr(op, "concurrently", False) for op in m.up)


def _reasons(
    migrations: Sequence[Migration], findings: Sequence[Finding], items: list[ChecklistItem], plan: Plan
) -> list[str]:
    reasons = []
    critical = [f for f in findings if f.suppressed is None and f.severity is Severity.CRITICAL]
    if critical:
        reasons.append(f"{len(critical)} critical issue{'s' if len(critical) != 1 else ''}")
    distribution = items[0]
    transforms = [
        op for m in migrations for op in m.up if isinstance(op, DATA_CHANGES) and reads_existing_data(op)
    ]
    if distribution.state == "unchecked" and transforms:
        count = len(transforms)
        reasons.append(f"production values not verified for {count} data change{'s' if count != 1 else ''}")
    missing_way_back = [
        m
        for m in migrations
        if m.down is None
        and any(reads_existing_data(op) or isinstance(op, DropColumn | DropTable) for op in m.up)
    ]
    if missing_way_back and not plan.rollback:
        reasons.append("no rollback procedure")
    return reasons


def _author_evidence(description: str, migration_texts: list[str]) -> list[str]:
    found = [m.group(1).strip() for m in _VERIFIED.finditer(description or "")]
    for text in migration_texts:
        found.extend(f"verified in production{m.group(1).rstrip()}" for m in _IN_FILE.finditer(text))
    return found


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
