"""The blast radius of removing or renaming something, in words a reviewer can use.

From the places the code-reference search found: how many, in which areas, the top places, what fails
first after deploy, and the severity that follows (a job or an API contract that still reads a dropped
column is critical; a test or a doc is informational).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.model.findings import Reference, Severity
from bot.references.usage import Use

# Production code that still reads or writes what the change removes breaks when it runs: it blocks.
CRITICAL_AREAS = (
    *("other", "serializer", "job", "raw-sql", "database", "model", "association", "view"),
    "fixture",
)
WARNING_AREAS = ("template", "config")
TOP = 3

_AREA_WORDS = {
    "job": ("background job", "background jobs"),
    "serializer": ("API contract", "API contracts"),
    "raw-sql": ("raw SQL query", "raw SQL queries"),
    "model": ("model", "models"),
    "association": ("association", "associations"),
    "view": ("view", "views"),
    "template": ("template", "templates"),
    "other": ("place in production code", "places in production code"),
    "database": ("database function, trigger or view", "database functions, triggers or views"),
    "config": ("configuration file", "configuration files"),
    "fixture": ("fixture the deployment loads", "fixtures the deployment loads"),
    "test": ("test", "tests"),
    "doc": ("doc", "docs"),
}
_FAILS = {
    "job": "the job fails from its first run after deploy",
    "serializer": "the API response that includes it fails from the first request after deploy",
    "raw-sql": "the query fails the first time it runs after the migration",
    "model": "the model fails to load or save it once the migration commits "
    "(ORMs that cache columns fail until restarted)",
    "association": "loading the association fails once the migration commits",
    "view": "the page fails to render",
    "template": "the template renders it as nothing (it swallows a missing attribute): the page shows a blank",
    "database": "the database object fails on its next call (a view or function is rejected, or breaks, "
    "once the column or table is gone)",
    "other": "that code path fails when it runs",
    "config": "whatever reads that configuration fails",
    "fixture": "loading the fixture fails, and the deploy step that loads it with it",
    "test": "the test fails (no production impact)",
    "doc": "the doc goes out of date",
}
_ORDER = (*CRITICAL_AREAS, *WARNING_AREAS, "test", "doc")


@dataclass(frozen=True)
class Assessment:
    severity: Severity | None  # None: keep the rule's own
    blast_radius: str
    references: tuple[Reference, ...]
    blocking: tuple[Use, ...]

    def still_used(self, what: str = "it") -> str:
        """`3 places in the code still use it`; `2 documents still name it` when only documentation does (no
        code runs there); "" when nothing blocks."""
        return _still_used(self.blocking, what)


def _still_used(blocking: Sequence[Use], what: str) -> str:
    n = len(blocking)
    if not n:
        return ""
    if all(u.area == "doc" for u in blocking):
        said = f"{n} document{'s' if n > 1 else ''} still name{'s' if n == 1 else ''} {what}"
    else:
        said = f"{n} place{'s' if n > 1 else ''} in the code still use{'s' if n == 1 else ''} {what}"
    return said.rstrip()


LISTED_LOW = 10  # low-confidence places listed when nothing blocks


def references(uses: Sequence[Use]) -> tuple[Reference, ...]:
    """The uses a reviewer reads, for the JSON and the annotations; the kind says the area and any caveat.

    Places that block and places a safe pattern covers are all listed. Low-confidence places (nothing ties
    them to the table) are counted in the blast radius but listed only when nothing blocks, the first
    ten: next to a place that breaks they hide it.
    """
    sure = [u for u in uses if u.confidence == "high"]
    low = [u for u in uses if u.confidence != "high"]
    shown = sure if any(u.blocking for u in sure) else [*sure, *low[:LISTED_LOW]]
    return tuple(Reference(u.path, u.line, u.text, _kind(u)) for u in shown)


def _kind(use: Use) -> str:
    if use.detail:  # a database object: which one, and how it depends on the name
        return f"{use.area}: {use.detail.partition(':')[0]}"
    if use.safe:
        return f"{use.area}, safe: {use.safe}"
    return use.area if use.confidence == "high" else f"{use.area}, low confidence"


def severity(blocking: Sequence[Use]) -> Severity | None:
    areas = {u.area for u in blocking}
    if areas & set(CRITICAL_AREAS):
        return Severity.CRITICAL
    if areas & set(WARNING_AREAS):
        return Severity.WARNING
    return Severity.INFO


def assess(uses: Sequence[Use], name: str, *, removed: Sequence[Use] = ()) -> Assessment:
    """`name` as the code spells it (`legacy_status`, `orders`); `removed`: uses this change deletes."""
    blocking = tuple(sorted((u for u in uses if u.blocking), key=_rank))
    if not uses:
        if removed:
            places = ", ".join(f"`{u.path}:{u.line}`" for u in removed[:TOP])
            text = f"No code references found: this change removes the last {_count(len(removed), 'use')} ({places})."
            # listed as removed: the lines are the base branch's, where the code was
            gone = tuple(dataclasses.replace(r, kind=f"removed: {r.kind}") for r in references(removed))
            return Assessment(Severity.INFO, text, gone, ())
        return Assessment(None, "No code references found.", (), ())
    quiet = [u for u in uses if not u.blocking]
    if not blocking:
        be = "is" if len(uses) == 1 else "are"
        count = _count(len(uses), "possible use")
        parts = [f"No place is sure to break: {count} ({_areas(uses)}) {be} {_quiet(quiet)}."]
    else:
        production = [u for u in blocking if u.area not in ("test", "doc")] or list(blocking)
        top = ", ".join(f"`{u.path}:{u.line}` ({u.area})" for u in production[:TOP])
        first = blocking[0]
        parts = [
            f"{_still_used(blocking, 'it')}: {_areas(blocking)}.",
            f"Top places: {top}.",
            f"What fails first: `{first.path}:{first.line}` uses `{name}`; {first.detail or _FAILS.get(first.area, '')}.",
        ]
        if quiet:
            be, does = ("is", "does") if len(quiet) == 1 else ("are", "do")
            parts.append(f"{_count(len(quiet), 'more place')} {be} {_quiet(quiet)} and {does} not block.")
    flags = sorted({u.flag for u in uses if u.flag})
    if flags:
        parts.append(f"Behind feature flag {', '.join(flags)}: turning it off is the rollback lever.")
    return Assessment(severity(blocking), " ".join(parts), references(uses), blocking)


def _rank(use: Use) -> tuple[int, str, int]:
    return (_ORDER.index(use.area) if use.area in _ORDER else len(_ORDER), use.path, use.line)


def _areas(uses: Sequence[Use]) -> str:
    counted = Counter(u.area for u in uses)
    ordered = sorted(counted.items(), key=lambda item: _ORDER.index(item[0]))
    return ", ".join(f"{n} {_AREA_WORDS[area][1 if n > 1 else 0]}" for area, n in ordered)


def _quiet(quiet: Sequence[Use]) -> str:
    safe = sorted({u.safe for u in quiet if u.safe})
    low = "low-confidence (a comment, or a same-named column of another table)"
    if safe and all(u.safe for u in quiet):
        return f"covered by {', '.join(safe)}"
    if safe:
        return f"{low} or covered by {', '.join(safe)}"
    return low


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
