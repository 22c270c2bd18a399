"""An Alembic revision drops a constraint by the name `None`: Alembic cannot drop a constraint it cannot name.

## Why is this bad?
`op.drop_constraint(None, "users", type_="foreignkey")` is what `alembic revision --autogenerate` writes in
`downgrade()` for a key the upgrade created without a name (`op.create_foreign_key(None, …)`): the database
named that key itself (`users_team_id_fkey` on PostgreSQL, `users_ibfk_1` on MySQL), and the revision does
not know the name. SQLAlchemy refuses to write the statement (PostgreSQL: `CompileError: Can't emit DROP
CONSTRAINT … it has no name`; MySQL: an `AssertionError`), and `batch_alter_table` refuses it too
(`Constraint must have a name`). The revision fails at that line: for a downgrade, on the day a release has
to be taken back, with the statements before it (outside a transaction, on MySQL) already run.

## Use instead
Name the constraint where it is created (`op.create_foreign_key("users_team_id_fkey", …)`) and drop it by
that name. For a constraint already created without one, drop it by the name the database gave it
(`users_team_id_fkey` on PostgreSQL, `<table>_ibfk_<n>` on MySQL; look it up in `pg_constraint` or
`information_schema.table_constraints`).

## Framework notes
A naming convention on the target metadata (`MetaData(naming_convention=…)`) names a new constraint, but a
constraint Alembic is asked to drop by `None` has no columns to name it by: conventions with
`%(column_0_name)s` fail as well (`IndexError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddConstraint, DropConstraint, Migration
from bot.rules.context import Context

RULE = Rule(
    id="unnamed-constraint-drop",
    dimension=Dimension.ROLLBACK,
    severity=Severity.CRITICAL,
    help="Name the constraint where it is created, and drop it by that name (or by the name the database gave it).",
    bad=(
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "3f2a1b"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))\n'
        '    op.create_foreign_key(None, "users", "teams", ["team_id"], ["id"])\n\n\n'
        'def downgrade():\n    op.drop_constraint(None, "users", type_="foreignkey")\n'
        '    op.drop_column("users", "team_id")\n',
    ),
    good=(
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "3f2a1b"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))\n'
        '    op.create_foreign_key("users_team_id_fkey", "users", "teams", ["team_id"], ["id"])\n\n\n'
        'def downgrade():\n    op.drop_constraint("users_team_id_fkey", "users", type_="foreignkey")\n'
        '    op.drop_column("users", "team_id")\n',
    ),
)

EXAMPLE_PATH = "migrations/versions/3f2a1b_add_team.py"

# `op.drop_constraint(None, …)`, `batch_op.drop_constraint(constraint_name=None, …)`
_BY_NONE = re.compile(r"\bdrop_constraint\(\s*(?:constraint_name\s*=\s*)?None\s*[,)]")
_FOREIGN_KEY = re.compile(r"""\btype_\s*=\s*["']foreignkey["']""")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework != "alembic":
        return
    for side, ops in (("upgrade()", migration.up), ("downgrade()", migration.down or ())):
        for index, op in enumerate(ops):
            if not isinstance(op, DropConstraint) or op.name or not _BY_NONE.search(op.sql):
                continue
            ran = "already run" if index else "(none: it is the first)"
            yield op.finding(
                RULE,
                f"`{side}` drops a constraint of `{op.table}` by the name `None`: SQLAlchemy cannot write a DROP "
                "CONSTRAINT without a name, and the revision fails at this line.",
                blast_radius=(
                    f"The rollback stops here, with the statements before it {ran}: the release cannot be taken "
                    "back until someone finishes the downgrade by hand."
                    if side == "downgrade()"
                    else f"The upgrade stops here and the deploy fails, with the statements before it {ran} where "
                    "the database cannot roll DDL back (MySQL)."
                ),
                fix=f"Drop it by the name the database gave it ({_given_name(op, migration, context.dialect)}), "
                "and name constraints where they are created.",
            )


def _given_name(op: DropConstraint, migration: Migration, dialect: str) -> str:
    """The name the database gave the key the upgrade created unnamed on the table: PostgreSQL's
    `<table>_<columns>_fkey`; MySQL numbers its keys per table (`<table>_ibfk_<n>`)."""
    table = op.table.rpartition(".")[2]
    if not _FOREIGN_KEY.search(op.sql):
        return "see `information_schema.table_constraints`"
    if dialect in ("mysql", "mariadb"):
        return f"`{table}_ibfk_<n>`: see `SHOW CREATE TABLE {table}`"
    keys = [
        o
        for o in migration.up
        if isinstance(o, AddConstraint)
        and o.constraint == "foreign_key"
        and not o.name
        and o.columns
        and o.table.rpartition(".")[2] == table
    ]
    if len(keys) == 1:
        return f"`{table}_{'_'.join(keys[0].columns)}_fkey` for the key the upgrade creates"
    return f"PostgreSQL names a foreign key `{table}_<columns>_fkey`; see `pg_constraint`"
