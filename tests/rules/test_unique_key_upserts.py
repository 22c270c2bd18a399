"""unique-key-dropped, with the code's upserts: a unique key dropped while the code upserts by exactly its columns
(`ON CONFLICT (token)`, Rails' `unique_by:`, Knex's `onConflict`, SQLAlchemy's `index_elements`) breaks every such
write: PostgreSQL refuses the upsert (shown on the real server below), MySQL's `ON DUPLICATE KEY UPDATE` inserts a
duplicate instead. An upsert by other columns, one in a test, or a key replaced first stays the plain warning."""

from __future__ import annotations

import re
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


# Calls that find their row by the key before writing: Prisma's upsert names it in its `where` (a field declared
# `@unique`, or the generated or given name of an `@@unique` with the fields inside), Rails' create_or_find_by
# inserts and finds the row only when the key refuses the insert; Django's get_or_create / update_or_create and
# Rails' find_or_create_by look first and are safe under concurrency only with the key.
PRISMA = [
    ("Member", "member", "userId", "orgId", "userId_orgId"),
    ("poll_votes", "pollVote", "poll_id", "voter_id", "voterOnce"),
]


def _camel(field: str) -> str:
    return "".join(w.capitalize() if i else w for i, w in enumerate(field.split("_")))


def _prisma_schema(table: str, delegate: str, first: str, second: str, compound: str) -> dict[str, str]:
    """The schema before the change: the model, its table, its key (whose client name is `compound`)."""
    model = delegate[0].upper() + delegate[1:]
    mapped = f'\n  @@map("{table}")' if table != model else ""
    fields = "\n".join(
        f"  {_camel(c)} String" + (f' @map("{c}")' if c != _camel(c) else "") for c in (first, second)
    )
    name = f', name: "{compound}"' if compound != f"{_camel(first)}_{_camel(second)}" else ""
    return {
        "prisma/schema.prisma": f"model {model} {{\n  id String @id\n{fields}\n"
        f"  @@unique([{_camel(first)}, {_camel(second)}]{name}){mapped}\n}}\n"
    }


def _prisma_findings(names: tuple[str, str, str, str, str], code: dict[str, str]) -> list[Any]:
    """The review of Prisma Migrate's migration that drops the key the change removes from the schema."""
    table, _, first, second, _ = names
    before = {**_prisma_schema(*names), **code}
    after = {**before, "prisma/schema.prisma": re.sub(r".*@@unique.*\n", "", before["prisma/schema.prisma"])}
    result = review_sql(
        _compound_sql(table, first, second),
        path="prisma/migrations/20240501120000_drop_key/migration.sql",
        head=after,
        base=before,
    )
    return [f for f in result.active if f.rule == RULE]


def _quoted(column: str) -> str:
    return f'"{column}"' if column != column.lower() else column


def _compound_sql(table: str, first: str, second: str) -> str:
    t, a, b = _quoted(table), _quoted(first), _quoted(second)
    key = f'"{table}_{first}_{second}_key"'
    return (
        f"CREATE TABLE {t} (id TEXT PRIMARY KEY, {a} TEXT NOT NULL, {b} TEXT NOT NULL);\n"
        f"CREATE UNIQUE INDEX {key} ON {t} ({a}, {b});\n-- migration\nDROP INDEX {key};\n"
    )


def _prisma_call(delegate: str, where: str, first: str, second: str) -> dict[str, str]:
    a, b = _camel(first), _camel(second)
    return {
        "src/join.ts": f"export async function join(prisma, id: string, {a}: string, {b}: string) {{\n"
        f"  return prisma.{delegate}.upsert({{\n    where: {where},\n    update: {{}},\n"
        f"    create: {{ {a}, {b} }},\n  }});\n}}\n"
    }


@pytest.mark.parametrize(("table", "delegate", "first", "second", "compound"), PRISMA)
def test_prisma_upserts_by_a_dropped_compound_key_fail(
    table: str, delegate: str, first: str, second: str, compound: str
) -> None:
    a, b = _camel(first), _camel(second)
    names = (table, delegate, first, second, compound)
    for where in (f"{{ {compound}: {{ {a}, {b} }} }}", f"{{ {compound}: {{ {b}: {b}, {a}: {a} }} }}"):
        (finding,) = _prisma_findings(names, _prisma_call(delegate, where, first, second))
        assert (
            finding.severity == "critical" and "Prisma's client takes an upsert's `where`" in finding.message
        )
        assert [(r.path, r.line) for r in finding.references] == [("src/join.ts", 2)]


