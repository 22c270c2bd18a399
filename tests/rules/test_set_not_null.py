from tests.conftest import review_sql, rule_ids


def test_drop_not_null_is_not_flagged_as_not_null() -> None:
    assert "set-not-null" not in rule_ids(review_sql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;"))


def test_validated_check_constraint_first_makes_it_quiet() -> None:
    sql = (
        "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT email_nn;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    )
    found = rule_ids(review_sql(sql))
    assert "set-not-null" not in found and "constraint-not-valid" not in found


def test_mysql_modify_not_null_rebuilds() -> None:
    result = review_sql("ALTER TABLE users MODIFY COLUMN email varchar(255) NOT NULL;", dialect="mysql")
    assert "set-not-null" in rule_ids(result)
