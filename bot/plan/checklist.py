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

from bot.model.changeset import ChangeSet
from bot.model.config import Config
from bot.model.facts import Facts
from bot.model.findings import ChecklistItem, Finding, MigrationSummary, Review, Severity
from bot.model.migration import (
    DATA_CHANGES,
    AddConstraint,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    SetNotNull,
    wrapped,
)
from bot.plan import acceptance, attribution, evidence, measured, safety_checklist
from bot.plan.evidence import Statement
from bot.plan.validation import Plan
from bot.references.search import ReferenceIndex

DATA = "Production Data Analysis Required"
EDGE_RULES = (
    "null-dropping-comparison",
    "case-value-mismatch",
    "case-without-else",
    "duplicate-case-branch",
    "unmapped-code-value",
    "swapped-values",
)
# Rules that report what the probe found, by the checklist topic they answer.
PROBE_RULES = {
    evidence.DISTRIBUTION: ("unmapped-production-value", "where-matches-no-rows"),
    evidence.IDS: ("production-id-mismatch",),
    evidence.EDGE_CASES: (
        "nulls-before-not-null",
        "duplicates-before-unique",
        "orphans-before-foreign-key",
        "values-rejected-by-type",
    ),
}
_ID_SQL = re.compile(r"\b\w*id\b\s*(?:=|IN)\s*\(?\s*\d", re.I)


def decide(
    changeset: ChangeSet,
    migrations: Sequence[Migration],
    findings: Sequence[Finding],
    plan: Plan,
    references: ReferenceIndex,
    facts: Facts | None = None,
    config: Config | None = None,
) -> Review:
    texts = {f.path: f.head_text or "" for f in changeset.files}
    said = evidence.gather(changeset.description, {m.path: texts.get(m.path, "") for m in migrations})
    said, accepted = acceptance.credited(said, changeset, config or Config())
    dialect = migrations[0].dialect if migrations else "postgres"
    findings, answered = measured.compared(findings, said, plan.queries, dialect)
    findings = attribution.echoed(findings, said, migrations, skip=answered)
    findings = _credit_rollback(findings, evidence.about(said, evidence.ROLLBACK), migrations)
    active = [f for f in findings if f.suppressed is None]
    items = _data_items(migrations, active, said, facts) + safety_checklist.items(migrations, active)
    # A migration the base branch already has ran on production before this change: its data changes and
    # its way back are not this change's to verify (an edit of it reaches new installs only).
    applied = {
        f.path for f in changeset.files if f.status in ("modified", "renamed") and f.base_text is not None
    }
    fresh = [m for m in migrations if m.path not in applied]
    return Review(
        approval="BLOCKED" if (reasons := _reasons(fresh, active, items, plan)) else "APPROVED",
        reasons=tuple(reasons),
        base=changeset.base,
        head=changeset.head,
        migrations=tuple(_summary(m) for m in migrations),
        findings=tuple(findings),
        checklist=tuple(items),
        verification_queries=plan.queries,
        rollback_plan=plan.rollback,
        monitoring=plan.monitoring,
        notes=references.notes() + plan.credits + _probe_note(facts) + accepted,
        probe=facts,
    )


def reads_existing_data(op: Operation) -> bool:
    if isinstance(op, DataInsert):
        return op.from_select
    return isinstance(op, DataUpdate | DataDelete | SetNotNull) or (
        isinstance(op, AddConstraint)
        and not op.not_valid
        and op.constraint in ("unique", "foreign_key", "check", "primary_key")
    )


def _without_rebuild_copies(migrations: Sequence[Migration]) -> list[Operation]:
    """Every operation, but the copy of a SQLite table rebuild: it moves rows as they are, assuming no value."""
    ops: list[Operation] = []
    for migration in migrations:
        copies = {
            table for rebuild in migration.rebuilds() for table in (rebuild.copy, rebuild.backup) if table
        }
        ops.extend(op for op in migration.up if not (isinstance(op, DataInsert) and op.table in copies))
    return ops


