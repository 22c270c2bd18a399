from tests.conftest import review_sql


def _found(sql: str) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql).active if f.rule == "down-recreates-empty"]


def test_column_recreated_empty_names_the_snapshot() -> None:
    found = _found(
        "-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;\n"
        "-- +goose Down\nALTER TABLE orders ADD COLUMN legacy_status text;"
    )
    assert found and found[0].line == 4
    assert "CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders" in found[0].fix


def test_table_recreated_empty() -> None:
    found = _found(
        "-- +goose Up\nDROP TABLE invoices;\n-- +goose Down\nCREATE TABLE invoices (id bigint PRIMARY KEY);"
    )
    assert found and "no rows" in found[0].blast_radius


def test_restore_from_snapshot_is_quiet() -> None:
    sql = (
        "-- +goose Up\nCREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;\n"
        "ALTER TABLE orders DROP COLUMN legacy_status;\n-- +goose Down\n"
        "ALTER TABLE orders ADD COLUMN legacy_status text;\n"
        "UPDATE orders SET legacy_status = b.legacy_status FROM orders_legacy_status_backup b WHERE b.id = orders.id;"
    )
    assert not _found(sql)
