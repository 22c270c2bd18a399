import pytest

from tests.conftest import review_sql

RULE = "dual-write-incomplete"
NAMES = [
    ("identities", "sessions", "authenticated_at", "last_authenticated_at"),
    ("customers", "orders", "placed_at", "last_order_at"),
    ("devices", "pings", "seen_at", "last_seen_at"),
]


def _schema(table: str, other: str, source: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} timestamptz);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, owner_id bigint, {source} timestamptz);\n-- migration\n"
    )


@pytest.mark.parametrize(("table", "other", "source", "target"), NAMES)
def test_a_value_from_another_relation_is_no_copy_of_a_column(
    table: str, other: str, source: str, target: str
) -> None:
    """`SET target = latest.source FROM (…) AS latest`: `source` is the other relation's column, not this
    table's, so the statement is no expand step of a rename."""
    sql = _schema(table, other, source) + (
        f"ALTER TABLE {table} ADD COLUMN {target} timestamptz;\n"
        f"UPDATE {table} AS t SET {target} = latest.{source}\n"
        f"FROM (SELECT owner_id, max({source}) AS {source} FROM {other} GROUP BY owner_id) AS latest\n"
        "WHERE latest.owner_id = t.id;"
    )
    assert RULE not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "other", "source", "target"), NAMES)
def test_a_column_of_the_changed_table_copied_is_an_expand_step(
    table: str, other: str, source: str, target: str
) -> None:
    sql = _schema(table, other, source) + (
        f"ALTER TABLE {table} ADD COLUMN {target} timestamptz;\n"
        f"UPDATE {table} AS t SET {target} = t.{source} WHERE t.id IN (SELECT owner_id FROM {other});"
    )
    [finding] = [f for f in review_sql(sql).active if f.rule == RULE]
    assert f"`{table}.{target}` is backfilled from `{source}`" in finding.message
