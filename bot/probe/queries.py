"""The probe's SQL, built as sqlglot expressions: identifiers quoted, values as literals, never text pasted.

Every function returns one read-only SELECT for `dialect` ("postgres" or "mysql"). The names come from the
migrations under review, so they are untrusted: they only ever become quoted identifiers. `sample` is the
share of the table to read (PostgreSQL `TABLESAMPLE SYSTEM`) or, on MySQL, a number of rows (`LIMIT`).
"""

from __future__ import annotations

from sqlglot import exp

DISTRIBUTION_LIMIT = 200
_INTEGER = r"^[[:space:]]*[-+]?[0-9]+[[:space:]]*$"
_NUMBER = r"^[[:space:]]*[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$"


def table(schema: str, name: str) -> exp.Table:
    return exp.table_(exp.to_identifier(name, quoted=True), db=exp.to_identifier(schema, quoted=True))


def count_rows(source: exp.Table, dialect: str, budget: int | None = None) -> str:
    """`count(*)`, or with a budget the count of at most budget + 1 rows (a bounded scan)."""
    if budget is None:
        return _sql(exp.select(_count()).from_(source), dialect)
    inner = exp.select(exp.Literal.number(1)).from_(source).limit(budget + 1)
    return _sql(exp.select(_count()).from_(inner.subquery("bounded")), dialect)


def distribution(source: exp.Table, column: str, dialect: str, sample: float | int | None = None) -> str:
    value = _text(_column(column))
    query = (
        exp.select(value.as_("value"), _count().as_("n"))
        .from_(_from(source, dialect, sample, [column]))
        .group_by(_column(column))  # by the column itself: its collation decides which values are equal
        .order_by(exp.Ordered(this=exp.Literal.number(2), desc=True))
        .limit(DISTRIBUTION_LIMIT)
    )
    return _sql(query, dialect)


def nulls(source: exp.Table, column: str, dialect: str, sample: float | int | None = None) -> str:
    """NULLs, empty (or blank) strings and all rows, in one pass."""
    is_null = exp.Is(this=_column(column), expression=exp.Null())
    blank = exp.EQ(this=exp.Trim(this=_text(_column(column))), expression=exp.Literal.string(""))
    query = exp.select(_sum_if(is_null), _sum_if(blank), _count()).from_(
        _from(source, dialect, sample, [column])
    )
    return _sql(query, dialect)


def duplicates(
    source: exp.Table, columns: tuple[str, ...], dialect: str, sample: float | int | None = None
) -> str:
    """Groups of equal keys and the rows in them beyond the first (NULLs never collide)."""
    keys = [_column(c) for c in columns]
    present = exp.and_(*[exp.Not(this=exp.Is(this=k.copy(), expression=exp.Null())) for k in keys])
    groups = (
        exp.select(*keys, _count().as_("n"))
        .from_(_from(source, dialect, sample, list(columns)))
        .where(present)
        .group_by(*[k.copy() for k in keys])
        .having(exp.GT(this=_count(), expression=exp.Literal.number(1)))
    )
    extra = exp.Sum(this=exp.Sub(this=exp.column("n"), expression=exp.Literal.number(1)))
    return _sql(exp.select(_count(), extra).from_(groups.subquery("d")), dialect)


def orphans(
    source: exp.Table,
    columns: tuple[str, ...],
    parent: exp.Table,
    parent_columns: tuple[str, ...],
    dialect: str,
    sample: float | int | None = None,
) -> str:
    """Child rows whose key is set and matches no parent row."""
    child = [exp.column(exp.to_identifier(c, quoted=True), table="c") for c in columns]
    match = exp.and_(
        *[
            exp.EQ(this=exp.column(exp.to_identifier(p, quoted=True), table="p"), expression=c.copy())
            for p, c in zip(parent_columns, child, strict=True)
        ]
    )
    exists = exp.Exists(this=exp.select(exp.Literal.number(1)).from_(parent.copy().as_("p")).where(match))
    present = exp.and_(*[exp.Not(this=exp.Is(this=c.copy(), expression=exp.Null())) for c in child])
    origin = _from(source, dialect, sample, list(columns))
    query = exp.select(_count()).from_(
        origin.as_("c") if isinstance(origin, exp.Table) else _alias(origin, "c")
    )
    return _sql(query.where(exp.and_(present, exp.Not(this=exists))), dialect)


