"""The schema changes a DO block runs once are read as the operations they are: drizzle-kit and hand-written
migrations wrap `ALTER TABLE … ADD CONSTRAINT` in `DO $$ BEGIN … EXCEPTION WHEN duplicate_object …`, and
idempotent ones guard `CREATE INDEX` with `IF NOT EXISTS (…) THEN`."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    ("orders", "users", "user_id"),
    ("invoices", "accounts", "account_id"),
    ("posts", "authors", "author_id"),
]


def _schema(child: str, parent: str, column: str) -> str:
    return (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\nCREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint);\n"
        "-- migration\n"
    )


def _rules(sql: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for f in review_sql(sql).active:
        found.setdefault(f.rule, []).append(f.line)
    return found


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_foreign_key_added_in_a_do_block_is_validated_under_lock(
    child: str, parent: str, column: str
) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$ BEGIN\n"
        f' ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{column}_fk" FOREIGN KEY ("{column}") '
        f'REFERENCES "public"."{parent}"("id") ON DELETE no action ON UPDATE no action;\n'
        "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
    )
    assert _rules(sql).get("constraint-not-valid") == [2]


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_foreign_key_added_not_valid_in_a_do_block_is_quiet(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$ BEGIN\n"
        f' ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{column}_fk" FOREIGN KEY ("{column}") '
        f'REFERENCES "{parent}"("id") NOT VALID;\n'
        "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
    )
    found = _rules(sql)
    assert "constraint-not-valid" not in found and "statements-after-exclusive-lock" not in found


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_an_index_built_under_if_not_exists_blocks_writes(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$\nBEGIN\n"
        f"  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = '{child}_{column}_idx') THEN\n"
        f"    CREATE INDEX {child}_{column}_idx ON {child} ({column});\n"
        "  END IF;\nEND\n$$;\n"
    )
    assert _rules(sql).get("non-concurrent-index") == [4]


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_loop_is_not_read_as_statements_run_once(child: str, parent: str, column: str) -> None:
    sql = _schema(child, parent, column) + (
        "DO $$\nDECLARE r record;\nBEGIN\n"
        f"  FOR r IN SELECT id FROM {parent} LOOP\n"
        f"    CREATE INDEX {child}_{column}_idx ON {child} ({column});\n"
        "  END LOOP;\nEND\n$$;\n"
    )
    assert "non-concurrent-index" not in _rules(sql)


LOOPS = [
    # (the loop's head, the variable as the EXECUTE names it)
    ("FOREACH t IN ARRAY ARRAY['{a}', '{b}'] LOOP", "t"),
    ("FOR t IN SELECT unnest(ARRAY['{a}', '{b}']) LOOP", "t"),
    ("FOR r IN SELECT * FROM (VALUES ('{a}'), ('{b}')) AS v(tbl) LOOP", "r.tbl"),
    ("FOREACH t IN ARRAY '{{{a},{b}}}'::text[] LOOP", "t"),
]
TABLES = [("orders", "invoices"), ("accounts", "members")]


def _two_tables(a: str, b: str) -> str:
    return (
        f"CREATE TABLE {a} (id bigint PRIMARY KEY, status text);\n"
        f"CREATE TABLE {b} (id bigint PRIMARY KEY, status text);\n-- migration\n"
    )


@pytest.mark.parametrize(("head", "variable"), LOOPS)
@pytest.mark.parametrize(("a", "b"), TABLES)
@pytest.mark.parametrize(
    "build",
    [
        "'ALTER TABLE ' || {v} || ' ALTER COLUMN status SET NOT NULL'",
        "format('ALTER TABLE %I ALTER COLUMN status SET NOT NULL', {v})",
    ],
)
def test_a_loop_over_a_list_of_tables_runs_its_statement_on_each(
    head: str, variable: str, a: str, b: str, build: str
) -> None:
    sql = _two_tables(a, b) + (
        "DO $$\nDECLARE t text; r record;\nBEGIN\n"
        f"  {head.format(a=a, b=b)}\n"
        f"    EXECUTE {build.format(v=variable)};\n"
        "  END LOOP;\nEND $$;\n"
    )
    findings = [f for f in review_sql(sql).active if f.rule == "set-not-null"]
    assert [f.line for f in findings] == [5, 5]
    assert {f.message.split("`")[1] for f in findings} == {f"{a}.status", f"{b}.status"}


@pytest.mark.parametrize(("a", "b"), TABLES)
def test_a_loop_over_a_list_whose_statement_is_safe_is_quiet(a: str, b: str) -> None:
    sql = _two_tables(a, b) + (
        "DO $$\nDECLARE t text;\nBEGIN\n"
        f"  FOREACH t IN ARRAY ARRAY['{a}', '{b}'] LOOP\n"
        "    EXECUTE format('ALTER TABLE %I ADD COLUMN note text', t);\n"
        "  END LOOP;\nEND $$;\n"
    )
    found = _rules(sql)
    assert "unparsed-statement" not in found and "set-not-null" not in found


@pytest.mark.parametrize(
    "source",
    [
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        "SELECT table_name AS tablename FROM information_schema.columns WHERE column_name = 'status'",
    ],
)
@pytest.mark.parametrize(
    "change", ["ADD COLUMN tenant_id integer NOT NULL DEFAULT 0", "ALTER COLUMN status SET NOT NULL"]
)
def test_sql_built_for_tables_chosen_when_the_block_runs_is_named_and_blocks(
    source: str, change: str
) -> None:
    sql = _two_tables("orders", "invoices") + (
        "DO $$\nDECLARE r record;\nBEGIN\n"
        f"  FOR r IN {source} LOOP\n"
        f"    EXECUTE format('ALTER TABLE %I {change}', r.tablename);\n"
        "  END LOOP;\nEND $$;\n"
    )
    result = review_sql(sql)
    unread = [f for f in result.active if f.rule == "unread-data-change"]
    assert [f.line for f in unread] == [5]
    assert source in unread[0].message and f"ALTER TABLE … {change}" in unread[0].message
    assert result.approval != "APPROVED" and any("could not read" in r for r in result.reasons)


@pytest.mark.parametrize(
    "statement",
    ["format('GRANT SELECT ON %I TO reporting', r.tablename)", "'ANALYZE ' || quote_ident(r.tablename)"],
)
def test_sql_built_when_the_block_runs_that_changes_nothing_is_left_alone(statement: str) -> None:
    sql = _two_tables("orders", "invoices") + (
        "DO $$\nDECLARE r record;\nBEGIN\n"
        "  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
        f"    EXECUTE {statement};\n"
        "  END LOOP;\nEND $$;\n"
    )
    found = _rules(sql)
    assert "unparsed-statement" not in found and "unread-data-change" not in found


@pytest.mark.parametrize(("a", "b"), TABLES)
def test_a_name_the_block_assigns_from_the_loop_value_is_known(a: str, b: str) -> None:
    """`new_name := 'legacy_' || substr(t, 1)` inside a loop over a list: each rename is read as such."""
    sql = _two_tables(a, b) + (
        "DO $$\nDECLARE t text; new_name text;\nBEGIN\n"
        f"  FOR t IN SELECT unnest(ARRAY['{a}', '{b}']) LOOP\n"
        "    new_name := 'legacy_' || substr(t, 1);\n"
        "    IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = t) THEN\n"
        "      EXECUTE format('ALTER TABLE public.%I RENAME TO %I', t, new_name);\n"
        "    END IF;\n"
        "  END LOOP;\nEND $$;\n"
    )
    renamed = [f.message for f in review_sql(sql).active if f.rule == "table-renamed"]
    assert sorted(renamed) == sorted(f"Table `{t}` is renamed to `legacy_{t}`." for t in (a, b))


@pytest.mark.parametrize(("a", "b"), TABLES)
def test_constraints_named_only_when_the_block_runs_are_dropped_from_a_known_table(a: str, b: str) -> None:
    """The table is known, only the constraints' names are not: read as constraints dropped from it."""
    sql = _two_tables(a, b) + (
        "DO $$\nDECLARE c text;\nBEGIN\n"
        f"  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = '{a}'::regclass AND contype = 'f' LOOP\n"
        f"    EXECUTE format('ALTER TABLE {a} DROP CONSTRAINT IF EXISTS %I', c);\n"
        "  END LOOP;\nEND $$;\n"
    )
    result = review_sql(sql)
    assert not [f for f in result.active if f.rule in ("unread-data-change", "unparsed-statement")]
    assert any(a in f.message for f in result.active if f.rule == "missing-lock-timeout")


