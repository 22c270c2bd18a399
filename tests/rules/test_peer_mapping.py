"""Every hazard of Squawk, strong_migrations, Atlas and django-migration-linter that docs/rule-mapping.md maps to
one of our rules, written as a migration of our own, must trigger that rule; and the document must map every
peer rule it lists either to rules that exist or to a stated reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import rules
from bot.model.config import parse_config
from tests.conftest import review_sql, rule_ids

MAPPING = Path(__file__).resolve().parents[2] / "docs" / "rule-mapping.md"
ENUM = "CREATE TABLE t (id bigint PRIMARY KEY, s ENUM('a','b','c'), f SET('x','y'));"
WIDE = "CREATE TABLE t (id bigint PRIMARY KEY, s ENUM(" + ", ".join(f"'v{i}'" for i in range(255)) + "));"
NO_TX = "assume_in_transaction: false"


@dataclass(frozen=True)
class Example:
    tool: str
    peer: str
    ours: str
    sql: str
    dialect: str = "postgres"
    config: str | None = None
    base: str | None = None


def _ex(tool: str, peer: str, ours: str, sql: str, dialect: str = "postgres", **kw: str) -> Example:
    return Example(tool, peer, ours, sql, dialect, **kw)


EXAMPLES: list[Example] = [
    # Squawk
    _ex(
        "Squawk",
        "adding-field-with-default",
        "volatile-default",
        "ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();",
    ),
    _ex(
        "Squawk",
        "adding-foreign-key-constraint",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    _ex(
        "Squawk",
        "adding-not-nullable-field",
        "set-not-null",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    _ex(
        "Squawk",
        "adding-required-field",
        "not-null-without-default",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
    ),
    _ex(
        "Squawk",
        "adding-serial-primary-key-field",
        "volatile-default",
        "ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;",
    ),
    _ex(
        "Squawk",
        "adding-serial-primary-key-field",
        "unique-constraint-under-lock",
        "ALTER TABLE events ADD PRIMARY KEY (id);",
    ),
    _ex(
        "Squawk",
        "ban-alter-domain-with-add-constraint",
        "domain-constraint",
        "ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);",
    ),
    _ex("Squawk", "ban-char-field", "char-type", "CREATE TABLE c (code char(2));"),
    _ex(
        "Squawk",
        "ban-concurrent-index-creation-in-transaction",
        "concurrent-in-transaction",
        "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;",
    ),
    _ex(
        "Squawk",
        "ban-create-domain-with-constraint",
        "domain-constraint",
        "CREATE DOMAIN amount AS numeric CHECK (VALUE > 0);",
    ),
    _ex("Squawk", "ban-drop-column", "column-dropped", "ALTER TABLE users DROP COLUMN legacy;"),
    _ex("Squawk", "ban-drop-database", "database-dropped", "DROP DATABASE analytics;"),
    _ex(
        "Squawk",
        "ban-drop-not-null",
        "not-null-dropped",
        "ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;",
    ),
    _ex("Squawk", "ban-drop-table", "table-dropped", "DROP TABLE legacy_invoices;"),
    _ex(
        "Squawk",
        "ban-duplicate-column-assignments",
        "duplicate-column-assignment",
        "UPDATE orders SET state = 'a', state = 'b' WHERE id = 1;",
    ),
    _ex("Squawk", "ban-truncate-cascade", "truncate-cascade", "TRUNCATE accounts CASCADE;"),
    _ex(
        "Squawk",
        "ban-uncommitted-transaction",
        "uncommitted-transaction",
        "BEGIN;\nALTER TABLE users ADD COLUMN note text;",
    ),
    _ex(
        "Squawk",
        "changing-column-type",
        "type-change-rewrite",
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",
    ),
    _ex(
        "Squawk",
        "constraint-missing-not-valid",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
    ),
    _ex(
        "Squawk",
        "disallowed-unique-constraint",
        "unique-constraint-under-lock",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    ),
    _ex(
        "Squawk",
        "identifier-too-long",
        "identifier-too-long",
        "CREATE TABLE xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id bigint);",
    ),
    _ex("Squawk", "prefer-bigint-over-int", "int-primary-key", "CREATE TABLE tags (id integer PRIMARY KEY);"),
    _ex(
        "Squawk",
        "prefer-bigint-over-smallint",
        "int-primary-key",
        "CREATE TABLE kinds (id smallserial PRIMARY KEY);",
    ),
    _ex(
        "Squawk",
        "prefer-identity",
        "serial-over-identity",
        "CREATE TABLE invoices (id bigserial PRIMARY KEY);",
    ),
    _ex("Squawk", "prefer-repack", "blocking-maintenance", "VACUUM FULL orders;"),
    _ex(
        "Squawk",
        "prefer-robust-stmts",
        "non-robust-statement",
        "ALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_note_idx;",
        config=NO_TX,
    ),
    _ex(
        "Squawk",
        "prefer-robust-stmts",
        "invalid-index-retry",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);",
        config=NO_TX,
    ),
    _ex(
        "Squawk",
        "prefer-timestamptz",
        "timestamp-without-time-zone",
        "ALTER TABLE orders ADD COLUMN shipped_at timestamp;",
    ),
    _ex("Squawk", "renaming-column", "column-renamed", "ALTER TABLE users RENAME COLUMN name TO full_name;"),
    _ex("Squawk", "renaming-table", "table-renamed", "ALTER TABLE users RENAME TO customers;"),
    _ex(
        "Squawk",
        "require-concurrent-index-creation",
        "non-concurrent-index",
        "CREATE INDEX orders_user_idx ON orders (user_id);",
    ),
    _ex(
        "Squawk",
        "require-concurrent-index-deletion",
        "non-concurrent-index-drop",
        "DROP INDEX orders_user_idx;",
    ),
    _ex(
        "Squawk",
        "require-concurrent-partition-detach",
        "non-concurrent-detach-partition",
        "ALTER TABLE events DETACH PARTITION events_2023;",
    ),
    _ex("Squawk", "require-concurrent-reindex", "non-concurrent-reindex", "REINDEX INDEX orders_user_idx;"),
    _ex(
        "Squawk",
        "require-enum-value-ordering",
        "enum-value-order",
        "ALTER TYPE order_status ADD VALUE 'review';",
    ),
    _ex("Squawk", "require-lock-timeout", "missing-lock-timeout", "ALTER TABLE orders ADD COLUMN note text;"),
    _ex(
        "Squawk",
        "require-statement-timeout",
        "missing-statement-timeout",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    ),
    _ex(
        "Squawk",
        "transaction-nesting",
        "nested-transaction",
        "-- +goose Up\nBEGIN;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;",
    ),
    _ex(
        "Squawk",
        "unused-ignore",
        "suppression-without-reason",
        "-- migration-review: ignore no-such-rule it is fine\nCREATE TABLE t (id bigint);",
    ),
    _ex("Squawk", "syntax-error", "unparsed-statement", "ALTER TABLE users FROBNICATE x;"),
    # strong_migrations
    _ex("strong_migrations", "remove_column", "column-dropped", "ALTER TABLE users DROP COLUMN legacy;"),
    _ex(
        "strong_migrations",
        "change_column",
        "type-change-rewrite",
        "ALTER TABLE orders MODIFY total decimal(12, 2);",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "change_column_null",
        "set-not-null",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    _ex(
        "strong_migrations",
        "change_column_null",
        "unbatched-data-change",
        "UPDATE users SET email = '' WHERE email IS NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    _ex(
        "strong_migrations",
        "rename_column",
        "column-renamed",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "mysql",
    ),
    _ex("strong_migrations", "rename_table", "table-renamed", "RENAME TABLE users TO customers;", "mysql"),
    _ex(
        "strong_migrations", "rename_schema", "schema-renamed", "ALTER SCHEMA reporting RENAME TO analytics;"
    ),
    _ex(
        "strong_migrations",
        "create_table force",
        "table-dropped",
        "DROP TABLE IF EXISTS legacy_users CASCADE;",
    ),
    _ex(
        "strong_migrations",
        "add_column_auto_incrementing",
        "volatile-default",
        "ALTER TABLE events ADD COLUMN seq bigserial;",
    ),
    _ex(
        "strong_migrations",
        "add_column_auto_incrementing",
        "mysql-table-copy",
        "ALTER TABLE events ADD COLUMN seq bigint AUTO_INCREMENT UNIQUE;",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "add_column_generated_stored",
        "volatile-default",
        "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;",
    ),
    _ex(
        "strong_migrations",
        "add_column_generated_stored",
        "mysql-table-copy",
        "ALTER TABLE orders ADD COLUMN total_cents bigint AS (total * 100) STORED;",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "add_foreign_key",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    _ex(
        "strong_migrations",
        "add_foreign_key",
        "mysql-table-copy",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "add_check_constraint",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
    ),
    _ex(
        "strong_migrations",
        "add_check_constraint",
        "mysql-table-copy",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "backfilling data",
        "unbatched-data-change",
        "UPDATE orders SET state = 'open' WHERE state IS NULL;",
    ),
    _ex(
        "strong_migrations",
        "add_index",
        "non-concurrent-index",
        "CREATE INDEX orders_user_idx ON orders (user_id);",
    ),
    _ex(
        "strong_migrations",
        "add_index",
        "concurrent-index-corruption",
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
        config="database_version: '14.3'",
    ),
    _ex(
        "strong_migrations",
        "add_reference",
        "non-concurrent-index",
        "ALTER TABLE orders ADD COLUMN user_id bigint;\nCREATE INDEX orders_user_id_idx ON orders (user_id);",
    ),
    _ex(
        "strong_migrations",
        "add_reference",
        "constraint-not-valid",
        "ALTER TABLE orders ADD COLUMN user_id bigint;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    _ex(
        "strong_migrations",
        "change_column",
        "set-not-null",
        "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;",
    ),
    _ex(
        "strong_migrations",
        "add_foreign_key",
        "statements-after-exclusive-lock",
        "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCOMMIT;",
    ),
    _ex(
        "strong_migrations",
        "add_check_constraint",
        "statements-after-exclusive-lock",
        "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
    ),
    _ex(
        "strong_migrations",
        "add_unique_constraint",
        "unique-constraint-under-lock",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    ),
    _ex(
        "strong_migrations",
        "add_exclusion_constraint",
        "exclusion-constraint",
        "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);",
    ),
    _ex("strong_migrations", "add_column_json", "json-type", "ALTER TABLE events ADD COLUMN payload json;"),
    _ex(
        "strong_migrations",
        "add_column_default_callable",
        "volatile-default",
        "ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid();",
    ),
    _ex(
        "strong_migrations",
        "rename_enum_value",
        "enum-value-renamed",
        "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';",
    ),
    _ex(
        "strong_migrations",
        "algorithm: :copy / lock (MySQL)",
        "mysql-table-copy",
        "ALTER TABLE orders ADD COLUMN note text, ALGORITHM=COPY, LOCK=SHARED;",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "add_column_default expression (MySQL)",
        "mysql-table-copy",
        "ALTER TABLE orders ADD COLUMN due date DEFAULT (CURRENT_DATE + INTERVAL 30 DAY);",
        "mysql",
    ),
    _ex(
        "strong_migrations",
        "remove_index (opt-in)",
        "non-concurrent-index-drop",
        "DROP INDEX orders_user_idx;",
    ),
    # Atlas
    _ex("Atlas", "DS101", "schema-dropped", "DROP SCHEMA reporting CASCADE;"),
    _ex("Atlas", "DS102", "table-dropped", "DROP TABLE legacy_invoices;", "mysql"),
    _ex("Atlas", "DS103", "column-dropped", "ALTER TABLE users DROP COLUMN legacy;", "sqlite"),
    _ex("Atlas", "MF101", "non-concurrent-index", "CREATE UNIQUE INDEX users_email_key ON users (email);"),
    _ex(
        "Atlas",
        "MF102",
        "non-concurrent-index",
        "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\nCREATE UNIQUE INDEX users_email_idx ON users (email);",
    ),
    _ex(
        "Atlas",
        "MF103",
        "not-null-without-default",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
    ),
    _ex(
        "Atlas",
        "MF104",
        "set-not-null",
        "ALTER TABLE users MODIFY email varchar(255) NOT NULL;",
        "mysql",
        # Atlas diffs against the schema, where the column is nullable; MODIFY alone restates NOT NULL
        base="CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255) NULL);",
    ),
    _ex("Atlas", "BC101", "table-renamed", "ALTER TABLE users RENAME TO customers;"),
    _ex("Atlas", "BC102", "column-renamed", "ALTER TABLE users RENAME COLUMN name TO full_name;"),
    _ex(
        "Atlas",
        "CD101",
        "foreign-key-dropped",
        "ALTER TABLE orders DROP FOREIGN KEY orders_user_fk;",
        "mysql",
    ),
    _ex("Atlas", "PG101", "non-concurrent-index", "CREATE INDEX orders_user_idx ON orders (user_id);"),
    _ex("Atlas", "PG102", "non-concurrent-index-drop", "DROP INDEX orders_user_idx;"),
    _ex(
        "Atlas",
        "PG103",
        "concurrent-in-transaction",
        "BEGIN;\nDROP INDEX CONCURRENTLY orders_user_idx;\nCOMMIT;",
    ),
    _ex("Atlas", "PG104", "unique-constraint-under-lock", "ALTER TABLE events ADD PRIMARY KEY (id);"),
    _ex(
        "Atlas",
        "PG105",
        "unique-constraint-under-lock",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    ),
    _ex("Atlas", "PG301", "type-change-rewrite", "ALTER TABLE orders ALTER COLUMN total TYPE bigint;"),
    _ex(
        "Atlas",
        "PG302",
        "volatile-default",
        "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();",
    ),
    _ex("Atlas", "PG303", "set-not-null", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
    _ex("Atlas", "PG304", "unique-constraint-under-lock", "ALTER TABLE events ADD PRIMARY KEY (id);"),
    _ex(
        "Atlas",
        "PG304",
        "primary-key-not-null-scan",
        "CREATE UNIQUE INDEX CONCURRENTLY events_id_key ON events (id);\n"
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;",
        base="CREATE TABLE events (id bigint);",
    ),
    _ex(
        "Atlas",
        "PG305",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
    ),
    _ex(
        "Atlas",
        "PG306",
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    _ex(
        "Atlas",
        "MY101",
        "not-null-without-default",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
        "mysql",
    ),
    _ex(
        "Atlas",
        "MY102",
        "inline-references-ignored",
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",
        "mysql",
    ),
    _ex("Atlas", "MY110", "mysql-table-copy", "ALTER TABLE t MODIFY s ENUM('a','b');", "mysql", base=ENUM),
    _ex(
        "Atlas", "MY111", "mysql-table-copy", "ALTER TABLE t MODIFY s ENUM('b','a','c');", "mysql", base=ENUM
    ),
    _ex(
        "Atlas",
        "MY112",
        "mysql-table-copy",
        "ALTER TABLE t MODIFY s ENUM('a','new','b','c');",
        "mysql",
        base=ENUM,
    ),
    _ex(
        "Atlas",
        "MY113",
        "mysql-table-copy",
        "ALTER TABLE t MODIFY s ENUM(" + ", ".join(f"'v{i}'" for i in range(256)) + ");",
        "mysql",
        base=WIDE,
    ),
    _ex("Atlas", "MY120", "mysql-table-copy", "ALTER TABLE t MODIFY f SET('x');", "mysql", base=ENUM),
    _ex("Atlas", "MY121", "mysql-table-copy", "ALTER TABLE t MODIFY f SET('y','x');", "mysql", base=ENUM),
    _ex("Atlas", "MY122", "mysql-table-copy", "ALTER TABLE t MODIFY f SET('x','w','y');", "mysql", base=ENUM),
    _ex(
        "Atlas",
        "MY123",
        "mysql-table-copy",
        "ALTER TABLE t MODIFY f SET(" + ", ".join(f"'m{i}'" for i in range(9)) + ");",
        "mysql",
        base="CREATE TABLE t (id bigint, f SET(" + ", ".join(f"'m{i}'" for i in range(8)) + "));",
    ),
    _ex("Atlas", "MY137", "mysql-table-copy", "ALTER TABLE t DROP PRIMARY KEY;", "mysql"),
    _ex("Atlas", "MY138", "mysql-table-copy", "ALTER TABLE t ENGINE=InnoDB;", "mysql"),
    _ex("Atlas", "MY139", "mysql-table-copy", "ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4;", "mysql"),
    _ex("Atlas", "MY140", "mysql-table-copy", "ALTER TABLE t ADD COLUMN g int AS (id + 1) STORED;", "mysql"),
    _ex(
        "Atlas",
        "MY141",
        "mysql-table-copy",
        "ALTER TABLE t ADD COLUMN n bigint AUTO_INCREMENT UNIQUE;",
        "mysql",
    ),
    _ex(
        "Atlas",
        "MY142",
        "mysql-table-copy",
        "ALTER TABLE t ADD COLUMN n int FIRST;",
        "mysql",
        config="database_version: '8.0.20'",
    ),
    _ex(
        "Atlas",
        "LT101",
        "sqlite-alter-unsupported",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "sqlite",
    ),
    _ex(
        "Atlas",
        "LT101",
        "not-null-without-default",
        "ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL;",
        "sqlite",
    ),
    # django-migration-linter
    _ex(
        "django-migration-linter",
        "NOT_NULL",
        "not-null-without-default",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
    ),
    _ex(
        "django-migration-linter",
        "NOT_NULL",
        "set-not-null",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    _ex("django-migration-linter", "DROP_COLUMN", "column-dropped", "ALTER TABLE users DROP COLUMN legacy;"),
    _ex("django-migration-linter", "DROP_TABLE", "table-dropped", "DROP TABLE legacy_invoices;"),
    _ex(
        "django-migration-linter",
        "RENAME_COLUMN",
        "column-renamed",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
    ),
    _ex("django-migration-linter", "RENAME_TABLE", "table-renamed", "ALTER TABLE users RENAME TO customers;"),
    _ex(
        "django-migration-linter",
        "ALTER_COLUMN",
        "type-change-rewrite",
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint;",
    ),
    _ex(
        "django-migration-linter",
        "ADD_UNIQUE",
        "unique-constraint-under-lock",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    ),
    _ex(
        "django-migration-linter",
        "ADD_UNIQUE",
        "unique-without-duplicate-check",
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
    ),
    _ex(
        "django-migration-linter",
        "CREATE_INDEX",
        "non-concurrent-index",
        "CREATE INDEX orders_user_idx ON orders (user_id);",
    ),
    _ex(
        "django-migration-linter",
        "CREATE_INDEX_EXCLUSIVE",
        "statements-after-exclusive-lock",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCOMMIT;",
    ),
    _ex("django-migration-linter", "DROP_INDEX", "non-concurrent-index-drop", "DROP INDEX orders_user_idx;"),
    _ex("django-migration-linter", "REINDEX", "non-concurrent-reindex", "REINDEX TABLE orders;"),
    _ex(
        "Squawk",
        "constraint-missing-not-valid",
        "statements-after-exclusive-lock",
        "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
    ),
    # eugene
    _ex(
        "eugene",
        "E1",
        "constraint-not-valid",
        "ALTER TABLE shelves ADD CONSTRAINT shelves_depth_positive CHECK (depth > 0);",
    ),
    _ex("eugene", "E2", "set-not-null", "ALTER TABLE shelves ALTER COLUMN label SET NOT NULL;"),
    _ex("eugene", "E3", "json-type", "ALTER TABLE shelves ADD COLUMN extras json;"),
    _ex(
        "eugene",
        "E4",
        "statements-after-exclusive-lock",
        "BEGIN;\nALTER TABLE shelves ADD COLUMN aisle int;\nUPDATE shelves SET aisle = 1 WHERE aisle IS NULL;\nCOMMIT;",
    ),
    _ex(
        "eugene",
        "E5",
        "type-change-rewrite",
        "ALTER TABLE shelves ALTER COLUMN depth TYPE bigint;",
        base="CREATE TABLE shelves (id bigint PRIMARY KEY, depth int);",
    ),
    _ex("eugene", "E6", "non-concurrent-index", "CREATE INDEX shelves_label_idx ON shelves (label);"),
    _ex(
        "eugene",
        "E7",
        "unique-constraint-under-lock",
        "ALTER TABLE shelves ADD CONSTRAINT shelves_label_key UNIQUE (label);",
    ),
    _ex(
        "eugene",
        "E8",
        "exclusion-constraint",
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, slot WITH &&);",
    ),
    _ex("eugene", "E9", "missing-lock-timeout", "ALTER TABLE shelves ADD COLUMN width int;"),
    _ex(
        "eugene",
        "E10",
        "statements-after-exclusive-lock",
        "BEGIN;\nALTER TABLE shelves ADD COLUMN aisle int;\nALTER TABLE bins ALTER COLUMN size TYPE bigint;\nCOMMIT;",
    ),
    _ex("eugene", "E11", "volatile-default", "ALTER TABLE shelves ADD COLUMN serial_no serial;"),
    _ex(
        "eugene",
        "W14",
        "primary-key-not-null-scan",
        "ALTER TABLE shelves ADD CONSTRAINT shelves_pkey PRIMARY KEY USING INDEX shelves_code_key;",
        base="CREATE TABLE shelves (code text);\nCREATE UNIQUE INDEX shelves_code_key ON shelves (code);",
    ),
    _ex(
        "eugene",
        "E15",
        "foreign-key-without-index",
        "ALTER TABLE bins ADD CONSTRAINT bins_shelf_fk FOREIGN KEY (shelf_id) REFERENCES shelves (id) NOT VALID;",
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.tool}:{e.peer}->{e.ours}" for e in EXAMPLES])
def test_each_mapped_hazard_triggers_our_rule(example: Example) -> None:
    result = review_sql(
        example.sql,
        dialect=example.dialect,
        config=parse_config(example.config) if example.config else None,
        base={"db/migrations/000_base.sql": example.base} if example.base else None,
    )
    found = sorted(rule_ids(result))
    assert example.ours in found, f"{example.tool} {example.peer}: expected {example.ours}, got {found}"


def _mapping_rows() -> list[tuple[str, str, list[str], str]]:
    """(tool, peer rule, our rule ids, note) for every table row of docs/rule-mapping.md."""
    rows, tool = [], ""
    for line in MAPPING.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            tool = line[3:].strip()
        elif line.startswith("| ") and not line.startswith(("| Peer", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            peer = cells[0].strip("`")
            rows.append(
                (tool, peer, re.findall(r"`([a-z0-9-]+)`", cells[1]), cells[2] if len(cells) > 2 else "")
            )
    return rows


def test_the_mapping_names_only_existing_rules_and_explains_the_rest() -> None:
    rows = _mapping_rows()
    assert len(rows) > 100
    for tool, peer, ours, note in rows:
        assert all(rule in rules.ALL_IDS for rule in ours), f"{tool} {peer}: unknown rule in {ours}"
        assert ours or note, f"{tool} {peer}: neither a rule nor a reason"


def test_every_mapped_row_has_an_example() -> None:
    examples = {(e.tool, e.peer, e.ours) for e in EXAMPLES}
    for tool, peer, ours, _ in _mapping_rows():
        for rule in ours:
            assert (tool, peer, rule) in examples, f"{tool} {peer} -> {rule} has no example in this test"
