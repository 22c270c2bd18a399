import pytest

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
    result = review_sql(
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NULL);\n-- migration\n"
        "ALTER TABLE users MODIFY COLUMN email varchar(255) NOT NULL;",
        dialect="mysql",
    )
    assert "set-not-null" in rule_ids(result)


@pytest.mark.parametrize(
    ("table", "column", "new_type"), [("system_setting", "value", "LONGTEXT"), ("user", "avatar_url", "TEXT")]
)
@pytest.mark.parametrize("known", ["nullable", "not null", "unknown"])
def test_a_restated_not_null_of_a_column_the_history_never_showed_is_no_finding(
    table: str, column: str, new_type: str, known: str
) -> None:
    """memos widens `value` with `MODIFY value LONGTEXT NOT NULL` on a table its migrations never created:
    MODIFY restates NOT NULL whether or not it was there; only a column known to be nullable changes."""
    schema = {
        "nullable": f"CREATE TABLE `{table}` (id int PRIMARY KEY, `{column}` TEXT NULL);\n-- migration\n",
        "not null": f"CREATE TABLE `{table}` (id int PRIMARY KEY, `{column}` TEXT NOT NULL);\n-- migration\n",
        "unknown": "",
    }[known]
    sql = f"ALTER TABLE `{table}` MODIFY `{column}` {new_type} NOT NULL;\n"
    assert ("set-not-null" in rule_ids(review_sql(schema + sql, dialect="mysql"))) is (known == "nullable")
    # a PostgreSQL SET NOT NULL says it changes: reported on an unknown column too
    explicit = f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL;\n'
    assert "set-not-null" in rule_ids(review_sql(explicit, dialect="postgres"))