def test_nested_loops_are_named_outer_first() -> None:
    sql = _two_tables("orders", "invoices") + (
        "DO $$\nDECLARE t text; a text;\nBEGIN\n"
        "  FOR t IN SELECT table_name FROM information_schema.columns WHERE column_name = 'payload' LOOP\n"
        "    FOR a IN SELECT DISTINCT uid FROM attribute LOOP\n"
        "      EXECUTE format('UPDATE %I SET payload = payload #- ''{%s}''', t, a);\n"
        "    END LOOP;\n"
        "  END LOOP;\nEND $$;\n"
    )
    [finding] = [f for f in review_sql(sql).active if f.rule == "unread-data-change"]
    assert finding.line == 6
    outer, inner = (
        finding.message.index("information_schema.columns"),
        finding.message.index("FROM attribute"),
    )
    assert outer < inner


@pytest.mark.parametrize(("child", "parent", "column"), NAMES[:2])
def test_a_table_the_block_builds_with_create_table_as_is_new(child: str, parent: str, column: str) -> None:
    """`CREATE TEMP TABLE ids AS SELECT …` in the block, then an index on it and a batched UPDATE from it:
    the table is the block's own (no other session sees it), so building its index blocks nobody; the UPDATE
    of the existing table is read as such."""
    sql = _schema(child, parent, column) + (
        "DO $$\nDECLARE\n  lo bigint := 0;\n  top bigint;\nBEGIN\n"
        f"  CREATE TEMPORARY TABLE pending AS SELECT id FROM {child} WHERE {column} IS NULL;\n"
        "  CREATE INDEX pending_id ON pending (id);\n"
        "  SELECT max(id) INTO top FROM pending;\n"
        "  WHILE lo < top LOOP\n"
        f"    UPDATE {child} SET {column} = 0 WHERE id IN (SELECT id FROM pending WHERE id > lo AND id <= lo + 500);\n"
        "    lo := lo + 500;\n    COMMIT;\n  END LOOP;\nEND $$;\n"
    )
    found = _rules(sql)
    assert "non-concurrent-index" not in found and "missing-lock-timeout" not in found
    assert "unbatched-data-change" not in found  # each pass updates the keys the loop gives
    assert found.get("missing-down-migration") == [10]
