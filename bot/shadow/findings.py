"""What a shadow run observed, on the review: findings at the statement's line, the checklist's rollback
items checked from the evidence, and the static guesses it contradicts corrected.

Observed findings carry rule ids of their own (`shadow-…`); every other finding is reasoned from the
text, and the review's notes say which is which.
"""

from __future__ import annotations

import dataclasses
import re

from bot.model.findings import ChecklistItem, Dimension, Finding, Review, Severity
from bot.model.shadow import DOWN, UP, UP_AGAIN, Shadow, StatementRun

STATEMENT_FAILED = "shadow-statement-failed"
DOWN_SCHEMA = "shadow-down-schema"
DOWN_DATA = "shadow-down-data"
UP_AGAIN_FAILED = "shadow-up-again-failed"
LOCKS = "shadow-locks"
OUR_QUERY = "shadow-validation-query-failed"
REWRITE_RULES = ("type-change-rewrite", "mysql-table-copy")
SAFETY = "Migration Safety Checklist"
MISSING_WORDS = (
    " The schema before the change was built from this repository's own migrations; if what is missing "
    "comes from elsewhere (a framework's own tables, an extension, another service), the statement may "
    "run in production: check by hand."
)
BLOCKING = ("ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE")


def attach(review: Review, shadow: Shadow) -> Review:
    """The review with the shadow run's findings, checklist evidence, notes and `shadow` object."""
    if not shadow.ran:
        why = shadow.errors[0] if shadow.errors else "not run"
        return dataclasses.replace(
            review,
            shadow=shadow,
            notes=(*review.notes, f"The shadow run did not run: {why}."),
        )
    observed = _findings(shadow, review)
    findings = [_corrected(f, shadow) for f in review.findings]
    merged = sorted([*findings, *observed], key=lambda f: (f.severity.rank, f.path, f.line, f.rule))
    critical = [f for f in observed if f.severity is Severity.CRITICAL and f.suppressed is None]
    reasons = review.reasons
    approval = review.approval
    if critical:
        approval = "BLOCKED"
        reasons = (
            *reasons,
            f"{len(critical)} failure{'s' if len(critical) != 1 else ''} on the shadow database",
        )
    checklist = _checklist(review.checklist, shadow)
    rows = sum(n for _, n in shadow.rows)
    note = (
        f"Shadow run on a scratch {shadow.engine} {shadow.version} database with {rows} synthetic rows: "
        + ", ".join(f"{s.name} {s.status}" for s in shadow.steps if s.name in (UP, DOWN, UP_AGAIN))
        + f" ({shadow.milliseconds / 1000:.1f} s). Findings `shadow-…` were observed there; the others are "
        "reasoned from the migration's text."
    )
    notes = [note]
    if shadow.skipped:
        notes.append(
            f"Not run on the shadow database ({len(shadow.skipped)}): " + "; ".join(shadow.skipped[:5]) + "."
        )
    if any(s.translated for s in shadow.statements):
        notes.append(
            "Operations of migrations written in code ran as the SQL we translate them to (marked translated "
            "in the JSON), which may differ in detail from the framework's own."
        )
    notes += [f"Shadow run: {e}." for e in shadow.errors]
    return dataclasses.replace(
        review,
        findings=tuple(merged),
        approval=approval,
        reasons=reasons,
        checklist=checklist,
        notes=(*review.notes, *notes),
        shadow=shadow,
    )


def _finding(
    rule: str, severity: Severity, dimension: Dimension, run: StatementRun, message: str, blast: str, fix: str
) -> Finding:
    return Finding(
        rule=rule,
        dimension=dimension,
        severity=severity,
        path=run.path,
        line=run.line,
        message=message,
        blast_radius=blast,
        fix=fix,
    )


def _first(sql: str) -> str:
    line = " ".join(sql.split())
    return line if len(line) <= 80 else line[:77] + "…"


