"""Rows seeded by ORM code (Rails `create!`/`insert_all` in migrations and `db/seeds.rb`, Django `RunPython`
creates and fixtures, Alembic `op.bulk_insert`) are recorded like `INSERT … VALUES`: literal IDs are
checked against them."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

NAMES = [
    {"lookup": "plans", "model": "Plan", "table": "accounts", "column": "plan_id"},
    {"lookup": "tiers", "model": "Tier", "table": "customers", "column": "service_tier_id"},
]
SCHEMA = (
    "CREATE TABLE {lookup} (id integer PRIMARY KEY, code text NOT NULL);\n"
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} integer REFERENCES {lookup} (id), note text);\n"
)


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "hard-coded-id"]


def _judge(base: dict[str, str], names: dict[str, str], lookup: str | None = None) -> None:
    """7 is no seeded row: critical; 2 is `pro`: noted, not warned about."""
    table, column = names["table"], names["column"]
    update = "UPDATE {table} SET {column} = {id} WHERE note = 'x';"
    bad = _found(review_sql(update.format(table=table, column=column, id=7), base=base))
    assert len(bad) == 1 and bad[0].severity is Severity.CRITICAL, [f.message for f in bad]
    assert f"`{lookup or names['lookup']}` only with id 1 `free`, 2 `pro`" in bad[0].message
    good = review_sql(update.format(table=table, column=column, id=2), base=base)
    assert [f.severity for f in _found(good)] == [Severity.INFO] and "`pro`" in _found(good)[0].message


def _schema(names: dict[str, str], lookup: str | None = None) -> dict[str, str]:
    return {"db/migrations/000_schema.sql": SCHEMA.format(**{**names, "lookup": lookup or names["lookup"]})}


RAILS_SEEDS = [
    '    {model}.create!(id: 1, code: "free")\n    {model}.create!(id: 2, code: "pro")\n',
    '    {model}.insert_all([{{ id: 1, code: "free" }}, {{ id: 2, code: "pro" }}], unique_by: :id)\n',
    '    {model}.create!([{{ id: FREE, code: "free" }}, {{ id: 2, code: "pro" }}])\n',
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("seeds", RAILS_SEEDS, ids=["create", "insert_all", "array"])
def test_rails_migration_creates(names: dict[str, str], seeds: str) -> None:
    migration = (
        "class SeedLookups < ActiveRecord::Migration[7.1]\n  FREE = 1\n\n  def up\n"
        + seeds.format(**names)
        + "  end\n\n  def down\n  end\nend\n"
    )
    _judge({**_schema(names), "db/migrate/20250101000000_seed_lookups.rb": migration}, names)


@pytest.mark.parametrize("names", NAMES)
def test_rails_db_seeds(names: dict[str, str]) -> None:
    base = {
        **_schema(names),
        "db/migrate/20250101000000_add_note.rb": "class AddNote < ActiveRecord::Migration[7.1]\n"
        f"  def change\n    add_column :{names['table']}, :memo, :text\n  end\nend\n",
        "db/seeds.rb": '{model}.find_or_create_by!(id: 1, code: "free")\n'
        'puts "seeding"\n{model}.create!(id: 2, code: "pro")\n'.format(**names),
    }
    _judge(base, names)


def test_seeds_without_ids_say_nothing_of_seeds() -> None:
    names = NAMES[0]
    base = {
        **_schema(names),
        "db/migrate/20250101000000_seed.rb": "class Seed < ActiveRecord::Migration[7.1]\n  def up\n"
        '    Plan.create!(code: "free")\n  end\nend\n',
    }
    found = _found(review_sql("UPDATE accounts SET plan_id = 7 WHERE note = 'x';", base=base))
    assert [f.severity for f in found] == [Severity.WARNING] and "seed" not in found[0].message


DJANGO = """from django.db import migrations


def seed(apps, schema_editor):
    {model} = apps.get_model("shop", "{model}")
{body}

