"""A data change writes a literal that the column's own type cannot hold.

## Why is this bad?
`UPDATE users SET country = 'USA'` into a `char(2)` column, `'pending_review'` into a `varchar(10)`, `70000`
into a `smallint`, `'n/a'` into an integer column, `'maybe'` into a boolean or `123456.78` into a
`numeric(7,2)`: PostgreSQL refuses the value and the statement fails on the first row it writes, so the
deploy stops half-way. MySQL in strict mode does the same; outside strict mode it stores a truncated or
clamped value instead ('US', 32767), silently, in every row the statement writes.

A column scaled in place, `SET total = total * 100` to turn amounts into cents, has the same limit: in a
`numeric(10, 2)` every total of 1,000,000 or more no longer fits once multiplied, and the statement fails on
the first such row (a warning: whether such rows exist depends on the data; the finding gives the query).
So does any scaling of one column: `100 * total + 5`, `round(total * 100)`, `(total - 10) * 50`, or another
column scaled into this one (`SET cents = amount * 100`) when the source's own type holds values the scaling
takes past the target's range; a source whose type cannot reach that far (a `smallint` times 3 into a
`numeric(7, 2)`) is quiet.

A column default is converted when the column is added or the default set, so one the type cannot hold fails
the migration on an empty table too. The usual form is a function written as a string: Rails' `default:
"gen_random_uuid()"` and Alembic's `server_default="gen_random_uuid()"` send the text `'gen_random_uuid()'`,
which a uuid column refuses; `default: -> { "gen_random_uuid()" }` and `server_default=sa.text(…)` send the call.

SQLite is left out: a column's declared type gives it an affinity, not a limit, and the value is stored as
it is (STRICT tables aside).

## Use instead
Write a value the type holds, or widen the column in an earlier step (`ALTER TABLE users ALTER COLUMN
country TYPE varchar(3)`) and check what else reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_CEILING, Decimal

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, DataInsert, DataUpdate, Migration, Operation, SetDefault
from bot.rules.context import Context
from bot.sql.domains import Literal, literal
from bot.sql.names import identifier
from bot.sql.scaling import linear
from bot.sql.type_fit import refusal, upper_bound
from bot.sql.writes import writes, written_literals

RULE = Rule(
    id="value-does-not-fit",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Write a value the column's type holds, or widen the column first.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, country char(2));\n-- migration\n"
        "UPDATE users SET country = 'USA' WHERE country IS NULL AND id < 1000;",
        "CREATE TABLE items (id bigint PRIMARY KEY, stock smallint);\n-- migration\n"
        "UPDATE items SET stock = 70000 WHERE id = 42;",
        "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(7, 2), cents integer);\n-- migration\n"
        "UPDATE prices SET amount = round(amount * 100) + 5 WHERE id < 1000;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, country char(2));\n-- migration\n"
        "UPDATE users SET country = 'US' WHERE country IS NULL AND id < 1000;",
        "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(7, 2), cents integer);\n-- migration\n"
        "UPDATE prices SET cents = round(amount * 100) WHERE id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect == "sqlite":
        return  # a SQLite column's type is an affinity, not a limit: it stores the value as it is
    for op in migration.up:
        if isinstance(op, AddColumn | SetDefault):
            yield from _default(op, context)
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        catalog = context.before(op)
        for column, values in written_literals(op).items():
            found = catalog.column(op.table, column)
            if found is None or _cast_in(op, column):
                continue
            refused = [(v, why) for v in values if (why := refusal(v, found.type, context.mysql)) is not None]
            if refused:
                yield _finding(op, column, found.type, refused, context)
        if isinstance(op, DataUpdate):
            yield from _scaled(op, catalog, context)


def _default(op: AddColumn | SetDefault, context: Context) -> Iterator[Finding]:
    """A default the column's type cannot hold (`default: "gen_random_uuid()"` in Rails, which sends the text
    `'gen_random_uuid()'`, on a uuid column): the database converts the default when the statement runs, so
    it fails whether or not the table has rows."""
    default = op.column.default if isinstance(op, AddColumn) else op.default
    if isinstance(op, AddColumn):
        column_type = op.column.type
    else:
        found = context.before(op).column(op.table, op.column)
        column_type = found.type if found is not None else ""
    value = literal(default) if default else None
    if value is None or not column_type:
        return
    why = refusal(value, column_type, context.mysql)
    if why is None:
        return
    name = op.column.name if isinstance(op, AddColumn) else op.column
    called = value.quoted and re.fullmatch(r"\w+\(.*\)", value.text) is not None
    yield op.finding(
        RULE,
        f"The default of `{op.table}.{name}` is the text {value.sql}, which `{column_type}` cannot hold ({why})"
        + (": the function's name is quoted, so it is never called." if called else "."),
        severity=Severity.CRITICAL,
        blast_radius="The database converts the default when the statement runs: the migration fails, on an empty "
        "table too, and the deploy stops there.",
        fix=(
            f'Make the default an expression, not a string (Rails: `default: -> {{ "{value.text}" }}`; '
            f"SQL: `DEFAULT {value.text}`)."
            if called
            else f"Give a default `{column_type}` holds."
        ),
    )


def _scaled(op: DataUpdate, catalog: Catalog, context: Context) -> Iterator[Finding]:
    """`SET total = total * 100` (or `round(total * 100) + 5`, `100 * price`) into a `numeric(10, 2)`: the rows
    whose value, once scaled, no longer fits the target's precision (or integer range) fail the statement. A
    source column whose own type keeps every scaled value inside the target's range cannot overflow."""
    for write in writes(op):
        scaled = linear(write.value)
        if scaled is None or abs(scaled.factor) <= 1:
            continue
        source_table = write.table_of(scaled.column)
        source_name = identifier(scaled.column.this)
        found = catalog.column(op.table, write.target)
        source = catalog.column(source_table, source_name)
        limit = upper_bound(found.type) if found is not None else None
        if limit is None or found is None or source is None:
            continue
        largest = (limit - abs(scaled.offset)) / abs(scaled.factor)
        own = upper_bound(source.type)
        if own is not None and own <= largest:
            continue  # the source's type holds no value that the scaling takes past the target's range
        largest = _on_grid(largest, source.type)
        named = f"`{source_name}`" if source_name != write.target else "values"
        check = f"SELECT count(*) FROM {source_table} WHERE abs({source_name}) >= {_plain(largest)}"
        yield op.finding(
            RULE,
            f"`{op.table}.{write.target}` is `{found.type}`: {named} of {_plain(largest)} or more no longer fit once "
            f"{scaled.words}.",
            # a limit in the hundreds of millions is rarely reached by the values a migration scales
            severity=Severity.WARNING if largest < _LIKELY else Severity.INFO,
            blast_radius=f"The statement fails on the first such row ({'numeric field overflow' if not context.mysql else 'out of range'}), "
            f"and the deploy stops there; rows affected: those of {context.size_words(op.table)} it writes.",
            fix=f"Check first that `{check}` returns 0 on every database, or widen `{op.table}.{write.target}` in an "
            "earlier step.",
        )


