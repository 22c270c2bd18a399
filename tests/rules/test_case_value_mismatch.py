from typing import Any

from bot.model.findings import Severity
from tests.conftest import review_sql

MODEL = {
    "app/models/order.rb": "class Order < ApplicationRecord\n  enum status: { paid: 'paid', open: 'open' }\nend\n"
}
BATCH = "WHERE id >= 1 AND id < 1000"


def _found(sql: str, head: dict[str, str] | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, head=head).active if f.rule == "case-value-mismatch"]


def test_value_differing_by_case_from_the_code_is_found_with_its_definition() -> None:
    found = _found(
        f"UPDATE orders SET state = CASE status WHEN 'Paid' THEN 's' WHEN 'open' THEN 'o' ELSE state END {BATCH};",
        MODEL,
    )
    assert len(found) == 1
    assert "'paid'" in found[0].message and found[0].references[0].path == "app/models/order.rb"
    assert found[0].references[0].line == 2


def test_value_with_trailing_space_without_else_is_critical() -> None:
    found = _found(f"UPDATE orders SET state = CASE status WHEN 'paid ' THEN 's' END {BATCH};", MODEL)
    assert found and found[0].severity is Severity.CRITICAL


def test_capitals_compared_with_lower_never_match() -> None:
    found = _found(
        f"UPDATE orders SET state = CASE lower(status) WHEN 'Paid' THEN 's' ELSE state END {BATCH};"
    )
    assert found and "can never equal" in found[0].message


def test_exact_values_and_deliberate_legacy_spellings_are_quiet() -> None:
    assert not _found(
        f"UPDATE orders SET state = CASE status WHEN 'paid' THEN 's' ELSE state END {BATCH};", MODEL
    )
    assert not _found(
        f"UPDATE orders SET state = CASE status WHEN 'paid' THEN 's' WHEN 'Paid' THEN 's' ELSE state END {BATCH};",
        MODEL,
    )


def test_mysql_collations_ignore_case_and_trailing_spaces(mariadb: Any) -> None:
    sql = f"UPDATE orders SET state = CASE status WHEN 'Paid' THEN 's' WHEN 'open ' THEN 'o' END {BATCH};"
    assert not [
        f for f in review_sql(sql, head=MODEL, dialect="mysql").active if f.rule == "case-value-mismatch"
    ]
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20), state varchar(20))")
        cursor.execute("INSERT INTO orders (id, status) VALUES (1, 'paid'), (2, 'open')")
        cursor.execute(sql.rstrip(";"))
        cursor.execute("SELECT state FROM orders ORDER BY id")
        assert cursor.fetchall() == (("s",), ("o",))


def test_postgres_really_misses_them(pg: Any) -> None:
    sql = f"UPDATE orders SET state = CASE status WHEN 'Paid' THEN 's' WHEN 'open ' THEN 'o' END {BATCH}"
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20), state varchar(20))")
    pg.execute("INSERT INTO orders (id, status) VALUES (1, 'paid'), (2, 'open')")
    pg.execute(sql)
    assert pg.execute("SELECT state FROM orders ORDER BY id").fetchall() == [(None,), (None,)]


TYPO_DOMAINS = [
    (
        {
            "app/models/order.rb": "class Order < ApplicationRecord\n  enum status: { pending: 'pending', cancelled: 'cancelled', shipped: 'shipped' }\nend\n"
        },
        "orders",
        "status",
        [("canceled", "cancelled"), ("shiped", "shipped"), ("pedning", "pending")],
    ),
    (
        {
            "billing/models.py": (
                "from django.db import models\n\n\nclass Invoice(models.Model):\n"
                "    class State(models.TextChoices):\n        DRAFT = 'draft'\n        OVERDUE = 'overdue'\n"
                "        SETTLED = 'settled'\n\n    state = models.CharField(max_length=20, choices=State.choices)\n"
            )
        },
        "billing_invoice",
        "state",
        [("overdeu", "overdue"), ("setled", "settled")],
    ),
]


def test_a_when_value_a_letter_from_the_codes_value_is_a_typo() -> None:
    for head, table, column, typos in TYPO_DOMAINS:
        for typo, member in typos:
            sql = f"UPDATE {table} SET label = CASE {column} WHEN '{typo}' THEN 'x' END {BATCH};"
            found = _found(sql, head)
            assert len(found) == 1 and found[0].severity is Severity.CRITICAL, (typo, found)
            assert f"`'{typo}'` differs from `'{member}'` by a letter or two" in found[0].message


def test_legacy_spellings_mapped_to_the_member_and_far_values_are_no_typo() -> None:
    for head, table, column, typos in TYPO_DOMAINS:
        for typo, member in typos:
            # the CASE maps the old spelling onto the member: a fix of legacy rows
            fix = f"UPDATE {table} SET label = CASE {column} WHEN '{typo}' THEN '{member}' ELSE label END {BATCH};"
            assert not _found(fix, head)
            # the CASE rewrites the column it reads: its WHEN values are the old ones
            own = f"UPDATE {table} SET {column} = CASE {column} WHEN '{typo}' THEN 'x' ELSE {column} END {BATCH};"
            assert not _found(own, head)
        far = f"UPDATE {table} SET label = CASE {column} WHEN 'archived' THEN 'x' ELSE label END {BATCH};"
        assert not _found(far, head)
