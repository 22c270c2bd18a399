import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

PRIORITY = {"app/priority.py": "class Priority(IntEnum):\n    LOW = 1\n    NORMAL = 2\n    HIGH = 3\n"}


def _found(sql: str, head: dict[str, str] | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, head=head).active if f.rule == "hard-coded-id"]


def test_literal_ids_are_environment_specific() -> None:
    found = _found("UPDATE accounts SET plan_id = 2 WHERE id IN (3, 4);")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert "plan_id = 2" in found[0].message and "(3, 4)" in found[0].message


def test_case_mapping_that_contradicts_the_code_is_an_id_swap() -> None:
    sql = (
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END\n"
        "WHERE id >= 1 AND id < 1000;"
    )
    found = _found(sql, PRIORITY)
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert "HIGH = 3" in found[0].message and "1 is `LOW`" in found[0].message
    assert {r.line for r in found[0].references} == {2, 4}


def test_single_assignment_contradicting_the_code_is_an_id_swap() -> None:
    found = _found("UPDATE tickets SET priority_id = 1 WHERE priority = 'high';", PRIORITY)
    assert found and found[0].severity is Severity.CRITICAL


def test_case_results_without_constants_ask_for_a_check() -> None:
    found = _found(
        "ALTER TABLE orders ADD COLUMN state_id integer REFERENCES order_states (id);\n"
        "UPDATE orders SET state_id = CASE status WHEN 'open' THEN 1 ELSE 2 END WHERE id >= 1 AND id < 9;"
    )
    assert found and "order_states" in found[0].message


def test_ids_matching_the_code_and_key_ranges_are_quiet() -> None:
    sql = "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 3 WHEN 'low' THEN 1 ELSE 2 END WHERE id >= 1 AND id < 1000;"
    assert not _found(sql, PRIORITY)
    assert not _found(
        "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'pro') WHERE id BETWEEN 1 AND 1000;"
    )


def test_ids_are_compared_with_the_rows_a_lookup_table_is_seeded_with() -> None:
    seeds = {
        "db/migrations/001_states.sql": "CREATE TABLE order_states (id integer PRIMARY KEY, name text);\n"
        "INSERT INTO order_states (id, name) VALUES (1, 'open'), (2, 'paid'),\n  (3, 'refunded'), (4, 'cancelled');\n"
    }
    sql = "UPDATE orders SET state_id = CASE status WHEN 'open' THEN 1 WHEN 'cancelled' THEN 3 ELSE state_id END WHERE id >= 1 AND id < 9;"
    found = _found(sql, seeds)
    assert found and found[0].severity is Severity.CRITICAL
    assert "3 is `refunded`" in found[0].message
    assert found[0].references[0].path == "db/migrations/001_states.sql" and found[0].references[0].line == 3


SEEDED = (
    "CREATE TABLE {lookup} (id integer PRIMARY KEY, code text NOT NULL);\n"
    "INSERT INTO {lookup} (id, code) VALUES (1, 'free'), (2, 'pro');\n"
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} integer REFERENCES {lookup} (id), note text);\n"
    "-- migration\n"
)
SEEDED_NAMES = [
    {"lookup": "plans", "table": "accounts", "column": "plan_id"},
    {"lookup": "tiers", "table": "customers", "column": "service_tier_id"},
]


@pytest.mark.parametrize("names", SEEDED_NAMES)
def test_ids_are_checked_against_the_rows_the_migrations_seed(names: dict[str, str]) -> None:
    schema = SEEDED.format(**names)
    table, column, lookup = names["table"], names["column"], names["lookup"]
    found = _found(schema + f"UPDATE {table} SET {column} = 7 WHERE note = 'x';")
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert "7" in found[0].message and f"`{lookup}` only with id 1 `free`, 2 `pro`" in found[0].message
    inserted = _found(schema + f"INSERT INTO {table} (id, {column}) VALUES (10, 2), (11, 9);")
    assert inserted and "9" in inserted[0].message and inserted[0].severity is Severity.CRITICAL
    seeded = _found(schema + f"UPDATE {table} SET {column} = 2 WHERE note = 'x';")
    assert [f.severity for f in seeded] == [Severity.INFO] and "`pro`" in seeded[0].message
    assert not _found(schema + f"INSERT INTO {table} (id, {column}) VALUES (10, 2);")


def test_seeds_without_explicit_keys_or_deleted_later_say_nothing_of_them() -> None:
    serial = (
        "CREATE TABLE plans (id serial PRIMARY KEY, code text);\nINSERT INTO plans (code) VALUES ('free');\n"
        "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id integer REFERENCES plans (id));\n-- migration\n"
        "UPDATE accounts SET plan_id = 7 WHERE id IN (3, 4);"
    )
    found = _found(serial)
    assert [f.severity for f in found] == [Severity.WARNING] and "seed" not in found[0].message
    emptied = SEEDED.format(**SEEDED_NAMES[0]).replace("-- migration\n", "DELETE FROM plans;\n-- migration\n")
    found = _found(emptied + "UPDATE accounts SET plan_id = 7 WHERE note = 'x';")
    assert [f.severity for f in found] == [Severity.WARNING] and "seed" not in found[0].message


@pytest.mark.parametrize(
    ("lookup", "table", "key", "labels"),
    [
        ("order_states", "orders", "state_id", ("paid", "open", "refunded")),
        ("tiers", "accounts", "tier_id", ("free", "pro", "legacy")),
    ],
)
def test_an_id_set_for_rows_chosen_by_a_label_is_checked_against_the_seeds(
    lookup, table, key, labels
) -> None:  # type: ignore[no-untyped-def]
    """`SET state_id = 2 WHERE status = 'paid'` where the migrations seed paid as 1 is a swap (critical); an ID
    whose seeded row has another name than the label chosen (`3` is refunded, the rows are `'cancelled'`) is a
    warning; the ID of the label's own row is only the reminder that production must have it."""
    first, second, third = labels
    schema = (
        f"CREATE TABLE {lookup} (id int PRIMARY KEY, name text NOT NULL UNIQUE);\n"
        f"INSERT INTO {lookup} (id, name) VALUES (1, '{first}'), (2, '{second}'), (3, '{third}');\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, status text, note text, {key} int REFERENCES {lookup} (id));\n"
        "-- migration\n"
    )

    def found(sql: str) -> list:  # type: ignore[type-arg]
        return [f for f in review_sql(schema + sql, dialect="postgres").active if f.rule == "hard-coded-id"]

    (swap,) = found(f"UPDATE {table} SET {key} = 2 WHERE status = '{first}' AND id < 1000;")
    assert swap.severity == "critical" and f"2 is `{second}` there" in swap.message
    (other,) = found(f"UPDATE {table} SET {key} = 3 WHERE status = 'cancelled' AND id < 1000;")
    assert other.severity == "warning" and f"as `{third}`" in other.message
    (right,) = found(f"UPDATE {table} SET {key} = 1 WHERE status = '{first.upper()}' AND id < 1000;")
    assert right.severity == "info"
    # a label of another column (a note, a name) says nothing of what the ID means
    (unrelated,) = found(f"UPDATE {table} SET {key} = 3 WHERE note = 'cancelled' AND id < 1000;")
    assert unrelated.severity == "info"
