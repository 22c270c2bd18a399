"""One answer per question, from the cheapest source that can give it.

Statistics answer table sizes and, when exact counts are not allowed, distributions and NULL shares.
Within the policy's row budget a question is answered exactly; above it, from a sample (`TABLESAMPLE
SYSTEM` on PostgreSQL, a Bernoulli sample `RAND() < fraction` on MySQL) scaled to the table, with its 95 %
error bound. Shares are always of every row in scope (counted apart from the distribution, which lists at
most DISTRIBUTION_LIMIT values). Values are kept only where the policy shows them; otherwise they are
replaced by placeholders and only their counts remain, and labels are compared inside the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from sqlglot.expressions import Table

from bot.model.facts import EXACT, SAMPLE, STATISTICS, ColumnFacts, Count, Lookup, TableFacts, ValueCount
from bot.probe import domains, queries, statistics
from bot.probe.policy import Policy
from bot.probe.questions import (
    CHECK,
    DISTRIBUTION,
    DOMAIN,
    DUPLICATES,
    LOOKUP,
    NULLS,
    ORPHANS,
    SIZE,
    TYPE_FIT,
    VIA_FOREIGN_KEY,
    Question,
)
from bot.probe.session import ProbeError, Session

LABELS = ("code", "key", "slug", "label", "name", "title", "display_name", "description", "kind", "status")


class Answers:
    def __init__(self, session: Session, policy: Policy, schema: str) -> None:
        self.session, self.policy, self.schema = session, policy, schema
        self.tables: dict[str, TableFacts] = {}
        self.columns: list[ColumnFacts] = []
        self.lookups: list[Lookup] = []
        self.counts: list[Count] = []
        self._columns: dict[str, dict[str, str]] = {}
        self._missing: dict[str, str] = {}

    def answer(self, q: Question) -> None:
        size = self._size(q.table)
        named = [
            c for c in q.columns if c.isidentifier()
        ]  # a key may be an expression: its parts are checked
        missing = [c for c in named if c not in self._columns_of(q.table)]
        if missing and q.kind != LOOKUP:
            raise ProbeError(f"column `{q.table}.{missing[0]}` does not exist in {self.session.dialect} yet")
        if q.kind == SIZE:
            return
        if q.kind == DISTRIBUTION:
            self.columns.append(self._distribution(q, size))
        elif q.kind == LOOKUP:
            self.lookups.append(self._lookup(q))
        elif q.kind == NULLS:
            self.counts.extend(self._nulls(q, size))
        elif q.kind in (DUPLICATES, ORPHANS, TYPE_FIT, CHECK):
            self.counts.append(self._violations(q, size))
        elif q.kind == DOMAIN:
            self.counts.append(self._domain(q))

    def _domain(self, q: Question) -> Count:
        """How many of the values the change writes production's enum or CHECK refuses (the values come
        from the migration, so they may be shown; production's rows are not read)."""
        schema, table = self._resolve(q.table)
        found = domains.rejected(self.session, schema, table, q.columns[0], q.values)
        if found is None:
            return Count("domain", q.table, q.columns, 0, EXACT)
        return Count(
            "domain", q.table, q.columns, len(found.values), EXACT, examples=found.values, against=found.by
        )

    # --- tables -------------------------------------------------------------------------------------

    def _size(self, name: str) -> TableFacts:
        if name in self.tables:
            return self.tables[name]
        if name in self._missing:
            raise ProbeError(self._missing[name])
        schema, table = self._resolve(name)
        stats = statistics.table(self.session, schema, table)
        if stats is None:
            self._missing[name] = f"table `{name}` does not exist in `{schema}`"
            raise ProbeError(self._missing[name])
        if stats.rows >= 0 and (stats.rows > 0 or stats.analyzed_at):
            facts = TableFacts(name, stats.rows, stats.bytes, STATISTICS, stats.analyzed_at)
        else:  # never analyzed: count, but read no more than the budget
            budget = self.policy.row_budget if self.policy.exact_counts else 0
            sql = queries.count_rows(self._table(name), self.session.dialect, budget)
            counted = int(self.session.fetch(sql, f"the rows of {name} (never analyzed)")[0][0])
            facts = TableFacts(name, counted, stats.bytes, EXACT if counted <= budget else SAMPLE)
        self.tables[name] = facts
        return facts

    def _resolve(self, name: str) -> tuple[str, str]:
        schema, _, table = name.rpartition(".")
        schema = schema or self.schema
        if not self.policy.allows(schema, table, self.schema):
            raise ProbeError(f"`{name}` is outside the probe's policy")
        return schema, table

    def _table(self, name: str) -> Table:
        return queries.table(*self._resolve(name))

    def _columns_of(self, name: str) -> dict[str, str]:
        if name not in self._columns:
            self._columns[name] = statistics.columns(self.session, *self._resolve(name))
        return self._columns[name]

    def _mode(self, size: TableFacts) -> tuple[str, float | int | None, float]:
        """How to count: (source, sample argument, factor from the sample to the table)."""
        budget = self.policy.row_budget
        if not self.policy.exact_counts:
            return STATISTICS, None, 1.0
        if size.rows <= budget:
            return EXACT, None, 1.0
        if self.session.dialect == "postgres":
            percent = max(0.01, round(100.0 * budget / size.rows, 4))
            return SAMPLE, percent, 100.0 / percent
        fraction = max(0.000001, round(budget / size.rows, 6))
        return SAMPLE, fraction, 1 / fraction

    # --- distributions ------------------------------------------------------------------------------

    def _distribution(self, q: Question, size: TableFacts) -> ColumnFacts:
        column = q.columns[0]
        schema, table = self._resolve(q.table)
        stats = statistics.column(self.session, schema, table, column)
        source, sample, factor = self._mode(size)
        if source == STATISTICS:
            if stats is None:
                raise ProbeError(f"no statistics for `{q.table}.{column}` and exact counts are not allowed")
            return self._from_statistics(q, size, stats)
        dialect, origin = self.session.dialect, self._table(q.table)
        scope = f" where {q.where}" if q.where else ""
        sql = self._built(lambda: queries.distribution(origin, column, dialect, sample, q.where))
        found = self.session.fetch(sql, f"the values of {q.table}.{column}{scope} ({source})")
        rows = [(v, n) for v, n, _, _ in found]
        read, nulls = (found[0][2], found[0][3]) if found else (0, 0)
        read = int(read or 0)
        counted = [(None if v is None else str(v), round(int(n) * factor)) for v, n in rows]
        distinct = float(len([v for v, _ in counted if v is not None]))
        null_share = int(nulls or 0) / read if read else 0.0
        complete = len(rows) < queries.DISTRIBUTION_LIMIT and source == EXACT
        margin = 1.96 * math.sqrt(0.25 / read) if source == SAMPLE and read else 0.0
        facts = self._column(q, source, null_share, distinct, counted, read * factor, complete)
        return replace(facts, scope=q.where, margin=round(margin, 4), rows=round(read * factor))

    def _from_statistics(self, q: Question, size: TableFacts, stats: statistics.ColumnStats) -> ColumnFacts:
        rows = max(size.rows, 0)
        counted = [(v, round(f * rows)) for v, f in stats.values]
        if stats.null_frac:
            counted.append((None, round(stats.null_frac * rows)))
        distinct = -stats.n_distinct * rows if stats.n_distinct < 0 else stats.n_distinct
        complete = sum(f for _, f in stats.values) + stats.null_frac >= 0.999
        facts = self._column(q, STATISTICS, stats.null_frac, distinct, counted, rows, complete)
        return replace(facts, rows=rows)  # statistics describe the whole table, whatever the scope

    def _column(
        self,
        q: Question,
        source: str,
        null_share: float,
        distinct: float,
        counted: list[tuple[str | None, int]],
        total: float,
        complete: bool,
    ) -> ColumnFacts:
        column = q.columns[0]
        shown = self.policy.shows(q.table, column, distinct)
        folded = self._columns_of(q.table).get(column, "").endswith("_ci")
        listed = {v.lower() if folded else v for v in q.values}
        values = []
        for index, (value, n) in enumerate(sorted(counted, key=lambda p: -p[1]), 1):
            share = n / total if total else 0.0
            if shown or value is None:
                values.append(ValueCount(value, n, share))
            else:
                equals = value if (value.lower() if folded else value) in listed else None
                values.append(ValueCount(f"<value {index}>", n, share, hidden=True, equals=equals))
        return ColumnFacts(
            q.table, column, source, null_share, distinct, tuple(values), complete, not shown, folded
        )

    # --- lookups ------------------------------------------------------------------------------------

    def _lookup(self, q: Question) -> Lookup:
        if q.check == VIA_FOREIGN_KEY:  # the change does not say what the column references: production does
            schema, table = self._resolve(q.table)
            reference = statistics.foreign_key(self.session, schema, table, q.columns[0])
            if reference is None:
                raise ProbeError(
                    f"`{q.table}.{q.columns[0]}` has no foreign key in production: its IDs name no known table"
                )
            ref_schema, ref_table, ref_key = reference
            name = ref_table if ref_schema == self.schema else f"{ref_schema}.{ref_table}"
            lookup = self._lookup(replace(q, table=name, columns=(ref_key,), check=""))
            return replace(lookup, via=f"{q.table}.{q.columns[0]}")
        available = self._columns_of(q.table)
        key = q.columns[0] if q.columns else "id"
        if key not in available:
            raise ProbeError(f"`{q.table}` has no column `{key}` to look the IDs up by")
        labels = tuple(c for c in LABELS if c in available and c != key)[:2]
        shown = tuple(label for label in labels if self.policy.shows(q.table, label, 1))
        sql = queries.lookup(
            self._table(q.table), key, q.values, labels, self.session.dialect, shown=shown, expected=q.labels
        )
        rows = self.session.fetch(sql, f"the rows of {q.table} with the hard-coded IDs")
        asked = {str(int(i)) for i in q.values}
        found, equals = [], []
        for row in rows:
            identifier = str(row[0])
            values, matches = row[1 : 1 + len(labels)], row[1 + len(labels) :]
            said = tuple(
                (label, str(value) if label in shown else "<hidden>")
                for label, value in zip(labels, values, strict=True)
            )
            if identifier in asked:
                found.append((identifier, said))
            for match in matches:
                if match is not None:
                    label = next((v for v in q.labels if v.strip().lower() == str(match)), str(match))
                    equals.append((identifier, label))
        seen = {identifier for identifier, _ in found}
        missing = tuple(i for i in q.values if str(int(i)) not in seen)
        compared = q.labels if labels else ()
        return Lookup(
            q.table, key, tuple(sorted(found)), missing, EXACT, tuple(sorted(set(equals))), compared
        )

    # --- rows that would break the change -----------------------------------------------------------

    def _nulls(self, q: Question, size: TableFacts) -> list[Count]:
        column = q.columns[0]
        source, sample, factor = self._mode(size)
        if source == STATISTICS:
            schema, table = self._resolve(q.table)
            stats = statistics.column(self.session, schema, table, column)
            if stats is None:
                raise ProbeError(f"no statistics for `{q.table}.{column}` and exact counts are not allowed")
            return [Count("nulls", q.table, q.columns, round(stats.null_frac * size.rows), STATISTICS)]
        sql = queries.nulls(self._table(q.table), column, self.session.dialect, sample)
        nulls, blanks, read = self.session.fetch(sql, f"NULL and empty {q.table}.{column} ({source})")[0]
        nulls, blanks, read = int(nulls or 0), int(blanks or 0), int(read or 0)
        return [
            Count(
                "nulls",
                q.table,
                q.columns,
                round(nulls * factor),
                source,
                margin=_margin(nulls, read, factor, source),
            ),
            Count(
                "empty",
                q.table,
                q.columns,
                round(blanks * factor),
                source,
                margin=_margin(blanks, read, factor, source),
            ),
        ]

    def _violations(self, q: Question, size: TableFacts) -> Count:
        source, sample, factor = self._mode(size)
        if source == STATISTICS:
            raise ProbeError(
                f"counting {q.kind} in `{q.table}` needs exact counts, which the policy does not allow"
            )
        dialect, origin = self.session.dialect, self._table(q.table)
        if q.kind == DUPLICATES:
            scope = f" where {q.where}" if q.where else ""
            groups, extra = self.session.fetch(
                self._built(lambda: queries.duplicates(origin, q.columns, dialect, sample, q.where)),
                f"duplicate {q.table} ({', '.join(q.columns)}){scope} ({source})",
            )[0]
            # a sample finds duplicates only within itself: report what it saw, unscaled
            return Count(
                "duplicates",
                q.table,
                q.columns,
                int(extra or 0),
                source,
                detail="" if groups is None else f"{int(groups):,} value{'s' if int(groups) != 1 else ''}",
            )
        if q.kind == ORPHANS:
            self._size(q.target)
            parent = self._table(q.target)
            sql = queries.orphans(origin, q.columns, parent, q.target_columns, dialect, sample)
            found = int(self.session.fetch(sql, f"orphans of {q.table} → {q.target} ({source})")[0][0])
            margin = _margin(found, round(size.rows / factor), factor, source)  # the sample's expected size
            return Count(
                "orphans", q.table, q.columns, round(found * factor), source, against=q.target, margin=margin
            )
        if q.kind == CHECK:
            sql = self._built(lambda: queries.failing(origin, q.check, dialect, sample))
            found = int(
                self.session.fetch(sql, f"rows of {q.table} failing CHECK ({q.check}) ({source})")[0][0]
            )
            margin = _margin(found, round(size.rows / factor), factor, source)
            return Count("check", q.table, (), round(found * factor), source, against=q.check, margin=margin)
        sql = queries.misfits(origin, q.columns[0], q.check, q.limit, q.values, dialect, sample)
        found = int(self.session.fetch(sql, f"{q.table}.{q.columns[0]}: {q.check} ({source})")[0][0])
        return Count(
            q.check, q.table, q.columns, round(found * factor), source, detail=str(q.limit), against=q.target
        )

    def _built(self, build: Callable[[], str]) -> str:
        """A query whose text comes from the change (an expression, a predicate, a guard) or a failure."""
        try:
            return build()
        except ValueError as error:
            raise ProbeError(str(error)) from error


def _margin(found: int, read: int, factor: float, source: str) -> int:
    """The 95 % error bound on a count scaled up from a sample of `read` rows (0 when not sampled).

    Normal approximation of the binomial; with nothing found, the rule of three (at most 3 per sample).
    PostgreSQL samples pages, not rows: the bound assumes the rows are spread evenly over them."""
    if source != SAMPLE or not read:
        return 0
    if found == 0:
        return round(3 * factor)
    share = found / read
    return max(1, round(1.96 * math.sqrt(read * share * (1 - share)) * factor))
