"""The probe's SQL, built as sqlglot expressions: identifiers quoted, values as literals, never text pasted.

Every function returns one read-only SELECT for `dialect` ("postgres" or "mysql"). The names come from the
migrations under review, so they are untrusted: they only ever become quoted identifiers. `sample` is the
share of the table to read (PostgreSQL `TABLESAMPLE SYSTEM`) or, on MySQL, a number of rows (`LIMIT`).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

DISTRIBUTION_LIMIT = 200
LOOKUP_LIMIT = 1000
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


def distribution(
    source: exp.Table, column: str, dialect: str, sample: float | int | None = None, where: str = ""
) -> str:
    """The most common values and their rows (at most DISTRIBUTION_LIMIT of them), each row with the rows and
    the NULLs of the whole scope, counted over every group before the limit and from the same sample: a
    share is never made of the values listed alone, nor of two different samples."""
    value = _text(_column(column))
    total = exp.Window(this=exp.Sum(this=_count()), over="OVER")
    nulls_ = exp.Window(
        this=exp.Sum(this=exp.Sub(this=_count(), expression=exp.Count(this=_column(column)))), over="OVER"
    )
    query = (
        exp.select(value.as_("value"), _count().as_("n"), total.as_("total"), nulls_.as_("nulls"))
        .from_(_from(source, dialect, sample, [column], where))
        .group_by(_column(column))  # by the column itself: its collation decides which values are equal
        .order_by(exp.Ordered(this=exp.Literal.number(2), desc=True))
        .limit(DISTRIBUTION_LIMIT)
    )
    return _sql(query, dialect)


def nulls(
    source: exp.Table, column: str, dialect: str, sample: float | int | None = None, where: str = ""
) -> str:
    """NULLs, empty (or blank) strings and all rows, in one pass."""
    is_null = exp.Is(this=_column(column), expression=exp.Null())
    blank = exp.EQ(this=exp.Trim(this=_text(_column(column))), expression=exp.Literal.string(""))
    query = exp.select(_sum_if(is_null), _sum_if(blank), _count()).from_(
        _from(source, dialect, sample, [column], where)
    )
    return _sql(query, dialect)


def duplicates(
    source: exp.Table,
    columns: tuple[str, ...],
    dialect: str,
    sample: float | int | None = None,
    where: str = "",
) -> str:
    """Groups of equal keys (NULL on MySQL) and the rows in them beyond the first (NULLs never collide).

    A key may be an expression (`lower(email)`) and `where` the predicate of a partial index: both are
    parsed and rebuilt from columns, literals and built-in functions only."""
    keys = [key(c, dialect) for c in columns]
    present = exp.and_(*[exp.Not(this=exp.Is(this=k.copy(), expression=exp.Null())) for k in keys])
    used = sorted({identifier for k in keys for identifier in _names(k)})
    origin = _from(source, dialect, sample, used, where)
    if dialect != "postgres":  # MySQL groups long keys slowly: the rows beyond the first of each key
        distinct = exp.Count(this=exp.Distinct(expressions=[k.copy() for k in keys]))
        extra = exp.Sub(this=_count(), expression=distinct)
        return _sql(exp.select(exp.Null(), extra).from_(origin).where(present), dialect)
    groups = (
        exp.select(*[k.copy() for k in keys], _count().as_("n"))
        .from_(origin)
        .where(present)
        .group_by(*[k.copy() for k in keys])
        .having(exp.GT(this=_count(), expression=exp.Literal.number(1)))
    )
    total = exp.Sum(this=exp.Sub(this=exp.column("n"), expression=exp.Literal.number(1)))
    return _sql(exp.select(_count(), total).from_(groups.subquery("d")), dialect)


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


def failing(source: exp.Table, check: str, dialect: str, sample: float | int | None = None) -> str:
    """Rows for which a CHECK condition is false (NULL passes, as in the database)."""
    condition_ = condition(check, dialect)
    origin = _from(source, dialect, sample, _names(condition_))
    rejected = exp.Not(this=exp.Paren(this=condition_))
    return _sql(exp.select(_count()).from_(origin).where(rejected), dialect)


def lookup(
    source: exp.Table,
    key_column: str,
    ids: tuple[str, ...],
    labels: tuple[str, ...],
    dialect: str,
    *,
    shown: tuple[str, ...] = (),
    expected: tuple[str, ...] = (),
) -> str:
    """The rows with these IDs: the key, each label column's value (NULL unless `shown`), and for each
    label column which of the `expected` labels it equals, compared inside the database (trimmed, without
    case), so a hidden label is matched without ever being read. Rows holding an expected label are
    fetched too, to say which ID has it."""
    wanted = [exp.Literal.number(int(i)) for i in ids]  # IDs are digits: anything else was never asked
    normal = [exp.Literal.string(v.strip().lower()) for v in dict.fromkeys(expected)]
    values = [_text(_column(label)) if label in shown else exp.Null() for label in labels]
    matches = []
    for label in labels:
        compared = exp.Lower(this=exp.Trim(this=_text(_column(label))))
        ifs = [exp.If(this=exp.EQ(this=compared.copy(), expression=v), true=v.copy()) for v in normal]
        matches.append(exp.Case(ifs=ifs) if ifs else exp.Null())
    condition: exp.Expr = exp.In(this=_column(key_column), expressions=wanted)
    for label in labels if normal else ():
        compared = exp.Lower(this=exp.Trim(this=_text(_column(label))))
        condition = exp.or_(condition, exp.In(this=compared, expressions=[v.copy() for v in normal]))
    query = exp.select(_text(_column(key_column)), *values, *matches).from_(source).where(condition)
    return _sql(query.limit(LOOKUP_LIMIT), dialect)


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


def _from(
    source: exp.Table, dialect: str, sample: float | int | None, columns: list[str], where: str = ""
) -> exp.Expression:
    """The rows to read: the table, a sample of it (PostgreSQL `TABLESAMPLE SYSTEM` of a share of its
    pages; MySQL a Bernoulli sample, `RAND() <` the fraction `sample`), restricted by `where`."""
    origin = source.copy()
    if sample is not None and dialect == "postgres":
        origin.set("sample", exp.TableSample(method=exp.var("SYSTEM"), percent=exp.Literal.number(sample)))
    conditions = [condition(where, dialect)] if where else []
    if sample is not None and dialect != "postgres":
        random = exp.Anonymous(this="RAND", expressions=[])
        conditions.append(exp.LT(this=random, expression=exp.Literal.number(sample)))
    if not conditions:
        return origin
    names = list(dict.fromkeys([*columns, *[n for c in conditions for n in _names(c)]]))
    rows = exp.select(*[_column(c) for c in names]).from_(origin).where(exp.and_(*conditions))
    return rows.subquery("scoped")


def condition(text: str, dialect: str) -> exp.Expr:
    """A condition from the change (a WHERE guard, a partial index's predicate), rebuilt from safe parts."""
    return _rebuilt(text, dialect, "condition")


def key(text: str, dialect: str) -> exp.Expr:
    """A unique key: a column name, or an expression (`lower(email)`) rebuilt from safe parts."""
    if re.fullmatch(r"\w+", text) or _unreadable(text, dialect):
        return _column(text)  # a name, however odd: one quoted identifier
    return _rebuilt(text, dialect, "key")


def _unreadable(text: str, dialect: str) -> bool:
    try:
        sqlglot.parse_one(text, read="postgres" if dialect == "postgres" else "mysql")
    except SqlglotError:
        return True
    return False


_SAFE = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.Paren,
    exp.Connector,
    exp.Not,
    exp.Predicate,
    exp.Binary,
    exp.Neg,
    exp.Tuple,
    exp.Cast,
    exp.DataType,
    exp.Lower,
    exp.Upper,
    exp.Trim,
    exp.Coalesce,
    exp.Substring,
    exp.Length,
    exp.Abs,
    exp.Concat,
    exp.Date,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.Var,
)
_UNSAFE = (exp.Query, exp.Subquery, exp.Exists, exp.Anonymous, exp.Placeholder, exp.Parameter, exp.Command)


def _rebuilt(text: str, dialect: str, what: str) -> exp.Expr:
    read = "postgres" if dialect == "postgres" else "mysql"
    try:
        tree = sqlglot.parse_one(text, read=read) if text.strip() else None
    except SqlglotError:
        tree = None
    if tree is None:
        raise ValueError(f"the {what} `{text}` cannot be read")
    for node in tree.walk():
        if isinstance(node, _UNSAFE) or not isinstance(node, _SAFE):
            raise ValueError(
                f"the {what} `{text}` uses `{type(node).__name__}`, which the probe does not run"
            )
        if isinstance(node, exp.Column):
            node.set("table", None)
            node.set("db", None)
            node.set("this", exp.to_identifier(node.name, quoted=True))
    return tree


def _names(node: exp.Expr) -> list[str]:
    return [c.name for c in node.find_all(exp.Column)]


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


def _sum_if(condition: exp.Expr) -> exp.Expression:
    return exp.Sum(this=exp.If(this=condition, true=exp.Literal.number(1), false=exp.Literal.number(0)))


def _sql(query: exp.Expression, dialect: str) -> str:
    return query.sql(dialect="postgres" if dialect == "postgres" else "mysql")
