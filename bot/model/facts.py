"""What the production probe found: plain, frozen facts that the pure review reads.

Every fact says where it came from (`source`: statistics the database keeps, an exact count, or a
sample) and the probe keeps every query it ran with its timing, for the audit trail in the JSON output.
Nothing here opens a connection; `bot.probe.run` produces these records.
"""

from __future__ import annotations

from dataclasses import dataclass

STATISTICS, EXACT, SAMPLE = "statistics", "exact", "sample"


@dataclass(frozen=True)
class Query:
    sql: str
    purpose: str
    milliseconds: float
    rows: int  # rows the query returned
    error: str = ""


@dataclass(frozen=True)
class TableFacts:
    table: str  # as the migration names it
    rows: int  # estimated (statistics) or counted (exact)
    bytes: int | None
    source: str
    analyzed_at: str | None = None  # when the statistics were gathered, ISO 8601 UTC


@dataclass(frozen=True)
class ValueCount:
    value: str | None  # None: SQL NULL; a placeholder such as `<value 1>` when hidden
    rows: int
    share: float
    hidden: bool = False
    equals: str | None = None  # for a hidden value: the listed value it equals exactly, if any


@dataclass(frozen=True)
class ColumnFacts:
    table: str
    column: str
    source: str
    null_share: float
    distinct: float  # estimated distinct values (negative: a fraction of the rows, as pg_stats says)
    values: tuple[ValueCount, ...] = ()
    complete: bool = False  # the values listed cover every row (an exact count, or statistics that add up)
    hidden: bool = False  # values withheld: a sensitive name or too many distinct values
    case_insensitive: bool = False  # the column's collation compares without case (MySQL `_ci`)
    scope: str = ""  # the condition the rows were restricted to (the statements' WHERE), "" for all rows
    margin: float = 0.0  # a sample's 95 % error bound on each share (absolute), 0 when not sampled
    rows: int = 0  # the rows the shares are of (in the scope); 0 when unknown

    def covers(self, value: ValueCount, listed: frozenset[str]) -> bool:
        if value.value is None and not value.hidden:
            return False
        return (value.equals is not None) if value.hidden else value.value in listed


@dataclass(frozen=True)
class Lookup:
    """Rows of a lookup table fetched by hard-coded ID, with the columns that name them."""

    table: str
    key: str
    found: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (id, ((label column, value), …))
    missing: tuple[str, ...]
    source: str = EXACT
    # (ID, expected label) for each row whose label equals a label the change expects, compared inside
    # the database (so a label the policy hides is matched without being read); `compared`: those labels
    equals: tuple[tuple[str, str], ...] = ()
    compared: tuple[str, ...] = ()
    via: str = ""  # `table.column` whose foreign key in production named this table, when the change did not

    def says(self, identifier: str, label: str) -> bool | None:
        """Does row `identifier` carry `label`? None when the probe could not tell."""
        normal = label.strip().lower()
        if normal not in {c.strip().lower() for c in self.compared}:
            return None
        return any(i == identifier and v.strip().lower() == normal for i, v in self.equals)

    def holder(self, label: str) -> str | None:
        normal = label.strip().lower()
        return next((i for i, v in self.equals if v.strip().lower() == normal), None)


@dataclass(frozen=True)
class Count:
    """Rows that would break a change: NULLs, duplicates, orphans, values a new type rejects."""

    kind: str  # nulls | empty | duplicates | orphans | too-long | not-numeric | out-of-range | not-in-enum
    table: str
    columns: tuple[str, ...]
    rows: int
    source: str
    examples: tuple[str, ...] = ()  # a few offending values, only where values may be shown
    detail: str = ""
    against: str = (
        ""  # the referenced table (orphans) or the new type (type-fit) the rows were checked against
    )
    margin: int = 0  # a sample's 95 % error bound on `rows`, 0 when not sampled

    def about(self) -> str:
        """`1,204` when exact; `about 1,200 (± 310 at 95 %, sampled)` when sampled; `about …` from statistics."""
        if self.source == EXACT:
            return f"{self.rows:,}"
        if self.source == SAMPLE:
            return f"about {self.rows:,} (± {self.margin:,} at 95 %, from a sample)"
        return f"about {self.rows:,} (statistics)"


@dataclass(frozen=True)
class Failure:
    table: str
    reason: str


@dataclass(frozen=True)
class Facts:
    connection: str  # the configured name of the connection, never its DSN
    dialect: str
    taken_at: str  # ISO 8601 UTC
    tables: tuple[TableFacts, ...] = ()
    columns: tuple[ColumnFacts, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    counts: tuple[Count, ...] = ()
    failures: tuple[Failure, ...] = ()
    queries: tuple[Query, ...] = ()
    milliseconds: float = 0.0
    version: str = ""  # the server's version as it reports it ("15.19", "10.11.19"), when it could be read

    def table(self, name: str) -> TableFacts | None:
        return next((t for t in self.tables if t.table == name), None)

    def column(self, table: str, column: str) -> ColumnFacts | None:
        return next((c for c in self.columns if (c.table, c.column) == (table, column)), None)

    def lookup(self, table: str) -> Lookup | None:
        return next((lookup for lookup in self.lookups if lookup.table == table), None)

    def lookup_via(self, table: str, column: str) -> Lookup | None:
        """The lookup found through production's foreign key on `table.column`."""
        return next((lookup for lookup in self.lookups if lookup.via == f"{table}.{column}"), None)

    def count(
        self, kind: str, table: str, columns: tuple[str, ...], against: str | None = None
    ) -> Count | None:
        return next(
            (
                c
                for c in self.counts
                if (c.kind, c.table, c.columns) == (kind, table, columns) and against in (None, c.against)
            ),
            None,
        )

    def failure(self, table: str) -> str | None:
        """Why the probe could not answer for `table` ("" table: the whole probe), or None."""
        found = next((f for f in self.failures if f.table in (table, "")), None)
        return found.reason if found is not None else None

    def sources(self, tables: list[str]) -> set[str]:
        """How the facts about these tables were established (statistics, exact, sample)."""
        wanted = set(tables)
        found = {c.source for c in self.columns if c.table in wanted}
        found |= {c.source for c in self.counts if c.table in wanted}
        found |= {lookup.source for lookup in self.lookups if lookup.table in wanted}
        return found or {t.source for t in self.tables if t.table in wanted}

    def cite(self, source: str) -> str:
        """`exact count on shop-replica at 2026-11-25T01:47:00Z`, for a finding's message."""
        how = {STATISTICS: "statistics", EXACT: "exact", SAMPLE: "sample"}.get(source, source)
        return f"{how} on {self.connection} at {self.taken_at}"

    def words(self, source: str) -> str:
        """`verified by the probe against <connection> (exact, <age>)` for exact answers; statistics and
        samples are estimates and say so: `estimated by the probe against … (sample, …): not verified`."""
        if source == EXACT:
            return f"verified by the probe against {self.connection} ({source}, {self.taken_at})"
        return (
            f"estimated by the probe against {self.connection} ({source}, {self.taken_at}); "
            "an estimate, not verified row by row"
        )


def share(part: float) -> str:
    """0.0012 → `0.12 %`; small shares keep two significant digits."""
    percent = part * 100
    return f"{percent:.2g} %" if 0 < percent < 1 else f"{percent:.1f} %".replace(".0 %", " %")
