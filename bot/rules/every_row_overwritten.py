"""An UPDATE with no WHERE, or only a batch's key range, overwrites a column that already holds data in every row.

## Why is this bad?
`UPDATE users SET plan = 'pro'` has no condition: every user's plan becomes `'pro'`, the enterprise and
the free ones alike. Whatever the rows held (what users chose, what earlier code or support staff set) is
overwritten, nothing fails, and afterwards no query can tell which row held what: the values are gone
unless a backup says otherwise. It is usually written meaning "the rows that have none yet" or "the rows
of one kind", with the condition forgotten; when every row really must take the value (a preference reset
for everyone, a setting switched on everywhere) a reviewer still wants that said.

A backfill written in batches is the same loss: `UPDATE orders SET region = upper(country) WHERE id >= 1 AND
id < 1000`, run by a loop over the whole key range, picks rows only by their key, not by what they hold, and
replaces every region that was there with one computed from another column. A value computed from other columns
counts like a constant; one that reads the column itself (`coalesce(region, …)`, a CASE whose ELSE keeps it,
`region = upper(region)`) keeps what the row held and is left to the rules about conversions. A computed value
the down migration computes again (a cached bucket recomputed after its function changed, and recomputed the old
way on the way back) is a deliberate recompute, not reported.

Only a column that existed before the pull request is reported: filling a column the same change adds
(in this migration, an earlier one of the pull request, or Django's AddField just before its data
migration) overwrites nothing but its default. A copy saved first in the migration (`CREATE TABLE … AS
SELECT … FROM users`), a column the migration drops or fills again afterwards in every row (a placeholder that lets a type
change cast), and a value the production probe shows
every row already holds are not reported either. Rails' `update_all` and Django's `.update()` on a whole
model are read the same way. Where the migration's down writes nothing back into the table, the finding says
that a rollback does not restore the values either (`data-lost-on-rollback` leaves such a column to it: one
statement, one finding).

## Use instead
Say which rows: `UPDATE users SET plan = 'pro' WHERE plan IS NULL` (or the kind meant; in a batch,
`WHERE id >= 1 AND id < 1000 AND region IS NULL`). If every row must
take the value, save what it overwrites first (`CREATE TABLE users_plan_backup AS SELECT id, plan FROM
users`) and suppress the finding with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.markup import code_span
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropTable,
    Migration,
    Operation,
)
from bot.rules._backfill import added_by_change, every_row
from bot.rules._framework_fixes import restore
from bot.rules._restores import restores_nothing_of
from bot.rules.context import Context
from bot.sql.domains import literal
from bot.sql.names import backup_statement, quote_column

RULE = Rule(
    id="every-row-overwritten",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Add the WHERE that picks the rows meant, or save the old values first and say why every row changes.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, plan text NOT NULL DEFAULT 'free');\n"
        "-- migration\n"
        "UPDATE users SET plan = 'pro';",
        "CREATE TABLE orders (id bigint PRIMARY KEY, region text, country text);\n"
        "-- migration\n"
        "UPDATE orders SET region = upper(country) WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, plan text);\n"
        "-- migration\n"
        "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
        "CREATE TABLE orders (id bigint PRIMARY KEY, region text, country text);\n"
        "-- migration\n"
        "UPDATE orders SET region = upper(country) WHERE id >= 1 AND id < 1000 AND region IS NULL;",
    ),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)

_BOOLEANS = {"true", "false"}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for (_, column, value), ops in overwrites(migration, context).items():
        tables = list(dict.fromkeys(op.table for op in ops))
        named = ", ".join(f"`{t}.{column}`" for t in tables)
        # the way back writes none of them again: said here, where data-lost-on-rollback leaves it
        kept = all(restores_nothing_of(migration, t) for t in tables)
        where = ops[0].where
        said = (
            f"The UPDATE picks rows only by a range of their key (`{where}`), not by what they hold: it sets "
            f"{named} to {value} in every row of the range (a loop of such batches reaches every row)"
            if where
            else f"The UPDATE has no WHERE: it sets {named} to {value} in every row"
        )
        yield ops[0].finding(
            RULE,
            f"{said}, overwriting what each row held"
            + (", and the down migration does not restore them." if kept else "."),
            blast_radius=f"Every row of {', '.join(f'`{t}`' for t in tables)}: the values of `{column}` held "
            "before (chosen by users, set by earlier code) are lost"
            + (", a rollback does not bring them back," if kept else ",")
            + " and nothing afterwards tells which row held what.",
            fix="Add the condition that picks the rows meant ("
            + code_span(f"{'AND' if where else 'WHERE'} {quote_column(column, context.dialect)} IS NULL")
            + " to fill only empty ones). "
            + (
                f"If every row must take {value}: {restore(migration.framework)} Then suppress this finding with"
                " the reason."
                if kept
                else f"If every row must take {value}, first save "
                f"{code_span(backup_statement(tables[0], (column,), context.dialect))} and suppress this finding with the "
                "reason."
            ),
        )


def overwrites(migration: Migration, context: Context) -> dict[tuple[int, str, str], list[DataUpdate]]:
    """The UPDATEs without WHERE, or with a WHERE that is only a batch's key range, that set a column holding
    data to a value that does not read it, by line, column and value (a loop over several models writes them
    all at one line: one finding)."""
    fresh = {(unqualified(op.table), op.column.name) for op in migration.up if isinstance(op, AddColumn)}
    found: dict[tuple[int, str, str], list[DataUpdate]] = {}
    for op in migration.up:
        if not isinstance(op, DataUpdate) or context.catalog.is_new(op.table):
            continue
        if not (every_row(op) or _key_range_only(op, context.catalog.row_key(op.table))):
            continue
        table = unqualified(op.table)
        if _saved_first(migration, op, table):
            continue
        added = fresh | added_by_change(op, context)
        for column, value, computed in _written(op):
            if (table, column) in added or _replaced_later(migration, op, table, column):
                continue
            if computed and _computed_again_on_the_way_back(migration, table, column):
                continue  # a column recomputed from others (a new function's bucket): the down recomputes it
            if context.before(op).column(op.table, column) is None:
                continue  # a column the review does not know: nothing to say what it held
            if _already_held(context, op.table, column, value):
                continue
            found.setdefault((op.location.line, column, value), []).append(op)
    return found


def _written(op: DataUpdate) -> Iterator[tuple[str, str, bool]]:
    """The columns set to one constant (a string, a number, TRUE or FALSE; not NULL, which clears), or to an
    expression that does not read the column itself (`region = upper(status)`; `plan = coalesce(plan, 'free')`
    or a CASE whose ELSE keeps `plan` keep what the row held)."""
    for column, sql in op.assignments:
        text = sql.strip()
        if text.lower() in _BOOLEANS:
            yield column, text.upper(), False
        elif (value := literal(text)) is not None:
            yield column, value.sql, False
        elif text.lower() != "null" and _rows_known(op) and not _reads(op, column, sql):
            yield column, f"`{text}`", True


def _computed_again_on_the_way_back(migration: Migration, table: str, column: str) -> bool:
    """The down migration writes the column again: a value computed from other columns (`sitemap_bucket =
    sitemap_bucket(name)` after the function changed) that the way back computes the old way."""
    return any(
        isinstance(o, DataUpdate)
        and unqualified(o.table) == table
        and any(c == column for c, _ in o.assignments)
        for o in migration.down or ()
    )


def _rows_known(op: DataUpdate) -> bool:
    """The rows written are the statement's own (its WHERE, or every row saved one by one), not rows the code
    collected in batches the review does not tie to the write (`rows = list(qs)` … `bulk_update(rows, …)`)."""
    return op.where is not None or not op.batched or op.saves == "each"


def _reads(op: DataUpdate, column: str, sql: str) -> bool:
    """The value written reads the column (or the review cannot tell which columns it reads)."""
    tree = op.expression
    if not isinstance(tree, exp.Update):
        return True
    for assignment in tree.expressions:
        if isinstance(assignment, exp.EQ) and assignment.this.name.lower() == column.lower():
            value = assignment.expression
            if value.find(exp.Placeholder, exp.Parameter) is not None or any(
                c.name in _UNKNOWN for c in value.find_all(exp.Column)
            ):
                return True  # a value the code computes row by row or hands in: nothing says what it is
            return any(c.name.lower() == column.lower() for c in value.find_all(exp.Column))
    return True


# what the readers write for a value only the code knows: a variable of the loop, a field the code sets
_UNKNOWN = (PLACEHOLDER, "…")
_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE)


def _key_range_only(op: DataUpdate, key: tuple[str, ...]) -> bool:
    """The WHERE picks rows only by a range of the row key, from a lower bound to an upper one (`id >= 1 AND
    id < 1000`, `id BETWEEN 1 AND 1000`) or to a LIMIT (`id > 5000 … LIMIT 1000`), as a loop that walks the
    whole table batch by batch writes it: every row is reached in the end. (`id < 10` alone picks rows.)"""
    tree = op.expression
    where = tree.args.get("where") if isinstance(tree, exp.Update) else None
    if len(key) != 1 or where is None or tree.args.get("from_") or tree.args.get("joins"):
        return False
    condition = where.this.unnest()
    parts = [p.unnest() for p in condition.flatten()] if isinstance(condition, exp.And) else [condition]
    ends: set[str] = set()
    for part in parts:
        found = _key_bound(part, key[0]) if isinstance(part, exp.Expression) else set()
        if not found:
            return False
        ends |= found
    return "low" in ends and ("high" in ends or tree.args.get("limit") is not None)


_LOW = (exp.GT, exp.GTE)


def _key_bound(part: exp.Expression, key: str) -> set[str]:
    """The ends of the key's range a condition sets (`id >= 1`: low; `id < :hi`, `:hi > id`: high;
    `id BETWEEN lo AND hi`: both), against bounds that are no column of the row; none for another condition."""
    subject = part.this
    if isinstance(part, exp.Between):
        bounds, ends = [part.args.get("low"), part.args.get("high")], {"low", "high"}
    elif isinstance(part, _RANGE):
        bounds, low = [part.expression], isinstance(part, _LOW)
        if not _is_key(subject, key):  # `lo < id`: the bound written first
            subject, bounds, low = part.expression, [part.this], not low
        ends = {"low" if low else "high"}
    else:
        return set()
    if not _is_key(subject, key):
        return set()
    if all(
        (isinstance(b, exp.Expression) and b.find(exp.Select) is None and b.find(exp.Column) is None)
        or (isinstance(b, exp.Column) and not b.table and b.name.lower() != key.lower())
        for b in bounds
    ):
        return ends
    return set()


def _later(migration: Migration, op: Operation) -> list[Operation]:
    ops = list(migration.up)
    return ops[next((i for i, o in enumerate(ops) if o is op), len(ops)) + 1 :]


def _earlier(migration: Migration, op: Operation) -> list[Operation]:
    ops = list(migration.up)
    return ops[: next((i for i, o in enumerate(ops) if o is op), 0)]


def _replaced_later(migration: Migration, op: Operation, table: str, column: str) -> bool:
    """The value is a placeholder: a later statement of the migration drops the column or the table,
    or writes the column of every row again (cleared to `'{}'` so a type change can cast it, then filled)."""
    later = _later(migration, op)
    return any(
        (isinstance(o, DropColumn) and unqualified(o.table) == table and o.column == column)
        or (isinstance(o, DropTable) and unqualified(o.table) == table)
        or (
            isinstance(o, DataUpdate)
            and unqualified(o.table) == table
            and every_row(o)
            and any(c == column for c, _ in o.assignments)
        )
        for o in later
    )


def _saved_first(migration: Migration, op: Operation, table: str) -> bool:
    """An earlier statement copies the table's rows into another table (`CREATE TABLE … AS SELECT … FROM`)."""
    return any(
        isinstance(o, CreateTable) and any(unqualified(source) == table for _, source, _ in o.selected)
        for o in _earlier(migration, op)
    )


def _already_held(context: Context, table: str, column: str, value: str) -> bool:
    """The probe counted every row's value and each is the one written (or NULL): nothing is lost."""
    facts = context.facts.column(table, column) if context.facts is not None else None
    if facts is None or not facts.complete or facts.hidden:
        return False
    written = literal(value)
    wanted = written.text if written is not None else value.lower()
    return all(v.value is None or v.value.lower() == wanted.lower() for v in facts.values)


def _is_key(node: exp.Expression, key: str) -> bool:
    return isinstance(node, exp.Column) and node.name.lower() == key.lower()