class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
"""


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "body",
    [
        '    {model}.objects.create(pk=1, code="free")\n'
        '    {model}.objects.get_or_create(id=2, defaults={{"code": "pro"}})\n',
        '    {model}.objects.bulk_create([{model}(id=1, code="free"), {model}(id=2, code="pro")])\n',
    ],
    ids=["create", "bulk_create"],
)
def test_django_run_python_creates(names: dict[str, str], body: str) -> None:
    lookup = f"shop_{names['model'].lower()}"
    migration = DJANGO.format(model=names["model"], body=body.format(**names))
    _judge({**_schema(names, lookup), "shop/migrations/0001_seed.py": migration}, names, lookup)


@pytest.mark.parametrize("names", NAMES)
def test_django_fixture_loaded_by_a_migration(names: dict[str, str]) -> None:
    lookup = f"shop_{names['model'].lower()}"
    model = names["model"].lower()
    fixture = (
        f'[{{"model": "shop.{model}", "pk": 1, "fields": {{"code": "free"}}}},\n'
        f' {{"model": "shop.{model}", "pk": 2, "fields": {{"code": "pro"}}}}]\n'
    )
    body = '    from django.core.management import call_command\n    call_command("loaddata", "lookups")\n'
    base = {
        **_schema(names, lookup),
        "shop/fixtures/lookups.json": fixture,
        "shop/migrations/0001_seed.py": DJANGO.format(model=names["model"], body=body),
    }
    _judge(base, names, lookup)


def _fixture_yaml(app: str, model: str) -> str:
    return "".join(
        f"- model: {app}.{model}\n  pk: {pk}\n  fields:\n    code: {code}\n"
        for pk, code in ((1, "free"), (2, "pro"))
    )


def _fixture_xml(app: str, model: str) -> str:
    objects = "".join(
        f'  <object model="{app}.{model}" pk="{pk}">\n'
        f'    <field name="code" type="CharField">{code}</field>\n'
        '    <field name="note" type="TextField"><None></None></field>\n  </object>\n'
        for pk, code in ((1, "free"), (2, "pro"))
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<django-objects version="1.0">\n{objects}</django-objects>\n'


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("suffix", "write", "label"),
    [
        (".yaml", _fixture_yaml, "lookups"),
        (".yml", _fixture_yaml, "lookups.yml"),
        (".xml", _fixture_xml, "lookups"),
        (".xml", _fixture_xml, "lookups.xml"),
    ],
)
def test_django_yaml_and_xml_fixtures(names: dict[str, str], suffix: str, write, label: str) -> None:  # type: ignore[no-untyped-def]
    lookup = f"shop_{names['model'].lower()}"
    body = f'    from django.core.management import call_command\n    call_command("loaddata", "{label}")\n'
    base = {
        **_schema(names, lookup),
        f"shop/fixtures/lookups{suffix}": write("shop", names["model"].lower()),
        "shop/migrations/0001_seed.py": DJANGO.format(model=names["model"], body=body),
    }
    _judge(base, names, lookup)


def test_unreadable_fixture_seeds_nothing() -> None:
    """A fixture that does not parse seeds no rows: the id is judged without seeds (a warning), not refused."""
    names = NAMES[0]
    lookup = "shop_plan"
    body = '    from django.core.management import call_command\n    call_command("loaddata", "lookups")\n'
    base = {
        **_schema(names, lookup),
        "shop/fixtures/lookups.xml": "<django-objects><object model='shop.plan' pk='1'>",
        "shop/migrations/0001_seed.py": DJANGO.format(model="Plan", body=body),
    }
    found = _found(review_sql("UPDATE accounts SET plan_id = 7 WHERE note = 'x';", base=base))
    assert [f.severity for f in found] == [Severity.WARNING] and "seed" not in found[0].message


ALEMBIC = '''"""seed"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    {lookup} = sa.table("{lookup}", sa.column("id", sa.Integer), sa.column("code", sa.String))
    op.bulk_insert({lookup}, [{{"id": 1, "code": "free"}}, {{"id": 2, "code": "pro"}}])


def downgrade():
    op.execute("DELETE FROM {lookup}")
