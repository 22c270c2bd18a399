from tests.conftest import review_sql, rule_ids

SQL = "ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;"


def test_drop_not_null_is_only_an_info_about_readers_and_rollback() -> None:
    result = review_sql(SQL)
    [finding] = [f for f in result.active if f.rule == "not-null-dropped"]
    assert finding.severity.value == "info" and finding.dimension.value == "rollback"


def test_drop_not_null_is_never_flagged_as_adding_not_null() -> None:
    # django-migration-linter#67: NOT_NULL fired on DROP NOT NULL. None of the NOT NULL rules may fire here.
    found = rule_ids(review_sql(SQL))
    assert not found & {
        "set-not-null",
        "not-null-without-default",
        "constraint-not-valid",
        "type-change-rewrite",
    }
    assert review_sql(SQL).count(review_sql(SQL).active[0].severity.__class__("critical")) == 0


def test_new_table_is_quiet() -> None:
    sql = "CREATE TABLE users (phone text NOT NULL);\n" + SQL
    assert "not-null-dropped" not in rule_ids(review_sql(sql))


def test_a_column_that_could_already_be_null_is_quiet() -> None:
    # Sequelize's changeColumn restates `allowNull: true` as DROP NOT NULL on a column that was never NOT NULL.
    for table, column in [("oauth_clients", "developer_url"), ("profiles", "avatar")]:
        base = {
            "db/migrations/000_base.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(255));"
        }
        sql = f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(1024), ALTER COLUMN {column} DROP NOT NULL;"
        assert "not-null-dropped" not in rule_ids(review_sql(sql, base=base))
        strict = {
            "db/migrations/000_base.sql": base["db/migrations/000_base.sql"].replace(
                "(255)", "(255) NOT NULL"
            )
        }
        assert "not-null-dropped" in rule_ids(review_sql(sql, base=strict))
