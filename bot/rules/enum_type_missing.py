"""A column is given a PostgreSQL enum type that no migration has created: the statement fails.

## Why is this bad?
SQLAlchemy creates the type of a named `sa.Enum("open", "paid", name="invoice_status")` only when it
creates the table (`op.create_table`). Alembic's `op.add_column` and `op.alter_column(…, type_=sa.Enum(…))`
send `ALTER TABLE invoices ADD COLUMN status invoice_status` (or `ALTER COLUMN status TYPE invoice_status`)
and nothing before it: PostgreSQL stops with `type "invoice_status" does not exist`. The migration fails on
every database, the deploy stops there, and a migration that runs outside a transaction keeps what it did
before this statement.

## Use instead
Create the type first, in the same migration: `status = sa.Enum("open", "paid", name="invoice_status")`,
`status.create(op.get_bind(), checkfirst=True)`, then `op.add_column(…, sa.Column("status", status))` or
`op.alter_column(…, type_=status, postgresql_using="status::invoice_status")`; drop it in the downgrade after
the column.

## Framework notes
Only the types the review knows the whole history of are checked: the table's creation was read, and the
type is neither created by a migration before this statement (`create_table` with the Enum, `.create(…)`,
`CREATE TYPE` in SQL) nor renamed to that name.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AlterColumnType, Migration
from bot.rules.context import Context

RULE = Rule(
    id="enum-type-missing",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Create the enum type (`sa.Enum(…).create(op.get_bind(), checkfirst=True)`) before the column uses it.",
    bad=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, status varchar(20));\n-- migration\n"
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\n'
        "def upgrade():\n"
        '    op.alter_column("invoices", "status", type_=sa.Enum("open", "paid", name="invoice_status"),\n'
        '                    postgresql_using="status::invoice_status")\n',
    ),
    good=(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, status varchar(20));\n-- migration\n"
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\n'
        "def upgrade():\n"
        '    status = sa.Enum("open", "paid", name="invoice_status")\n'
        "    status.create(op.get_bind(), checkfirst=True)\n"
        '    op.alter_column("invoices", "status", type_=status, postgresql_using="status::invoice_status")\n',
    ),
    dialects=("postgres",),
)
EXAMPLE_PATH = "alembic/versions/0002_status_enum.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, AddColumn | AlterColumnType) or not op.enum_type:
            continue
        catalog = context.before(op)
        if not _history_known(catalog, op.table) or _exists(catalog, op.enum_type):
            continue
        column = op.column.name if isinstance(op, AddColumn) else op.column
        yield op.finding(
            RULE,
            f"`{op.table}.{column}` is given the enum type `{op.enum_type}`, which no migration before this "
            f'statement creates, and this call creates none: PostgreSQL stops with `type "{op.enum_type}" '
            "does not exist`.",
            blast_radius="The migration fails at this statement on every database; the deploy stops, and "
            "what the migration ran before it outside a transaction stays applied.",
            fix=f'Create the type first: `invoice = sa.Enum(…, name="{op.enum_type}")`, '
            "`invoice.create(op.get_bind(), checkfirst=True)`, then use it for the column; drop it in the "
            "downgrade after the column.",
        )


def _history_known(catalog: Catalog, table: str) -> bool:
    """The table's creation was read: the types the migrations made are all in the catalog."""
    known = catalog.tables.get(table)
    return known is not None and not known.partial


def _exists(catalog: Catalog, name: str) -> bool:
    bare = name.rsplit(".", 1)[-1].strip('"').lower()
    return any(n.rsplit(".", 1)[-1].strip('"').lower() == bare for n in catalog.enums)
