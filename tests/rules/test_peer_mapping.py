"""Every hazard of Squawk, strong_migrations, Atlas and django-migration-linter that docs/rule-mapping.md maps to
one of our rules, written as a migration of our own, must trigger that rule; and the document must map every
peer rule it lists either to rules that exist or to a stated reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import rules
from bot.config import parse_config
from tests.conftest import review_sql, rule_ids

MAPPING = Path(__file__).resolve().parents[2] / "docs" / "rule-mapping.md"
ENUM = "CREATE TABLE t (id bigint PRIMARY KEY, s ENUM('a','b','c'), f SET('x','y'));"
WIDE = "CREATE TABLE t (id bigint PRIMARY KEY, s ENUM(" + ", ".join(f"'v{i}'" for i in range(255)) + "));"
NO_TX = "assume_in_transaction: false"

# (tool, peer rule, our rule, dialect, migration, configuration, base schema)
Example = tuple[str, str, str, str, str, str | None, str | None]
EXAMPLES: list[Example] = [
    # Squawk
    ("Squawk", "adding-field-with-default", "volatile-default", "postgres",
     "ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();", None, None),
    ("Squawk", "adding-foreign-key-constraint", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", None, None),
    ("Squawk", "adding-not-nullable-field", "set-not-null", "postgres",
     "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", None, None),
    ("Squawk", "adding-required-field", "not-null-without-default", "postgres",
     "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", None, None),
    ("Squawk", "adding-serial-primary-key-field", "volatile-default", "postgres",
     "ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;", None, None),
    ("Squawk", "adding-serial-primary-key-field", "unique-constraint-under-lock", "postgres",
     "ALTER TABLE events ADD PRIMARY KEY (id);", None, None),
    ("Squawk", "ban-alter-domain-with-add-constraint", "domain-constraint", "postgres",
     "ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);", None, None),
    ("Squawk", "ban-char-field", "char-type", "postgres", "CREATE TABLE c (code char(2));", None, None),
    ("Squawk", "ban-concurrent-index-creation-in-transaction", "concurrent-in-transaction", "postgres",
     "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;", None, None),
    ("Squawk", "ban-create-domain-with-constraint", "domain-constraint", "postgres",
     "CREATE DOMAIN amount AS numeric CHECK (VALUE > 0);", None, None),
    ("Squawk", "ban-drop-column", "column-dropped", "postgres", "ALTER TABLE users DROP COLUMN legacy;", None, None),
    ("Squawk", "ban-drop-database", "database-dropped", "postgres", "DROP DATABASE analytics;", None, None),
    ("Squawk", "ban-drop-not-null", "not-null-dropped", "postgres",
     "ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;", None, None),
    ("Squawk", "ban-drop-table", "table-dropped", "postgres", "DROP TABLE legacy_invoices;", None, None),
    ("Squawk", "ban-duplicate-column-assignments", "duplicate-column-assignment", "postgres",
     "UPDATE orders SET state = 'a', state = 'b' WHERE id = 1;", None, None),
    ("Squawk", "ban-truncate-cascade", "truncate-cascade", "postgres", "TRUNCATE accounts CASCADE;", None, None),
    ("Squawk", "ban-uncommitted-transaction", "uncommitted-transaction", "postgres",
     "BEGIN;\nALTER TABLE users ADD COLUMN note text;", None, None),
    ("Squawk", "changing-column-type", "type-change-rewrite", "postgres",
     "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);", None, None),
    ("Squawk", "constraint-missing-not-valid", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);", None, None),
    ("Squawk", "disallowed-unique-constraint", "unique-constraint-under-lock", "postgres",
     "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", None, None),
    ("Squawk", "identifier-too-long", "identifier-too-long", "postgres",
     f"CREATE TABLE {'x' * 64} (id bigint);", None, None),
    ("Squawk", "prefer-bigint-over-int", "int-primary-key", "postgres",
     "CREATE TABLE tags (id integer PRIMARY KEY);", None, None),
    ("Squawk", "prefer-bigint-over-smallint", "int-primary-key", "postgres",
     "CREATE TABLE kinds (id smallserial PRIMARY KEY);", None, None),
    ("Squawk", "prefer-identity", "serial-over-identity", "postgres",
     "CREATE TABLE invoices (id bigserial PRIMARY KEY);", None, None),
    ("Squawk", "prefer-repack", "blocking-maintenance", "postgres", "VACUUM FULL orders;", None, None),
    ("Squawk", "prefer-robust-stmts", "non-robust-statement", "postgres",
     "ALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_note_idx;", NO_TX, None),
    ("Squawk", "prefer-timestamptz", "timestamp-without-time-zone", "postgres",
     "ALTER TABLE orders ADD COLUMN shipped_at timestamp;", None, None),
    ("Squawk", "renaming-column", "column-renamed", "postgres",
     "ALTER TABLE users RENAME COLUMN name TO full_name;", None, None),
    ("Squawk", "renaming-table", "table-renamed", "postgres", "ALTER TABLE users RENAME TO customers;", None, None),
    ("Squawk", "require-concurrent-index-creation", "non-concurrent-index", "postgres",
     "CREATE INDEX orders_user_idx ON orders (user_id);", None, None),
    ("Squawk", "require-concurrent-index-deletion", "non-concurrent-index-drop", "postgres",
     "DROP INDEX orders_user_idx;", None, None),
    ("Squawk", "require-concurrent-partition-detach", "non-concurrent-detach-partition", "postgres",
     "ALTER TABLE events DETACH PARTITION events_2023;", None, None),
    ("Squawk", "require-concurrent-reindex", "non-concurrent-reindex", "postgres",
     "REINDEX INDEX orders_user_idx;", None, None),
    ("Squawk", "require-enum-value-ordering", "enum-value-order", "postgres",
     "ALTER TYPE order_status ADD VALUE 'review';", None, None),
    ("Squawk", "require-lock-timeout", "missing-lock-timeout", "postgres",
     "ALTER TABLE orders ADD COLUMN note text;", None, None),
    ("Squawk", "require-statement-timeout", "missing-statement-timeout", "postgres",
     "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;", None, None),
    ("Squawk", "transaction-nesting", "nested-transaction", "postgres",
     "-- +goose Up\nBEGIN;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;", None, None),
    ("Squawk", "unused-ignore", "suppression-without-reason", "postgres",
     "-- migration-review: ignore no-such-rule it is fine\nCREATE TABLE t (id bigint);", None, None),
    ("Squawk", "syntax-error", "unparsed-statement", "postgres", "ALTER TABLE users FROBNICATE x;", None, None),
    # strong_migrations
    ("strong_migrations", "remove_column", "column-dropped", "postgres",
     "ALTER TABLE users DROP COLUMN legacy;", None, None),
    ("strong_migrations", "change_column", "type-change-rewrite", "mysql",
     "ALTER TABLE orders MODIFY total decimal(12, 2);", None, None),
    ("strong_migrations", "change_column_null", "set-not-null", "postgres",
     "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", None, None),
    ("strong_migrations", "rename_column", "column-renamed", "mysql",
     "ALTER TABLE users RENAME COLUMN name TO full_name;", None, None),
    ("strong_migrations", "rename_table", "table-renamed", "mysql", "RENAME TABLE users TO customers;", None, None),
    ("strong_migrations", "rename_schema", "schema-renamed", "postgres",
     "ALTER SCHEMA reporting RENAME TO analytics;", None, None),
    ("strong_migrations", "create_table force", "table-dropped", "postgres",
     "DROP TABLE IF EXISTS legacy_users CASCADE;", None, None),
    ("strong_migrations", "add_column_auto_incrementing", "volatile-default", "postgres",
     "ALTER TABLE events ADD COLUMN seq bigserial;", None, None),
    ("strong_migrations", "add_column_auto_incrementing", "mysql-table-copy", "mysql",
     "ALTER TABLE events ADD COLUMN seq bigint AUTO_INCREMENT UNIQUE;", None, None),
    ("strong_migrations", "add_column_generated_stored", "volatile-default", "postgres",
     "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;", None, None),
    ("strong_migrations", "add_column_generated_stored", "mysql-table-copy", "mysql",
     "ALTER TABLE orders ADD COLUMN total_cents bigint AS (total * 100) STORED;", None, None),
    ("strong_migrations", "add_foreign_key", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", None, None),
    ("strong_migrations", "add_foreign_key", "mysql-table-copy", "mysql",
     "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", None, None),
    ("strong_migrations", "add_check_constraint", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);", None, None),
    ("strong_migrations", "add_check_constraint", "mysql-table-copy", "mysql",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);", None, None),
    ("strong_migrations", "backfilling data", "unbatched-data-change", "postgres",
     "UPDATE orders SET state = 'open' WHERE state IS NULL;", None, None),
    ("strong_migrations", "add_index", "non-concurrent-index", "postgres",
     "CREATE INDEX orders_user_idx ON orders (user_id);", None, None),
    ("strong_migrations", "add_reference", "foreign-key-without-index", "postgres",
     "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);", None, None),
    ("strong_migrations", "add_unique_constraint", "unique-constraint-under-lock", "postgres",
     "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", None, None),
    ("strong_migrations", "add_exclusion_constraint", "exclusion-constraint", "postgres",
     "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);", None, None),
    ("strong_migrations", "add_column_json", "json-type", "postgres",
     "ALTER TABLE events ADD COLUMN payload json;", None, None),
    ("strong_migrations", "add_column_default_callable", "volatile-default", "postgres",
     "ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid();", None, None),
    ("strong_migrations", "rename_enum_value", "enum-value-renamed", "postgres",
     "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';", None, None),
    ("strong_migrations", "algorithm: :copy / lock (MySQL)", "mysql-table-copy", "mysql",
     "ALTER TABLE orders ADD COLUMN note text, ALGORITHM=COPY, LOCK=SHARED;", None, None),
    ("strong_migrations", "add_column_default expression (MySQL)", "mysql-table-copy", "mysql",
     "ALTER TABLE orders ADD COLUMN due date DEFAULT (CURRENT_DATE + INTERVAL 30 DAY);", None, None),
    ("strong_migrations", "remove_index (opt-in)", "non-concurrent-index-drop", "postgres",
     "DROP INDEX orders_user_idx;", None, None),
    # Atlas
    ("Atlas", "DS101", "schema-dropped", "postgres", "DROP SCHEMA reporting CASCADE;", None, None),
    ("Atlas", "DS102", "table-dropped", "mysql", "DROP TABLE legacy_invoices;", None, None),
    ("Atlas", "DS103", "column-dropped", "sqlite", "ALTER TABLE users DROP COLUMN legacy;", None, None),
    ("Atlas", "MF101", "non-concurrent-index", "postgres",
     "CREATE UNIQUE INDEX users_email_key ON users (email);", None, None),
    ("Atlas", "MF102", "non-concurrent-index", "postgres",
     "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\nCREATE UNIQUE INDEX users_email_idx ON users (email);",
     None, None),
    ("Atlas", "MF103", "not-null-without-default", "postgres",
     "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", None, None),
    ("Atlas", "MF104", "set-not-null", "mysql", "ALTER TABLE users MODIFY email varchar(255) NOT NULL;", None, None),
    ("Atlas", "BC101", "table-renamed", "postgres", "ALTER TABLE users RENAME TO customers;", None, None),
    ("Atlas", "BC102", "column-renamed", "postgres", "ALTER TABLE users RENAME COLUMN name TO full_name;", None, None),
    ("Atlas", "CD101", "foreign-key-dropped", "mysql", "ALTER TABLE orders DROP FOREIGN KEY orders_user_fk;", None,
     None),
    ("Atlas", "PG101", "non-concurrent-index", "postgres", "CREATE INDEX orders_user_idx ON orders (user_id);", None,
     None),
    ("Atlas", "PG102", "non-concurrent-index-drop", "postgres", "DROP INDEX orders_user_idx;", None, None),
    ("Atlas", "PG103", "concurrent-in-transaction", "postgres",
     "BEGIN;\nDROP INDEX CONCURRENTLY orders_user_idx;\nCOMMIT;", None, None),
    ("Atlas", "PG104", "unique-constraint-under-lock", "postgres", "ALTER TABLE events ADD PRIMARY KEY (id);", None,
     None),
    ("Atlas", "PG105", "unique-constraint-under-lock", "postgres",
     "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", None, None),
    ("Atlas", "PG301", "type-change-rewrite", "postgres", "ALTER TABLE orders ALTER COLUMN total TYPE bigint;", None,
     None),
    ("Atlas", "PG302", "volatile-default", "postgres",
     "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();", None, None),
    ("Atlas", "PG303", "set-not-null", "postgres", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", None, None),
    ("Atlas", "PG304", "unique-constraint-under-lock", "postgres", "ALTER TABLE events ADD PRIMARY KEY (id);", None,
     None),
    ("Atlas", "PG305", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);", None, None),
    ("Atlas", "PG306", "constraint-not-valid", "postgres",
     "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", None, None),
    ("Atlas", "MY101", "not-null-without-default", "mysql", "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
     None, None),
    ("Atlas", "MY102", "inline-references-ignored", "mysql",
     "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));", None, None),
    ("Atlas", "MY110", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY s ENUM('a','b');", None, ENUM),
    ("Atlas", "MY111", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY s ENUM('b','a','c');", None, ENUM),
    ("Atlas", "MY112", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY s ENUM('a','new','b','c');", None, ENUM),
    ("Atlas", "MY113", "mysql-table-copy", "mysql",
     "ALTER TABLE t MODIFY s ENUM(" + ", ".join(f"'v{i}'" for i in range(256)) + ");", None, WIDE),
    ("Atlas", "MY120", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY f SET('x');", None, ENUM),
    ("Atlas", "MY121", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY f SET('y','x');", None, ENUM),
    ("Atlas", "MY122", "mysql-table-copy", "mysql", "ALTER TABLE t MODIFY f SET('x','w','y');", None, ENUM),
    ("Atlas", "MY123", "mysql-table-copy", "mysql",
     "ALTER TABLE t MODIFY f SET(" + ", ".join(f"'m{i}'" for i in range(9)) + ");",
     None, "CREATE TABLE t (id bigint, f SET(" + ", ".join(f"'m{i}'" for i in range(8)) + "));"),
    ("Atlas", "MY137", "mysql-table-copy", "mysql", "ALTER TABLE t DROP PRIMARY KEY;", None, None),
    ("Atlas", "MY138", "mysql-table-copy", "mysql", "ALTER TABLE t ENGINE=InnoDB;", None, None),
    ("Atlas", "MY140", "mysql-table-copy", "mysql", "ALTER TABLE t ADD COLUMN g int AS (id + 1) STORED;", None, None),
    ("Atlas", "MY141", "mysql-table-copy", "mysql", "ALTER TABLE t ADD COLUMN n bigint AUTO_INCREMENT UNIQUE;", None,
     None),
    ("Atlas", "MY142", "mysql-table-copy", "mysql", "ALTER TABLE t ADD COLUMN n int FIRST;",
     "database_version: '8.0.20'", None),
    ("Atlas", "LT101", "not-null-without-default", "sqlite", "ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL;",
     None, None),
    # django-migration-linter
    ("django-migration-linter", "NOT_NULL", "not-null-without-default", "postgres",
     "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", None, None),
    ("django-migration-linter", "NOT_NULL", "set-not-null", "postgres",
     "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", None, None),
    ("django-migration-linter", "DROP_COLUMN", "column-dropped", "postgres", "ALTER TABLE users DROP COLUMN legacy;",
     None, None),
    ("django-migration-linter", "DROP_TABLE", "table-dropped", "postgres", "DROP TABLE legacy_invoices;", None, None),
    ("django-migration-linter", "RENAME_COLUMN", "column-renamed", "postgres",
     "ALTER TABLE users RENAME COLUMN name TO full_name;", None, None),
    ("django-migration-linter", "RENAME_TABLE", "table-renamed", "postgres", "ALTER TABLE users RENAME TO customers;",
     None, None),
    ("django-migration-linter", "ALTER_COLUMN", "type-change-rewrite", "postgres",
     "ALTER TABLE orders ALTER COLUMN total TYPE bigint;", None, None),
    ("django-migration-linter", "ADD_UNIQUE", "unique-constraint-under-lock", "postgres",
     "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", None, None),
    ("django-migration-linter", "CREATE_INDEX", "non-concurrent-index", "postgres",
     "CREATE INDEX orders_user_idx ON orders (user_id);", None, None),
    ("django-migration-linter", "CREATE_INDEX_EXCLUSIVE", "statements-after-exclusive-lock", "postgres",
     "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCOMMIT;",
     None, None),
    ("django-migration-linter", "DROP_INDEX", "non-concurrent-index-drop", "postgres", "DROP INDEX orders_user_idx;",
     None, None),
    ("django-migration-linter", "REINDEX", "non-concurrent-reindex", "postgres", "REINDEX TABLE orders;", None, None),
]


@pytest.mark.parametrize(
    ("tool", "peer", "ours", "dialect", "sql", "config", "base"),
    EXAMPLES,
    ids=[f"{tool}:{peer}->{ours}" for tool, peer, ours, *_ in EXAMPLES],
)
def test_each_mapped_hazard_triggers_our_rule(
    tool: str, peer: str, ours: str, dialect: str, sql: str, config: str | None, base: str | None
) -> None:
    result = review_sql(
        sql,
        dialect=dialect,
        config=parse_config(config) if config else None,
        base={"db/migrations/000_base.sql": base} if base else None,
    )
    assert ours in rule_ids(result), f"{tool} {peer}: expected {ours}, got {sorted(rule_ids(result))}"


def _mapping_rows() -> list[tuple[str, str, list[str], str]]:
    """(tool, peer rule, our rule ids, note) for every table row of docs/rule-mapping.md."""
    rows, tool = [], ""
    for line in MAPPING.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            tool = line[3:].strip()
        elif line.startswith("| ") and not line.startswith(("| Peer", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            peer = cells[0].strip("`")
            rows.append((tool, peer, re.findall(r"`([a-z0-9-]+)`", cells[1]), cells[2] if len(cells) > 2 else ""))
    return rows


def test_the_mapping_names_only_existing_rules_and_explains_the_rest() -> None:
    rows = _mapping_rows()
    assert len(rows) > 100
    for tool, peer, ours, note in rows:
        assert all(rule in rules.ALL_IDS for rule in ours), f"{tool} {peer}: unknown rule in {ours}"
        assert ours or note, f"{tool} {peer}: neither a rule nor a reason"


def test_every_mapped_row_has_an_example() -> None:
    examples = {(tool, peer, ours) for tool, peer, ours, *_ in EXAMPLES}
    for tool, peer, ours, _ in _mapping_rows():
        for rule in ours:
            assert (tool, peer, rule) in examples, f"{tool} {peer} -> {rule} has no example in this test"
