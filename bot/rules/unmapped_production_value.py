"""Production holds values of the mapped column that no WHEN of the CASE covers.

## Why is this bad?
A CASE is written against the values its author knows. Production has more: a status added last
quarter, a legacy spelling, `'PAID'` next to `'paid'`, NULLs. Without an ELSE, every row with such
a value gets NULL: the old value is overwritten and nothing fails. The production
probe counts the values of the compared column before the deploy, so the review names them with their
share and the rows they stand for. Without a probe this rule stays quiet (see `case-without-else` and
`unmapped-code-value` for what the code alone shows).

## Use instead
Map every value production holds (normalise case with `lower()` when variants exist), handle NULL
explicitly, or restrict the statement to the listed values with `WHERE … IN (…)` and decide about the
rest in a separate step.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.facts import EXACT, ColumnFacts, Facts, ValueCount, share
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, restricts, source_column, where_of
from bot.sql.names import identifier

RULE = Rule(
    id="unmapped-production-value",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Map every value production holds (and NULL), or restrict the statement with `WHERE … IN (…)`.",
    bad=("UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END;",),
    good=(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END\n"
        "WHERE status IN ('paid', 'open');",
    ),
)

# The production data the bad example meets (the good one and every example without a probe stay quiet).
EXAMPLE_FACTS = Facts(
    connection="shop-replica",
    dialect="postgres",
    taken_at="2026-01-05T09:00:00Z",
    columns=(
        ColumnFacts(
            "orders",
            "status",
            EXACT,
            0.001,
            4,
            (
                ValueCount("paid", 61_000, 0.61),
                ValueCount("open", 30_000, 0.30),
                ValueCount("PAID", 8_900, 0.089),
                ValueCount(None, 100, 0.001),
            ),
            complete=True,
        ),
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    facts = context.facts
    if facts is None:
        return
    sites = list(mapping_sites(migration.up))
    reported: set[tuple[str, str, str, tuple[tuple[str, str], ...]]] = set()
    for op, mapping, table in sites:
        column, normaliser = source_column(mapping.source)
        found = facts.column(table, column) if column else None
        if found is None or context.catalog.is_new(table) or restricts(op, column):
            continue
        explicit_null = mapping.otherwise is not None and mapping.otherwise.strip().upper() == "NULL"
        if mapping.otherwise is not None and not explicit_null:
            continue  # an explicit ELSE is the author's decision for every other value
        overwrites = _overwrites(migration, op, mapping.target)
        if explicit_null and not overwrites:
            continue  # ELSE NULL chosen for every other value, and no existing value is lost
        key = (table, column, mapping.target, mapping.whens)
        if key in reported:
            continue  # the same mapping in batches: one finding, about every batch
        reported.add(key)
        listed = [v for condition, _ in mapping.whens for v in (literals(condition) or ())]
        missed = [v for v in found.values if not _covered(v, listed, normaliser, found)]
        if not missed:
            continue
        rows = sum(v.rows for v in missed)
        verb = "matches" if len(missed) == 1 else "match"
        batches = sum(
            1
            for o, m, t in sites
            if (t, m.source, m.target, m.whens) == (table, mapping.source, mapping.target, mapping.whens)
        )
        where = f" in {batches} statements" if batches > 1 else ""
        of = (
            f"of the rows the statement{'s' if batches > 1 else ''} touch{'' if batches > 1 else 'es'}"
            if found.scope
            else f"of `{table}`"
        )
        margin = f" ± {share(found.margin)} at 95 %, from a sample" if found.margin else ""
        verb_null = "stay" if _fills_only_nulls(op, mapping.target) else "become"
        overwritten = ", overwriting their current value" if overwrites else ""
        yield op.finding(
            RULE,
            f"In production, {_describe(missed, listed)} of `{table}.{column}` {verb} no WHEN of the CASE "
            f"that sets `{op.table}.{mapping.target}`{where} ({facts.cite(found.source)}).",
            blast_radius=f"About {rows:,} rows ({share(sum(v.share for v in missed))}{margin} {of}) "
            f"{verb_null} NULL in `{mapping.target}`{overwritten}.",
            fix=f"Add a WHEN for each of them (or `ELSE {mapping.target}`), handle NULL with `WHEN {column} IS NULL`, "
            f"or restrict the statement with `WHERE {column} IN (…)`.",
        )


def _covered(value: ValueCount, listed: list[str], normaliser: str, found: ColumnFacts) -> bool:
    if value.value is None and not value.hidden:
        return False
    if value.hidden:
        return found.covers(value, frozenset(listed))
    text = value.value or ""
    text = {"lower": text.lower(), "upper": text.upper(), "trim": text.strip()}.get(normaliser, text)
    if found.case_insensitive:  # the column's collation compares without case, so does the CASE
        return text.lower() in {v.lower() for v in listed}
    return text in listed


def _describe(missed: list[ValueCount], listed: list[str]) -> str:
    parts = []
    for value in missed[:6]:
        if value.value is None:
            name = "NULL (no WHEN matches NULL)"
        elif value.hidden:
            name = "a value withheld by the probe's policy"
        else:
            variant = next((w for w in listed if w.strip().lower() == value.value.strip().lower()), None)
            name = f"`'{value.value}'`" + (
                f" (a case or whitespace variant of `'{variant}'`)" if variant else ""
            )
        parts.append(f"{name}: {value.rows:,} rows, {share(value.share)}")
    more = f", and {len(missed) - 6} more" if len(missed) > 6 else ""
    count = f"{len(missed)} value{'s' if len(missed) != 1 else ''}"
    return f"{count} ({'; '.join(parts)}{more})"


def _overwrites(migration: Migration, op: DataUpdate | DataInsert, target: str) -> bool:
    """Does the statement replace values the target column already holds? Not for a column the migration
    adds, an INSERT, or an UPDATE guarded by `WHERE target IS NULL`."""
    added = any(
        isinstance(other, AddColumn) and other.table == op.table and other.column.name == target
        for other in migration.up
    )
    return not added and isinstance(op, DataUpdate) and not _fills_only_nulls(op, target)


def _fills_only_nulls(op: DataUpdate | DataInsert, target: str) -> bool:
    condition = where_of(op)
    parts = list(_conjuncts(condition)) if condition is not None else []
    return any(
        isinstance(p, exp.Is)
        and isinstance(p.this, exp.Column)
        and identifier(p.this) == target
        and isinstance(p.expression, exp.Null)
        for p in parts
    )


def _conjuncts(node: exp.Expression) -> Iterator[exp.Expression]:
    if isinstance(node, exp.Paren):
        yield from _conjuncts(node.this)
    elif isinstance(node, exp.And):
        yield from _conjuncts(node.this)
        yield from _conjuncts(node.expression)
    else:
        yield node