def _data_items(
    migrations: Sequence[Migration], active: list[Finding], said: list[Statement], facts: Facts | None
) -> list[ChecklistItem]:
    ops = _without_rebuild_copies(migrations)
    reading = [op for op in ops if reads_existing_data(op)]
    transforms = [op for op in reading if isinstance(op, DATA_CHANGES)]
    id_findings = [f for f in active if f.rule == "hard-coded-id"]
    ids = [
        op
        for op in transforms
        if (isinstance(op, DataUpdate | DataDelete) and _ID_SQL.search(op.sql)) or _maps_to_ids(op)
    ]
    edges = [f for f in active if f.rule in EDGE_RULES and f.severity is not Severity.INFO]
    found = {name: [f for f in active if f.rule in rules] for name, rules in PROBE_RULES.items()}
    if facts is not None:  # what the probe measured replaces what the rules could only suspect
        id_findings = [f for f in id_findings if f.severity is Severity.CRITICAL]
        edges = [f for f in edges if f.severity is Severity.CRITICAL]

    return [
        _probed(
            _item(
                migrations,
                "Query production for actual value distribution",
                reading,
                "reads existing values",
                evidence.about(said, evidence.DISTRIBUTION),
                found[evidence.DISTRIBUTION],
                "run the queries marked 'before the deploy' below",
            ),
            facts,
            reading,
        ),
        _probed(
            _item(
                migrations,
                "Verify ID mappings match production",
                ids or id_findings,
                "uses hard-coded IDs",
                evidence.about(said, evidence.IDS),
                id_findings + found[evidence.IDS],
                "check the IDs with the query in the finding",
                code_ok="the IDs match the constants the code defines",
            ),
            facts,
            ids,
            lookups=True,
        ),
        _probed(
            _item(
                migrations,
                "Check for edge cases in production data",
                transforms or (reading if facts is not None else []),
                "maps or filters existing values",
                evidence.about(said, evidence.EDGE_CASES),
                edges + found[evidence.EDGE_CASES],
                "count NULL, '' and case or whitespace variants of the values it compares",
            ),
            facts,
            reading,
        ),
    ]


def _probed(
    item: ChecklistItem, facts: Facts | None, ops: Sequence[Operation], *, lookups: bool = False
) -> ChecklistItem:
    """An item the review left open (or the author documented) becomes verified, or says why the probe could not."""
    if facts is None or item.state == "not-applicable":
        return item
    if item.state == "unchecked" and not item.detail.startswith("not verified"):
        return item  # a finding stands in the way: the probe found a problem, or the code contradicts it
    tables = sorted({t for op in ops for t in op.tables})
    if lookups:
        tables = sorted({lookup.table for lookup in facts.lookups}) or tables
    reasons = [r for r in (facts.failure(t) for t in tables or [""]) if r]
    if lookups:  # an ID whose table only production's foreign key could name, and it names none
        owners = {t for op in ops for t in op.tables}
        reasons += [f.reason for f in facts.failures if f.table.rpartition(".")[0] in owners]
    if reasons:
        if item.state == "checked" and item.source == "author":
            return item
        return replace(item, state="unchecked", detail=f"not verified: {reasons[0]}", source="review")
    sources = sorted(facts.sources(tables)) or ["statistics"]
    partial = any(c.table in tables and not c.complete for c in facts.columns)
    caveat = "; only the most common values were counted, rare ones may be missing" if partial else ""
    return replace(item, state="checked", detail=facts.words(", ".join(sources)) + caveat, source="probe")


def _maps_to_ids(op: Operation) -> bool:
    mappings = getattr(op, "case_mappings", ())
    return any(m.target.endswith("_id") and any(r.isdigit() for _, r in m.whens) for m in mappings)


