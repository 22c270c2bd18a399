"""set-null-on-required-column: PostgreSQL 15's `ON DELETE SET NULL (col)` writes only the columns it lists, so
a composite key (`(account_id, client_token_id)`) whose NOT NULL tenant column is left out is no contradiction
(firezone's devices token keys)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "set-null-on-required-column"
NAMES = [
    ("devices", "account_id", "client_token_id", "client_tokens"),
    ("line_items", "shop_id", "coupon_id", "coupons"),
]


def _sql(child: str, tenant: str, ref: str, parent: str, action: str) -> str:
    return (
        f"CREATE TABLE {parent} ({tenant} bigint NOT NULL, id bigint NOT NULL, PRIMARY KEY ({tenant}, id));\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {tenant} bigint NOT NULL, {ref} bigint);\n-- migration\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_{ref}_fkey FOREIGN KEY ({tenant}, {ref}) "
        f"REFERENCES {parent} ({tenant}, id) ON DELETE {action} NOT VALID;\n"
    )


@pytest.mark.parametrize(("child", "tenant", "ref", "parent"), NAMES)
def test_a_column_list_leaves_the_required_column_alone(
    child: str, tenant: str, ref: str, parent: str
) -> None:
    listed = review_sql(_sql(child, tenant, ref, parent, f"SET NULL ({ref})"))
    assert RULE not in {f.rule for f in listed.active}
    # without the list the delete writes NULL into every column of the key, the NOT NULL one too
    (finding,) = [
        f for f in review_sql(_sql(child, tenant, ref, parent, "SET NULL")).active if f.rule == RULE
    ]
    assert f"`{child}.{tenant}`" in finding.message
    # a list that names the required column is the contradiction again
    named = review_sql(_sql(child, tenant, ref, parent, f"SET NULL ({tenant})")).active
    assert [f for f in named if f.rule == RULE and f"`{child}.{tenant}`" in f.message]


def test_postgresql_deletes_the_parent_when_the_list_leaves_the_required_column_out(pg: Any) -> None:
    pg.execute(
        "CREATE TABLE tokens (account_id bigint NOT NULL, id bigint NOT NULL, PRIMARY KEY (account_id, id))"
    )
    pg.execute("CREATE TABLE devices (id bigint PRIMARY KEY, account_id bigint NOT NULL, token_id bigint)")
    pg.execute(
        "ALTER TABLE devices ADD CONSTRAINT devices_token_fkey FOREIGN KEY (account_id, token_id) "
        "REFERENCES tokens (account_id, id) ON DELETE SET NULL (token_id)"
    )
    pg.execute("INSERT INTO tokens VALUES (1, 10), (1, 11)")
    pg.execute("INSERT INTO devices VALUES (100, 1, 10), (101, 1, 11)")
    pg.execute("DELETE FROM tokens WHERE id = 10")
    assert pg.execute("SELECT account_id, token_id FROM devices WHERE id = 100").fetchone() == (1, None)
    pg.execute("ALTER TABLE devices DROP CONSTRAINT devices_token_fkey")
    pg.execute(
        "ALTER TABLE devices ADD CONSTRAINT devices_token_fkey FOREIGN KEY (account_id, token_id) "
        "REFERENCES tokens (account_id, id) ON DELETE SET NULL"
    )
    assert "violates not-null constraint" in refusal(pg.execute, "DELETE FROM tokens WHERE id = 11")
