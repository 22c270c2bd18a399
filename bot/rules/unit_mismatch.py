"""A value moved between units without being converted: `timeout_ms` renamed to `timeout_seconds`, cents
copied into dollars, milliseconds read as seconds by `to_timestamp`.

## Why is this bad?
A column's name is how the code and the people reading the data know its unit. `RENAME COLUMN timeout_ms
TO timeout_seconds` changes the unit the name promises and leaves every stored value as it was: a timeout
of 30000 ms becomes one of 30000 seconds (eight hours). `UPDATE products SET price_cents = price_dollars`
copies dollars into a column that holds cents: every price a hundred times too low. `to_timestamp(x)` and
MySQL's `FROM_UNIXTIME(x)` read seconds since 1970; given milliseconds (`to_timestamp(created_ms)`) they
return dates tens of thousands of years ahead (or fail), for every row. Nothing fails in the usual case,
and the wrong values cannot be told from right ones afterwards.

The units read are those a name ends with: time (`ns`, `us`/`micros`, `ms`/`millis`, `sec`/`seconds`,
`minutes`, `hours`, `days`), money (`cents`/`pence` against `dollars`/`euros`), sizes (`bytes`, `kb`,
`mb`, `gb`), lengths (`mm`, `cm`, `meters`, `km`, `miles`, `feet`, `inches`), weights (`grams`, `kg`,
`lbs`, `oz`) and shares (`percent`/`pct`, `bps`, `ratio`/`fraction`: 15 percent is 0.15).

## Use instead
Convert the values with the factor between the units, into a new column (so that old and new code each
read the unit they expect): `SET price_cents = price_dollars * 100`, `SET timeout_seconds = timeout_ms /
1000`, `to_timestamp(created_ms / 1000.0)`. Keep a rename for a name that keeps the unit
(`timeout_ms` → `request_timeout_ms`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration, RenameColumn
from bot.references.inflection import name_words
from bot.rules._backfill import sets_column
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.writes import Write, assigned

RULE = Rule(
    id="unit-mismatch",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Convert with the factor between the units (`* 100`, `/ 1000`), into a new column; keep the unit in a "
    "renamed column's name.",
    bad=(
        "CREATE TABLE jobs (id bigint PRIMARY KEY, timeout_ms integer NOT NULL);\n-- migration\n"
        "ALTER TABLE jobs RENAME COLUMN timeout_ms TO timeout_seconds;",
    ),
    good=(
        "CREATE TABLE jobs (id bigint PRIMARY KEY, timeout_ms integer NOT NULL);\n-- migration\n"
        "ALTER TABLE jobs ADD COLUMN timeout_seconds integer;\n"
        "UPDATE jobs SET timeout_seconds = timeout_ms / 1000 WHERE timeout_seconds IS NULL;",
    ),
)

# unit word → (what it measures, its size in a base unit of that measure)
_UNITS: dict[str, tuple[str, float]] = {}
for _words, _measure, _size in (
    (("ns", "nanos", "nanoseconds", "nsec"), "time", 1e-9),
    (("us", "micros", "microseconds", "usec"), "time", 1e-6),
    (("ms", "millis", "milliseconds", "msec", "msecs"), "time", 1e-3),
    (("sec", "secs", "seconds"), "time", 1.0),
    (("mins", "minutes"), "time", 60.0),
    (("hrs", "hours"), "time", 3600.0),
    (("days",), "time", 86400.0),
    (("cents", "pence", "minor"), "money", 0.01),
    (("dollars", "euros", "usd", "eur", "gbp", "major"), "money", 1.0),
    (("bytes",), "size", 1.0),
    (("kb", "kib", "kilobytes"), "size", 1e3),
    (("mb", "mib", "megabytes"), "size", 1e6),
    (("gb", "gib", "gigabytes"), "size", 1e9),
    (("mm", "millimeters", "millimetres"), "length", 1e-3),
    (("cm", "centimeters", "centimetres"), "length", 1e-2),
    (("meters", "metres"), "length", 1.0),
    (("km", "kilometers", "kilometres"), "length", 1e3),
    (("miles",), "length", 1609.0),
    (("feet", "ft"), "length", 0.3048),
    (("inches",), "length", 0.0254),
    (("grams", "gr"), "weight", 1.0),
    (("kg", "kilograms"), "weight", 1e3),
    (("lbs",), "weight", 453.6),
    (("oz", "ounces"), "weight", 28.35),
    (("percent", "pct", "percentage"), "share", 1e-2),
    (("bps",), "share", 1e-4),
    (("ratio", "fraction"), "share", 1.0),
):
    for _word in _words:
        _UNITS[_word] = (_measure, _size)

# calls that keep a value's unit (a cast, a rounding, a default for NULL)
_KEEPS = (exp.Cast, exp.TryCast, exp.Round, exp.Floor, exp.Ceil, exp.Coalesce, exp.Paren, exp.Abs)
# functions that read a number as seconds since 1970
_EPOCH_SECONDS = {"to_timestamp", "from_unixtime"}


def unit_of(name: str) -> tuple[str, float, str] | None:
    """The unit a column's name ends with (`timeout_ms`, `priceCents`): what it measures, its size, the word."""
    words = name_words(name)
    if len(words) < 2:
        return None  # a name that is only a unit (`ms`, `days`) says too little
    word = words[-1]
    found = _UNITS.get(word)
    return (found[0], found[1], word) if found else None


