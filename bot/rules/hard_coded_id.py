"""Hard-coded IDs mean something different in every environment, and sometimes something else in the code.

## Why is this bad?
`SET plan_id = 2` or `WHERE id IN (3, 4)` assume that the rows with those keys are the same in
production as on the laptop where the migration was written. Sequences, seeds and manual fixes make
them differ. When the code defines a constant for the same lookup (`Priority.HIGH = 3`) and the
migration maps `'high'` to `1`, the migration is not just fragile: it writes the wrong value, an ID swap,
and every row it touches now means something else.

## Use instead
Look the ID up by a stable key in the same statement
(`SET plan_id = (SELECT id FROM plans WHERE code = 'pro')`), or use the value the code's constant
defines, and verify the mapping in production before the deploy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration, Operation
from bot.references.code_values import describe, member_for, normal, plural, where
from bot.references.codesyntax import Definition
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, referenced_table, where_of
from bot.sql.names import identifier

RULE = Rule(
    id="hard-coded-id",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Look IDs up by a stable key (`(SELECT id FROM plans WHERE code = 'pro')`) or use the code's constant.",
    bad=("UPDATE accounts SET plan_id = 2 WHERE id IN (3, 4);",),
    good=(
        "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'pro') WHERE legacy_plan = 'gold';",
    ),
)

_ID = re.compile(r"^(?:id|\w+_id)$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    compared: set[int] = set()  # statements whose IDs were compared with the code's constants
    for op, mapping, _ in mapping_sites(migration.up):
        if not _ID.match(mapping.target):
            continue
        pairs = [
            (label, result) for condition, result in mapping.whens for label in (literals(condition) or ())
        ]
        definition = _definition(op, mapping.target, pairs, context)
        finding = (
            _compare(op, mapping.target, pairs, definition)
            if definition
            else _case_ids(op, mapping.target, mapping.whens, migration)
        )
        compared.add(id(op))
        if finding is not None:
            yield finding
    for statement in migration.up:
        if not isinstance(statement, DataUpdate | DataDelete) or id(statement) in compared:
            continue
        ids = _literal_ids(statement)
        if not ids:
            continue
        pair = _labelled_assignment(statement) if isinstance(statement, DataUpdate) else None
        definition = _definition(statement, pair[0], [pair[1]], context) if pair else None
        if pair and definition:
            swap = _compare(statement, pair[0], [pair[1]], definition)
            if swap is not None:
                yield swap
            continue
        listed = ", ".join(f"`{column} = {value}`" for column, value in ids[:5])
        yield statement.finding(
            RULE,
            f"The statement on `{statement.table}` hard-codes IDs: {listed}.",
            blast_radius="In an environment where these keys name other rows, the migration changes the wrong rows "
            "or points them at the wrong parent, silently.",
        )


def _case_ids(
    op: DataUpdate | DataInsert, target: str, whens: tuple[tuple[str, str], ...], migration: Migration
) -> Finding | None:
    ids = [result for _, result in whens if result.lstrip("-").isdigit()]
    if not ids or target == "id":
        return None
    lookup = referenced_table(migration.up, op.table, target) or plural(target.removesuffix("_id"))
    return op.finding(
        RULE,
        f"The CASE that sets `{op.table}.{target}` maps to hard-coded IDs {', '.join(ids)}, assumed to name the same "
        f"rows of `{lookup}` in every environment; the code defines no constants to compare them with.",
        blast_radius=f"Where `{lookup}` was seeded in another order, every mapped row points at the wrong `{lookup}` row.",
        fix=f"Check `SELECT * FROM {lookup} WHERE id IN ({', '.join(ids)})` in production, or look each ID up by a "
        f"stable key: `(SELECT id FROM {lookup} WHERE code = '…')`.",
    )


def _literal_ids(op: Operation) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    tree = op.expression
    if tree is None:
        return found
    for assignment in tree.expressions if isinstance(op, DataUpdate) else ():
        if (
            isinstance(assignment, exp.EQ)
            and isinstance(assignment.expression, exp.Literal)
            and not assignment.expression.is_string
        ):
            column = identifier(assignment.this)
            if _ID.match(column):
                found.append((column, assignment.expression.name))
    condition = where_of(op)
    for node in condition.find_all(exp.EQ, exp.In) if condition is not None else ():
        column = identifier(node.this) if isinstance(node.this, exp.Column) else ""
        values = [node.expression] if isinstance(node, exp.EQ) else list(node.expressions)
        numbers = [v.name for v in values if isinstance(v, exp.Literal) and not v.is_string]
        if _ID.match(column) and numbers and len(numbers) == len(values):
            found.append((column, ", ".join(numbers) if len(numbers) == 1 else f"({', '.join(numbers)})"))
    return found


def _labelled_assignment(op: DataUpdate) -> tuple[str, tuple[str, str]] | None:
    """`SET priority_id = 1 WHERE priority = 'high'` → ("priority_id", ("high", "1"))."""
    condition = where_of(op)
    labels = (
        [
            node.expression.name
            for node in condition.find_all(exp.EQ)
            if isinstance(node.expression, exp.Literal) and node.expression.is_string
        ]
        if condition is not None
        else []
    )
    for column, value in _literal_ids(op)[:1]:
        if column != "id" and len(labels) == 1:
            return column, (labels[0], value)
    return None


def _definition(
    op: Operation, target: str, pairs: list[tuple[str, str]], context: Context
) -> Definition | None:
    if not pairs or not all(result.lstrip("-").isdigit() for _, result in pairs):
        return None
    return context.values.best(
        str(getattr(op, "table", "")), target, [label for label, _ in pairs], by_label=True
    )


def _compare(
    op: Operation, target: str, pairs: list[tuple[str, str]], definition: Definition
) -> Finding | None:
    """Compare (label, id) pairs with the code's constants for the column; a mismatch is an ID swap."""
    table = str(getattr(op, "table", ""))
    swaps, refs = [], []
    for label, result in pairs:
        member = next(
            (m for m in definition.members if normal(label) in (normal(m.label), normal(m.value))), None
        )
        if member is None or not member.value.lstrip("-").isdigit() or member.value == result:
            continue
        meaning = member_for(definition, result)
        means = f"; {result} is `{meaning.label}` there" if meaning is not None else ""
        swaps.append(
            f"`'{label}'` → {result}, but `{definition.name}` defines `{member.label} = {member.value}`{means}"
        )
        refs.append(where(definition, member))
    if not swaps:
        return None
    return op.finding(
        RULE,
        f"ID swap in `{table}.{target}`: {'; '.join(swaps)} ({describe(definition)}).",
        severity=Severity.CRITICAL,
        references=tuple(refs),
        blast_radius=f"Every row the statement maps gets an ID that the application reads as a different "
        f"`{target.removesuffix('_id')}`; the damage is silent and survives until someone notices wrong data.",
        fix="Use the IDs the code defines ("
        + ", ".join(f"`{m.label} = {m.value}`" for m in definition.members[:6])
        + ") or look them up by key, and verify them in production before deploying.",
    )