@pytest.mark.parametrize(("table", "delegate", "first", "second", "compound"), PRISMA)
def test_prisma_upserts_by_the_primary_key_another_model_or_in_tests_stay_a_warning(
    table: str, delegate: str, first: str, second: str, compound: str
) -> None:
    a, b = _camel(first), _camel(second)
    by_key = f"{{ {compound}: {{ {a}, {b} }} }}"
    by_id = _prisma_call(delegate, "{ id }", first, second)
    another = _prisma_call("auditEntry", by_key, first, second)
    part = _prisma_call(delegate, f"{{ id, {a} }}", first, second)
    in_tests = {"test/join.test.ts": _prisma_call(delegate, by_key, first, second)["src/join.ts"]}
    for code in (by_id, another, part, in_tests):
        (finding,) = _prisma_findings((table, delegate, first, second, compound), code)
        assert finding.severity == "warning" and not finding.references


SINGLE = [("User", "user", "email"), ("Device", "device", "pushToken")]


@pytest.mark.parametrize(("table", "delegate", "field"), SINGLE)
def test_prisma_upserts_by_a_dropped_unique_field_fail_and_by_the_id_do_not(
    table: str, delegate: str, field: str
) -> None:
    sql = (
        f'CREATE TABLE "{table}" (id TEXT PRIMARY KEY, "{field}" TEXT NOT NULL, name TEXT);\n'
        f'CREATE UNIQUE INDEX "{table}_{field}_key" ON "{table}" ("{field}");\n-- migration\n'
        f'DROP INDEX "{table}_{field}_key";\n'
    )

    def code(where: str) -> dict[str, str]:
        return {
            "src/save.ts": f"export const save = (db, id: string, {field}: string, name: string) =>\n"
            f"  db.{delegate}.upsert({{ where: {where}, update: {{ name }}, create: {{ {field}, name }} }});\n"
        }

    for where in (f"{{ {field} }}", f"{{ {field}: input.{field} }}"):
        (finding,) = _findings(sql, code(where))
        assert finding.severity == "critical" and finding.references[0].line == 2
    (finding,) = _findings(sql, code("{ id }"))
    assert finding.severity == "warning"


DJANGO = [
    ("billing_subscription", "Subscription", "plan", "user_id"),
    ("shop_coupon", "Coupon", "code", "store_id"),
]


def _django(table: str, model: str, word: str, owner: str) -> tuple[str, dict[str, str]]:
    app = table.split("_")[0]
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {word} varchar(40) NOT NULL, {owner} bigint NOT NULL);\n"
        f"CREATE UNIQUE INDEX {table}_{owner}_{word}_uniq ON {table} ({owner}, {word});\n-- migration\n"
        f"DROP INDEX {table}_{owner}_{word}_uniq;\n"
    )
    relation = owner.removesuffix("_id")
    models = {
        f"{app}/models.py": f"from django.db import models\n\n\nclass {model}(models.Model):\n"
        f"    {relation} = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
        f"    {word} = models.CharField(max_length=40)\n"
    }
    return sql, models


def _django_call(app: str, model: str, call: str) -> dict[str, str]:
    return {
        f"{app}/services.py": f"from {app}.models import {model}\n\n\ndef ensure(owner, value):\n"
        f"    found, _ = {model}.objects.{call}\n    return found\n"
    }


@pytest.mark.parametrize(("table", "model", "word", "owner"), DJANGO)
def test_django_get_or_create_by_the_dropped_keys_columns_is_named(
    table: str, model: str, word: str, owner: str
) -> None:
    sql, models = _django(table, model, word, owner)
    app, relation = table.split("_")[0], owner.removesuffix("_id")
    for call in (
        f"get_or_create({relation}=owner, {word}=value)",
        f"update_or_create(\n        {word}=value, {owner}=owner.id, defaults={{'active': True}}\n    )",
    ):
        (finding,) = _findings(sql, {**models, **_django_call(app, model, call)})
        assert finding.severity == "warning"
        assert "gets or creates rows by exactly these columns" in finding.message
        assert [(r.path, r.line) for r in finding.references] == [(f"{app}/services.py", 5)]


@pytest.mark.parametrize(("table", "model", "word", "owner"), DJANGO)
def test_django_lookups_by_other_fields_or_unknown_ones_are_not_named(
    table: str, model: str, word: str, owner: str
) -> None:
    sql, models = _django(table, model, word, owner)
    app = table.split("_")[0]
    for call in (
        f"get_or_create({word}=value)",
        "get_or_create(**owner)",
        f"get_or_create(pk=owner, {word}=value)",
    ):
        (finding,) = _findings(sql, {**models, **_django_call(app, model, call)})
        assert "gets or creates" not in finding.message and not finding.references


