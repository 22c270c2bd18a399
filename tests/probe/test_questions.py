"""What the probe asks, from the parsed change alone (no database)."""

from __future__ import annotations

from bot.probe.questions import Question, ask
from bot.review import prepare
from tests.probe.shop import changeset

BASE = "CREATE TABLE items (id bigint PRIMARY KEY, code varchar(60), qty bigint, kind text);\n"


def _ask(sql: str, base: str = "") -> set[Question]:
    change = changeset(sql)
    if base:
        from bot.model.changeset import MemoryTree

        change = type(change)(
            **{**change.__dict__, "base_tree": MemoryTree({"db/migrations/001_base.sql": base})}
        )
    prepared = prepare(change)
    return set(ask(prepared.migrations, prepared.catalog))


def test_a_case_mapping_asks_for_the_distribution_of_its_source_and_the_table_size() -> None:
    found = _ask("UPDATE orders SET state = CASE status WHEN 'paid' THEN 'done' WHEN 'open' THEN 'todo' END;")
    assert found == {
        Question("size", "orders"),
        Question("distribution", "orders", ("status",), ("paid", "open")),
    }


def test_constraints_ask_for_their_violators() -> None:
    found = _ask(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
        "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);\n"
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (shop_id) REFERENCES shops (id) NOT VALID;\n"
    )
    assert Question("nulls", "users", ("email",)) in found
    assert Question("duplicates", "users", ("email",)) in found
    assert Question("orphans", "orders", ("user_id",), target="users", target_columns=("id",)) in found
    assert not any(q.kind == "orphans" and q.target == "shops" for q in found)  # NOT VALID checks nothing now


def test_type_changes_ask_only_when_the_new_type_holds_less() -> None:
    found = _ask(
        "ALTER TABLE items ALTER COLUMN code TYPE varchar(20);\n"
        "ALTER TABLE items ALTER COLUMN qty TYPE integer;\n"
        "ALTER TABLE items ALTER COLUMN kind TYPE varchar(500);\n",
        BASE,
    )
    fits = {(q.columns[0], q.check, q.limit) for q in found if q.kind == "type-fit"}
    assert fits == {("code", "too-long", 20), ("qty", "out-of-range", 4), ("kind", "too-long", 500)}
    widened = _ask("ALTER TABLE items ALTER COLUMN code TYPE varchar(100);\n", BASE)
    assert not any(q.kind == "type-fit" for q in widened)


def test_hard_coded_ids_ask_for_the_rows_of_their_lookup_table() -> None:
    found = _ask(
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 END WHERE id < 9;\n"
        "DELETE FROM plans WHERE id IN (4, 5);\n"
    )
    assert Question("lookup", "priorities", ("id",), ("1", "3")) in found
    assert Question("lookup", "plans", ("id",), ("4", "5")) in found


def test_tables_the_change_creates_are_not_asked_about() -> None:
    found = _ask(
        "CREATE TABLE fresh (id bigint PRIMARY KEY, status text);\n"
        "UPDATE fresh SET status = CASE status WHEN 'a' THEN 'b' END;\n"
    )
    assert found == set()


def test_columns_the_change_adds_are_not_asked_about() -> None:
    found = _ask(
        "ALTER TABLE users ADD COLUMN tier text;\n"
        "UPDATE users SET tier = 'free' WHERE id BETWEEN 1 AND 100;\n"
        "ALTER TABLE users ALTER COLUMN tier SET NOT NULL;\n"
    )
    assert not any("tier" in q.columns for q in found)
