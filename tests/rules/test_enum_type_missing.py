"""enum-type-missing: Alembic's add_column and alter_column with a named `sa.Enum` create no type (SQLAlchemy
creates it only for create_table); on PostgreSQL 15 both stop with `type "…" does not exist` unless the type was
created first (checked with alembic 1.x on PostgreSQL 15)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    ("invoices", "status", "invoice_status", ("open", "paid")),
    ("tickets", "priority", "ticket_priority", ("low", "high")),
]
RULE = "enum-type-missing"


def _revision(body: str) -> str:
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        'revision = "0002"\ndown_revision = "0001"\n\n\n'
        f"def upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
    )


def _initial(table: str, column: str, extra: str = "") -> str:
    return _revision(
        f'    op.create_table("{table}", sa.Column("id", sa.BigInteger, primary_key=True), '
        f'sa.Column("{column}", sa.String(20)){extra})'
    ).replace('revision = "0002"\ndown_revision = "0001"', 'revision = "0001"\ndown_revision = None')


def _found(
    table: str, column: str, body: str, *, initial: str | None = None, dialect: str = "postgres"
) -> list[str]:
    base = {"alembic/versions/0001_init.py": initial if initial is not None else _initial(table, column)}
    result = review_sql(_revision(body), path="alembic/versions/0002_change.py", base=base, dialect=dialect)
    return [f.message for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "column", "type_name", "labels"), NAMES)
def test_alter_column_and_add_column_to_an_enum_never_created(
    table: str, column: str, type_name: str, labels: tuple[str, ...]
) -> None:
    enum = f'sa.Enum({", ".join(repr(v) for v in labels)}, name="{type_name}")'
    for body in (
        f'    op.alter_column("{table}", "{column}", type_={enum}, postgresql_using="{column}::{type_name}")',
        f'    op.add_column("{table}", sa.Column("{column}_next", {enum}))',
        f"    kind = {enum}\n"
        f'    op.alter_column("{table}", "{column}", type_=kind, postgresql_using="{column}::{type_name}")',
    ):
        messages = _found(table, column, body)
        assert len(messages) == 1 and f'type "{type_name}" does not exist' in messages[0], (body, messages)
        assert f"`{table}.{column}" in messages[0]


@pytest.mark.parametrize(("table", "column", "type_name", "labels"), NAMES)
def test_a_type_created_first_or_elsewhere_is_not(
    table: str, column: str, type_name: str, labels: tuple[str, ...]
) -> None:
    enum = f'sa.Enum({", ".join(repr(v) for v in labels)}, name="{type_name}")'
    alter = (
        f'    op.alter_column("{table}", "{column}", type_=kind, postgresql_using="{column}::{type_name}")'
    )
    listed = ", ".join(f"'{v}'" for v in labels)
    for body in (
        f"    kind = {enum}\n    kind.create(op.get_bind(), checkfirst=True)\n{alter}",
        f'    op.execute("CREATE TYPE {type_name} AS ENUM ({listed})")\n    kind = {enum}\n{alter}',
        # stored as a string, no type at all
        f'    op.alter_column("{table}", "{column}", type_=sa.Enum({listed}, name="{type_name}", native_enum=False))',
    ):
        assert not _found(table, column, body), body
    # created by an earlier revision's create_table (SQLAlchemy's create event)
    made = _initial(table, column, f', sa.Column("{column}_old", {enum})')
    assert not _found(table, column, f"    kind = {enum}\n{alter}", initial=made)
    # MySQL keeps the labels in the column
    assert not _found(table, column, f"    kind = {enum}\n{alter}", dialect="mysql")
    # a table the migrations never created: its types may come from anywhere
    assert not _found(table, column, f"    kind = {enum}\n{alter}", initial=_revision("    pass"))