def _differ(a: tuple[str, float, str] | None, b: tuple[str, float, str] | None) -> bool:
    return a is not None and b is not None and a[0] == b[0] and a[1] != b[1]


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, RenameColumn):
            yield from _renamed(op, migration, context)
        elif isinstance(op, DataUpdate | DataInsert):
            for write in assigned(op, context.dialect):
                yield from _copied(op, write, context)
                yield from _epoch(op, write, context)


def _renamed(op: RenameColumn, migration: Migration, context: Context) -> Iterator[Finding]:
    old, new = unit_of(op.column), unit_of(op.new_name)
    if not _differ(old, new) or old is None or new is None:
        return
    if any(sets_column(other, op.table, op.column, op.new_name) for other in migration.up):
        return  # the values are converted in place (rescaled-in-place says what that costs)
    factor = _factor(old, new)
    yield op.finding(
        RULE,
        f"`{op.table}.{op.column}` is renamed to `{op.new_name}`: the name now says {new[2]}, but every value "
        f"stored in it is still in {old[2]}, and nothing converts them.",
        blast_radius=f"Every row of {context.size_words(op.table)}: code reading `{op.new_name}` as {new[2]} "
        f"gets values {factor} off.",
        fix=f"Add `{op.new_name}` as a new column filled with the converted values (`{_conversion(op.column, old, new)}`), "
        f"switch the code to it, then drop `{op.column}`; or keep {old[2]} in the new name.",
    )


def _copied(op: DataUpdate | DataInsert, write: Write, context: Context) -> Iterator[Finding]:
    target = unit_of(write.target)
    value = write.value
    while isinstance(value, _KEEPS) and value.this is not None and isinstance(value.this, exp.Expression):
        value = value.this
    if not isinstance(value, exp.Column):
        return  # any arithmetic is taken as the conversion
    source_name = identifier(value.this)
    source = unit_of(source_name)
    if not _differ(source, target) or source is None or target is None:
        return
    yield op.finding(
        RULE,
        f"`{op.table}.{write.target}` ({target[2]}) is set to `{render(write.value, context.dialect)}`, "
        f"which is in {source[2]}: the values are copied without being converted.",
        blast_radius=f"Every row the statement writes in {context.size_words(op.table)}: "
        f"`{write.target}` is {_factor(source, target)} off.",
        fix=f"Convert with the factor between the units: `SET {write.target} = "
        f"{_conversion(source_name, source, target)}`.",
    )


def _epoch(op: DataUpdate | DataInsert, write: Write, context: Context) -> Iterator[Finding]:
    for call in write.value.find_all(exp.Anonymous, exp.UnixToTime):
        name = _function_name(call, context)
        if name not in _EPOCH_SECONDS:
            continue
        argument = call.this if isinstance(call.this, exp.Expression) else None
        if argument is None and call.expressions:
            argument = call.expressions[0]
        while isinstance(argument, _KEEPS) and isinstance(argument.this, exp.Expression):
            argument = argument.this
        if not isinstance(argument, exp.Column):
            continue
        unit = unit_of(identifier(argument.this))
        if unit is None or unit[0] != "time" or unit[1] >= 1.0:
            continue
        column = identifier(argument.this)
        yield op.finding(
            RULE,
            f"`{op.table}.{write.target}` is set with `{name}({column})`: `{name}` reads seconds "
            f"since 1970, but `{column}` holds {unit[2]}.",
            blast_radius=f"Every row the statement writes in {context.size_words(op.table)}: the times land "
            f"{_factor(unit, ('time', 1.0, 'seconds'))} too far in the future (or the statement fails on "
            "the first value out of range).",
            fix=f"Divide first: `{name}({column} / {round(1 / unit[1]):.0f}.0)`.",
        )


def _function_name(call: exp.Func, context: Context) -> str:
    if isinstance(call, exp.UnixToTime):
        return "from_unixtime" if context.mysql else "to_timestamp"
    return str(call.this).lower()


def _factor(source: tuple[str, float, str], target: tuple[str, float, str]) -> str:
    ratio = source[1] / target[1]
    times = ratio if ratio >= 1 else 1 / ratio
    return f"{times:,.0f}×" if times >= 2 else f"{times:.2f}×"


def _conversion(column: str, source: tuple[str, float, str], target: tuple[str, float, str]) -> str:
    ratio = source[1] / target[1]
    if ratio >= 1:
        return f"{column} * {_number(ratio)}"
    return f"{column} / {_number(1 / ratio)}"


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:g}"
