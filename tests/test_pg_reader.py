"""PostgreSQL read through PostgreSQL's own grammar: each statement the token reader misread, through the CLI.

Every case runs `migration-review lint` on real files, as a user runs it, and checks the reading in what
the review says (its findings), plus the operations for the cases no rule speaks about.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pglast import ast

from bot.frameworks.sqlfile import parse_sql

CLI = str(Path(sys.executable).parent / "migration-review")
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, email text, code text);\n"


def lint(tmp_path: Path, *files: str, config: str = "") -> dict[str, Any]:
    paths = []
    for index, text in enumerate(files, start=1):
        path = tmp_path / f"{index:03}_step.sql"
        path.write_text(text)
        paths.append(str(path))
    extra = []
    if config:
        (tmp_path / "config.yml").write_text(config)
        extra = ["--config", str(tmp_path / "config.yml")]
    done = subprocess.run(
        [CLI, "lint", *paths, "--dialect", "postgres", "--format", "json", "--exit-zero", *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def found(report: dict[str, Any], rule: str, path_suffix: str = "") -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule and f["path"].endswith(path_suffix)]


def kinds(sql: str) -> list[str]:
    return [op.kind for op in parse_sql("m.sql", sql, "postgres")]


def test_rename_without_column_keyword_is_a_column_rename(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        "CREATE TABLE community (id bigint PRIMARY KEY, description text);\n",
        "ALTER TABLE community RENAME description TO summary;\n",
    )
    [renamed] = found(report, "column-renamed")
    assert "`community.description` is renamed to `summary`" in renamed["message"]
    assert not found(report, "table-renamed")


def test_validate_then_drop_column_keeps_the_drop(tmp_path: Path) -> None:
    report = lint(tmp_path, USERS, "ALTER TABLE users VALIDATE CONSTRAINT c, DROP COLUMN code;\n")
    [dropped] = found(report, "column-dropped")
    assert "`users.code`" in dropped["message"]


def test_drop_index_of_two_names_drops_both(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        USERS + "CREATE INDEX a ON users (email);\nCREATE INDEX b ON users (code);\n",
        "DROP INDEX a, b;\n",
    )
    assert len(found(report, "non-concurrent-index-drop", "002_step.sql")) == 2
    assert not found(report, "unparsed-statement")


def test_statements_the_token_reader_could_not_read(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        USERS,
        "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\n"
        "ALTER TABLE users DISABLE ROW LEVEL SECURITY;\n"
        "CREATE TEMP TABLE scratch (id bigint) ON COMMIT DROP;\n"
        "CREATE TABLE flags (id bigint PRIMARY KEY, bits bit varying(8), amount money_type(12, 2));\n",
    )
    assert not found(report, "unparsed-statement")
    ops = parse_sql(
        "m.sql", "CREATE TABLE flags (bits bit varying(8), amount money_type(12, 2));", "postgres"
    )
    [table] = ops
    assert [(c.name, c.type) for c in table.columns] == [
        ("bits", "varbit(8)"),
        ("amount", "money_type(12, 2)"),
    ]
    temp = parse_sql("m.sql", "CREATE TEMP TABLE scratch (id bigint) ON COMMIT DROP;", "postgres")[0]
    assert temp.temporary is True


def test_reindex_concurrently_false_is_not_concurrent(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        USERS + "CREATE INDEX users_email_idx ON users (email);\n",
        "REINDEX (CONCURRENTLY false) INDEX users_email_idx;\n",
    )
    assert found(report, "non-concurrent-reindex", "002_step.sql")
    quiet = lint(
        tmp_path,
        USERS + "CREATE INDEX users_email_idx ON users (email);\n",
        "REINDEX (CONCURRENTLY) INDEX users_email_idx;\n",
    )
    assert not found(quiet, "non-concurrent-reindex")


def test_a_custom_setting_named_like_a_timeout_is_no_timeout(tmp_path: Path) -> None:
    report = lint(tmp_path, USERS, "SET app.lock_timeout = '1s';\nALTER TABLE users ADD COLUMN note text;\n")
    assert found(report, "missing-lock-timeout", "002_step.sql")
    real = lint(tmp_path, USERS, "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN note text;\n")
    assert not found(real, "missing-lock-timeout", "002_step.sql")


def test_statements_without_a_better_form_get_no_impossible_fix(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        USERS + "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n",
        "VACUUM (FULL FALSE) users;\n"
        "ALTER TABLE events DETACH PARTITION events_2020 FINALIZE;\n"
        "REINDEX SYSTEM postgres;\n",
    )
    second = [f["rule"] for f in report["findings"] if f["path"].endswith("002_step.sql")]
    assert not {
        "blocking-maintenance",
        "non-concurrent-detach-partition",
        "non-concurrent-reindex",
        "unparsed-statement",
    } & set(second)


def test_a_plpgsql_body_stays_whole_and_knows_its_tables(tmp_path: Path) -> None:
    body = (
        "DO $$\nDECLARE n int;\nBEGIN\n"
        "  UPDATE users SET code = 'x' WHERE code IS NULL;\n"
        "  SELECT count(*) INTO n FROM accounts;\n"
        "  IF n > 0 THEN DELETE FROM sessions; END IF;\n"
        "END $$;\n"
    )
    report = lint(tmp_path, USERS, body)
    assert not found(report, "unparsed-statement")
    [block, *data] = parse_sql("m.sql", body, "postgres")
    assert block.kind == "RawSQL" and (block.location.line, block.end_line) == (1, 7)
    assert block.writes == ("users", "sessions") and block.reads == ("accounts",)
    # the data statements it runs follow, read as the statements they are, at their own lines
    assert [(op.kind, op.table, op.location.line) for op in data] == [
        ("DataUpdate", "users", 4),
        ("DataDelete", "sessions", 6),
    ]


def test_inline_unique_and_references_on_add_column_are_seen(tmp_path: Path) -> None:
    sql = "ALTER TABLE users ADD COLUMN account_id bigint UNIQUE REFERENCES accounts (id) ON DELETE CASCADE;"
    ops = parse_sql("m.sql", sql, "postgres")
    assert [op.kind for op in ops] == ["AddColumn", "AddConstraint", "AddConstraint"]
    assert [op.constraint for op in ops[1:]] == ["unique", "foreign_key"]
    assert ops[2].references == "accounts" and ops[2].on_delete == "cascade"
    report = lint(tmp_path, USERS + "CREATE TABLE accounts (id bigint PRIMARY KEY);\n", sql + "\n")
    assert found(report, "unique-constraint-under-lock", "002_step.sql") or found(
        report, "foreign-key-without-index", "002_step.sql"
    )


def test_lock_table_is_an_operation() -> None:
    ops = parse_sql("m.sql", "LOCK TABLE users, accounts IN SHARE ROW EXCLUSIVE MODE NOWAIT;", "postgres")
    assert [(op.kind, op.table, op.mode) for op in ops] == [
        ("LockTable", "users", "SHARE ROW EXCLUSIVE"),
        ("LockTable", "accounts", "SHARE ROW EXCLUSIVE"),
    ]


def test_a_statement_postgres_rejects_carries_its_error_and_line(tmp_path: Path) -> None:
    report = lint(tmp_path, "SELECT 1;\n\nALTER TABLE users\n  FROBNICATE x;\nSELECT 2;\n")
    [unparsed] = found(report, "unparsed-statement")
    assert unparsed["line"] == 3 and 'syntax error at or near "FROBNICATE"' in unparsed["message"]
    assert "line 4" in unparsed["message"]


def test_every_statement_postgres_accepts_is_read() -> None:
    sql = (
        "CREATE SEQUENCE s; ALTER SEQUENCE s RESTART WITH 5; CREATE POLICY p ON users USING (true);"
        "CREATE STATISTICS st ON email, code FROM users; SECURITY LABEL ON TABLE users IS 'x';"
        "ALTER TABLE users SET SCHEMA archive; ALTER TABLE users OWNER TO app; CREATE CAST (text AS int) "
        "WITH INOUT; LISTEN ch; CHECKPOINT; ALTER TABLE users ALTER COLUMN email SET STATISTICS 100;"
    )
    assert "Unparsed" not in kinds(sql)


def test_volatile_default_of_an_unknown_function(tmp_path: Path) -> None:
    report = lint(
        tmp_path, USERS, "ALTER TABLE users ADD COLUMN token text NOT NULL DEFAULT generate_code();\n"
    )
    assert found(report, "volatile-default", "002_step.sql")


def test_a_built_in_called_with_arguments_it_does_not_take_is_not_that_built_in(tmp_path: Path) -> None:
    # PostgreSQL resolves functions by name and arguments: `now(123)` is some other function, or none
    called = "ALTER TABLE users ADD COLUMN seen timestamptz NOT NULL DEFAULT now(123);\n"
    report = lint(tmp_path, USERS, called)
    assert found(report, "volatile-default", "002_step.sql")
    assert "`now(123)`" in json.dumps(report)
    assert not found(lint(tmp_path, USERS, called.replace("now(123)", "now()")), "volatile-default")


def test_a_function_the_repository_declared_immutable_is_no_volatile_default(tmp_path: Path) -> None:
    function = "CREATE FUNCTION default_code() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'none' $$;\n"
    add = "ALTER TABLE users ADD COLUMN token text NOT NULL DEFAULT default_code();\n"
    assert not found(lint(tmp_path, USERS + function, add), "volatile-default")
    assert not found(lint(tmp_path, USERS, function + add), "volatile-default")
    volatile = function.replace("IMMUTABLE", "VOLATILE")
    assert found(lint(tmp_path, USERS + volatile, add), "volatile-default")


def test_a_column_added_earlier_in_the_file_has_a_known_type(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        USERS,
        "ALTER TABLE users ADD COLUMN score integer;\nALTER TABLE users ALTER COLUMN score TYPE bigint;\n",
    )
    [change] = found(report, "type-change-rewrite")
    assert "from `int` to `bigint`" in change["message"]


def test_set_not_null_after_a_validated_check_in_an_earlier_migration(tmp_path: Path) -> None:
    check = (
        "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
    )
    set_not_null = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    assert not found(lint(tmp_path, USERS, check, set_not_null), "set-not-null")
    old = lint(tmp_path, USERS, check, set_not_null, config='database_version: "11"\n')
    assert found(old, "set-not-null", "003_step.sql")
    not_validated = check.splitlines(keepends=True)[0]
    assert found(lint(tmp_path, USERS, not_validated, set_not_null), "set-not-null", "003_step.sql")


def test_psql_commands_and_copy_data_are_set_aside() -> None:
    dump = (
        "\\restrict abc\n"
        "CREATE TABLE public.users (id bigint NOT NULL, email text);\n"
        "COPY public.users (id, email) FROM stdin;\n"
        "1\tit's me\n"
        "\\.\n"
        "ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"
    )
    ops = parse_sql("structure.sql", dump, "postgres")
    assert [(op.kind, op.location.line) for op in ops] == [
        ("RawSQL", 1),
        ("CreateTable", 2),
        ("RawSQL", 3),
        ("AddConstraint", 6),
    ]
    assert [getattr(op, "category", "") for op in ops] == ["psql-command", "", "copy", ""]


# Statements whose nodes hold every kind of value pglast's parser hands the node classes: enums, chars
# (`relpersistence`), booleans, integers, floats, bit strings, lists, nested statements, PL/pgSQL text.
_VARIED = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE UNLOGGED TABLE IF NOT EXISTS shop.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  total numeric(12, 2) NOT NULL DEFAULT 0.5 CHECK (total >= 0),
  flags bit(3) DEFAULT B'101', mood mood, tags text[] DEFAULT '{}',
  paid boolean DEFAULT false, account_id bigint REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE TEMP TABLE scratch (x int);
ALTER TABLE shop.orders ADD COLUMN note text COLLATE "C", ALTER COLUMN total TYPE numeric USING total::numeric,
  ADD CONSTRAINT orders_mood_check CHECK (mood IS NOT NULL) NOT VALID;
ALTER TABLE shop.orders VALIDATE CONSTRAINT orders_mood_check;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_note ON shop.orders USING btree (lower(note)) WHERE paid;
WITH moved AS (DELETE FROM scratch WHERE x > 3 RETURNING x)
INSERT INTO scratch SELECT x * 2 FROM moved ON CONFLICT DO NOTHING;
UPDATE shop.orders o SET total = CASE WHEN o.paid THEN 1.25e3 ELSE -1 END, tags = ARRAY['a', 'b']
  FROM accounts a WHERE a.id = o.account_id AND o.id IN (SELECT id FROM shop.orders LIMIT 1000);
SELECT rank() OVER (PARTITION BY mood ORDER BY total DESC), data->>'k', $1 FROM shop.orders;
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.note := now()::text; RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE OF note ON shop.orders FOR EACH ROW
  WHEN (OLD.note IS DISTINCT FROM NEW.note) EXECUTE FUNCTION touch();
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN RAISE NOTICE 'x'; END IF; END $$;
CREATE MATERIALIZED VIEW totals AS SELECT mood, sum(total) FROM shop.orders GROUP BY ROLLUP (mood) WITH NO DATA;
LOCK TABLE shop.orders IN SHARE ROW EXCLUSIVE MODE NOWAIT;
SET lock_timeout = '2s'; COMMENT ON COLUMN shop.orders.note IS 'n'; GRANT SELECT ON shop.orders TO reader;
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'; DROP TABLE IF EXISTS scratch CASCADE;
"""