@pytest.mark.parametrize(("table", "scope", "word"), WIDE)
def test_rails_create_or_find_by_fails_and_find_or_create_by_races(table: str, scope: str, word: str) -> None:
    model = table[:-1].capitalize()
    files = {f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\nend\n"}

    def call(method: str, lookup: str = f"{scope}: scope, {word}: value") -> dict[str, str]:
        return {
            "app/services/ensure.rb": f"class Ensure\n  def call(scope, value)\n    {model}.{method}({lookup})\n  end\nend\n"
        }

    sql = _wide_schema(table, scope, word) + f"DROP INDEX {table}_{scope}_{word}_key;"
    (finding,) = _findings(sql, {**files, **call("create_or_find_by!")})
    assert finding.severity == "critical" and "every call inserts another row" in finding.message
    (finding,) = _findings(sql, {**files, **call("find_or_create_by")})
    assert finding.severity == "warning" and "gets or creates rows" in finding.message
    for method, lookup in (("find_or_create_by", f"{word}: value"), ("create_or_find_by", "attributes")):
        (finding,) = _findings(sql, {**files, **call(method, lookup)})
        assert finding.severity == "warning" and not finding.references


def test_without_the_key_concurrent_get_or_create_inserts_duplicates(pg: Any) -> None:
    """What a get-or-create does when its lookup found nothing, in two sessions at once: both insert. The key
    refuses the second insert (Django then finds the first row); without it both rows stay."""
    pg.execute("CREATE TABLE billing_subscription (id bigserial PRIMARY KEY, user_id bigint, plan text)")
    pg.execute("CREATE UNIQUE INDEX billing_subscription_uniq ON billing_subscription (user_id, plan)")
    insert = "INSERT INTO billing_subscription (user_id, plan) VALUES (1, 'pro')"
    assert refusal(pg.execute, insert) == ""
    assert "duplicate key value violates unique constraint" in refusal(pg.execute, insert)
    pg.execute("DROP INDEX billing_subscription_uniq")
    assert refusal(pg.execute, insert) == ""
    assert pg.execute("SELECT count(*) FROM billing_subscription").fetchone()[0] == 2


# Laravel: `firstOrCreate` / `updateOrCreate` (and the query builder's `updateOrInsert`) look the row up by their
# first array's keys first; `upsert($rows, $uniqueBy, …)` names its conflict target in its second argument.
@pytest.mark.parametrize(("table", "scope", "word"), WIDE)
def test_laravel_upserts_fail_and_first_or_create_races(table: str, scope: str, word: str) -> None:
    model = table[:-1].capitalize()
    files = {
        f"app/Models/{model}.php": f"<?php\n\nnamespace App\\Models;\n\nclass {model} extends Model\n{{\n}}\n"
    }

    def call(statement: str) -> dict[str, str]:
        return {
            "app/Services/Ensure.php": f"<?php\n\nclass Ensure\n{{\n    public function call($scope, $value, $rows)\n"
            f"    {{\n        {statement}\n    }}\n}}\n"
        }

    sql = _wide_schema(table, scope, word) + f"DROP INDEX {table}_{scope}_{word}_key;"
    for statement in (
        f"{model}::upsert($rows, ['{scope}', '{word}'], ['updated_at']);",
        f"DB::table('{table}')->upsert($rows, ['{scope}', '{word}']);",
    ):
        (finding,) = _findings(sql, {**files, **call(statement)})
        assert finding.severity == "critical" and "upserts by exactly these columns" in finding.message, (
            statement
        )
        assert [r.path for r in finding.references] == ["app/Services/Ensure.php"]
    for statement in (
        f"return {model}::firstOrCreate(['{scope}' => $scope, '{word}' => $value], ['note' => '']);",
        f"return {model}::query()->updateOrCreate(['{scope}' => $scope, '{word}' => $value], []);",
    ):
        (finding,) = _findings(sql, {**files, **call(statement)})
        assert finding.severity == "warning" and "gets or creates rows" in finding.message, statement
    # the twins: a lookup by one of the columns, or by attributes the text does not spell out
    for statement in (
        f"return {model}::firstOrCreate(['{word}' => $value]);",
        f"return {model}::firstOrCreate($rows);",
        f"{model}::upsert($rows, ['{word}'], ['updated_at']);",
    ):
        (finding,) = _findings(sql, {**files, **call(statement)})
        assert finding.severity == "warning" and not finding.references, statement
