"""The ON DELETE of a foreign key as Knex, TypeORM, Sequelize, Ecto and Liquibase write it: a key re-created to
cascade where it refused is found (`on-delete-changed`), and a key that cascaded before and still does is not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("orders", "users", "user_id"), ("invoices", "customers", "customer_id")]

# (child, parent, column, action) → the base tree's files, and (path, text) of the change


def _knex(child: str, parent: str, column: str, was: str, now: str) -> tuple[dict[str, str], str, str]:
    base = (
        "exports.up = async function (knex) {\n"
        f"  await knex.schema.createTable('{parent}', (t) => {{\n    t.increments('id');\n  }});\n"
        f"  await knex.schema.createTable('{child}', (t) => {{\n    t.increments('id');\n"
        f"    t.integer('{column}').notNullable().references('id').inTable('{parent}').onDelete('{was}');\n"
        f"    t.index(['{column}']);\n  }});\n}};\n"
        f"exports.down = async function (knex) {{\n  await knex.schema.dropTable('{child}');\n}};\n"
    )
    change = (
        "exports.up = async function (knex) {\n"
        f"  await knex.schema.alterTable('{child}', (table) => {{\n    table.dropForeign(['{column}']);\n"
        f"    table.foreign('{column}').references('{parent}.id').onDelete('{now}');\n  }});\n}};\n\n"
        "exports.down = async function (knex) {};\n"
    )
    return {"migrations/20240101000000_init.js": base}, "migrations/20240601000000_change.js", change


def _typeorm(child: str, parent: str, column: str, was: str, now: str) -> tuple[dict[str, str], str, str]:
    def migration(name: str, up: str) -> str:
        return (
            'import { MigrationInterface, QueryRunner, Table, TableForeignKey } from "typeorm";\n\n'
            f"export class {name} implements MigrationInterface {{\n"
            f"  public async up(queryRunner: QueryRunner): Promise<void> {{\n{up}  }}\n\n"
            "  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n"
        )

    def key(action: str) -> str:
        return (
            f'new TableForeignKey({{ name: "FK_{child}_{column}", columnNames: ["{column}"], '
            f'referencedTableName: "{parent}", referencedColumnNames: ["id"], onDelete: "{action}" }})'
        )

    base = migration(
        "Init1700000000000",
        f'    await queryRunner.createTable(new Table({{ name: "{parent}", columns: [{{ name: "id", type: "int", '
        "isPrimary: true }] }));\n"
        f'    await queryRunner.createTable(\n      new Table({{\n        name: "{child}",\n'
        f'        columns: [{{ name: "id", type: "int", isPrimary: true }}, {{ name: "{column}", type: "int" }}],\n'
        f"        foreignKeys: [{key(was)}],\n      }}),\n    );\n",
    )
    change = migration(
        "Change1718000000000",
        f'    await queryRunner.dropForeignKey("{child}", "FK_{child}_{column}");\n'
        f'    await queryRunner.createForeignKey("{child}", {key(now)});\n',
    )
    return (
        {"src/migrations/1700000000000-Init.ts": base},
        "src/migrations/1718000000000-Change.ts",
        change,
    )


def _sequelize(child: str, parent: str, column: str, was: str, now: str) -> tuple[dict[str, str], str, str]:
    def migration(up: str) -> str:
        return (
            "module.exports = {\n"
            f"  async up(queryInterface, Sequelize) {{\n{up}  }},\n"
            "  async down(queryInterface) {},\n};\n"
        )

    base = migration(
        f"    await queryInterface.createTable('{parent}', {{ id: {{ type: Sequelize.INTEGER, primaryKey: true }} }});\n"
        f"    await queryInterface.createTable('{child}', {{\n"
        "      id: { type: Sequelize.INTEGER, primaryKey: true },\n"
        f"      {column}: {{ type: Sequelize.INTEGER, references: {{ model: '{parent}', key: 'id' }}, "
        f"onDelete: '{was}' }},\n    }});\n"
    )
    change = migration(
        f"    await queryInterface.removeConstraint('{child}', '{child}_{column}_fkey');\n"
        f"    await queryInterface.addConstraint('{child}', {{\n      fields: ['{column}'],\n"
        f"      type: 'foreign key',\n      name: '{child}_{column}_fkey',\n"
        f"      references: {{ table: '{parent}', field: 'id' }},\n      onDelete: '{now}',\n    }});\n"
    )
    return (
        {"migrations/20240101000000-init.js": base},
        "migrations/20240601000000-change.js",
        change,
    )


_ECTO = {"CASCADE": ":delete_all", "RESTRICT": ":restrict", "NO ACTION": ":nothing"}


def _ecto(child: str, parent: str, column: str, was: str, now: str) -> tuple[dict[str, str], str, str]:
    reference = column.removesuffix("_id")

    def migration(name: str, body: str) -> str:
        return f"defmodule Shop.Repo.Migrations.{name} do\n  use Ecto.Migration\n\n  def change do\n{body}  end\nend\n"

    base = migration(
        "Init",
        f"    create table(:{parent})\n\n    create table(:{child}) do\n"
        f"      add :{reference}_id, references(:{parent}, on_delete: {_ECTO[was]})\n    end\n",
    )
    change = migration(
        "ChangeKey",
        f"    alter table(:{child}) do\n      modify :{column}, references(:{parent}, on_delete: {_ECTO[now]}),\n"
        f"        from: references(:{parent}, on_delete: {_ECTO[was]})\n    end\n",
    )
    return (
        {
            "mix.exs": "defmodule Shop.MixProject do\n  use Mix.Project\nend\n",
            "priv/repo/migrations/20240101000000_init.exs": base,
        },
        "priv/repo/migrations/20240601000000_change_key.exs",
        change,
    )


def _liquibase(child: str, parent: str, column: str, was: str, now: str) -> tuple[dict[str, str], str, str]:
    def changelog(change_set: str, body: str) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
            f'  <changeSet id="{change_set}" author="ann">\n{body}  </changeSet>\n</databaseChangeLog>\n'
        )

    def key(action: str) -> str:
        return (
            f'    <addForeignKeyConstraint constraintName="fk_{child}_{column}" baseTableName="{child}" '
            f'baseColumnNames="{column}"\n        referencedTableName="{parent}" referencedColumnNames="id" '
            f'onDelete="{action}"/>\n'
        )

    base = changelog(
        "1",
        f'    <createTable tableName="{parent}">\n      <column name="id" type="BIGINT"/>\n    </createTable>\n'
        f'    <createTable tableName="{child}">\n      <column name="id" type="BIGINT"/>\n'
        f'      <column name="{column}" type="BIGINT"/>\n    </createTable>\n' + key(was),
    )
    change = changelog(
        "2",
        f'    <dropForeignKeyConstraint baseTableName="{child}" constraintName="fk_{child}_{column}"/>\n'
        + key(now),
    )
    return {"db/changelog/001-init.xml": base}, "db/changelog/002-change.xml", change


Framework = Callable[[str, str, str, str, str], tuple[dict[str, str], str, str]]
FRAMEWORKS: list[Framework] = [_knex, _typeorm, _sequelize, _ecto, _liquibase]


def _review(framework: Framework, names: tuple[str, str, str], was: str, now: str) -> Review:
    base, path, text = framework(*names, was, now)
    return review_sql(text, path=path, base=base)


def _changed(result: Review) -> list[str]:
    return [f.message for f in result.active if f.rule == "on-delete-changed"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("names", NAMES)
def test_a_refusing_key_re_created_to_cascade_is_found(
    framework: Framework, names: tuple[str, str, str]
) -> None:
    child, parent, column = names
    [message] = _changed(_review(framework, names, "RESTRICT", "CASCADE"))
    assert f"from `{child}` ({column}) to `{parent}` changes from ON DELETE RESTRICT to CASCADE" in message


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("names", NAMES)
def test_a_key_that_cascaded_before_and_still_does_is_not(
    framework: Framework, names: tuple[str, str, str]
) -> None:
    assert _changed(_review(framework, names, "CASCADE", "CASCADE")) == []
    assert _changed(_review(framework, names, "RESTRICT", "NO ACTION")) == []
