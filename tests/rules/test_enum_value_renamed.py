from tests.conftest import review_sql, rule_ids


def test_rename_value_is_flagged_with_both_names() -> None:
    result = review_sql("ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';")
    [finding] = [f for f in result.active if f.rule == "enum-value-renamed"]
    assert "canceled" in finding.message and "cancelled" in finding.message


def test_other_alter_type_forms_are_quiet() -> None:
    assert "enum-value-renamed" not in rule_ids(review_sql("ALTER TYPE order_status RENAME TO status;"))
