"""On MySQL every DDL statement commits: a down migration that drops two tables with the framework's own
drop call (no SQL written) and fails after the first cannot be run again unless each drop says
`IF EXISTS` (Laravel `dropIfExists`, Knex `dropTableIfExists`, TypeORM `dropTable(name, true)`, Ecto
`drop_if_exists`, Rails `if_exists: true`). Sequelize's `dropTable` sends `DROP TABLE IF EXISTS` itself."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("payouts", "payout_items"), ("exports", "export_rows")]


def _laravel(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    drop = "dropIfExists" if guarded else "drop"
    creates = "".join(
        f"        Schema::create('{t}', function (Blueprint $table) {{\n            $table->id();\n        }});\n"
        for t in tables
    )
    drops = "".join(f"        Schema::{drop}('{t}');\n" for t in reversed(tables))
    return "database/migrations/2026_01_01_000000_tables.php", (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        f"    public function up(): void\n    {{\n{creates}    }}\n\n    public function down(): void\n    {{\n{drops}    }}\n}};\n"
    )


def _knex(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    drop = "dropTableIfExists" if guarded else "dropTable"
    creates = "".join(
        f"  await knex.schema.createTable('{t}', (t) => {{ t.increments('id'); }});\n" for t in tables
    )
    drops = "".join(f"  await knex.schema.{drop}('{t}');\n" for t in reversed(tables))
    return "migrations/20260101000000_tables.js", (
        f"exports.up = async function (knex) {{\n{creates}}};\n\nexports.down = async function (knex) {{\n{drops}}};\n"
    )


def _typeorm(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    creates = "".join(
        f'    await queryRunner.createTable(new Table({{ name: "{t}", columns: [{{ name: "id", type: "bigint", isPrimary: true }}] }}));\n'
        for t in tables
    )
    drops = "".join(
        f'    await queryRunner.dropTable("{t}"{", true" if guarded else ""});\n' for t in reversed(tables)
    )
    return "src/migrations/1767225600000-Tables.ts", (
        'import { MigrationInterface, QueryRunner, Table } from "typeorm";\n\n'
        "export class Tables1767225600000 implements MigrationInterface {\n"
        f"  public async up(queryRunner: QueryRunner): Promise<void> {{\n{creates}  }}\n\n"
        f"  public async down(queryRunner: QueryRunner): Promise<void> {{\n{drops}  }}\n}}\n"
    )


def _ecto(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    drop = "drop_if_exists" if guarded else "drop"
    creates = "".join(f"    create table(:{t}) do\n      add :note, :text\n    end\n" for t in tables)
    drops = "".join(f"    {drop} table(:{t})\n" for t in reversed(tables))
    return "priv/repo/migrations/20260101000000_tables.exs", (
        "defmodule Shop.Repo.Migrations.Tables do\n  use Ecto.Migration\n\n"
        f"  def up do\n{creates}  end\n\n  def down do\n{drops}  end\nend\n"
    )


def _rails(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    creates = "".join(f"    create_table :{t} do |t|\n      t.string :note\n    end\n" for t in tables)
    drops = "".join(
        f"    drop_table :{t}{', if_exists: true' if guarded else ''}\n" for t in reversed(tables)
    )
    return "db/migrate/20260101000000_tables.rb", (
        f"class Tables < ActiveRecord::Migration[7.1]\n  def up\n{creates}  end\n\n  def down\n{drops}  end\nend\n"
    )


def _sequelize(tables: tuple[str, str], guarded: bool) -> tuple[str, str]:
    creates = "".join(
        f"    await queryInterface.createTable('{t}', {{ id: {{ type: Sequelize.BIGINT, primaryKey: true }} }});\n"
        for t in tables
    )
    drops = "".join(f"    await queryInterface.dropTable('{t}');\n" for t in reversed(tables))
    return "migrations/20260101000000-tables.js", (
        f"module.exports = {{\n  async up(queryInterface, Sequelize) {{\n{creates}  }},\n"
        f"  async down(queryInterface) {{\n{drops}  }},\n}};\n"
    )


FORMS = {"laravel": _laravel, "knex": _knex, "typeorm": _typeorm, "ecto": _ecto, "rails": _rails}


def _found(path: str, text: str) -> list:  # type: ignore[type-arg]
    result = review_sql(
        text,
        path=path,
        dialect="mysql",
        base={"db/structure.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n"},
    )
    return [f for f in result.active if f.rule == "down-not-idempotent"]


@pytest.mark.parametrize("tables", NAMES)
@pytest.mark.parametrize("framework", sorted(FORMS))
def test_a_native_drop_without_if_exists(framework: str, tables: tuple[str, str]) -> None:
    bad = _found(*FORMS[framework](tables, guarded=False))
    assert len(bad) == 1 and f"DROP TABLE {tables[1]}" in bad[0].message, [f.message for f in bad]
    assert not _found(*FORMS[framework](tables, guarded=True)), framework


@pytest.mark.parametrize("tables", NAMES)
def test_sequelize_drops_with_if_exists_itself(tables: tuple[str, str]) -> None:
    assert not _found(*_sequelize(tables, guarded=False))
