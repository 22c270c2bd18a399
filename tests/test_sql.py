"""Statements, lines and the statements sqlglot does not parse: none of them may silently vanish."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from bot.frameworks.sqlfile import parse_sql
from bot.sql.statements import split

# Statements sqlglot keeps as an opaque Command today. If an upgrade starts parsing one of them, this
# test fails: look at the new tree and teach bot/sql/translate.py about it before changing this list.
COMMAND_FALLBACKS = [
    "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX idx",
    "ALTER TABLE users VALIDATE CONSTRAINT fk",
    "ALTER TYPE mood ADD VALUE 'x' AFTER 'y'",
    "ALTER SEQUENCE s RESTART WITH 5",
    "ALTER TABLE t RENAME CONSTRAINT a TO b",
    "ALTER TABLE t DISABLE TRIGGER ALL",
    "ALTER TABLE p DETACH PARTITION c",
    "REINDEX INDEX idx",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "VACUUM FULL users",
]


def test_pinned_command_fallbacks() -> None:
    for sql in COMMAND_FALLBACKS:
        assert isinstance(sqlglot.parse_one(sql, dialect="postgres"), exp.Command), sql


def test_every_fallback_becomes_a_typed_operation() -> None:
    text = ";\n".join(COMMAND_FALLBACKS) + ";\n"
    kinds = [op.kind for op in parse_sql("m.sql", text, "postgres")]
    assert kinds == [
        "AddConstraint",
        "ValidateConstraint",
        "AddEnumValue",
        "RawSQL",
        "RenameConstraint",
        "RawSQL",
        "DetachPartition",
        "Reindex",
        "RawSQL",
        "Maintenance",
    ]


def test_dollar_quoted_bodies_do_not_split_and_lines_are_exact() -> None:
    text = (
        "-- header\n"
        "CREATE FUNCTION touch() RETURNS trigger AS $$\n"
        "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
        "\n"
        "DO $body$ BEGIN PERFORM 1; END $body$;\n"
        "ALTER TABLE orders ADD COLUMN note text;\n"
    )
    statements = split(text, "postgres")
    assert [(s.line, s.end_line) for s in statements] == [(2, 7), (9, 9), (10, 10)]
    ops = parse_sql("m.sql", text, "postgres")
    assert [(op.kind, op.location.line) for op in ops] == [
        ("CreateFunction", 2),
        ("RawSQL", 9),
        ("AddColumn", 10),
    ]


def test_semicolons_in_strings_and_comments_do_not_split() -> None:
    text = "INSERT INTO t (a) VALUES ('x;y'); -- c; d\n/* e; f */ UPDATE t SET a = 'p;q' WHERE id = 1;"
    assert [op.kind for op in parse_sql("m.sql", text, "postgres")] == ["DataInsert", "DataUpdate"]


def test_unparseable_statement_is_an_operation_not_a_crash() -> None:
    ops = parse_sql(
        "m.sql", "ALTER TABLE users FROBNICATE x;\nALTER TABLE users ADD COLUMN a int;", "postgres"
    )
    assert [op.kind for op in ops] == ["Unparsed", "AddColumn"]
    assert ops[1].location.line == 2


def test_unterminated_string_is_one_unparsed_statement() -> None:
    ops = parse_sql("m.sql", "\n\nUPDATE t SET a = 'oops;\n", "postgres")
    assert [op.kind for op in ops] == ["Unparsed"] and ops[0].location.line == 3


def test_timeouts_in_every_spelling() -> None:
    text = (
        "SET lock_timeout = '2s';\nSET LOCAL statement_timeout TO '5min';\n"
        "SELECT set_config('lock_timeout', '3s', false);\n"
    )
    ops = parse_sql("m.sql", text, "postgres")
    assert [(op.kind, getattr(op, "setting", "")) for op in ops] == [
        ("SetTimeout", "lock_timeout"),
        ("SetTimeout", "statement_timeout"),
        ("SetTimeout", "lock_timeout"),
    ]
    mysql = parse_sql("m.sql", "SET SESSION lock_wait_timeout = 5;", "mysql")
    assert mysql[0].kind == "SetTimeout"


def test_mysql_alter_options_are_kept() -> None:
    ops = parse_sql("m.sql", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0, ALGORITHM=INSTANT;", "mysql")
    assert ops[0].kind == "AddColumn" and ops[0].option("ALGORITHM") == "INSTANT"


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgres", "UPDATE widgets SET options = jsonb_set(options, '{a}', options -> 'b')"),
        ("postgres", "UPDATE devices SET name = coalesce(settings -> 'name', name)"),
        ("mysql", "UPDATE widgets SET options = JSON_SET(options, '$.a', options -> '$.b')"),
        ("sqlite", "UPDATE devices SET name = coalesce(settings -> '$.name', name)"),
    ],
)
def test_an_arrow_among_a_functions_arguments_is_a_json_extraction(dialect: str, sql: str) -> None:
    [statement] = split(sql, dialect)
    assert statement.expression is not None
    assert statement.expression.find(exp.JSONExtract) and not statement.expression.find(exp.Lambda)
