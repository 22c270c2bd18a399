"""constraint-index-dropped: `DROP INDEX` of the index a PRIMARY KEY or UNIQUE constraint owns (under the
constraint's name or the one PostgreSQL gave it) fails; a unique index made by CREATE UNIQUE INDEX, and a
constraint already gone with its table, its column or an earlier DROP CONSTRAINT, are not reported. Each case
is also run on the real PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import refusal, review_sql

RULE = "constraint-index-dropped"
NAMES = [("users", "email", "tenant"), ("accounts", "handle", "region")]

REFUSED = [
    ("CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);", "DROP INDEX {t}_{a}_key;"),
    ("CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text, {b} text);", "DROP INDEX {t}_pkey;"),
    (
        "CREATE TABLE {t} (id bigint, {a} text, {b} text, CONSTRAINT {t}_pk PRIMARY KEY (id),\n"
        "  CONSTRAINT {t}_{a}_unique UNIQUE ({a}));",
        "DROP INDEX IF EXISTS {t}_{a}_unique;",
    ),
    (
        "CREATE TABLE {t} (id bigint, {a} text, {b} text, CONSTRAINT {t}_pk PRIMARY KEY (id));",
        "DROP INDEX public.{t}_pk;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text, {b} text);\nALTER TABLE {t} ADD UNIQUE ({a}, {b});",
        "DROP INDEX CONCURRENTLY {t}_{a}_{b}_key;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text, {b} text);\n"
        "CREATE UNIQUE INDEX {t}_{a}_idx ON {t} ({a});\n"
        "ALTER TABLE {t} ADD CONSTRAINT {t}_{a}_idx UNIQUE USING INDEX {t}_{a}_idx;",
        "DROP INDEX {t}_{a}_idx;",
    ),
    (  # a renamed table keeps its constraints' names
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);\nALTER TABLE {t} RENAME TO {t}_old;",
        "DROP INDEX {t}_{a}_key;",
    ),
]
ACCEPTED = [
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text, {b} text);\n"
        "CREATE UNIQUE INDEX {t}_{a}_key ON {t} ({a});",
        "DROP INDEX {t}_{a}_key;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);",
        "ALTER TABLE {t} DROP CONSTRAINT {t}_{a}_key;\nDROP INDEX IF EXISTS {t}_{a}_key;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);\nDROP TABLE {t};",
        "DROP INDEX IF EXISTS {t}_{a}_key;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);\nALTER TABLE {t} DROP COLUMN {a};",
        "DROP INDEX IF EXISTS {t}_{a}_key;",
    ),
    (
        "CREATE TABLE {t} (id bigint PRIMARY KEY, {a} text UNIQUE, {b} text);",
        "DROP INDEX IF EXISTS {t}_{b}_key;",
    ),
]


def _sql(text: str, names: tuple[str, str, str]) -> str:
    t, a, b = names
    return text.format(t=t, a=a, b=b)


def _found(schema: str, change: str) -> list[str]:
    return [f.message for f in review_sql(f"{schema}\n-- migration\n{change}").active if f.rule == RULE]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("schema", "change"), REFUSED)
def test_dropping_a_constraints_index_is_reported(names, schema, change) -> None:  # type: ignore[no-untyped-def]
    found = _found(_sql(schema, names), _sql(change, names))
    assert len(found) == 1 and "requires it" in found[0]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("schema", "change"), ACCEPTED)
def test_what_drops_no_constraints_index_is_not_reported(names, schema, change) -> None:  # type: ignore[no-untyped-def]
    assert _found(_sql(schema, names), _sql(change, names)) == []


def test_the_finding_names_the_constraint_and_the_statement_to_write() -> None:
    review = review_sql(_sql(REFUSED[0][0], NAMES[1]) + "\n-- migration\n" + _sql(REFUSED[0][1], NAMES[1]))
    finding = next(f for f in review.active if f.rule == RULE)
    assert finding.severity.value == "critical"
    assert "UNIQUE constraint `accounts_handle_key` of `accounts` (handle)" in finding.message
    assert "ALTER TABLE accounts DROP CONSTRAINT accounts_handle_key;" in finding.fix
    # the statement fails: it is not also reported as giving uniqueness up
    assert "unique-key-dropped" not in {f.rule for f in review.active}


@pytest.mark.parametrize("names", NAMES)
def test_what_postgresql_refuses(pg, names) -> None:  # type: ignore[no-untyped-def]
    schema = str(pg.execute("SELECT current_schema()").fetchone()[0])
    for cases, refused in ((REFUSED, True), (ACCEPTED, False)):
        for setup, change in cases:
            pg.execute(f"DROP TABLE IF EXISTS {names[0]}, {names[0]}_old")
            pg.execute(_sql(setup, names))
            statement = _sql(change, names).replace("public.", f"{schema}.")
            error = refusal(pg.execute, statement)
            assert bool(error) == refused and (not error or "requires it" in error), f"{statement}: {error}"
