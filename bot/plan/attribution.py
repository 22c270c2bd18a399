"""Which of the author's statements speaks to which finding and which statement: by the tables and columns
it names.

A statement that names a table or column of the change speaks to the statements and findings about those
only; one that names none of them (`- [x] Checked the values in production`) speaks to the whole change.
A finding is echoed "documented by the author" only by a statement that names its table or column; a
statement about rollback answers rollback findings, the others answer findings about the data. Nothing the
author says removes a finding it does not name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from bot.model.findings import Dimension, Finding
from bot.model.migration import Migration, Operation
from bot.plan.evidence import ROLLBACK, Statement

TABLE_COLUMN = re.compile(r"`(?:[\w\"]+\.)?([\w\"]+)\.([\w\"]+)`")  # `orders.status`, `public.orders.status`
DATA_DIMENSIONS = (Dimension.DATA_VERIFICATION, Dimension.TRANSFORMATION)


def names(op: Operation) -> set[str]:
    """The tables an operation touches and the columns it writes or changes, lower-case, without schema (the
    columns it only reads, `id` first among them, would tie it to every statement that names them)."""
    found = {t for t in op.tables}
    found |= set(getattr(op, "touches", ()) or ())
    column = getattr(op, "column", None)
    if isinstance(column, str):
        found.add(column)
    elif column is not None and isinstance(getattr(column, "name", None), str):
        found.add(column.name)
    found |= {c for c in getattr(op, "columns", ()) or () if isinstance(c, str)}
    found |= {c for c, _ in getattr(op, "assignments", ()) or ()}
    found |= {mapping.target for mapping in getattr(op, "case_mappings", ()) or ()}
    return {n.lower().rsplit(".", 1)[-1].strip('"') for n in found if n}


def mentions(statement: Statement, wanted: Iterable[str]) -> bool:
    text = statement.text.lower()
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\b", text) for n in wanted if len(n) > 1)


def general(statement: Statement, migrations: Sequence[Migration]) -> bool:
    """Does the statement name nothing of the change (so it speaks to all of it)?"""
    return not mentions(statement, {n for m in migrations for op in m.up for n in names(op)})


def covering(
    statements: Sequence[Statement], op: Operation, migrations: Sequence[Migration]
) -> list[Statement]:
    """The statements that speak to one operation: those naming it, and those naming nothing of the change."""
    own = names(op)
    return [s for s in statements if mentions(s, own) or general(s, migrations)]


def subjects(finding: Finding, migrations: Sequence[Migration]) -> set[str]:
    """The tables and columns a finding is about: those of its statement, and the `table.column` it names."""
    pairs = {(t.lower().strip('"'), c.lower().strip('"')) for t, c in TABLE_COLUMN.findall(finding.message)}
    at = [
        op
        for m in migrations
        if m.path == finding.path
        for op in m.up
        if op.location.line <= finding.line <= (op.end_line or op.location.line)
    ]
    if pairs:  # several statements on one line: the ones of the tables the finding names
        at = [op for op in at if {t.rsplit(".", 1)[-1] for t in op.tables} & {t for t, _ in pairs}]
    return {n for op in at for n in names(op)} | {n for pair in pairs for n in pair}


def addresses(statement: Statement, finding: Finding, migrations: Sequence[Migration]) -> bool:
    rollback = ROLLBACK in statement.topics
    if rollback != (finding.dimension is Dimension.ROLLBACK):
        return False
    if not rollback and finding.dimension not in DATA_DIMENSIONS:
        return False
    return mentions(statement, subjects(finding, migrations))


def echoed(
    findings: Sequence[Finding],
    said: Sequence[Statement],
    migrations: Sequence[Migration],
    skip: Collection[int] = (),
) -> list[Finding]:
    """Each finding with the author's statements that name it, echoed as the author's, and only those;
    the findings at the positions in `skip` already quote the author's result (bot.plan.measured)."""
    result = []
    for position, finding in enumerate(findings):
        own = [s for s in said if addresses(s, finding, migrations)] if position not in skip else []
        if own:
            echo = " ".join(s.echo.rstrip(".") + "." for s in own[:2])
            finding = replace(finding, message=f"{finding.message} {echo}")
        result.append(finding)
    return result
