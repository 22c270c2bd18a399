from bot.model.findings import Severity
from tests.conftest import review_sql


def _found(sql: str, **kwargs: object) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, **kwargs).active if f.rule == "missing-down-migration"]  # type: ignore[arg-type]


def test_drop_without_down_is_critical() -> None:
    found = _found("-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;")
    assert found and found[0].severity is Severity.CRITICAL and found[0].line == 2


def test_empty_down_section_is_found() -> None:
    found = _found("-- +goose Up\nDROP TABLE legacy_invoices;\n-- +goose Down\n")
    assert found and found[0].severity is Severity.CRITICAL  # an empty Down section: no way back


def test_overwriting_update_without_down_is_a_warning() -> None:
    schema = "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n-- migration\n"
    found = _found(
        schema + "-- +goose Up\nUPDATE orders SET status = lower(status) WHERE id >= 1 AND id < 1000;"
    )
    assert found and found[0].severity is Severity.WARNING


def test_plain_sql_file_with_a_down_file_is_quiet() -> None:
    base = {"db/migrations/002_drop.down.sql": "ALTER TABLE orders ADD COLUMN legacy text;"}
    assert not _found(
        "ALTER TABLE orders DROP COLUMN legacy;", path="db/migrations/002_drop.up.sql", head=base
    )


def test_additive_change_without_down_is_quiet() -> None:
    assert not _found("-- +goose Up\nALTER TABLE orders ADD COLUMN note text;")
