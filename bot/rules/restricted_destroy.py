"""A destroy through a model whose association restricts it fails, or skips rows silently.

## Why is this bad?
`has_many :invoices, dependent: :restrict_with_exception` on `Account` makes `account.destroy` raise
`ActiveRecord::DeleteRestrictionError` when the account still has invoices: `Account.where(closed: true)
.destroy_all` in a migration stops at the first such account, and the deploy with it (on MySQL, after the
rows it has already deleted, since its DDL has committed the transaction). With `dependent:
:restrict_with_error`, `destroy` adds an error and returns false instead: `destroy_all` goes on, and the
accounts with invoices are silently kept, so the migration reports success while leaving rows it was meant
to remove.

## Use instead
Decide what happens to the dependent rows first (delete, reassign or keep them), in the migration itself,
then destroy the parents; or select only the parents without dependents
(`Account.where(closed: true).where.missing(:invoices).destroy_all`) and say what happens to the others.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, Dependent, Migration
from bot.rules.context import Context

RULE = Rule(
    id="restricted-destroy",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Deal with the dependent rows first, or destroy only the parents that have none.",
    bad=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint);\n"
        "-- migration\n"
        "class PurgeClosedAccounts < ActiveRecord::Migration[7.1]\n"
        "  def up\n"
        "    Account.where(closed: true).find_each(&:destroy)\n"
        "  end\n"
        "end\n",
    ),
    good=(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint);\n"
        "-- migration\n"
        "class PurgeClosedAccounts < ActiveRecord::Migration[7.1]\n"
        "  def up\n"
        '    execute "DELETE FROM invoices WHERE account_id IN (SELECT id FROM accounts WHERE closed)"\n'
        "    Account.where(closed: true).find_each(&:destroy)\n"
        "  end\n"
        "end\n",
    ),
)
# The examples are a Rails migration of an application whose `Account` model restricts its destroy.
EXAMPLE_PATH = "db/migrate/20260101000000_purge_closed_accounts.rb"
EXAMPLE_HEAD = {
    "app/models/account.rb": "class Account < ApplicationRecord\n"
    "  has_many :invoices, dependent: :restrict_with_error\nend\n"
}
_RESTRICTS = ("restrict_with_exception", "restrict_with_error")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataDelete) or not op.cascades_in_code or not op.dependents:
            continue
        handled = {
            str(getattr(earlier, "table", ""))
            for earlier in migration.up[:index]
            if isinstance(earlier, DataDelete)
        }
        restricting = [
            d
            for d in op.dependents
            if d.action in _RESTRICTS and d.table not in handled and _destroyed(d.references, op)
        ]
        if restricting:
            yield _finding(op, restricting, context)


def _destroyed(table: str, op: DataDelete) -> bool:
    """Are rows of `table` destroyed through their model by this delete (the table itself, or one reached
    through `dependent: :destroy`)?"""
    reached, pending = {op.table}, [op.table]
    while pending:
        parent = pending.pop()
        for d in op.dependents:
            if (
                d.action in ("destroy", "destroy_async")
                and same_table(d.references, parent)
                and d.table not in reached
            ):
                reached.add(d.table)
                pending.append(d.table)
    return any(same_table(table, t) for t in reached)


def _finding(op: DataDelete, restricting: list[Dependent], context: Context) -> Finding:
    raises = [d for d in restricting if d.action == "restrict_with_exception"]
    skips = [d for d in restricting if d.action == "restrict_with_error"]
    said = []
    if raises:
        said.append(
            "raises `ActiveRecord::DeleteRestrictionError` at the first row that still has "
            + ", ".join(f"`{d.table}`" for d in raises)
            + " rows, and the migration stops there"
        )
    if skips:
        said.append(
            "keeps, silently, every row that still has "
            + ", ".join(f"`{d.table}`" for d in skips)
            + " rows: `destroy` returns false and the loop goes on"
        )
    declared = "; ".join(d.declared for d in restricting)
    return op.finding(
        RULE,
        f"Rows of `{op.table}` are destroyed through the model, whose {declared} restricts it: the destroy "
        + ", and ".join(said)
        + ".",
        blast_radius=f"The rows of {context.size_words(op.table)} that have dependents"
        + (" stop the deploy" if raises else " stay, although the migration reports success")
        + "; count them first: "
        + " and ".join(f"`SELECT count(DISTINCT {d.columns[0]}) FROM {d.table}`" for d in restricting)
        + ".",
        fix="Deal with the dependent rows first (delete or reassign them in the migration), or destroy only the "
        "parents that have none (`where.missing(:association)`) and say what happens to the others.",
    )
