"""The author's production query and its result, compared by value with the review's own validation query.

A statement of the author that holds a query and what it returned (`SELECT count(*) FROM users WHERE email
IS NULL → 0`, a psql table, `(0 rows)`) is matched to a validation query of the review when both ask the
same thing: the same tables, the same condition, the same grouping (names compared without aliases and
qualifiers, in any letter case). The validation queries that expect nothing (`0`, no rows) are the ones a
result can answer:

- the author's result is zero: the hazard the query looks for is absent in production, as the author
  documents it. A finding of the statement about the data (data-verification, transformation) becomes a
  note with the query and its result; any other finding of the statement (the lock of a SET NOT NULL) keeps
  its severity and quotes the result.
- the author's result is not zero: the hazard is there. The finding stays as it is and quotes the result as
  confirming it.

A query about another table, column or condition matches nothing and changes nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.simplify import simplify

from bot.model.findings import Finding, Severity, VerificationQuery
from bot.plan.attribution import DATA_DIMENSIONS, TABLE_COLUMN
from bot.plan.evidence import Statement
from bot.sql.names import table_name

_QUERY = re.compile(
    r"\b(?:SELECT|WITH)\b.+?\bFROM\b.+?(?=;|→|=>|->|\breturn(?:s|ed)\b|\bresult\b|$)", re.I | re.S
)
_NO_ROWS = re.compile(r"\(\s*0\s+rows\s*\)|\bno rows\b|\bnone\b|\bzero\b|\bempty\b", re.I)
_ROW_COUNT = re.compile(r"\(\s*\d+\s+rows?\s*\)", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?![\w.])")
_NOTHING = ("0", "no rows")  # what a validation query expects when the hazard is absent


@dataclass(frozen=True)
class Measured:
    """One query the author ran in production and what it returned."""

    statement: Statement
    query: str
    result: str
    count: int  # 0: nothing found; otherwise the largest number the result shows


def measured(said: Sequence[Statement]) -> list[Measured]:
    found = []
    for statement in said:
        match = _QUERY.search(statement.text)
        if match is None:
            continue
        result = statement.text[match.end() :].lstrip(";→=>- ").strip()
        result = re.sub(r"^(?:returns?|returned|result:?)\s*", "", result, flags=re.I)
        count = _count(result)
        if count is not None:
            found.append(Measured(statement, " ".join(match.group().split()), result[:120], count))
    return found


def _count(result: str) -> int | None:
    if not result:
        return None
    if _NO_ROWS.search(result):
        return 0
    numbers = [int(n.replace(",", "")) for n in _NUMBER.findall(_ROW_COUNT.sub(" ", result))]
    return max(numbers) if numbers else None


def compared(
    findings: Sequence[Finding], said: Sequence[Statement], queries: Sequence[VerificationQuery], dialect: str
) -> tuple[list[Finding], set[int]]:
    """Each finding with the author's results that answer a validation query of its statement; and the
    positions of the findings so answered (the echo by names is not added to them again)."""
    results = measured(said)
    if not results:
        return list(findings), set()
    keys = {id(q): _key(q.sql, dialect) for q in queries if q.expect in _NOTHING}
    out: list[Finding] = []
    answered: set[int] = set()
    for finding in findings:
        own = [
            q
            for q in queries
            if id(q) in keys and q.path == finding.path and q.line == finding.line and _about(finding, q)
        ]
        matched = [
            (q, m) for q in own for m in results if keys[id(q)] and _key(m.query, dialect) == keys[id(q)]
        ]
        if matched:
            finding = _answered(finding, matched)
            answered.add(len(out))
        out.append(finding)
    return out, answered


def _about(finding: Finding, query: VerificationQuery) -> bool:
    """A finding about the data answers to the queries of its statement; another (a lock, a timeout) only
    when it names the `table.column` the query counts (a SET NOT NULL fails on the NULLs it counts)."""
    if finding.dimension in DATA_DIMENSIONS:
        return True
    named = {column.lower() for _, column in TABLE_COLUMN.findall(finding.message)}
    return any(re.search(rf"(?<![\w.]){re.escape(column)}\b", query.sql.lower()) for column in named)


def _answered(finding: Finding, matched: list[tuple[VerificationQuery, Measured]]) -> Finding:
    present = [(q, m) for q, m in matched if m.count > 0]
    if present:
        q, m = present[0]
        text = (
            f"The author's production query confirms it ({m.statement.where}): `{m.query}` returned {m.result}"
            f" where {q.expect} means the hazard is absent."
        )
        return replace(finding, message=f"{finding.message} {text}")
    q, m = matched[0]
    text = f"documented by the author ({m.statement.where}): `{m.query}` returned {m.result} in production."
    if finding.dimension in DATA_DIMENSIONS and finding.severity is not Severity.INFO:
        return replace(
            finding,
            severity=Severity.INFO,
            message=f"{finding.message} Absent in production, as {text}",
        )
    return replace(finding, message=f"{finding.message} No row is affected, as {text}")


def _key(sql: str, dialect: str) -> tuple[object, ...] | None:
    """What a query asks, without aliases, qualifiers and letter case: its tables, condition and grouping."""
    syntax = "mysql" if dialect in ("mysql", "mariadb") else dialect
    try:
        tree = sqlglot.parse_one(sql.rstrip("; \n"), dialect=syntax)
    except (SqlglotError, ValueError):
        return None
    if not isinstance(tree, exp.Select):
        return None
    tables = tuple(sorted({table_name(t).lower() for t in tree.find_all(exp.Table)}))
    group = tree.args.get("group")
    if group is not None:  # `GROUP BY 1` is the first column of the SELECT
        for position in group.expressions:
            if isinstance(position, exp.Literal) and position.is_int:
                index = int(position.this) - 1
                if 0 <= index < len(tree.expressions):
                    position.replace(tree.expressions[index].unalias().copy())
    parts = []
    for part in ("where", "group", "having"):
        node = tree.args.get(part)
        parts.append(_plain(node, syntax) if node is not None else "")
    # Without a grouping, a count and a list of rows ask the same: are there rows matching the condition?
    counts = group is not None and any(isinstance(e, exp.Count) for e in tree.expressions)
    return (tables, *parts, counts)


def _plain(node: exp.Expression, syntax: str) -> str:
    copy = node.copy()
    for column in copy.find_all(exp.Column):
        column.set("table", None)
    for table in copy.find_all(exp.Table):
        table.set("alias", None)
    for count in copy.find_all(exp.Count):
        if isinstance(count.this, exp.Literal | exp.Star):
            count.set("this", exp.Star())
    with contextlib.suppress(SqlglotError, ValueError, RecursionError):  # else compared as written
        copy = simplify(copy.transform(_plain_logic))
    return " ".join(copy.sql(dialect=syntax).lower().split())


def _plain_logic(node: exp.Expression) -> exp.Expression:
    """One spelling of each condition: `NOT (x IS NOT NULL)` is `x IS NULL`, `x IN ('a')` is `x = 'a'`;
    `simplify` then orders the operands of AND and OR and turns `NOT a = 1` into `a <> 1`."""
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Paren):
        node = exp.Not(this=node.this.this)
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Not):
        inner: exp.Expression = node.this.this
        return inner
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is):
        flipped = node.this.copy()
        flipped.set("negate", not node.this.args.get("negate"))
        return flipped
    if isinstance(node, exp.In) and len(node.expressions) == 1 and not node.args.get("query"):
        return exp.EQ(this=node.this, expression=node.expressions[0])
    return node