def _findings(shadow: Shadow, review: Review) -> list[Finding]:
    where = f"a scratch {shadow.engine} {shadow.version} database"
    rows = sum(n for _, n in shadow.rows)
    schema_failed = shadow.step("schema") is not None and not shadow.ok("schema")
    caveat = (
        " Some statements building the schema before the change failed there too, so check this one by hand."
        if schema_failed
        else ""
    )
    found: list[Finding] = []
    for run in shadow.statements:
        if not run.error:
            continue
        if run.step == UP:
            guessed = run.cause == "rows" and not shadow.shaped
            missing = run.cause == "missing"
            rows_words = (
                "production-shaped synthetic rows"
                if shadow.shaped
                else "synthetic rows (NULLs, duplicates, edge values)"
            )
            found.append(
                _finding(
                    STATEMENT_FAILED,
                    Severity.WARNING if schema_failed or guessed or missing else Severity.CRITICAL,
                    Dimension.MIGRATION_SAFETY,
                    run,
                    f"`{_first(run.sql)}` failed on {where} holding the schema before the change and {rows} "
                    f"{rows_words}: {run.error}.{caveat}"
                    + (
                        " Rows like these make it fail; without the production probe, whether production has "
                        "such rows is not known."
                        if guessed
                        else MISSING_WORDS
                        if missing
                        else ""
                    ),
                    "The deploy stops at this statement; without a transaction around the migration, the "
                    "statements before it stay applied.",
                    "Make the statement succeed on the rows it will meet (backfill or clean them first), "
                    "then run the migration again on a scratch copy.",
                )
            )
        elif run.step == DOWN:
            found.append(
                _finding(
                    STATEMENT_FAILED,
                    Severity.WARNING if schema_failed else Severity.CRITICAL,
                    Dimension.ROLLBACK,
                    run,
                    f"The down migration's `{_first(run.sql)}` failed on {where} right after the up: "
                    f"{run.error}.{caveat}",
                    "The rollback fails when it is needed: the deploy cannot be undone by the down migration.",
                    "Fix the down migration so it runs after the up; test it up, down and up again.",
                )
            )
        elif run.step == UP_AGAIN:
            found.append(
                _finding(
                    UP_AGAIN_FAILED,
                    Severity.WARNING,
                    Dimension.ROLLBACK,
                    run,
                    f"After the down, running the up again failed on {where}: {run.error}.",
                    "After a rollback the migration cannot be deployed again: the down leaves something "
                    "behind that the up does not expect.",
                    "Make the down remove everything the up creates (or make the up tolerate it).",
                )
            )
        elif run.step in ("validation", "rollback-plan") and schema_failed and run.cause == "missing":
            continue  # the scratch schema lacks what it names: not known to be a bug of ours
        elif run.step in ("validation", "rollback-plan"):
            found.append(
                Finding(
                    rule=OUR_QUERY,
                    dimension=Dimension.DATA_VERIFICATION,
                    severity=Severity.INFO,
                    path=review.migrations[0].path if review.migrations else "",
                    line=1,
                    message=f"A {'validation query' if run.step == 'validation' else 'statement of the rollback plan'}"
                    f" of this review failed on {where}: `{_first(run.sql)}`: "
                    f"{run.error}. This is a bug of the review, not of the migration.",
                    blast_radius="That post-deploy check cannot be run as written.",
                    fix="Adapt the query to the schema by hand, and report the bug to migration-review.",
                )
            )
    up_path = next((s for s in shadow.statements if s.step == DOWN), None)
    if shadow.schema_diff:
        named = _naming(shadow, " ".join(shadow.schema_diff), DOWN)
        anchor = named or up_path or next((s for s in shadow.statements if s.step == UP), None)
        if anchor is not None:
            shown = "; ".join(shadow.schema_diff[:6]) + ("; …" if len(shadow.schema_diff) > 6 else "")
            found.append(
                _finding(
                    DOWN_SCHEMA,
                    Severity.WARNING,
                    Dimension.ROLLBACK,
                    dataclasses.replace(anchor, line=1 if anchor.step == DOWN else anchor.line),
                    f"On {where}, the down migration does not give back the schema from before the up: {shown}.",
                    "After a rollback the schema differs from the one the running code was written for.",
                    "Make the down migration restore every column, type, default, index and constraint "
                    "the up changes.",
                )
            )
    for diff in shadow.data_diff:
        anchor = _naming(shadow, diff.table, DOWN, whole=True) or up_path
        if anchor is None:
            continue
        columns = ", ".join(f"`{c}`" for c in diff.columns) or "the rows"
        counted = (
            f" ({diff.rows_before} rows before, {diff.rows_after} after)"
            if diff.rows_before != diff.rows_after
            else ""
        )
        if diff.table in shadow.restored_by_plan:
            found.append(
                _finding(
                    DOWN_DATA,
                    Severity.INFO,
                    Dimension.ROLLBACK,
                    dataclasses.replace(anchor, line=1),
                    f"On {where}, the down migration alone does not give back {columns} of `{diff.table}`; the "
                    "rollback plan's backup before the deploy and restore after the down did (tested there).",
                    "None if the rollback plan is followed; without its backup, a rollback loses these values.",
                    "Take the backup of the rollback plan before the deploy.",
                )
            )
            continue
        found.append(
            _finding(
                DOWN_DATA,
                Severity.WARNING,
                Dimension.ROLLBACK,
                dataclasses.replace(anchor, line=1),
                f"On {where}, up then down does not give back the data of `{diff.table}`: {columns} "
                f"differ{'s' if len(diff.columns) == 1 else ''} from before the up{counted}.",
                f"A rollback loses or changes these values in every row of `{diff.table}` the up touched.",
                "Copy the values aside before the up (a backup table or column) and restore them in the down, "
                "or state in the rollback plan that the down is lossy.",
            )
        )
    found += _lock_findings(shadow, where)
    return found


