import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

UPDATE = (
    "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' WHEN 'open' THEN 'pending' END\n"
    "WHERE id >= 1 AND id < 1000;"
)

SOURCES = {
    "rails": {
        "app/models/order.rb": "class Order < ApplicationRecord\n  enum status: {\n    paid: 'paid',\n    open: 'open',\n    refunded: 'refunded'\n  }\nend\n"
    },
    "django": {
        "shop/models.py": "class OrderStatus(models.TextChoices):\n    PAID = 'paid', 'Paid'\n    OPEN = 'open', 'Open'\n    REFUNDED = 'refunded', 'Refunded'\n\n\nclass Order(models.Model):\n    status = models.CharField(max_length=20, choices=OrderStatus.choices)\n"
    },
    "python-enum": {
        "shop/status.py": "class OrderStatus(str, Enum):\n    PAID = 'paid'\n    OPEN = 'open'\n    REFUNDED = 'refunded'\n"
    },
    "typescript-enum": {
        "web/order.ts": "export enum OrderStatus {\n  Paid = 'paid',\n  Open = 'open',\n  Refunded = 'refunded',\n}\n"
    },
    "typescript-union": {"web/order.ts": "export type OrderStatus = 'paid' | 'open' | 'refunded';\n"},
    "go": {
        "orders/status.go": 'package orders\n\ntype Status string\n\nconst (\n\tStatusPaid Status = "paid"\n\tStatusOpen Status = "open"\n\tStatusRefunded Status = "refunded"\n)\n\ntype Order struct {\n\tStatus Status `db:"status"`\n}\n'
    },
    "java": {
        "src/OrderStatus.java": 'public enum OrderStatus {\n    PAID("paid"),\n    OPEN("open"),\n    REFUNDED("refunded");\n    OrderStatus(String v) {}\n}\n'
    },
    "kotlin": {
        "src/OrderStatus.kt": 'enum class OrderStatus(val value: String) {\n    PAID("paid"), OPEN("open"), REFUNDED("refunded")\n}\n'
    },
    "prisma": {
        "prisma/schema.prisma": "model Order {\n  id Int @id\n  status OrderStatus\n}\n\nenum OrderStatus {\n  paid\n  open\n  refunded\n}\n"
    },
    "database-enum": {
        "db/migrations/000_types.sql": "CREATE TYPE order_status AS ENUM ('paid', 'open', 'refunded');\n"
    },
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_value_the_code_defines_but_no_when_covers_is_critical(source: str) -> None:
    found = [f for f in review_sql(UPDATE, head=SOURCES[source]).active if f.rule == "unmapped-code-value"]
    assert len(found) == 1, source
    finding = found[0]
    assert finding.severity is Severity.CRITICAL and "`refunded`" in finding.message
    (path,) = SOURCES[source]
    assert [r.path for r in finding.references] == [path]
    line = SOURCES[source][path].splitlines()[finding.references[0].line - 1]
    assert "refunded" in line.lower()


def test_database_enum_from_the_schema_before_the_change() -> None:
    schema = (
        "CREATE TYPE order_status AS ENUM ('paid', 'open', 'refunded');\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, status order_status, state text);\n-- migration\n"
    )
    found = [f for f in review_sql(schema + UPDATE).active if f.rule == "unmapped-code-value"]
    assert found and found[0].references[0].path == "db/migrations/000_schema.sql"


def test_else_turns_it_into_information() -> None:
    sql = UPDATE.replace(" END", " ELSE 'other' END")
    found = [f for f in review_sql(sql, head=SOURCES["rails"]).active if f.rule == "unmapped-code-value"]
    assert found and found[0].severity is Severity.INFO


def test_complete_mapping_and_unrelated_enums_are_quiet() -> None:
    complete = UPDATE.replace(" END", " WHEN 'refunded' THEN 'reversed' END")
    assert "unmapped-code-value" not in {f.rule for f in review_sql(complete, head=SOURCES["rails"]).active}
    unrelated = {"web/colors.ts": "export enum OrderStatus { Red = 'red', Green = 'green' }\n"}
    assert "unmapped-code-value" not in {f.rule for f in review_sql(UPDATE, head=unrelated).active}


def test_lower_case_comparison_covers_upper_case_code_values() -> None:
    code = {"src/OrderStatus.java": "enum OrderStatus { PAID, OPEN }\n"}
    sql = "UPDATE orders SET state = CASE lower(status) WHEN 'paid' THEN 's' WHEN 'open' THEN 'o' END WHERE id >= 1 AND id < 9;"
    assert "unmapped-code-value" not in {f.rule for f in review_sql(sql, head=code).active}


def test_check_constraint_and_mysql_enum_columns_define_values() -> None:
    check = "CREATE TABLE orders (id bigint PRIMARY KEY, state text,\n  status text CHECK (status IN ('paid', 'open', 'refunded')));\n"
    found = [
        f for f in review_sql(check + "-- migration\n" + UPDATE).active if f.rule == "unmapped-code-value"
    ]
    assert found and found[0].references[0].line == 2
    enum = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, state text, status ENUM('paid', 'open', 'refunded'));\n"
    )
    found = [
        f
        for f in review_sql(enum + "-- migration\n" + UPDATE, dialect="mysql").active
        if f.rule == "unmapped-code-value"
    ]
    assert found and "`refunded`" in found[0].message


def test_a_check_on_another_tables_column_of_the_same_name_is_not_used() -> None:
    other = {
        "db/migrations/000_tickets.sql": "CREATE TABLE tickets (id bigint, status text CHECK (status IN ('paid', 'open', 'closed')));\n"
    }
    assert "unmapped-code-value" not in {f.rule for f in review_sql(UPDATE, head=other).active}


def test_values_added_to_a_database_enum_later_count_too() -> None:
    types = {
        "db/migrations/000_types.sql": "CREATE TYPE order_status AS ENUM ('paid', 'open');\n",
        "db/migrations/001_more.sql": "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';\n",
    }
    found = [f for f in review_sql(UPDATE, head=types).active if f.rule == "unmapped-code-value"]
    assert found and "`refunded`" in found[0].message
    assert found[0].references[0].path == "db/migrations/001_more.sql"
