"""A migration that returns early when the schema already has what it adds (`return if column_exists?(…)`,
`if (Schema::hasColumn(…)) { return; }`) runs the rest only where it is missing: as safe to run again as
`IF NOT EXISTS`. The catalog's copy of the column (an applied migration edited for new installs, the usual
reason for such a guard) is then no 'already exists'."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


def _rails(table: str, column: str, guard: str) -> str:
    return (
        f"class AddColumn < ActiveRecord::Migration[7.1]\n  def up\n    {guard}\n\n"
        f"    add_column :{table}, :{column}, :string\n  end\n\n"
        f"  def down\n    remove_column :{table}, :{column}\n  end\nend\n"
    )


def _rails_base(table: str, column: str) -> dict[str, str]:
    return {
        "db/migrate/20240101000000_create_things.rb": "class CreateThings < ActiveRecord::Migration[7.1]\n"
        f"  def change\n    create_table :{table} do |t|\n      t.string :{column}\n    end\n  end\nend\n"
    }


def _laravel(table: str, column: str, guard: str) -> str:
    return (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        f"    public function up(): void\n    {{\n        {guard}\n\n"
        f"        Schema::table('{table}', function (Blueprint $table) {{\n"
        f"            $table->string('{column}')->nullable();\n        }});\n    }}\n\n"
        "    public function down(): void\n    {\n"
        f"        Schema::table('{table}', function (Blueprint $table) {{\n"
        f"            $table->dropColumn('{column}');\n        }});\n    }}\n}};\n"
    )


def _laravel_base(table: str, column: str) -> dict[str, str]:
    return {
        "database/migrations/2020_01_01_000000_create_things.php": "<?php\n\n"
        "use Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        "    public function up(): void\n    {\n"
        f"        Schema::create('{table}', function (Blueprint $table) {{\n            $table->id();\n"
        f"            $table->string('{column}')->nullable();\n        }});\n    }}\n}};\n"
    }


NAMES = [("orders", "note"), ("address_types", "type")]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_rails_returns_early_when_the_column_exists(table: str, column: str) -> None:
    path = "db/migrate/20240201000000_add_column.rb"
    for guard in (
        f"return if column_exists?(:{table}, :{column})",
        f"if column_exists?(:{table}, :{column})\n      return\n    end",
    ):
        found = {
            f.rule
            for f in review_sql(
                _rails(table, column, guard), path=path, base=_rails_base(table, column)
            ).active
        }
        assert "object-already-exists" not in found, guard
    # returning when it is missing, or for another reason, leaves the add to fail
    for guard in (f"return unless column_exists?(:{table}, :{column})", "return if Rails.env.test?"):
        found = {
            f.rule
            for f in review_sql(
                _rails(table, column, guard), path=path, base=_rails_base(table, column)
            ).active
        }
        assert "object-already-exists" in found, guard


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_laravel_returns_early_when_the_column_exists(table: str, column: str) -> None:
    path = "database/migrations/2025_02_23_094326_add_column.php"
    guarded = _laravel(
        table, column, f"if (Schema::hasColumn('{table}', '{column}')) {{\n            return;\n        }}"
    )
    found = {f.rule for f in review_sql(guarded, path=path, base=_laravel_base(table, column)).active}
    assert "object-already-exists" not in found
    other = _laravel(table, column, "if (app()->environment('testing')) {\n            return;\n        }")
    found = {f.rule for f in review_sql(other, path=path, base=_laravel_base(table, column)).active}
    assert "object-already-exists" in found


def _alembic(table: str, column: str, test: str) -> str:
    return (
        'revision = "0002"\ndown_revision = "0001"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        "def upgrade():\n    insp = sa.inspect(op.get_bind())\n"
        f"    if {test}:\n        return\n"
        f'    op.add_column("{table}", sa.Column("{column}", sa.Text()))\n\n\n'
        f'def downgrade():\n    op.drop_column("{table}", "{column}")\n'
    )


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_alembic_returns_early_when_the_inspector_finds_the_column(table: str, column: str) -> None:
    base = {
        "alembic/versions/0001_init.py": 'revision = "0001"\ndown_revision = None\n\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\ndef upgrade():\n"
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("{column}", sa.Text))\n'
    }
    path = "alembic/versions/0002_add.py"
    asked = f'"{column}" in [c["name"] for c in insp.get_columns("{table}")]'
    assert "object-already-exists" not in {
        f.rule for f in review_sql(_alembic(table, column, asked), path=path, base=base).active
    }
    other = _alembic(table, column, 'op.get_context().dialect.name == "sqlite"')
    assert "object-already-exists" in {f.rule for f in review_sql(other, path=path, base=base).active}


def _knex_base(table: str, column: str) -> dict[str, str]:
    return {
        "migrations/20240101000000_init.js": f'exports.up = (knex) => knex.schema.createTable("{table}", (t) => '
        f'{{ t.increments("id"); t.text("{column}"); }});\nexports.down = (knex) => knex.schema.dropTable("{table}");\n'
    }


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_knex_asks_the_schema_before_it_adds(table: str, column: str) -> None:
    path = "migrations/20240201000000_add.js"
    add = f'await knex.schema.alterTable("{table}", (t) => {{ t.text("{column}"); }});'
    asks = f'await knex.schema.hasColumn("{table}", "{column}")'
    for body in (f"if ({asks}) return;\n  {add}", f"if (!({asks})) {{\n    {add}\n  }}"):
        text = f"exports.up = async (knex) => {{\n  {body}\n}};\nexports.down = async (knex) => {{}};\n"
        assert "object-already-exists" not in {
            f.rule for f in review_sql(text, path=path, base=_knex_base(table, column)).active
        }
    text = f"exports.up = async (knex) => {{\n  if (process.env.SKIP) return;\n  {add}\n}};\nexports.down = async () => {{}};\n"
    assert "object-already-exists" in {
        f.rule for f in review_sql(text, path=path, base=_knex_base(table, column)).active
    }


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_sequelize_adds_only_what_describe_table_did_not_find(table: str, column: str) -> None:
    base = {
        "migrations/20240101000000-init.js": "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        f'    await queryInterface.createTable("{table}", {{ id: {{ type: Sequelize.INTEGER, primaryKey: true }}, '
        f"{column}: {{ type: Sequelize.TEXT }} }});\n  }},\n}};\n"
    }
    add = f'await queryInterface.addColumn("{table}", "{column}", {{ type: Sequelize.TEXT }});'
    guarded = (
        "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        f'    const columns = await queryInterface.describeTable("{table}");\n'
        f"    if (!columns.{column}) {{\n      {add}\n    }}\n  }},\n  async down() {{}},\n}};\n"
    )
    path = "migrations/20240201000000-add.js"
    assert "object-already-exists" not in {f.rule for f in review_sql(guarded, path=path, base=base).active}
    bare = guarded.replace(f"    if (!columns.{column}) {{\n      {add}\n    }}", f"    {add}")
    assert "object-already-exists" in {f.rule for f in review_sql(bare, path=path, base=base).active}