def _naming(shadow: Shadow, text: str, step: str, *, whole: bool = False) -> StatementRun | None:
    """The first statement of the step whose migration is about the tables `text` names (the migration
    a difference after the down belongs to, when several ran): matched on the migration's up, reported
    at its down."""
    tables = {text} if whole else set(re.findall(r"\bon (\w+)", text))
    for run in shadow.statements:
        if run.step == UP and any(re.search(rf"\b{re.escape(t)}\b", run.sql) for t in tables):
            down = next((s for s in shadow.statements if s.step == step and s.path == run.path), None)
            return down or dataclasses.replace(run, line=1)
    return None


def _lock_findings(shadow: Shadow, where: str) -> list[Finding]:
    found = []
    for run in shadow.statements:
        if run.step != UP or run.error:
            continue
        blocking = [lock for lock in run.locks if lock.mode in BLOCKING]
        words = []
        if blocking:
            words.append(
                ", ".join(
                    f"{lock.mode} on `{lock.table}` for {lock.milliseconds:.0f} ms ({lock.how})"
                    for lock in blocking
                )
            )
        if run.rewritten:
            words.append("rewrote " + ", ".join(f"`{t}`" for t in run.rewritten) + " (its file changed)")
        if run.algorithm == "COPY":
            words.append("ran with ALGORITHM=COPY (the server could not do it INSTANT or INPLACE)")
        if run.lock_level in ("SHARED", "EXCLUSIVE"):
            blocked = "writes wait" if run.lock_level == "SHARED" else "reads and writes wait"
            words.append(
                f"held LOCK={run.lock_level} on the table while it worked ({blocked}; the server refused LOCK=NONE)"
            )
        if not words:
            continue
        found.append(
            _finding(
                LOCKS,
                Severity.INFO,
                Dimension.MIGRATION_SAFETY,
                run,
                f"Observed on {where}: `{_first(run.sql)}` " + "; ".join(words) + ".",
                "While such a lock is held, the application's reads and writes of the table wait; the time "
                "grows with the table's size in production.",
                "Keep the locking statements short and alone in their transaction, with a lock_timeout.",
            )
        )
    return found


