from tests.conftest import review_sql, rule_ids


def test_drop_database_is_flagged_on_every_dialect() -> None:
    for dialect in ("postgres", "mysql"):
        assert "database-dropped" in rule_ids(
            review_sql("DROP DATABASE IF EXISTS analytics;", dialect=dialect)
        )


def test_creating_tables_is_quiet() -> None:
    assert "database-dropped" not in rule_ids(review_sql("CREATE TABLE t (id bigint);"))
