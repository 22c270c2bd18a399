"""The review for a terminal, with rich: colours only when the output is a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from bot.model.findings import Review, Severity
from bot.render.formats import runner_sentence

_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_text(review: Review, *, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True
    )
    approval_style = "bold red" if review.approval == "BLOCKED" else "bold green"
    reasons = f" — {', '.join(review.reasons)}" if review.reasons else ""
    console.print(f"[{approval_style}]{review.approval}[/]{reasons}", markup=True)
    if not review.migrations:
        console.print(
            # a migration the review does not read (another database's) is in the notes below
            ("No migration the review reads changed." if review.notes else "No migration changed.")
            + (" The findings are on other files." if review.findings else "")
        )
    for migration in review.migrations:
        way_back = (
            "a way back that restores nothing"
            if migration.down_does_nothing
            else "has a way back"
            if migration.has_down
            else "no way back"
        )
        transaction = "transaction" if migration.in_transaction else "no transaction"
        if migration.in_transaction and migration.dialect in ("mysql", "mariadb"):
            transaction = "transaction, but each schema change commits at once"
        console.print(
            f"  {migration.path}  [dim]({migration.framework}, {migration.dialect}, {transaction}, {way_back})[/]",
            markup=True,
        )
    for use in review.databases:
        alone = use.paths == (use.database.source,)  # a file named for its dialect speaks for itself
        paths = f" for {', '.join(use.paths)}" if len(review.databases) > 1 and not alone else ""
        console.print(f"  database: {use.database.explanation}{paths}", markup=False)
    for setting in review.runner:
        console.print(f"  runner: {runner_sentence(setting)}", markup=False)
    for finding in review.active:
        console.print()
        console.print(
            f"[{_STYLE[finding.severity]}]{finding.severity.value}[/] {finding.path}:{finding.line} "
            f"[bold]{finding.rule}[/]",
            markup=True,
        )
        console.print(f"  {finding.message}", markup=False)
        console.print(f"  blast radius: {finding.blast_radius}", markup=False)
        console.print(f"  fix: {finding.fix}", markup=False)
        for reference in finding.references[:5]:
            console.print(
                f"  {_label(reference.kind)} {reference.path}:{reference.line} {reference.text.strip()[:80]}",
                markup=False,
            )
    for finding in review.accepted:
        console.print()
        console.print(
            f"[dim]accepted[/] {finding.path}:{finding.line} {finding.rule}: {finding.suppressed}",
            markup=True,
        )
    for note in review.notes:
        console.print()
        console.print(f"note: {note}", markup=False)
    counts = {s: review.count(s) for s in Severity}
    console.print()
    console.print(
        f"{counts[Severity.CRITICAL]} critical · {counts[Severity.WARNING]} warnings · "
        f"{counts[Severity.INFO]} info · {len(review.accepted)} accepted",
        markup=False,
    )
    return buffer.getvalue()


def _label(kind: str) -> str:
    if kind == "code-value":
        return "defined at"
    return "removed from" if kind.startswith("removed") else "used at"