def _corrected(finding: Finding, shadow: Shadow) -> Finding:
    """A static guess of a table rewrite that the shadow run saw not happen becomes information."""
    if finding.rule not in REWRITE_RULES:
        return finding
    runs = [
        s for s in shadow.statements if s.step == UP and s.path == finding.path and s.line == finding.line
    ]
    if not runs or any(s.error for s in runs):
        return finding
    observed_rewrite = any(s.rewritten for s in runs) or any(s.algorithm == "COPY" for s in runs)
    algorithms = {s.algorithm for s in runs if s.algorithm}
    measured = bool(algorithms) if shadow.engine != "PostgreSQL" else True
    if observed_rewrite or not measured:
        return (
            dataclasses.replace(
                finding,
                message=f"{finding.message} Observed on the shadow database: the table was rewritten.",
            )
            if observed_rewrite
            else finding
        )
    how = f"ALGORITHM={'/'.join(sorted(algorithms))}" if algorithms else "its file did not change"
    return dataclasses.replace(
        finding,
        severity=Severity.INFO,
        message=f"Reasoned: {finding.message} Observed on a scratch {shadow.engine} {shadow.version} "
        f"database: no rewrite ({how}); the observation stands over the reasoning here.",
    )


def _checklist(items: tuple[ChecklistItem, ...], shadow: Shadow) -> tuple[ChecklistItem, ...]:
    down, again = shadow.step(DOWN), shadow.step(UP_AGAIN)
    lost = [d for d in shadow.data_diff if d.table not in shadow.restored_by_plan]
    restored = shadow.ok(DOWN) and not shadow.schema_diff and not lost
    untouched = _untouched(shadow)
    updated = []
    for item in items:
        if item.text == "Reversible without data loss" and down is not None and down.status != "skipped":
            if restored and untouched:
                # the comparison after the down is silent about data the up never changed
                item = dataclasses.replace(item, detail=f"{item.detail.rstrip('.')}; {untouched}")
            elif restored:
                item = dataclasses.replace(
                    item,
                    state="checked",
                    detail="observed on the shadow database: up then down gave back the schema and every "
                    "synthetic row",
                    source="shadow",
                )
            else:
                problem = (
                    down.detail
                    if not shadow.ok(DOWN)
                    else "the schema differs after the down"
                    if shadow.schema_diff
                    else "values differ after the down in " + ", ".join(f"`{d.table}`" for d in lost)
                )
                item = dataclasses.replace(
                    item,
                    state="unchecked",
                    detail=f"observed on the shadow database: {problem}",
                    source="shadow",
                )
        updated.append(item)
    ran = restored and again is not None and again.status == "ok"
    tested = ran and not untouched
    detail = (
        "up, down and up again ran on a scratch database"
        if tested
        else f"up, down and up again ran on a scratch database, but {untouched}"
        if ran
        else f"the shadow run's down: {down.status if down else 'not run'}"
        + (f" ({down.detail})" if down is not None and down.detail else "")
        + (f"; up again: {again.status}" if again is not None else "")
    )
    updated.append(
        ChecklistItem(
            SAFETY, "Rollback tested", "checked" if tested else "unchecked", _clean(detail), "shadow"
        )
    )
    return tuple(updated)


def _untouched(shadow: Shadow) -> str:
    """Why the run says nothing about the data's way back, when the up's data changes (UPDATE, DELETE,
    INSERT) changed none of the synthetic rows; "" when they changed some, or there were none."""
    counted = [s for s in shadow.statements if s.step == UP and s.rows_changed >= 0]
    if not counted or any(s.rows_changed > 0 for s in counted):
        return ""
    return (
        f"the up's {len(counted)} data change{'s' if len(counted) != 1 else ''} changed none of the "
        "synthetic rows, so the shadow run did not test the way back of the data"
    )


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
