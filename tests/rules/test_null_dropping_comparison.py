import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

BATCH = "AND id >= 1 AND id < 1000"


def _found(sql: str, head: dict[str, str] | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, head=head).active if f.rule == "null-dropping-comparison"]


def test_not_equal_skips_nulls() -> None:
    found = _found(f"UPDATE orders SET archived = false WHERE status <> 'archived' {BATCH};")
    assert found and "NULL" in found[0].message and "IS DISTINCT FROM" in found[0].fix


def test_not_in_skips_nulls_in_delete_too() -> None:
    assert _found(f"DELETE FROM orders WHERE status NOT IN ('paid', 'open') {BATCH};")


def test_mysql_fix_uses_null_safe_equality() -> None:
    found = [
        f
        for f in review_sql(
            f"UPDATE orders SET archived = 0 WHERE status != 'archived' {BATCH};", dialect="mysql"
        ).active
        if f.rule == "null-dropping-comparison"
    ]
    assert found and "<=>" in found[0].fix


def test_not_null_column_or_explicit_null_handling_is_quiet() -> None:
    schema = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, archived boolean);\n-- migration\n"
    )
    assert not _found(schema + f"UPDATE orders SET archived = false WHERE status <> 'archived' {BATCH};")
    assert not _found(
        f"UPDATE orders SET archived = false WHERE (status <> 'archived' OR status IS NULL) {BATCH};"
    )
    assert not _found(f"UPDATE orders SET archived = false WHERE status IS DISTINCT FROM 'archived' {BATCH};")


def test_padded_literal_is_found() -> None:
    found = _found(f"UPDATE orders SET archived = true WHERE status = 'archived ' {BATCH};")
    assert found and "'archived'" in found[0].fix


def test_case_sensitive_match_on_values_the_code_stores_in_lower_case() -> None:
    code = {"app/models/order.rb": "class Order\n  enum status: { paid: 'paid', open: 'open' }\nend\n"}
    found = _found(f"UPDATE orders SET archived = true WHERE status = 'Paid' {BATCH};", code)
    assert found and "lower(status)" in found[0].fix


def test_is_null_on_a_text_column_mentions_empty_strings() -> None:
    schema = "CREATE TABLE users (id bigint PRIMARY KEY, nickname text);\n-- migration\n"
    found = _found(schema + f"UPDATE users SET nickname = 'anonymous' WHERE nickname IS NULL {BATCH};")
    assert found and found[0].severity is Severity.INFO
    assert not _found(
        schema + f"UPDATE users SET nickname = 'x' WHERE (nickname IS NULL OR nickname = '') {BATCH};"
    )


@pytest.mark.parametrize(
    ("table", "column", "value"), [("users", "status", "'unknown'"), ("devices", "owner_ref", "'none'")]
)
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@pytest.mark.parametrize(("wrong", "right"), [("= NULL", "IS NULL"), ("<> NULL", "IS NOT NULL")])
def test_a_comparison_with_null_matches_no_row(table, column, value, dialect, wrong, right) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), note varchar(20));\n-- migration\n"
    found = [
        f
        for f in review_sql(
            schema + f"UPDATE {table} SET note = {value} WHERE {column} {wrong} {BATCH};", dialect=dialect
        ).active
        if f.rule == "null-dropping-comparison"
    ]
    assert (
        len(found) == 1
        and "is never true" in found[0].message
        and found[0].fix == f"Write `{column} {right}`."
    )
    safe = review_sql(
        schema + f"UPDATE {table} SET note = {value} WHERE {column} {right} {BATCH};", dialect=dialect
    )
    assert not [f for f in safe.active if f.rule == "null-dropping-comparison" and "never true" in f.message]
