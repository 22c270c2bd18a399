"""What a data change computes, read the same way from the SQL of every framework's migrations (goose, Rails,
Django, Alembic, TypeORM, Knex, Sequelize, Laravel, Ecto, Prisma, Flyway, Liquibase): NULL propagation, NOT IN
over a nullable sub-query, and deletes that cascade to child tables."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

SCHEMA = """CREATE TABLE {people} (id bigint PRIMARY KEY, {first} text, {last} text, {full} text,
  price numeric, qty integer, total numeric NOT NULL DEFAULT 0, amount numeric NOT NULL DEFAULT 0);
CREATE TABLE {blocked} (id bigint PRIMARY KEY, {ref} bigint, reason text NOT NULL DEFAULT '');
CREATE TABLE {child} (id bigint PRIMARY KEY, {ref} bigint REFERENCES {people} (id) ON DELETE CASCADE);
CREATE TABLE {grandchild} (id bigint PRIMARY KEY, {child}_id bigint REFERENCES {child} (id) ON DELETE CASCADE);
"""
NAMES = [
    {
        "people": "users",
        "first": "first_name",
        "last": "last_name",
        "full": "full_name",
        "blocked": "bans",
        "ref": "user_id",
        "child": "orders",
        "grandchild": "order_items",
    },
    {
        "people": "authors",
        "first": "given",
        "last": "family",
        "full": "display_name",
        "blocked": "flags",
        "ref": "author_id",
        "child": "posts",
        "grandchild": "comments",
    },
]


def _rails(sql: str) -> tuple[str, str]:
    body = f"class ChangeData < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~SQL\n      {sql}\n    SQL\n  end\n\n  def down\n  end\nend\n"
    return "db/migrate/20260101000000_change_data.rb", body


def _django(sql: str) -> tuple[str, str]:
    body = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        f'    operations = [migrations.RunSQL("{sql}", migrations.RunSQL.noop)]\n'
    )
    return "shop/migrations/0002_change_data.py", body


def _alembic(sql: str) -> tuple[str, str]:
    body = (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        f'def upgrade():\n    op.execute("{sql}")\n\n\ndef downgrade():\n    pass\n'
    )
    return "alembic/versions/b2_change_data.py", body


def _goose(sql: str) -> tuple[str, str]:
    return "db/migrations/002_change_data.sql", f"-- +goose Up\n{sql}\n-- +goose Down\nSELECT 1;\n"


def _typeorm(sql: str) -> tuple[str, str]:
    body = (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n\n'
        "export class ChangeData1767225600000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f"    await queryRunner.query(`{sql}`);\n  }}\n\n"
        "  public async down(): Promise<void> {}\n}\n"
    )
    return "src/migrations/1767225600000-ChangeData.ts", body


def _knex(sql: str) -> tuple[str, str]:
    body = f"exports.up = async function (knex) {{\n  await knex.raw(`{sql}`);\n}};\n\nexports.down = async function () {{}};\n"
    return "migrations/20260101000000_change_data.js", body


def _kysely(sql: str) -> tuple[str, str]:
    body = (
        "import { Kysely, sql } from 'kysely'\n\n"
        f"export async function up(db: Kysely<any>): Promise<void> {{\n  await sql`{sql}`.execute(db)\n}}\n\n"
        "export async function down(db: Kysely<any>): Promise<void> {}\n"
    )
    return "src/migrations/2026-01-01T00:00:00_change_data.ts", body


def _laravel(sql: str) -> tuple[str, str]:
    escaped = sql.replace('"', '\\"')
    body = (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\n"
        "return new class extends Migration\n{\n    public function up(): void\n    {\n"
        f'        DB::statement("{escaped}");\n    }}\n\n    public function down(): void\n    {{\n    }}\n}};\n'
    )
    return "database/migrations/2026_01_01_000000_change_data.php", body


def _ecto(sql: str) -> tuple[str, str]:
    body = (
        "defmodule Shop.Repo.Migrations.ChangeData do\n  use Ecto.Migration\n\n  def up do\n"
        f'    execute("""\n    {sql}\n    """)\n  end\n\n  def down do\n  end\nend\n'
    )
    return "priv/repo/migrations/20260101000000_change_data.exs", body


def _prisma(sql: str) -> tuple[str, str]:
    return "prisma/migrations/20260101000000_change_data/migration.sql", f"-- AlterData\n{sql}\n"


def _sequelize(sql: str) -> tuple[str, str]:
    body = (
        "module.exports = {\n  async up(queryInterface) {\n"
        f"    await queryInterface.sequelize.query(`{sql}`);\n  }},\n"
        "  async down() {},\n};\n"
    )
    return "migrations/20260101000000-change-data.js", body


def _flyway(sql: str) -> tuple[str, str]:
    return "src/main/resources/db/migration/V2__change_data.sql", f"{sql}\n"


def _liquibase(sql: str) -> tuple[str, str]:
    body = f"--liquibase formatted sql\n\n--changeset app:2\n{sql}\n--rollback SELECT 1;\n"
    return "src/main/resources/db/changelog/002-change-data.sql", body


FRAMEWORKS = [
    _goose,
    _rails,
    _django,
    _alembic,
    _typeorm,
    _knex,
    _kysely,
    _sequelize,
    _laravel,
    _ecto,
    _prisma,
    _flyway,
    _liquibase,
]


def _review(names: dict[str, str], sql: str, framework, dialect: str | None = None) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, dialect=dialect, base={"db/structure.sql": SCHEMA.format(**names)})


def _rules(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_concatenation_of_nullable_columns_is_null_propagation(names, framework) -> None:  # type: ignore[no-untyped-def]
    bad = _review(
        names, "UPDATE {people} SET {full} = {first} || ' ' || {last} WHERE id >= 1 AND id < 1000;", framework
    )
    found = _rules(bad, "null-propagation")
    assert len(found) == 1, [f.rule for f in bad.active]
    assert f"`{names['first']}` or `{names['last']}`" in found[0].message
    assert "concat_ws" in found[0].fix
    good = _review(
        names,
        "UPDATE {people} SET {full} = concat_ws(' ', {first}, {last}) WHERE id >= 1 AND id < 1000;",
        framework,
    )
    assert not _rules(good, "null-propagation")
    guarded = _review(
        names,
        "UPDATE {people} SET {full} = {first} || ' ' || coalesce({last}, '') WHERE {first} IS NOT NULL AND id >= 1 AND id < 1000;",
        framework,
    )
    assert not _rules(guarded, "null-propagation")


@pytest.mark.parametrize("names", NAMES)
def test_arithmetic_on_nullable_columns_and_not_null_operands(names) -> None:  # type: ignore[no-untyped-def]
    found = _rules(
        _review(names, "UPDATE {people} SET total = price * qty WHERE id >= 1 AND id < 1000;", _goose),
        "null-propagation",
    )
    assert found and "`price` or `qty`" in found[0].message and "coalesce(column, 0)" in found[0].fix
    quiet = _review(names, "UPDATE {people} SET total = amount * 2 WHERE id >= 1 AND id < 1000;", _goose)
    assert not _rules(quiet, "null-propagation")
    filled = _review(
        names,
        "UPDATE {people} SET total = coalesce(price, 0) * coalesce(qty, 0) WHERE id >= 1 AND id < 1000;",
        _goose,
    )
    assert not _rules(filled, "null-propagation")


@pytest.mark.parametrize("names", NAMES)
def test_insert_select_reads_aliases_and_mysql_concat(names) -> None:  # type: ignore[no-untyped-def]
    sql = "INSERT INTO {blocked} (id, reason) SELECT p.id, CONCAT(p.{first}, ' ', p.{last}) FROM {people} p;"
    mysql = _rules(_review(names, sql, _goose, dialect="mysql"), "null-propagation")
    assert mysql and names["people"] in mysql[0].blast_radius
    # PostgreSQL's concat() skips NULL arguments
    assert not _rules(_review(names, sql, _goose), "null-propagation")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_not_in_over_a_nullable_subquery(names, framework) -> None:  # type: ignore[no-untyped-def]
    bad = _review(
        names,
        "DELETE FROM {people} WHERE id NOT IN (SELECT {ref} FROM {blocked}) AND id >= 1 AND id < 1000;",
        framework,
    )
    found = [f for f in _rules(bad, "null-dropping-comparison") if "NOT IN" in f.message]
    assert found and f"`{names['ref']}`" in found[0].message and "NOT EXISTS" in found[0].fix
    good = _review(
        names,
        "DELETE FROM {people} WHERE id NOT IN (SELECT {ref} FROM {blocked} WHERE {ref} IS NOT NULL) AND id >= 1 AND id < 1000;",
        framework,
    )
    assert not [f for f in _rules(good, "null-dropping-comparison") if "NOT IN" in f.message]
    keyed = _review(
        names,
        "DELETE FROM {people} WHERE id NOT IN (SELECT id FROM {blocked}) AND id >= 1 AND id < 1000;",
        framework,
    )
    assert not [f for f in _rules(keyed, "null-dropping-comparison") if "NOT IN" in f.message]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_delete_names_the_tables_its_cascade_reaches(names, framework) -> None:  # type: ignore[no-untyped-def]
    bad = _review(names, "DELETE FROM {people} WHERE {last} = 'x' AND id >= 1 AND id < 1000;", framework)
    found = _rules(bad, "cascading-delete")
    assert len(found) == 1
    assert f"`{names['child']}`" in found[0].message and f"`{names['grandchild']}`" in found[0].message
    saves = [s.command for s in bad.rollback_plan if s.text.startswith("Before deploying")]
    assert any(
        c.startswith(f"CREATE TABLE {names['child']}_cascade_backup AS SELECT * FROM {names['child']} WHERE")
        for c in saves
    )
    assert any(c.startswith(f"CREATE TABLE {names['grandchild']}_cascade_backup") for c in saves)
    good = _review(names, "DELETE FROM {grandchild} WHERE id >= 1 AND id < 1000;", framework)
    assert not _rules(good, "cascading-delete")
    explicit = _review(
        names,
        "DELETE FROM {grandchild} WHERE id >= 1 AND id < 1000; DELETE FROM {child} WHERE id >= 1 AND id < 1000; "
        "DELETE FROM {people} WHERE id >= 1 AND id < 1000;",
        _goose,
    )
    assert not _rules(explicit, "cascading-delete")


def test_rails_foreign_key_on_delete_cascade_is_read() -> None:
    schema = {
        "db/migrate/20250101000000_create.rb": "class Create < ActiveRecord::Migration[7.1]\n  def change\n"
        "    create_table :teams do |t|\n      t.string :name\n    end\n"
        "    create_table :members do |t|\n      t.references :team, foreign_key: { on_delete: :cascade }\n    end\n"
        "    create_table :invites do |t|\n      t.bigint :team_id\n    end\n"
        "    add_foreign_key :invites, :teams, on_delete: :cascade\n  end\nend\n"
    }
    path = "db/migrate/20260101000000_purge.rb"
    text = 'class Purge < ActiveRecord::Migration[7.1]\n  def up\n    execute "DELETE FROM teams WHERE name IS NULL"\n  end\nend\n'
    found = _rules(review_sql(text, path=path, base=schema), "cascading-delete")
    assert found and "`members`" in found[0].message and "`invites`" in found[0].message
