"""online-ddl-refused: an ALTER TABLE that asks MySQL or MariaDB for an ALGORITHM or LOCK its change cannot have is
refused by the server before it does anything (shown on the real MariaDB below); what the change can have is quiet,
and the rules that would say the table is copied stay quiet for a statement the server refuses."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.config import Config
from tests.conftest import refusal, review_sql

RULE = "online-ddl-refused"
NAMES = [("orders", "customer_id", "note", "placed_at"), ("invoices", "account_id", "memo", "issued_at")]
COPY_WORDS = {"type-change-rewrite", "mysql-table-copy", "volatile-default"}


def _schema(table: str, number: str, text: str, time: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, {number} int NOT NULL, "
        f"{text} varchar(50), {time} datetime NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
    )


def _review(sql: str, dialect: str, version: str | None = None) -> tuple[list[str], set[str]]:
    config = Config(database_version=version) if version else None
    result = review_sql(sql, dialect=dialect, config=config)
    return [f.message for f in result.active if f.rule == RULE], {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "number", "text", "time"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_what_the_change_cannot_have_is_refused(
    table: str, number: str, text: str, time: str, dialect: str
) -> None:
    schema = _schema(table, number, text, time) + "-- migration\n"
    for statement, words in (
        (
            f"MODIFY {number} bigint NOT NULL, ALGORITHM=INPLACE",
            f"`ALGORITHM=INPLACE` for this statement: changing `{number}`",
        ),
        (f"MODIFY {number} bigint NOT NULL, LOCK=NONE", "`LOCK=NONE`"),
        (
            f"ADD INDEX {table}_{time} ({time}), ALGORITHM=INSTANT",
            "adding an index needs `ALGORITHM=INPLACE`",
        ),
        (f"ADD FULLTEXT INDEX {table}_{text} ({text}), LOCK=NONE", "FULLTEXT index needs writes to wait"),
        (f"ADD CONSTRAINT {table}_positive CHECK ({number} > 0), ALGORITHM=INPLACE", "CHECK constraint"),
        (
            f"MODIFY {text} varchar(100), ALGORITHM=INSTANT",
            "needs `ALGORITHM=COPY`",
        ),  # 400 bytes: 2-byte prefix
        (
            f"MODIFY {time} datetime NULL, ALGORITHM=INSTANT",
            f"letting `{time}` hold NULL needs `ALGORITHM=INPLACE`",
        ),
    ):
        messages, rules = _review(schema + f"ALTER TABLE {table} {statement};", dialect)
        assert len(messages) == 1 and words in messages[0], (statement, messages)
        assert not rules & COPY_WORDS, (statement, rules)  # nothing is copied: the server refuses


@pytest.mark.parametrize(("table", "number", "text", "time"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_what_the_change_can_have_is_quiet(
    table: str, number: str, text: str, time: str, dialect: str
) -> None:
    schema = _schema(table, number, text, time) + "-- migration\n"
    for statement in (
        f"ADD INDEX {table}_{time} ({time}), ALGORITHM=INPLACE, LOCK=NONE",
        "ADD COLUMN extra int, ALGORITHM=INSTANT",
        f"MODIFY {number} bigint NOT NULL, ALGORITHM=COPY",
        f"MODIFY {time} datetime NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",  # restated as it is
        f"ADD FULLTEXT INDEX {table}_{text} ({text}), LOCK=SHARED",
        f"ALTER COLUMN {number} SET DEFAULT 3, ALGORITHM=INSTANT",
    ):
        messages, _ = _review(schema + f"ALTER TABLE {table} {statement};", dialect)
        assert not messages, (statement, messages)


@pytest.mark.parametrize(("version", "refused"), [("8.0.20", True), ("8.0.29", False), ("5.7.44", True)])
def test_an_instant_column_change_depends_on_the_version(version: str, refused: bool) -> None:
    schema = _schema("orders", "customer_id", "note", "placed_at") + "-- migration\n"
    messages, _ = _review(
        schema + "ALTER TABLE orders DROP COLUMN note, ALGORITHM=INSTANT;", "mysql", version
    )
    assert bool(messages) == refused
    messages, _ = _review(
        schema + "ALTER TABLE orders ADD COLUMN ref varchar(20) AFTER id, ALGORITHM=INSTANT;",
        "mysql",
        version,
    )
    assert bool(messages) == refused


def test_the_server_refuses_before_changing_anything(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute(_schema("orders", "customer_id", "note", "placed_at"))
        cursor.execute("INSERT INTO orders (customer_id, note, placed_at) VALUES (1, 'x', now())")
        run = cursor.execute
        assert "ALGORITHM=INPLACE is not supported" in refusal(
            run, "ALTER TABLE orders MODIFY customer_id bigint NOT NULL, ALGORITHM=INPLACE"
        )
        assert "LOCK=NONE is not supported" in refusal(
            run, "ALTER TABLE orders ADD FULLTEXT INDEX orders_note (note), LOCK=NONE"
        )
        assert "ALGORITHM=INSTANT is not supported" in refusal(
            run, "ALTER TABLE orders ADD INDEX orders_placed_at (placed_at), ALGORITHM=INSTANT"
        )
        assert (
            refusal(
                run, "ALTER TABLE orders ADD INDEX orders_placed_at (placed_at), ALGORITHM=INPLACE, LOCK=NONE"
            )
            == ""
        )
        cursor.execute("SHOW COLUMNS FROM orders LIKE 'customer_id'")
        assert cursor.fetchone()[1] == "int(11)"  # unchanged
