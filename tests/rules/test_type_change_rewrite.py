from tests.conftest import review_sql, rule_ids

BASE = {
    "db/migrations/000_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), total numeric(10, 2), n integer);"
}


def test_widening_varchar_to_text_is_quiet_with_the_old_type_known() -> None:
    assert "type-change-rewrite" not in rule_ids(
        review_sql("ALTER TABLE users ALTER COLUMN name TYPE text;", base=BASE)
    )


def test_longer_varchar_and_wider_numeric_are_quiet() -> None:
    sql = "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\nALTER TABLE users ALTER COLUMN total TYPE numeric(14, 2);"
    assert "type-change-rewrite" not in rule_ids(review_sql(sql, base=BASE))


def test_integer_to_bigint_rewrites_and_names_the_old_type() -> None:
    result = review_sql("ALTER TABLE users ALTER COLUMN n TYPE bigint;", base=BASE)
    finding = next(f for f in result.active if f.rule == "type-change-rewrite")
    assert "from `int`" in finding.message and finding.line == 1


def test_table_created_in_the_same_change_is_quiet() -> None:
    sql = "CREATE TABLE t (a integer);\nALTER TABLE t ALTER COLUMN a TYPE bigint;"
    assert "type-change-rewrite" not in rule_ids(review_sql(sql))