def lookup(source: exp.Table, key: str, ids: tuple[str, ...], labels: tuple[str, ...], dialect: str) -> str:
    wanted = [exp.Literal.number(int(i)) for i in ids]  # IDs are digits: anything else was never asked
    query = exp.select(_text(_column(key)), *[_text(_column(label)) for label in labels]).from_(source)
    return _sql(query.where(exp.In(this=_column(key), expressions=wanted)), dialect)


def misfits(
    source: exp.Table,
    column: str,
    check: str,
    limit: int,
    values: tuple[str, ...],
    dialect: str,
    sample: float | int | None = None,
) -> str:
    """Rows whose value the new type rejects, truncates or overflows."""
    condition = exp.and_(
        exp.Not(this=exp.Is(this=_column(column), expression=exp.Null())),
        _misfit(_column(column), check, limit, values, dialect),
    )
    return _sql(
        exp.select(_count()).from_(_from(source, dialect, sample, [column])).where(condition), dialect
    )


def _misfit(
    value: exp.Expression, check: str, limit: int, values: tuple[str, ...], dialect: str
) -> exp.Expression:
    if check == "too-long":
        return exp.GT(this=exp.Length(this=_text(value)), expression=exp.Literal.number(limit))
    if check in ("not-integer", "not-numeric"):
        return exp.Not(this=_matches(_text(value), _INTEGER if check == "not-integer" else _NUMBER, dialect))
    if check == "out-of-range":
        bits = limit * 8 - 1
        low, high = exp.Literal.number(-(2**bits)), exp.Literal.number(2**bits - 1)
        return exp.Or(
            this=exp.LT(this=value, expression=low), expression=exp.GT(this=value.copy(), expression=high)
        )
    if check == "too-many-digits":
        return exp.GTE(this=exp.Abs(this=value), expression=exp.Literal.number(10**limit))
    if check == "not-in-enum":
        listed = [exp.Literal.string(v) for v in values]
        return exp.Not(this=exp.In(this=_text(value), expressions=listed))
    raise ValueError(f"unknown check {check!r}")


def _matches(value: exp.Expression, pattern: str, dialect: str) -> exp.Expression:
    if dialect == "postgres":
        return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))
    # REGEXP_INSTR exists in both MySQL 8 and MariaDB (REGEXP_LIKE only in MySQL)
    found = exp.Anonymous(this="REGEXP_INSTR", expressions=[value, exp.Literal.string(pattern)])
    return exp.GT(this=found, expression=exp.Literal.number(0))


def _from(source: exp.Table, dialect: str, sample: float | int | None, columns: list[str]) -> exp.Expression:
    if sample is None:
        return source.copy()
    if dialect == "postgres":
        sampled = source.copy()
        sampled.set("sample", exp.TableSample(method=exp.var("SYSTEM"), percent=exp.Literal.number(sample)))
        return sampled
    rows = exp.select(*[_column(c) for c in columns]).from_(source.copy()).limit(int(sample))
    return rows.subquery("sampled")


def _alias(origin: exp.Expression, name: str) -> exp.Expression:
    assert isinstance(origin, exp.Subquery)
    origin.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
    return origin


def _column(name: str) -> exp.Column:
    return exp.column(exp.to_identifier(name, quoted=True))


def _text(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("text"))


def _count() -> exp.Expression:
    return exp.Count(this=exp.Star())


def _sum_if(condition: exp.Expression) -> exp.Expression:
    return exp.Sum(this=exp.If(this=condition, true=exp.Literal.number(1), false=exp.Literal.number(0)))


def _sql(query: exp.Expression, dialect: str) -> str:
    return query.sql(dialect="postgres" if dialect == "postgres" else "mysql")