'''


@pytest.mark.parametrize("names", NAMES)
def test_alembic_bulk_insert(names: dict[str, str]) -> None:
    base = {**_schema(names), "alembic/versions/a1_seed.py": ALEMBIC.format(**names)}
    _judge(base, names)


@pytest.mark.parametrize(
    ("lookup", "model", "table", "column"),
    [
        ("order_states", "OrderState", "orders", "state_id"),
        ("ticket_kinds", "TicketKind", "tickets", "kind_id"),
    ],
)
def test_case_mapping_checked_against_orm_seeded_lookup_rows(
    lookup: str, model: str, table: str, column: str
) -> None:
    seeds = "".join(
        f'    {model}.create!(id: {i}, name: "{name}")\n'
        for i, name in ((1, "open"), (2, "paid"), (3, "refunded"))
    )
    base = {
        "db/migrations/000_schema.sql": f"CREATE TABLE {lookup} (id integer PRIMARY KEY, name text);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, label text, {column} integer REFERENCES {lookup} (id));\n",
        "db/migrate/20250101000000_seed.rb": f"class Seed < ActiveRecord::Migration[7.1]\n  def up\n{seeds}  end\nend\n",
    }
    case = (
        f"UPDATE {table} SET {column} = CASE label WHEN 'open' THEN 1 WHEN 'refunded' THEN {{}} ELSE {column} END"
        " WHERE id >= 1 AND id < 1000;"
    )
    swapped = _found(review_sql(case.format(2), base=base))
    assert swapped and swapped[0].severity is Severity.CRITICAL, [f.message for f in swapped]
    assert "2 is `paid`" in swapped[0].message and "rows the migrations seed" in swapped[0].message
    assert not _found(review_sql(case.format(3), base=base))


LARAVEL_MIGRATION = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
    "return new class extends Migration\n{{\n    public function up(): void\n    {{\n"
    "        Schema::table('{table}', function ($t) {{ $t->text('memo')->nullable(); }});\n    }}\n}};\n"
)
LARAVEL_SEEDERS = [
    "        DB::table('{lookup}')->insert([\n            ['id' => 1, 'code' => 'free'],\n"
    "            ['id' => 2, 'code' => 'pro'],\n        ]);\n",
    "        {model}::create(['id' => 1, 'code' => 'free']);\n"
    "        {model}::firstOrCreate(['id' => 2], ['code' => 'pro']);\n",
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", LARAVEL_SEEDERS, ids=["db_table_insert", "model_create"])
def test_laravel_seeders(names: dict[str, str], body: str) -> None:
    seeder = (
        "<?php\n\nnamespace Database\\Seeders;\n\nuse Illuminate\\Database\\Seeder;\n"
        "use Illuminate\\Support\\Facades\\DB;\n\nclass LookupSeeder extends Seeder\n{\n"
        "    public function run(): void\n    {\n" + body.format(**names) + "    }\n}\n"
    )
    base = {
        **_schema(names),
        "database/migrations/2025_01_01_000000_add_memo.php": LARAVEL_MIGRATION.format(**names),
        "database/seeders/LookupSeeder.php": seeder,
    }
    _judge(base, names)


@pytest.mark.parametrize("names", NAMES)
def test_laravel_migration_insert_records_its_rows(names: dict[str, str]) -> None:
    migration = LARAVEL_MIGRATION.replace(
        "Schema::table('{table}', function ($t) {{ $t->text('memo')->nullable(); }});",
        "DB::table('{lookup}')->insert([['id' => 1, 'code' => 'free'], ['id' => 2, 'code' => 'pro']]);",
    ).format(**names)
    _judge({**_schema(names), "database/migrations/2025_01_01_000000_seed.php": migration}, names)


KNEX_MIGRATION = (
    "exports.up = function (knex) {{\n  return knex.schema.alterTable('{table}', (t) => {{ t.text('memo'); }});\n"
    "}};\n\nexports.down = function (knex) {{\n"
    "  return knex.schema.alterTable('{table}', (t) => {{ t.dropColumn('memo'); }});\n}};\n"
)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("folder", ["seeds", "db/seeds"])
def test_knex_seed_files(names: dict[str, str], folder: str) -> None:
    seed = (
        "exports.seed = async function (knex) {{\n  await knex('{lookup}').del();\n"
        "  await knex('{lookup}').insert([\n    {{ id: 1, code: 'free' }},\n    {{ id: 2, code: 'pro' }},\n  ]);\n}};\n"
    ).format(**names)
    base = {
        **_schema(names),
        "migrations/20250101000000_add_memo.js": KNEX_MIGRATION.format(**names),
        f"{folder}/01_lookups.js": seed,
    }
    _judge(base, names)


ECTO_MIGRATION = (
    "defmodule MyApp.Repo.Migrations.AddMemo do\n  use Ecto.Migration\n\n  def change do\n"
    "    alter table(:{table}) do\n      add :memo, :text\n    end\n  end\nend\n"
)
ECTO_SEEDS = [
    'alias MyApp.Repo\n\nRepo.insert!(%MyApp.{model}{{id: 1, code: "free"}})\n'
    'Repo.insert!(%MyApp.{model}{{id: 2, code: "pro"}})\n',
    'MyApp.Repo.insert_all("{lookup}", [%{{id: 1, code: "free"}}, [id: 2, code: "pro"]])\n',
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("seeds", ECTO_SEEDS, ids=["insert_struct", "insert_all"])
def test_ecto_seeds_exs(names: dict[str, str], seeds: str) -> None:
    base = {
        **_schema(names),
        "priv/repo/migrations/20250101000000_add_memo.exs": ECTO_MIGRATION.format(**names),
        "priv/repo/seeds.exs": seeds.format(**names),
    }
    _judge(base, names)


def test_seed_files_of_a_framework_the_history_does_not_use_are_not_read() -> None:
    """A `seeds/` folder of JavaScript in a repository without Knex migrations seeds nothing."""
    names = NAMES[0]
    seed = "exports.seed = async (knex) => knex('plans').insert([{ id: 1, code: 'free' }, { id: 2, code: 'pro' }]);\n"
    base = {**_schema(names), "seeds/01.js": seed}
    found = _found(review_sql("UPDATE accounts SET plan_id = 7 WHERE note = 'x';", base=base))
    assert [f.severity for f in found] == [Severity.WARNING] and "seed" not in found[0].message
