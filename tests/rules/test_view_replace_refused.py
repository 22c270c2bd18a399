"""view-replace-refused: CREATE OR REPLACE VIEW must keep the old view's columns first, named and in order
(PostgreSQL refuses anything else: shown on the real database below)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "view-replace-refused"
NAMES = [("orders", "order_totals", "qty", "price"), ("invoices", "invoice_lines", "units", "amount")]


def _schema(table: str, view: str, a: str, b: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {a} integer, {b} numeric, owner_id bigint);\n"
        f"CREATE VIEW {view} AS SELECT id, {a}, {a} * {b} AS total FROM {table};\n-- migration\n"
    )


def _found(sql: str) -> list[str]:
    return [f.message for f in review_sql(sql).active if f.rule == RULE]


@pytest.mark.parametrize(("table", "view", "a", "b"), NAMES)
def test_a_column_dropped_renamed_or_moved_is_refused(table: str, view: str, a: str, b: str) -> None:
    schema = _schema(table, view, a, b)
    for select, said in (
        (f"SELECT id, {a} * {b} AS total FROM {table}", f"drops or renames `{a}`"),
        (f"SELECT id, {a} AS quantity, {a} * {b} AS total FROM {table}", f"drops or renames `{a}`"),
        (f"SELECT id, owner_id, {a}, {a} * {b} AS total FROM {table}", f"moves `{a}`"),
        (f"SELECT id, {a} FROM {table}", "leaves out `total`"),
    ):
        (message,) = _found(schema + f"CREATE OR REPLACE VIEW {view} AS {select};")
        assert said in message and f"`CREATE OR REPLACE VIEW {view}`" in message, message


@pytest.mark.parametrize(("table", "view", "a", "b"), NAMES)
def test_columns_added_at_the_end_or_the_view_dropped_first_are_accepted(
    table: str, view: str, a: str, b: str
) -> None:
    schema = _schema(table, view, a, b)
    for sql in (
        f"CREATE OR REPLACE VIEW {view} AS SELECT id, {a}, {a} * {b} AS total, owner_id FROM {table};",
        f"CREATE OR REPLACE VIEW {view} AS SELECT t.id, t.{a}, t.{a} * t.{b} AS total FROM {table} t WHERE t.{a} > 0;",
        f"DROP VIEW {view};\nCREATE VIEW {view} AS SELECT id, {a} * {b} AS total FROM {table};",
        f"CREATE OR REPLACE VIEW {view}_big AS SELECT id FROM {table};",  # a new view
    ):
        assert not _found(schema + sql), sql


def test_postgres_refuses_what_the_rule_reports(pg) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    pg.execute("CREATE TABLE vr_orders (id bigint PRIMARY KEY, qty integer, price numeric, owner_id bigint)")
    pg.execute("CREATE VIEW vr_totals AS SELECT id, qty, qty * price AS total FROM vr_orders")
    for select in (
        "SELECT id, qty * price AS total FROM vr_orders",
        "SELECT id, owner_id, qty, qty * price AS total FROM vr_orders",
        "SELECT id, qty AS quantity, qty * price AS total FROM vr_orders",
    ):
        with pytest.raises(psycopg.errors.InvalidTableDefinition):
            pg.execute(f"CREATE OR REPLACE VIEW vr_totals AS {select}")
    pg.execute(
        "CREATE OR REPLACE VIEW vr_totals AS SELECT id, qty, qty * price AS total, owner_id FROM vr_orders"
    )