_LIKELY = Decimal(10) ** 8
_SCALE = re.compile(r"^\s*(?:numeric|decimal)\s*\(\s*\d+\s*,\s*(\d+)\s*\)", re.I)


def _on_grid(limit: Decimal, source_type: str) -> Decimal:
    """The first value the source's type can hold at or above `limit`: an integer column's values are whole,
    a `numeric(p, s)` column's have `s` decimals (1952257861.8181… of an integer is 1952257862)."""
    scale = _SCALE.match(source_type)
    places = int(scale.group(1)) if scale else (0 if upper_bound(source_type) is not None else 4)
    return limit.quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING)


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cast_in(op: Operation, column: str) -> bool:
    """An explicit cast (`'USA'::char(2)`) truncates instead of failing: the author chose it."""
    written = [sql for target, sql in getattr(op, "assignments", ()) if target == column]
    return any("::" in sql or "cast(" in sql.lower() for sql in written)


def _finding(
    op: Operation, column: str, column_type: str, refused: list[tuple[Literal, str]], context: Context
) -> Finding:
    table = str(getattr(op, "table", ""))
    shown = "; ".join(f"{v.sql} ({why})" for v, why in refused[:3])
    more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
    outcome = (
        "MySQL in strict mode fails the statement on the first row it writes; outside strict mode it stores a "
        "truncated or clamped value in every row instead, silently."
        if context.mysql
        else "The statement fails on the first row it writes and the deploy stops there."
    )
    return op.finding(
        RULE,
        f"`{table}.{column}` is `{column_type}`, which cannot hold what the statement writes: {shown}{more}.",
        blast_radius=f"{outcome} Rows affected: those it writes in {context.size_words(table)}.",
        fix=f"Write a value `{column_type}` holds, or widen `{table}.{column}` in an earlier step and check the code "
        "that reads it.",
    )
