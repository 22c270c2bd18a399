from tests.conftest import review_sql


def _found(sql: str, **kwargs: object) -> list[str]:
    return [f.message for f in review_sql(sql, **kwargs).active if f.rule == "down-not-idempotent"]  # type: ignore[arg-type]


def test_drop_without_if_exists_outside_a_transaction() -> None:
    sql = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE payouts (id bigint);\n-- +goose Down\nDROP TABLE payouts;"
    assert _found(sql)


def test_add_column_without_if_not_exists_on_mysql() -> None:
    sql = "-- +goose Up\nALTER TABLE t DROP COLUMN c;\n-- +goose Down\nALTER TABLE t ADD COLUMN c text;"
    assert _found(sql, dialect="mysql")


def test_guarded_or_transactional_down_is_quiet() -> None:
    assert not _found(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE p (id bigint);\n-- +goose Down\nDROP TABLE IF EXISTS p;"
    )
    assert not _found("-- +goose Up\nCREATE TABLE p (id bigint);\n-- +goose Down\nDROP TABLE p;")
