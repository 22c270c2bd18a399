"""unique-key-dropped, with the code's upserts: a unique key dropped while the code upserts by exactly its columns
(`ON CONFLICT (token)`, Rails' `unique_by:`, Knex's `onConflict`, SQLAlchemy's `index_elements`) breaks every such
write: PostgreSQL refuses the upsert (shown on the real server below), MySQL's `ON DUPLICATE KEY UPDATE` inserts a
duplicate instead. An upsert by other columns, one in a test, or a key replaced first stays the plain warning."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

RULE = "unique-key-dropped"
NAMES = [("devices", "token", "user_id"), ("subscriptions", "endpoint", "account_id")]


def _schema(table: str, key: str, other: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(100) NOT NULL, {other} bigint);\n"
        f"CREATE UNIQUE INDEX {table}_{key}_key ON {table} ({key});\n-- migration\n"
    )


def _findings(sql: str, files: dict[str, str], dialect: str = "postgres") -> list[Any]:
    result = review_sql(sql, head=files, base=dict(files), dialect=dialect)
    return [f for f in result.active if f.rule == RULE]


def _code(table: str, key: str, other: str) -> dict[str, dict[str, str]]:
    model = table[:-1].capitalize()
    return {
        "python": {
            "app/register.py": "def register(cur, value, owner):\n"
            f'    cur.execute("INSERT INTO {table} ({key}, {other}) VALUES (%s, %s) '
            f'ON CONFLICT ({key}) DO UPDATE SET {other} = EXCLUDED.{other}", (value, owner))\n'
        },
        "rails": {
            f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\nend\n",
            "app/services/register.rb": f"class Register\n  def call(value, owner)\n"
            f"    {model}.upsert({{{key}: value, {other}: owner}}, unique_by: :{key})\n  end\nend\n",
        },
        "knex": {
            "src/register.js": f"export const register = (db, value, owner) =>\n  db('{table}').insert({{ {key}: value, "
            f"{other}: owner }}).onConflict('{key}').merge();\n"
        },
        "sqlalchemy": {
            "app/models.py": f"class {model}(Base):\n    __tablename__ = '{table}'\n"
            f"    id = Column(BigInteger, primary_key=True)\n    {key} = Column(String(100))\n",
            "app/store.py": "from sqlalchemy.dialects.postgresql import insert\n\nfrom app.models import "
            f"{model}\n\n\ndef register(session, value, owner):\n"
            f"    stmt = insert({model}).values({key}=value, {other}=owner).on_conflict_do_update(\n"
            f"        index_elements=[{model}.{key}], set_={{'{other}': owner}})\n    session.execute(stmt)\n",
        },
    }


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
@pytest.mark.parametrize("language", ["python", "rails", "knex", "sqlalchemy"])
def test_upserts_by_the_dropped_keys_columns_fail(table: str, key: str, other: str, language: str) -> None:
    files = _code(table, key, other)[language]
    (finding,) = _findings(_schema(table, key, other) + f"DROP INDEX {table}_{key}_key;", files)
    assert finding.severity == "critical"
    assert "upserts by exactly these columns" in finding.message and "every call fails" in finding.message
    assert [r.path for r in finding.references] == [p for p in files if "models" not in p]


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_mysql_on_duplicate_key_inserts_duplicates_instead(table: str, key: str, other: str) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} varchar(100) NOT NULL, {other} bigint, "
        f"UNIQUE KEY {table}_{key}_key ({key}));\n-- migration\n"
    )
    files = {
        "app/register.py": "def register(cur, value, owner):\n"
        f'    cur.execute("INSERT INTO {table} ({key}, {other}) VALUES (%s, %s) '
        f'ON DUPLICATE KEY UPDATE {other} = VALUES({other})", (value, owner))\n'
    }
    (finding,) = _findings(schema + f"ALTER TABLE {table} DROP INDEX {table}_{key}_key;", files, "mysql")
    assert finding.severity == "critical" and "inserts another row, silently" in finding.message


@pytest.mark.parametrize(("table", "key", "other"), NAMES)
def test_other_upserts_tests_and_replaced_keys_stay_a_warning(table: str, key: str, other: str) -> None:
    schema = _schema(table, key, other)
    other_target = {
        "app/register.py": "def register(cur, value, owner):\n"
        f'    cur.execute("INSERT INTO {table} ({key}, {other}) VALUES (%s, %s) '
        f'ON CONFLICT ({other}) DO NOTHING", (value, owner))\n'
    }
    (finding,) = _findings(schema + f"DROP INDEX {table}_{key}_key;", other_target)
    assert finding.severity == "warning"
    in_tests = {f"tests/test_{table}.py": _code(table, key, other)["python"]["app/register.py"]}
    (finding,) = _findings(schema + f"DROP INDEX {table}_{key}_key;", in_tests)
    assert finding.severity == "warning"
    replaced = (
        schema + f"CREATE UNIQUE INDEX CONCURRENTLY {table}_{key}_uniq ON {table} ({key});\n"
        f"DROP INDEX CONCURRENTLY {table}_{key}_key;"
    )
    assert not _findings(replaced, _code(table, key, other)["python"])


def test_postgresql_refuses_an_upsert_no_unique_key_matches(pg: Any) -> None:
    pg.execute("CREATE TABLE devices (id bigserial PRIMARY KEY, token text NOT NULL, user_id bigint)")
    pg.execute("CREATE UNIQUE INDEX devices_token_key ON devices (token)")
    upsert = (
        "INSERT INTO devices (token, user_id) VALUES ('t', 1) ON CONFLICT (token) DO UPDATE SET user_id = 2"
    )
    assert refusal(pg.execute, upsert) == ""
    pg.execute("DROP INDEX devices_token_key")
    assert "no unique or exclusion constraint matching the ON CONFLICT" in refusal(pg.execute, upsert)


# keys of several columns: the upsert names them all, whichever word the search follows (the commonest, `name`
# or `kind`, is the one every file holds), and may name them on the lines below the one a column is found on
WIDE = [("tags", "workspace_id", "name"), ("labels", "project_key", "kind")]


def _wide_schema(table: str, scope: str, word: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {scope} bigint NOT NULL, {word} varchar(100) NOT NULL);\n"
        f"CREATE UNIQUE INDEX {table}_{scope}_{word}_key ON {table} ({scope}, {word});\n-- migration\n"
    )


def _wide_code(table: str, scope: str, word: str) -> dict[str, dict[str, str]]:
    model = table[:-1].capitalize()
    return {
        "python": {
            "app/register.py": "def register(cur, scope, value):\n    cur.execute(\n"
            f'        "INSERT INTO {table} ({scope}, {word}) VALUES (%s, %s) "\n'
            f'        "ON CONFLICT ({word}, {scope}) DO NOTHING",\n        (scope, value),\n    )\n',
            "app/names.py": f"def {word}_of(item):\n    return item.{word}\n",
        },
        "rails": {
            f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\nend\n",
            "app/services/register.rb": f"class Register\n  def call(scope, value)\n    {model}.upsert(\n"
            f"      {{ {scope}: scope, {word}: value }},\n      unique_by: %i[{scope} {word}]\n    )\n  end\nend\n",
        },
    }


@pytest.mark.parametrize(("table", "scope", "word"), WIDE)
@pytest.mark.parametrize("language", ["python", "rails"])
def test_upserts_by_a_dropped_key_of_several_columns_fail(
    table: str, scope: str, word: str, language: str
) -> None:
    files = _wide_code(table, scope, word)[language]
    drop = f"DROP INDEX {table}_{scope}_{word}_key;"
    (finding,) = _findings(_wide_schema(table, scope, word) + drop, files)
    assert finding.severity == "critical" and "upserts by exactly these columns" in finding.message
    assert [r.path for r in finding.references] == [p for p in files if "register" in p]


@pytest.mark.parametrize(("table", "scope", "word"), WIDE)
def test_upserts_by_part_of_a_dropped_key_stay_a_warning(table: str, scope: str, word: str) -> None:
    files = {
        "app/register.py": "def register(cur, scope, value):\n"
        f'    cur.execute("INSERT INTO {table} ({scope}, {word}) VALUES (%s, %s) '
        f'ON CONFLICT ({word}) DO NOTHING", (scope, value))\n'
    }
    (finding,) = _findings(
        _wide_schema(table, scope, word) + f"DROP INDEX {table}_{scope}_{word}_key;", files
    )
    assert finding.severity == "warning"