def test_the_reader_builds_the_same_nodes_as_pglast_with_its_checks(tmp_path: Path) -> None:
    """The file reader lets pglast's parser build its nodes without the node classes' value checks (they
    convert nothing the parser gives them): the trees equal those pglast builds with the checks, for varied
    statements and for the benchmark's generated migrations, and the checks are back afterwards."""
    import pglast
    import pytest
    from pglast import ast

    from bot.sql import pg_statements

    generator = Path(__file__).resolve().parents[1] / "bench" / "corpus.py"
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(generator), "--out", str(out), "--files", "40"], check=True, capture_output=True
    )
    texts = [_VARIED, *(path.read_text() for path in sorted(out.glob("*.sql")))]
    for text in texts:
        statements = pg_statements.split(text)
        assert [s.node for s in statements] == [raw.stmt for raw in pglast.parse_sql(text)]
        assert all(s.error is None for s in statements)
    with pytest.raises(ValueError):
        ast.String(sval=1)  # the node classes check their values again


def test_the_printer_spells_every_node_as_pglasts_own_call(tmp_path: Path) -> None:
    """`deparse` tells the nodes their ancestors itself instead of through pglast's visitor: every node of
    varied statements and of the benchmark's generated migrations prints as `RawStream()(node)` prints it,
    also when it was printed before as part of a larger node (whose ancestors it then had)."""
    import pglast
    import pytest
    from pglast.stream import RawStream

    from bot.sql.pg_nodes import deparse

    generator = Path(__file__).resolve().parents[1] / "bench" / "corpus.py"
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(generator), "--out", str(out), "--files", "40"], check=True, capture_output=True
    )
    printed = 0
    for text in [_VARIED, *(path.read_text() for path in sorted(out.glob("*.sql")))]:
        for raw in pglast.parse_sql(text):
            for node in _nodes(raw.stmt):
                if isinstance(node, ast.String | ast.Integer | ast.Float | ast.Boolean | ast.BitString):
                    continue  # values inside lists, which the printer does not print alone
                try:
                    expected = RawStream()(node)
                except Exception as error:  # a node pglast prints only inside its parent
                    with pytest.raises(type(error)):
                        deparse(node)
                    continue
                assert deparse(node) == expected, repr(node)
                printed += 1
    assert printed > 2000


def _nodes(value: object) -> Iterator[ast.Node]:
    if isinstance(value, ast.Node):
        yield value
        for member in value:
            yield from _nodes(getattr(value, member))
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes(item)


def test_nested_reading_keeps_the_checks_off_until_the_outer_one_ends() -> None:
    """A lint reads every file inside one `unchecked_nodes` (a swap of the base class's method costs an
    update of each of its subclasses): a file's own parse inside it leaves the checks off, the end of the
    outer one (an exception included) puts them back."""
    import pytest

    from bot.sql import pg_statements

    with pytest.raises(RuntimeError), pg_statements.unchecked_nodes():
        pg_statements.split("SELECT 1; CREATE TABLE t (id int);")
        ast.String(sval=1)  # taken as given: nothing checks it
        raise RuntimeError
    with pytest.raises(ValueError):
        ast.String(sval=1)
    assert [s.node for s in pg_statements.split("SELECT 1;")] == [pglast_statement("SELECT 1;")]
    with pytest.raises(ValueError):
        ast.String(sval=1)


def pglast_statement(sql: str) -> ast.Node:
    import pglast

    node: ast.Node = pglast.parse_sql(sql)[0].stmt
    return node
