"""A foreign key column narrower than the key it references (`integer` → `bigint`), written the way each
framework writes a reference: Laravel's `foreign()`, Knex `references().inTable()`, Sequelize `references:`,
TypeORM's `TableForeignKey`, Ecto `references(…, type:)`, Liquibase `<constraints references=…>` and
`referencedTableName`. The same reference with the key's own width is no finding."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("accounts", "invoices", "account_id"), ("tenants", "projects", "owner_id")]
SCHEMA = "CREATE TABLE {parent} (id bigint PRIMARY KEY, name text);\nCREATE TABLE {child} (id bigint PRIMARY KEY, total numeric);\n"
# (path, template, {narrow, wide})
FORMS = {
    "laravel": (
        "database/migrations/2026_01_01_000000_link.php",
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n"
        "    public function up(): void\n    {{\n        Schema::table('{child}', function (Blueprint $table) {{\n"
        "            $table->{t}('{column}')->nullable();\n"
        "            $table->foreign('{column}')->references('id')->on('{parent}');\n        }});\n    }}\n\n"
        "    public function down(): void\n    {{\n        Schema::table('{child}', function (Blueprint $table) {{\n"
        "            $table->dropForeign(['{column}']);\n            $table->dropColumn('{column}');\n        }});\n    }}\n}};\n",
        {"narrow": "integer", "wide": "unsignedBigInteger"},
    ),
    "knex": (
        "migrations/20260101000000_link.js",
        "exports.up = async function (knex) {{\n  await knex.schema.alterTable('{child}', (t) => {{\n"
        "    t.{t}('{column}').references('id').inTable('{parent}');\n  }});\n}};\n\n"
        "exports.down = async function (knex) {{\n  await knex.schema.alterTable('{child}', (t) => {{\n"
        "    t.dropColumn('{column}');\n  }});\n}};\n",
        {"narrow": "integer", "wide": "bigInteger"},
    ),
    "sequelize": (
        "migrations/20260101000000-link.js",
        "module.exports = {{\n  async up(queryInterface, Sequelize) {{\n"
        "    await queryInterface.addColumn('{child}', '{column}', {{ type: Sequelize.{t}, "
        "references: {{ model: '{parent}', key: 'id' }} }});\n  }},\n"
        "  async down(queryInterface) {{\n    await queryInterface.removeColumn('{child}', '{column}');\n  }},\n}};\n",
        {"narrow": "INTEGER", "wide": "BIGINT"},
    ),
    "typeorm": (
        "src/migrations/1767225600000-Link.ts",
        'import {{ MigrationInterface, QueryRunner, TableColumn, TableForeignKey }} from "typeorm";\n\n'
        "export class Link1767225600000 implements MigrationInterface {{\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {{\n"
        '    await queryRunner.addColumn("{child}", new TableColumn({{ name: "{column}", type: "{t}", isNullable: true }}));\n'
        '    await queryRunner.createForeignKey("{child}", new TableForeignKey({{ columnNames: ["{column}"], '
        'referencedTableName: "{parent}", referencedColumnNames: ["id"] }}));\n  }}\n\n'
        "  public async down(queryRunner: QueryRunner): Promise<void> {{\n"
        '    await queryRunner.dropColumn("{child}", "{column}");\n  }}\n}}\n',
        {"narrow": "integer", "wide": "bigint"},
    ),
    "ecto": (
        "priv/repo/migrations/20260101000000_link.exs",
        "defmodule Shop.Repo.Migrations.Link do\n  use Ecto.Migration\n\n  def change do\n"
        "    alter table(:{child}) do\n      add :{column}, references(:{parent}, type: :{t})\n    end\n  end\nend\n",
        {"narrow": "integer", "wide": "bigint"},
    ),
    "liquibase": (
        "src/main/resources/db/changelog/002-link.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        '  <changeSet id="2" author="app">\n    <addColumn tableName="{child}">\n'
        '      <column name="{column}" type="{t}"><constraints foreignKeyName="fk_{child}_{column}" references="{parent}(id)"/></column>\n'
        "    </addColumn>\n  </changeSet>\n</databaseChangeLog>\n",
        {"narrow": "int", "wide": "bigint"},
    ),
    "liquibase-named": (
        "src/main/resources/db/changelog/002-link.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        '  <changeSet id="2" author="app">\n    <addColumn tableName="{child}">\n'
        '      <column name="{column}" type="{t}"><constraints foreignKeyName="fk_{child}_{column}" '
        'referencedTableName="{parent}" referencedColumnNames="id"/></column>\n'
        "    </addColumn>\n  </changeSet>\n</databaseChangeLog>\n",
        {"narrow": "int", "wide": "bigint"},
    ),
}


def _review(form: str, parent: str, child: str, column: str, width: str) -> Review:
    path, template, types = FORMS[form]
    text = template.format(parent=parent, child=child, column=column, t=types[width])
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(parent=parent, child=child)})


@pytest.mark.parametrize(("parent", "child", "column"), NAMES)
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_narrow_key_column_in_each_framework(form: str, parent: str, child: str, column: str) -> None:
    narrow = [
        f for f in _review(form, parent, child, column, "narrow").active if f.rule == "foreign-key-narrower"
    ]
    assert (
        len(narrow) == 1
        and f"`{child}.{column}`" in narrow[0].message
        and f"`{parent}.id`" in narrow[0].message
    )
    wide = _review(form, parent, child, column, "wide")
    assert not [f for f in wide.active if f.rule == "foreign-key-narrower"], form
