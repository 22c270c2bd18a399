"""expression-not-immutable: an index expression or predicate, or a generated column, that calls what PostgreSQL
does not count as IMMUTABLE is refused on every database; IMMUTABLE built-ins and the repository's own
IMMUTABLE functions are not reported, nor a plain SQL function, whose body PostgreSQL inlines and judges. Each case is also run on the real PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import refusal, review_sql

RULE = "expression-not-immutable"

# (table, timestamptz column, timestamp column, text column, jsonb column): two name sets
TABLES = [
    ("events", "created_at", "logged_at", "title", "payload"),
    ("jobs", "run_at", "local_at", "name", "spec"),
]


def _schema(table: str, zoned: str, plain: str, text: str, json: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {zoned} timestamptz NOT NULL, {plain} timestamp, "
        f"{text} text, {json} jsonb, day date);\n"
    )


REFUSED = [
    "CREATE INDEX {table}_x ON {table} (date_trunc('day', {zoned}));",
    "CREATE INDEX {table}_x ON {table} (({zoned}::date));",
    "CREATE INDEX {table}_x ON {table} (extract(year FROM {zoned}));",
    "CREATE INDEX {table}_x ON {table} (date({zoned}));",
    "CREATE INDEX {table}_x ON {table} (({plain}::timestamptz));",
    "CREATE INDEX {table}_x ON {table} ((({json} ->> 'at')::timestamptz));",
    "CREATE INDEX {table}_x ON {table} (({text}::date));",
    "CREATE INDEX {table}_x ON {table} ((day::text));",
    "CREATE INDEX {table}_x ON {table} (to_char({plain}, 'YYYY-MM'));",
    "CREATE INDEX {table}_x ON {table} (age({plain}));",
    "CREATE INDEX {table}_x ON {table} (concat({text}, '-', id));",
    "CREATE INDEX {table}_x ON {table} USING gin (to_tsvector({text}));",
    "CREATE INDEX {table}_x ON {table} (id) WHERE {zoned} > now();",
    "CREATE INDEX {table}_x ON {table} (id) WHERE day < CURRENT_DATE;",
    "CREATE INDEX {table}_x ON {table} (id) WHERE {plain} > LOCALTIMESTAMP - interval '1 day';",
    "CREATE FUNCTION {table}_key(value text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN lower(value); "
    "END $$;\nCREATE INDEX {table}_x ON {table} ({table}_key({text}));",
    "CREATE FUNCTION {table}_key(value text) RETURNS text LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN "
    "lower(value); END $$;\nCREATE INDEX {table}_x ON {table} (id) WHERE {table}_key({text}) = 'a';",
    "ALTER TABLE {table} ADD COLUMN {zoned}_day date GENERATED ALWAYS AS ({zoned}::date) STORED;",
    "ALTER TABLE {table} ADD COLUMN {text}_search tsvector GENERATED ALWAYS AS (to_tsvector({text})) STORED;",
]
ACCEPTED = [
    "CREATE INDEX {table}_x ON {table} (date_trunc('day', {plain}));",
    "CREATE INDEX {table}_x ON {table} (date_trunc('day', {zoned} AT TIME ZONE 'UTC'));",
    "CREATE INDEX {table}_x ON {table} ((({zoned} AT TIME ZONE 'UTC')::date));",
    "CREATE INDEX {table}_x ON {table} (({plain}::date));",
    "CREATE INDEX {table}_x ON {table} (extract(year FROM {plain}));",
    "CREATE INDEX {table}_x ON {table} (lower({text}), upper({text}), coalesce({text}, ''));",
    "CREATE INDEX {table}_x ON {table} ((({json} ->> 'count')::int), ({json} ->> 'kind'));",
    "CREATE INDEX {table}_x ON {table} (({text} || ' ' || id));",
    "CREATE INDEX {table}_x ON {table} (greatest({zoned}, {zoned}), age({plain}, {plain}));",
    "CREATE INDEX {table}_x ON {table} USING gin (to_tsvector('english', {text}));",
    "CREATE INDEX {table}_x ON {table} (id) WHERE {zoned} > '2024-01-01';",
    "CREATE INDEX {table}_x ON {table} (id) WHERE {zoned} > '2024-01-01'::timestamptz AND {text} IS NOT NULL;",
    "CREATE FUNCTION {table}_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN "
    "lower(value); END $$;\nCREATE INDEX {table}_x ON {table} ({table}_key({text}));",
    # PostgreSQL inlines a plain SQL function and judges its body, whatever the function declares; the
    # repository's own function of a built-in's name is the one called
    "CREATE FUNCTION unaccent(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(value) $$;\n"
    "CREATE INDEX {table}_x ON {table} (unaccent({text}));",
    "CREATE FUNCTION {table}_key(value text) RETURNS text LANGUAGE sql AS $$ SELECT lower(value) $$;\n"
    "CREATE INDEX {table}_x ON {table} ({table}_key({text}));",
    "ALTER TABLE {table} ADD COLUMN {text}_lower text GENERATED ALWAYS AS (lower({text})) STORED;",
    "ALTER TABLE {table} ADD COLUMN {text}_search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce({text}, ''))) STORED;",
]


def _statement(template: str, names: tuple[str, ...]) -> str:
    table, zoned, plain, text, json = names
    return template.format(table=table, zoned=zoned, plain=plain, text=text, json=json)


def _found(names: tuple[str, ...], statement: str) -> list[str]:
    review = review_sql(_schema(*names) + "-- migration\n" + statement)
    return [f.message for f in review.active if f.rule == RULE]


@pytest.mark.parametrize("names", TABLES)
@pytest.mark.parametrize("template", REFUSED)
def test_a_call_that_is_not_immutable_is_reported(names, template) -> None:  # type: ignore[no-untyped-def]
    found = _found(names, _statement(template, names))
    assert len(found) == 1 and "PostgreSQL refuses this statement" in found[0]


@pytest.mark.parametrize("names", TABLES)
@pytest.mark.parametrize("template", ACCEPTED)
def test_immutable_expressions_are_not_reported(names, template) -> None:  # type: ignore[no-untyped-def]
    assert _found(names, _statement(template, names)) == []


def test_the_finding_says_what_to_write_instead() -> None:
    names = TABLES[0]
    review = review_sql(_schema(*names) + "-- migration\n" + _statement(REFUSED[0], names))
    finding = next(f for f in review.active if f.rule == RULE)
    assert finding.severity.value == "critical" and finding.line == 1
    assert "`date_trunc` of a timestamptz is STABLE" in finding.message
    assert "AT TIME ZONE 'UTC'" in finding.fix
    predicate = review_sql(_schema(*names) + "-- migration\n" + _statement(REFUSED[12], names))
    assert "constant" in next(f for f in predicate.active if f.rule == RULE).fix


def test_a_function_made_immutable_later_is_judged_as_it_stands() -> None:
    names = TABLES[1]
    replaced = (
        "CREATE FUNCTION jobs_key(value text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN value; END $$;\n"
        "CREATE OR REPLACE FUNCTION jobs_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE "
        "AS $$ BEGIN RETURN value; END $$;\n-- migration\nCREATE INDEX jobs_x ON jobs (jobs_key(name));"
    )
    assert [f for f in review_sql(_schema(*names) + replaced).active if f.rule == RULE] == []


@pytest.mark.parametrize("names", TABLES)
def test_what_postgresql_refuses(pg, names) -> None:  # type: ignore[no-untyped-def]
    for templates, refused in ((REFUSED, True), (ACCEPTED, False)):
        for template in templates:
            pg.execute("DROP TABLE IF EXISTS " + names[0])
            pg.execute(_schema(*names))
            statement = _statement(template, names)
            error = refusal(pg.execute, statement)
            assert bool(error) == refused and (not error or "immutable" in error.lower()), (
                f"{statement}: {error}"
            )
            pg.execute(f"DROP FUNCTION IF EXISTS {names[0]}_key(text), unaccent(text) CASCADE")


# MySQL and MariaDB: a generated column that calls a nondeterministic built-in (table, text column, time column)
MYSQL_TABLES = [("orders", "code", "placed_at"), ("sessions", "token", "seen_at")]
MYSQL_REFUSED = [
    "{col} date AS (CURDATE()) STORED",
    "{col} datetime GENERATED ALWAYS AS (NOW()) STORED",
    "{col} varchar(36) AS (UUID()) STORED",
    "{col} double AS (RAND()) STORED",
    "{col} bigint AS (CONNECTION_ID()) STORED",
    "{col} bigint AS (UNIX_TIMESTAMP()) STORED",
]
MYSQL_ACCEPTED = [
    "{col} varchar(40) AS (LOWER({text})) STORED",
    "{col} date AS (DATE({at})) STORED",
    "{col} bigint AS (UNIX_TIMESTAMP({at})) STORED",
]


def _mysql_schema(table: str, text: str, at: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, {text} varchar(40), {at} timestamp NULL);"


def _column(template: str, names: tuple[str, str, str]) -> str:
    _, text, at = names
    return template.format(col=f"{text}_x", text=text, at=at)


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("names", MYSQL_TABLES)
def test_a_generated_column_of_a_nondeterministic_function_is_reported(names, dialect) -> None:  # type: ignore[no-untyped-def]
    for template in MYSQL_REFUSED:
        change = f"ALTER TABLE {names[0]} ADD COLUMN {_column(template, names)};"
        review = review_sql(_mysql_schema(*names) + "\n-- migration\n" + change, dialect=dialect)
        found = [f.message for f in review.active if f.rule == RULE]
        assert len(found) == 1 and "refuses this statement" in found[0], change
    for template in MYSQL_ACCEPTED:
        change = f"ALTER TABLE {names[0]} ADD COLUMN {_column(template, names)};"
        review = review_sql(_mysql_schema(*names) + "\n-- migration\n" + change, dialect=dialect)
        assert RULE not in {f.rule for f in review.active}, change


@pytest.mark.parametrize("names", MYSQL_TABLES)
def test_mariadb_allows_a_virtual_column_mysql_does_not(names) -> None:  # type: ignore[no-untyped-def]
    table, text, _ = names
    created = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {text}_day date AS (CURDATE()) VIRTUAL);"
    assert RULE in {f.rule for f in review_sql(created, dialect="mysql").active}
    assert RULE not in {f.rule for f in review_sql(created, dialect="mariadb").active}


@pytest.mark.parametrize("names", MYSQL_TABLES)
def test_what_mariadb_refuses(mariadb, names) -> None:  # type: ignore[no-untyped-def]
    cursor = mariadb.cursor()
    for templates, refused in ((MYSQL_REFUSED, True), (MYSQL_ACCEPTED, False)):
        for template in templates:
            cursor.execute(f"DROP TABLE IF EXISTS {names[0]}")
            cursor.execute(_mysql_schema(*names))
            statement = f"ALTER TABLE {names[0]} ADD COLUMN {_column(template, names)}"
            error = refusal(cursor.execute, statement)
            assert bool(error) == refused and (not error or "GENERATED ALWAYS AS" in error), (
                f"{statement}: {error}"
            )
    cursor.execute(f"DROP TABLE IF EXISTS {names[0]}")
    # a virtual column MariaDB computes on reading: it takes any function (MySQL does not)
    cursor.execute(f"CREATE TABLE {names[0]} (id bigint PRIMARY KEY, day date AS (CURDATE()) VIRTUAL)")


@pytest.mark.parametrize("names", TABLES)
def test_the_unaccent_extension_is_stable(pg, names) -> None:  # type: ignore[no-untyped-def]
    statement = f"CREATE INDEX {names[0]}_x ON {names[0]} (unaccent({names[3]}));"
    found = _found(names, "CREATE EXTENSION IF NOT EXISTS unaccent;\n" + statement)
    assert len(found) == 1 and "`unaccent` is STABLE" in found[0]
    if not pg.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").fetchone():
        pytest.skip("the unaccent extension is not installed on this PostgreSQL")
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    error = ""
    with pytest.raises(RuntimeError), pg.transaction():  # the extension is rolled back with the rest
        pg.execute(f"CREATE EXTENSION unaccent SCHEMA {schema}")
        pg.execute(_schema(*names))
        error = refusal(pg.execute, statement)
        raise RuntimeError(error)
    assert "must be marked IMMUTABLE" in error
