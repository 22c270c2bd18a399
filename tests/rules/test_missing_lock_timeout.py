from tests.conftest import review_sql


def test_an_index_of_a_table_the_schema_does_not_know_is_named_by_the_index() -> None:
    for index in ("board_slug_key", "orders_state_idx"):
        messages = [
            f.message for f in review_sql(f'DROP INDEX "{index}";').active if f.rule == "missing-lock-timeout"
        ]
        assert messages and f"on the table of `{index}`" in messages[0] and "its table" not in messages[0]