def _item(
    migrations: Sequence[Migration],
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
    ops = [r for r in relevant if isinstance(r, Operation)]
    left = [op for op in ops if not attribution.covering(said, op, migrations)]
    said = [s for s in said if any(s in attribution.covering(said, op, migrations) for op in ops)] or (
        said if not ops else []
    )
    if said and not left:
        return ChecklistItem(DATA, text, "checked", "; ".join(s.echo for s in said[:3]), source="author")
    if code_ok:
        return ChecklistItem(DATA, text, "checked", code_ok)
    if said:  # the author's statements speak to other statements of the change
        where = ", ".join(sorted({f"`{_location(op)}`" for op in left})[:3])
        detail = (
            f"not verified for {where}: the author's statements name other tables and columns "
            f"({said[0].echo}); {todo}"
        )
    else:
        where = ", ".join(sorted({f"`{_location(r)}`" for r in relevant})[:3])
        detail = (
            "not verified: no production probe is configured and the description documents no check; "
            f"{todo} ({where})"
        )
    return ChecklistItem(DATA, text, "unchecked", detail)


def _location(item: Operation | Finding) -> str:
    return f"{item.location.path}:{item.location.line}"


def _reasons(
    migrations: Sequence[Migration], active: list[Finding], items: list[ChecklistItem], plan: Plan
) -> list[str]:
    reasons = []
    critical = [f for f in active if f.severity is Severity.CRITICAL]
    if critical:
        reasons.append(_counted(len(critical), "critical issue"))
    if any(not f.blast_radius.strip() for f in critical):
        reasons.append("a critical issue has no blast radius")
    transforms = [
        op
        for op in _without_rebuild_copies(migrations)
        if isinstance(op, DATA_CHANGES) and reads_existing_data(op)
    ]
    if items[0].state == "unchecked" and items[0].detail.startswith("not verified") and transforms:
        reasons.append(f"production values not verified for {_counted(len(transforms), 'data change')}")
    # a data change the migration sets off but the review cannot read (a task, a command) is not approved
    # until someone has read it: the finding suppressed with a reason says so
    unread = [f for f in active if f.rule == "unread-data-change" and not f.references]
    if unread:
        reasons.append(f"{_counted(len(unread), 'data change')} the review could not read")
    if transforms and not plan.queries:
        reasons.append("no post-deploy validation queries")
    if not plan.rollback and any(m.down is None for m in migrations):
        reasons.append("no rollback procedure")
    paths = {m.path for m in migrations} | {m.down_path for m in migrations if m.down_path}
    unparsed = [f for f in active if f.rule == "unparsed-statement" and f.path in paths]
    if (
        unparsed
    ):  # what no rule could check never passes the gate: read by hand, then suppressed with a reason
        reasons.append(
            f"{_counted(len(unparsed), 'statement')} the review could not read (check by hand, then suppress "
            "with a reason)"
        )
    return reasons


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _probe_note(facts: Facts | None) -> tuple[str, ...]:
    """One line on what the production probe did: where, when, how much, and what it could not verify."""
    if facts is None:
        return ()
    failed = len(facts.failures)
    unverified = f"; {failed} question{'s' if failed != 1 else ''} not verified" if failed else ""
    server = f" (server version {facts.version})" if facts.version else ""
    return (
        f"Production probe: {facts.connection}{server} at {facts.taken_at}, {len(facts.queries)} read-only "
        f"queries in {facts.milliseconds / 1000:.2f} s{unverified}.",
    )


def _credit_rollback(
    findings: Sequence[Finding], said: list[Statement], migrations: Sequence[Migration]
) -> list[Finding]:
    """A restore procedure the author documents stands in for a missing down migration (still a warning):
    one that names the finding's tables or columns (already echoed on it), or one that names nothing of the
    change; one about other tables leaves it as it is."""
    result = []
    for f in findings:
        if f.rule == "missing-down-migration" and f.severity is Severity.CRITICAL:
            named = [s for s in said if attribution.addresses(s, f, migrations)]
            broad = [s for s in said if attribution.general(s, migrations)]
            if named or broad:
                note = "" if named else f" {broad[0].echo}."
                f = replace(f, severity=Severity.WARNING, message=f.message + note)
        result.append(f)
    return result


def _summary(m: Migration) -> MigrationSummary:
    return MigrationSummary(
        path=m.path,
        framework=m.framework,
        dialect=m.dialect,
        in_transaction=wrapped(m),
        transaction_note=m.transaction_note,
        operations=len(m.up),
        reversible=m.down is not None,
        has_down=m.down is not None,
        down_does_nothing=m.down_does_nothing or m.down == (),
    )
