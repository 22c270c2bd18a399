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
        Question("domain", "orders", ("state",), ("done", "todo")),  # what it writes, against the column
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
    # NOT VALID checks nothing now, but its VALIDATE will: the orphans are counted at once
    assert Question("orphans", "orders", ("shop_id",), target="shops", target_columns=("id",)) in found


def test_unique_indexes_on_expressions_and_with_predicates_ask_for_duplicates() -> None:
    found = _ask(
        "CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE deleted_at IS NULL;\n"
        "CREATE UNIQUE INDEX users_login ON users (Login, tenant_id);\n"
    )
    assert Question("duplicates", "users", ("lower(email)",), where="deleted_at IS NULL") in found
    assert Question("duplicates", "users", ("login", "tenant_id")) in found


def test_a_validation_asks_for_the_orphans_of_the_key_it_validates() -> None:
    base = "CREATE TABLE shops (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, shop_ref bigint);\n"
    base += "ALTER TABLE orders ADD CONSTRAINT orders_shop FOREIGN KEY (shop_ref) REFERENCES shops (id) NOT VALID;\n"
    found = _ask("ALTER TABLE orders VALIDATE CONSTRAINT orders_shop;\n", base)
    assert Question("orphans", "orders", ("shop_ref",), target="shops", target_columns=("id",)) in found


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


LOOKUPS = (
    "CREATE TABLE ranks (id integer PRIMARY KEY, code text);\n"
    "CREATE TABLE states (num integer PRIMARY KEY, label text);\n"
    "CREATE TABLE tickets (id bigint PRIMARY KEY, priority text, priority_id integer REFERENCES ranks,"
    " status text, status_ref integer, owner_id integer);\n"
    "ALTER TABLE tickets ADD CONSTRAINT tickets_state FOREIGN KEY (status_ref) REFERENCES states (num);\n"
)


def test_hard_coded_ids_ask_for_the_rows_their_foreign_key_names() -> None:
    found = _ask(
        "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 END WHERE id < 9;\n"
        "DELETE FROM plans WHERE id IN (4, 5);\n",
        LOOKUPS,
    )
    assert Question("lookup", "ranks", ("id",), ("1", "3"), labels=("high", "low")) in found
    assert Question("lookup", "plans", ("id",), ("4", "5")) in found


def test_every_literal_id_is_asked_with_the_label_its_statement_implies() -> None:
    found = _ask(
        "UPDATE tickets SET priority_id = 2 WHERE priority = 'medium';\n"
        "INSERT INTO tickets (id, priority, status_ref) VALUES (1, 'low', 7), (2, 'low', 8);\n"
        "UPDATE tickets SET owner_id = 5 WHERE status_ref = 9 AND priority = 'x';\n"
        "UPDATE tickets t SET priority = 'low' FROM tickets o WHERE o.id = t.id AND o.status_ref IN (3, 4);\n",
        LOOKUPS,
    )
    lookups = {(q.table, q.columns, q.values, q.labels) for q in found if q.kind == "lookup"}
    assert ("ranks", ("id",), ("2",), ("medium",)) in lookups  # SET, with the label the WHERE implies
    assert ("states", ("num",), ("7", "8"), ()) in lookups  # VALUES, key from the foreign key
    assert ("states", ("num",), ("9",), ()) in lookups  # WHERE
    assert ("states", ("num",), ("3", "4"), ()) in lookups  # a joined table's column
    assert not any(q.table in ("owners", "statuses", "priorities") for q in found)  # never guessed from names


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


def test_check_constraints_ask_for_the_rows_they_reject_when_added_or_validated() -> None:
    base = "CREATE TABLE items (id bigint PRIMARY KEY, qty integer);\n"
    base += "ALTER TABLE items ADD CONSTRAINT items_qty CHECK (qty >= 0) NOT VALID;\n"
    found = _ask(
        "ALTER TABLE items VALIDATE CONSTRAINT items_qty;\n"
        "ALTER TABLE items ADD CONSTRAINT items_small CHECK (qty < 1000) NOT VALID;\n",
        base,
    )
    checks = {(q.table, q.check) for q in found if q.kind == "check"}
    assert checks == {("items", "qty >= 0"), ("items", "qty < 1000")}
