"""A value split into parts keeps only the parts the change names: the rest of each longer value is lost.

## Why is this bad?
`UPDATE users SET first_name = split_part(name, ' ', 1), last_name = split_part(name, ' ', 2)` reads like
"split the name in two", but it takes the first and second words only: `'Anna Maria van Dijk'` becomes
`Anna` / `Maria`, and a name without a space gets an empty `last_name`. MySQL's `SUBSTRING_INDEX(name, ' ',
1)` and `(string_to_array(name, ' '))[2]` do the same. Nothing fails; the longer values, often the ones that
matter most (compound surnames, addresses, tags), are cut in every row, and once the source column is
dropped the parts are gone.

## Use instead
Give the last target everything after the parts taken: `last_name = substr(name, length(split_part(name,
' ', 1)) + 2)` (MySQL: `SUBSTRING(name, LOCATE(' ', name) + 1)`), or split only the rows whose value has
exactly the expected parts (`WHERE name ~ '^\\S+ \\S+$'`) and count the others first:
`SELECT count(*) FROM users WHERE array_length(string_to_array(name, ' '), 1) > 2`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.statements import render
from bot.sql.writes import Write, assigned

RULE = Rule(
    id="split-drops-parts",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Give the last part everything after the parts taken, or split only the values with exactly those parts.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text, first_name text, last_name text);\n"
        "-- migration\n"
        "UPDATE users SET first_name = split_part(name, ' ', 1), last_name = split_part(name, ' ', 2)"
        " WHERE id BETWEEN 1 AND 1000;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text, first_name text, last_name text);\n"
        "-- migration\n"
        "UPDATE users SET first_name = split_part(name, ' ', 1),"
        " last_name = substr(name, length(split_part(name, ' ', 1)) + 2) WHERE id BETWEEN 1 AND 1000;",
    ),
)

# what leaves a part as it is, for this rule: `trim(split_part(…))`, `initcap(…)`
_KEEPS = (exp.Trim, exp.Lower, exp.Upper, exp.Initcap, exp.Paren, exp.Cast)


@dataclass(frozen=True)
class Piece:
    source: str  # the column split
    separator: str  # as SQL
    first: int  # parts counted from the start (1 for the first part, 2 for the first two …), 0 for none
    last: int  # parts counted from the end (1 for the last part), 0 for none
    text: str  # the expression, as SQL


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    """Two or more parts of one column, in one statement or several of the migration: a split into columns.
    One part alone (`split_part(email, '@', 2)`, a domain) is a value derived, not a split."""
    found: dict[tuple[str, str], list[tuple[DataUpdate | DataInsert, Write, Piece]]] = {}
    rest: set[tuple[str, str]] = set()  # another target takes the rest: `substr(name, …)`
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        for write in assigned(op, context.dialect):
            piece = _piece(write.value, context.dialect)
            if piece is not None:
                piece = replace(piece, text=render(write.value, context.dialect))
            if piece is not None and not _shaped(write.where, piece.source):
                found.setdefault((op.table, piece.source), []).append((op, write, piece))
            elif piece is None:
                rest.update((op.table, c) for c in _read(write.value))
    for key, pieces in found.items():
        if len(pieces) >= 2 and key not in rest:
            yield _finding(pieces[0][0], key[1], [(w, p) for _, w, p in pieces], context)


def _piece(value: exp.Expression, dialect: str) -> Piece | None:
    node = value
    while isinstance(node, _KEEPS) and isinstance(node.this, exp.Expression):
        node = node.this
    text = ""
    if isinstance(node, exp.SplitPart) and isinstance(node.this, exp.Column):
        index = _number(node.args.get("part_index"))
        if index is None or index == 0:
            return None
        separator = node.args["delimiter"].sql(dialect=_syntax(dialect))
        source = identifier(node.this.this)
        return Piece(source, separator, index if index > 0 else 0, -index if index < 0 else 0, text)
    if isinstance(node, exp.SubstringIndex):
        count = _number(node.args.get("count"))
        inner = node.this
        separator = node.args["delimiter"].sql(dialect=_syntax(dialect))
        if count == -1 and isinstance(inner, exp.SubstringIndex) and isinstance(inner.this, exp.Column):
            nth = _number(inner.args.get("count"))  # SUBSTRING_INDEX(SUBSTRING_INDEX(name, ' ', 2), ' ', -1)
            if nth is not None and nth > 0:
                return Piece(identifier(inner.this.this), separator, nth, 0, text)
        if count is not None and count != 0 and isinstance(inner, exp.Column):
            return Piece(identifier(inner.this), separator, max(count, 0), max(-count, 0), text)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        array = node.this.unnest()
        index = _number(node.expressions[0])
        index = index + 1 if index is not None else None  # sqlglot counts from 0 whatever the dialect
        if (
            isinstance(array, exp.StringToArray)
            and isinstance(array.this, exp.Column)
            and index
            and index > 0
        ):
            separator = (
                array.expression.sql(dialect=_syntax(dialect)) if array.expression is not None else "','"
            )
            return Piece(identifier(array.this.this), separator, index, 0, text)
    return None


def _syntax(dialect: str) -> str:
    return "mysql" if dialect in ("mysql", "mariadb") else dialect


def _number(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Neg):
        inner = _number(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.name)
        except ValueError:
            return None
    return None


def _read(value: exp.Expression) -> set[str]:
    return {identifier(c.this) for c in value.find_all(exp.Column)}


def _shaped(where: exp.Expression | None, column: str) -> bool:
    """The WHERE picks rows by the value's shape (`name ~ '^\\S+ \\S+$'`, `array_length(…) = 2`): anything
    but `IS [NOT] NULL` on the column split."""
    if where is None:
        return False
    return any(
        identifier(c.this) == column and not isinstance(c.parent, exp.Is) for c in where.find_all(exp.Column)
    )


def _finding(
    op: DataUpdate | DataInsert, source: str, found: list[tuple[Write, Piece]], context: Context
) -> Finding:
    first = max(p.first for _, p in found)
    last = max(p.last for _, p in found)
    kept = first + last
    separator = found[0][1].separator
    taken = ", ".join(f"`{w.target}` = `{p.text}`" for w, p in found)
    lost = (
        "the parts between them"
        if first and last
        else f"every part after the {_ordinal(first)}"
        if first
        else f"every part before the last {last}"
    )
    table = found[0][0].source
    counted = (
        f"array_length(string_to_array({source}, {separator}), 1) > {kept}"
        if context.postgres
        else f"LENGTH({source}) - LENGTH(REPLACE({source}, {separator}, '')) >= {kept}"
    )
    return op.finding(
        RULE,
        f"`{op.table}` gets parts of `{source}` split on {separator} ({taken}): a value with more than {kept} "
        f"part{'s' if kept > 1 else ''} loses {lost}, and one without the separator gives the same whole value "
        "or an empty string.",
        blast_radius=f"Every row of `{table}` whose `{source}` has more parts (middle names, compound surnames, "
        "multi-word values) is stored cut; the lost words survive only as long as the source column does.",
        fix=f"Give the last target everything after the parts taken (`substr({source}, length(…) + 2)`), or "
        f"split only the rows with exactly those parts; count the others first: `SELECT count(*) FROM {table} "
        f"WHERE {counted}`.",
    )


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")
