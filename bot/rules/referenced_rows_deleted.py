"""A DELETE of rows that other tables still point at fails on their foreign key, or leaves them pointing at nothing.

## Why is this bad?
`DELETE FROM plans WHERE code = 'legacy'` looks like a cleanup of one table, but `accounts.plan_id` may
still hold the ids of those plans. With a foreign key that has no `ON DELETE` action (or `RESTRICT`, or
Django's `on_delete=PROTECT`), the DELETE fails at the first plan an account still uses, and the deploy
stops there; outside a transaction, after part of the rows are gone. Without a foreign key (a column
named after the table, `plan_id`, and nothing in the database to enforce it) the DELETE succeeds and
every such account now points at a plan that does not exist: joins drop those rows, lookups return
nothing, and restoring the plans later does not tell which accounts they were.

## Use instead
Decide first what happens to the rows that point at the deleted ones, and do it in the same migration,
before the DELETE: move them to the row that replaces the deleted one (`UPDATE accounts SET plan_id =
(SELECT id FROM plans WHERE code = 'free') WHERE plan_id IN (SELECT id FROM plans WHERE code =
'legacy')`), or delete them too. Or delete only the rows nothing points at: `… AND NOT EXISTS (SELECT 1
FROM accounts WHERE accounts.plan_id = plans.id)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.catalog import Catalog, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, DropTable, Migration, Truncate
from bot.references.inflection import singularize
from bot.rules._integrity import off_at, switches
from bot.rules.context import Context

RULE = Rule(
    id="referenced-rows-deleted",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Move or delete the rows that point at the deleted ones first, in the same migration, or delete only "
    "rows nothing points at (`AND NOT EXISTS (…)`).",
    bad=(
        "CREATE TABLE plans (id bigint PRIMARY KEY, code text NOT NULL);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id bigint REFERENCES plans (id));\n"
        "-- migration\n"
        "DELETE FROM plans WHERE code = 'legacy';",
    ),
    good=(
        "CREATE TABLE plans (id bigint PRIMARY KEY, code text NOT NULL);\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id bigint REFERENCES plans (id));\n"
        "-- migration\n"
        "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'free')\n"
        "  WHERE plan_id IN (SELECT id FROM plans WHERE code = 'legacy');\n"
        "DELETE FROM plans WHERE code = 'legacy';",
    ),
)

# What the database (or Django, for a delete it runs itself) does with a referencing row: nothing, so the
# DELETE fails while one is left
_REFUSING = ("", "no action", "restrict")
_ORM_REFUSING = ("protect", "restrict", "do nothing")


@dataclass(frozen=True)
class _Pointer:
    table: str
    column: str
    referenced: str  # the column of the deleted table it holds
    enforced: bool  # a foreign key of the database (or the ORM) refuses the delete; else rows are orphaned


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    found = switches(migration)
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataDelete) or context.catalog.is_new(op.table):
            continue
        if found and off_at(migration, op, op.table, found) is not None:
            continue  # with the checks off nothing fails: integrity-checks-disabled says what it leaves
        catalog = context.before(op)
        # lowercased: the condition's names are read from its text, quoted or not
        handled = {t.lower() for t in _handled_before(migration, index)} | _named_in(op)
        # the models' own associations are `dependent-rows-orphaned`'s and `restricted-destroy`'s
        declared = {d.table for d in op.dependents}
        pointers = [
            p
            for p in _pointers(catalog, op)
            if p.table.lower() not in handled and p.table not in declared and not catalog.is_new(p.table)
        ]
        if pointers:
            yield _finding(op, pointers, context)


def _pointers(catalog: Catalog, op: DataDelete) -> Iterator[_Pointer]:
    keyed: set[tuple[str, str]] = set()
    for key in catalog.foreign_keys.values():
        if len(key.columns) != 1:
            continue
        keyed.add((key.table, key.columns[0]))
        if not same_table(key.references, op.table) or same_table(key.table, op.table):
            continue
        refuses = (
            key.orm_on_delete in _ORM_REFUSING
            if op.cascades_in_code and key.orm_on_delete
            else key.on_delete in _REFUSING
        )
        if refuses:
            referenced = key.referenced_columns[0] if key.referenced_columns else "id"
            yield _Pointer(key.table, key.columns[0], referenced, True)
    if op.table not in catalog.tables or "id" not in catalog.tables[op.table].columns:
        return
    singular = singularize(op.table.rsplit(".", 1)[-1].strip('"'))
    # `plan_id` for `plans`; `donationGoalId` for Prisma's `DonationGoal`
    named = (f"{singular.lower()}_id", f"{singular[:1].lower()}{singular[1:]}Id")
    for name, table in catalog.tables.items():
        if same_table(name, op.table):
            continue
        for column in named:
            if (name, column) in keyed or column not in table.columns:
                continue
            if f"{column[:-3].rstrip('_')}_type" in table.columns or f"{column[:-2]}Type" in table.columns:
                continue  # polymorphic: the type column says which table the id belongs to
            yield _Pointer(name, column, "id", False)


def _handled_before(migration: Migration, index: int) -> set[str]:
    """Tables the migration itself deletes from, updates, empties or drops before this delete."""
    tables: set[str] = set()
    for op in migration.up[:index]:
        if isinstance(op, DataDelete | DataUpdate | DropTable):
            tables.add(str(op.table))
        elif isinstance(op, Truncate):
            tables.update(op.tables)
    return tables


def _named_in(op: DataDelete) -> set[str]:
    """Tables the DELETE's own condition reads (`AND NOT EXISTS (SELECT 1 FROM accounts …)`): it chooses
    its rows knowing them."""
    return {word.strip('"').lower() for word in _READ.findall(op.sql)}


_READ = re.compile(r"\b(?:FROM|USING|JOIN)\s+([\w.\"]+)", re.I)


def _finding(op: DataDelete, pointers: list[_Pointer], context: Context) -> Finding:
    refusing = [p for p in pointers if p.enforced]
    orphaned = [p for p in pointers if not p.enforced]
    said = []
    if refusing:
        said.append(
            "the DELETE fails at the first deleted row that "
            + _listed(refusing)
            + " still "
            + ("references" if len(refusing) == 1 else "reference")
            + " (a foreign key without an ON DELETE action refuses it)"
        )
    if orphaned:
        said.append(
            _listed(orphaned)
            + (" has" if len(orphaned) == 1 else " have")
            + " no foreign key, so the rows that hold a deleted id stay, pointing at nothing"
        )
    selected = f"SELECT id FROM {op.table}" + (f" WHERE {op.where}" if op.where else "")
    first = pointers[0]
    counts = "; ".join(
        f"`SELECT count(*) FROM {p.table} WHERE {p.column} IN ({selected.replace('SELECT id', f'SELECT {p.referenced}', 1)})`"
        for p in pointers
    )
    return op.finding(
        RULE,
        f"Rows of `{op.table}` are deleted while other tables may still point at them: "
        + "; and ".join(said)
        + ".",
        blast_radius="Rows of "
        + ", ".join(f"`{p.table}`" for p in pointers)
        + f" that point at the deleted rows of {context.size_words(op.table)}"
        + (" stop the migration" if refusing else "")
        + (" and" if refusing and orphaned else "")
        + (" are left referring to rows that no longer exist" if orphaned else "")
        + f". Count them first: {counts}.",
        fix=f"Before the DELETE, move those rows to the row that replaces the deleted ones (`UPDATE {first.table} "
        f"SET {first.column} = … WHERE {first.column} IN ({selected})`) or delete them too; or delete only the "
        f"rows nothing points at (`… AND NOT EXISTS (SELECT 1 FROM {first.table} WHERE {first.table}."
        f"{first.column} = {op.table}.{first.referenced})`).",
    )


def _listed(pointers: list[_Pointer]) -> str:
    return ", ".join(f"`{p.table}.{p.column}`" for p in pointers)
