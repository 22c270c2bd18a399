from tests.conftest import review_sql, rule_ids


def test_rename_schema_names_both() -> None:
    [finding] = [
        f
        for f in review_sql("ALTER SCHEMA reporting RENAME TO analytics;").active
        if f.rule == "schema-renamed"
    ]
    assert "reporting" in finding.message and "analytics" in finding.message


def test_other_alter_schema_forms_are_quiet() -> None:
    assert "schema-renamed" not in rule_ids(review_sql("ALTER SCHEMA reporting OWNER TO app;"))
