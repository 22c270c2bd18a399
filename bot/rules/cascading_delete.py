"""A DELETE on a table whose children reference it with `ON DELETE CASCADE` also deletes their rows.

## Why is this bad?
`DELETE FROM accounts WHERE closed_at < '2020-01-01'` names one table, but every `orders` row whose
foreign key says `ON DELETE CASCADE` goes with its account, and the `order_items` of those orders with
them. The statement's text hides most of what it removes, a backup of `accounts` alone cannot bring it
back, and the rows deleted (and locked) can be many times the ones the author counted.

The same goes for a child whose key says `ON DELETE SET NULL` or `SET DEFAULT` (or, for a delete the ORM
runs, the model's `on_delete=SET_NULL`): its rows stay, but they lose the link to the deleted rows, and
restoring the parents does not give it back.

## Use instead
Count the child rows first, decide whether they should go, and delete them explicitly, children first,
so the migration says everything it removes. Back up every table the cascade reaches before the deploy.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Migration
from bot.rules.context import Context

RULE = Rule(
    id="cascading-delete",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Delete the child rows explicitly (children first) and back up every table the cascade reaches.",
    bad=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id) ON DELETE CASCADE);\n"
        "-- migration\n"
        "DELETE FROM accounts WHERE closed AND id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n"
        "-- migration\n"
        "DELETE FROM accounts WHERE closed AND id >= 1 AND id < 1000;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataDelete) or context.catalog.is_new(op.table):
            continue
        catalog = context.catalog
        explicit = _deleted_before(migration, op)
        moved = _repointed_before(migration, op)
        children = catalog.cascades_to(op.table, in_code=op.cascades_in_code, dependents=op.dependents_run)
        reached = [
            k
            for k in children
            if k.table not in explicit and (k.table, k.columns) not in moved and not catalog.is_new(k.table)
        ]
        emptied = [
            k
            for k in catalog.nullified_by(op.table, in_code=op.cascades_in_code, dependents=op.dependents_run)
            if k.table not in explicit and (k.table, k.columns) not in moved and not catalog.is_new(k.table)
        ]
        if not reached and not emptied:
            continue
        said = []
        if reached:
            names = ", ".join(_link(k) for k in reached)
            linked = "linked to them" if any(k.owner for k in reached) else "that reference them"
            said.append(f"deletes, through {_how(reached, 'CASCADE')} the rows of {names} {linked}")
        if emptied:
            said.append(
                "sets "
                + ", ".join(
                    f"`{k.table}.{', '.join(k.columns)}` to {_emptied_to(k, op)}"
                    + (
                        ""
                        if same_table(k.references, op.table)
                        else f" (for the `{k.references}` rows that go)"
                    )
                    for k in emptied
                )
                + f", through {_how(emptied, _action(emptied))} in the rows that reference them"
            )
        blast = []
        if reached:
            blast.append(
                "Rows of "
                + ", ".join(f"`{k.table}`" for k in reached)
                + f" are removed with the `{op.table}` rows they point at, without being named in the migration"
            )
        if emptied:
            blast.append(
                "rows of "
                + ", ".join(f"`{t}`" for t in dict.fromkeys(k.table for k in emptied))
                + " are updated: they lose the link to the deleted rows, and restoring the deleted rows does "
                "not give it back"
            )
        tables = dict.fromkeys([op.table, *(k.table for k in (*reached, *emptied))])
        yield op.finding(
            RULE,
            f"Deleting rows of `{op.table}` also " + ", and ".join(said) + ".",
            blast_radius=_capital("; ".join(blast))
            + f"; a backup of `{op.table}` alone does not bring them back.",
            fix="Count the child rows first and deal with them explicitly (delete them children first, or "
            "update them to the row that replaces the deleted one), and back up "
            + ", ".join(f"`{t}`" for t in tables)
            + " before the deploy (the rollback plan lists the statements).",
        )


def _link(key: ForeignKey) -> str:
    """How the rows of a key's table hang on the deleted ones: by their own key, by the key the deleted rows
    hold (`belongs_to …, dependent:`), and for a polymorphic association only those of the parent's class."""
    if key.owner:
        return f"`{key.table}` (those the deleted rows' `{', '.join(key.referenced_columns)}` point at)"
    kind = (
        f", where `{key.type_condition}`"
        if key.type_query
        else f", where `{key.type_column}` is '{key.type_value}'"
        if key.type_column
        else ""
    )
    return f"`{key.table}` (by `{', '.join(key.columns)}`{kind})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _how(keys: list[ForeignKey], action: str) -> str:
    """`ON DELETE CASCADE`, when the database does it; the models' `on_delete` or `dependent:` associations,
    when the ORM does it itself."""
    if all(k.on_delete for k in keys):
        return f"`ON DELETE {action}`,"
    declared = list(dict.fromkeys(k.declared for k in keys if k.declared and not k.on_delete))
    if declared:
        return "the models' " + ", ".join(declared) + ", which the ORM carries out itself,"
    return f"the models' `on_delete={action.replace(' ', '_')}`, which the ORM carries out itself,"


def _action(keys: list[ForeignKey]) -> str:
    actions = {k.on_delete or k.orm_on_delete for k in keys}
    return (
        "SET NULL"
        if actions == {"set null"}
        else "SET DEFAULT"
        if actions == {"set default"}
        else "SET NULL/SET DEFAULT"
    )


def _emptied_to(key: ForeignKey, op: DataDelete) -> str:
    action = key.on_delete if key.on_delete or not op.cascades_in_code else key.orm_on_delete
    if key.declared and not key.on_delete:
        action = key.orm_on_delete
    return "NULL" if action == "set null" else "its default"


def _deleted_before(migration: Migration, delete: DataDelete) -> set[str]:
    """Tables the migration empties itself before this DELETE: their rows are not removed by surprise."""
    earlier = migration.up[: migration.up.index(delete)]
    return {op.table for op in earlier if isinstance(op, DataDelete)}


def _repointed_before(migration: Migration, delete: DataDelete) -> set[tuple[str, tuple[str, ...]]]:
    """Foreign keys the migration rewrites before this DELETE (`UPDATE donations SET goal_id = winner …`
    when duplicates are merged): their rows were moved to the rows that stay, so the cascade finds none."""
    earlier = migration.up[: migration.up.index(delete)]
    return {
        (op.table, (column,)) for op in earlier if isinstance(op, DataUpdate) for column, _ in op.assignments
    }
