"""An enum type the ORM creates for a column where the schema already has it: PostgreSQL refuses `CREATE TYPE`
(Sequelize's changeColumn to an ENUM, Knex's native enu without `existingType`, SQLAlchemy's named Enum in a
second create_table without `create_type=False`); once the type is dropped, or told to exist, it is not."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("users", "status", ("active", "banned")), ("tickets", "priority", ("low", "high"))]


def _review(base: dict[str, str], path: str, text: str) -> Review:
    return review_sql(text, path=path, base=base, dialect="postgres")


def _exists(result: Review) -> list[str]:
    return [f.message for f in result.active if f.rule == "object-already-exists"]


@pytest.mark.parametrize(("table", "column", "labels"), NAMES)
def test_sequelize_change_column_to_an_enum_creates_its_type_again(
    table: str, column: str, labels: tuple[str, ...]
) -> None:
    listed = ", ".join(f"'{v}'" for v in labels)

    def migration(up: str) -> str:
        return f"module.exports = {{\n  async up(queryInterface, Sequelize) {{\n{up}  }},\n  async down() {{}},\n}};\n"

    base = {
        "config/config.json": '{"production": {"dialect": "postgres"}}\n',
        "migrations/20240101000000-init.js": migration(
            f"    await queryInterface.createTable('{table}', {{ id: {{ type: Sequelize.INTEGER, primaryKey: true }}, "
            f"{column}: {{ type: Sequelize.ENUM({listed}) }} }});\n"
        ),
    }
    change = f"    await queryInterface.changeColumn('{table}', '{column}', {{ type: Sequelize.ENUM({listed}, 'spare') }});\n"
    path = "migrations/20240601000000-change.js"
    [message] = _exists(_review(base, path, migration(change)))
    assert f"Type `enum_{table}_{column}` already exists" in message
    dropped = (
        f"    await queryInterface.changeColumn('{table}', '{column}', {{ type: Sequelize.TEXT }});\n"
        f"    await queryInterface.sequelize.query('DROP TYPE enum_{table}_{column}');\n" + change
    )
    assert _exists(_review(base, path, migration(dropped))) == []


@pytest.mark.parametrize(("table", "column", "labels"), NAMES)
def test_a_second_table_of_the_same_enum_type(table: str, column: str, labels: tuple[str, ...]) -> None:
    enum = f"{table}_{column}"
    listed = ", ".join(f'"{v}"' for v in labels)

    def revision(number: str, parent: str, up: str) -> str:
        return (
            f'"""{number}"""\nfrom alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\n'
            f'revision = "{number}"\ndown_revision = {parent}\n\n\ndef upgrade():\n{up}\n\ndef downgrade():\n    pass\n'
        )

    def table_of(name: str, kind: str) -> str:
        return (
            f'    op.create_table("{name}", sa.Column("id", sa.Integer(), primary_key=True), '
            f'sa.Column("{column}", {kind}({listed}, name="{enum}")))\n'
        )

    base = {
        "alembic.ini": "[alembic]\n",
        "migrations/versions/a1_init.py": revision("a1", "None", table_of(table, "sa.Enum")),
    }
    path = "migrations/versions/b2_archive.py"
    [message] = _exists(_review(base, path, revision("b2", '"a1"', table_of(f"{table}_archive", "sa.Enum"))))
    assert f"Type `{enum}` already exists" in message
    kept = table_of(f"{table}_archive", "postgresql.ENUM").replace(
        f'name="{enum}"', f'name="{enum}", create_type=False'
    )
    assert _exists(_review(base, path, revision("b2", '"a1"', kept))) == []


@pytest.mark.parametrize(("table", "column", "labels"), NAMES)
def test_knex_native_enu_on_a_type_that_exists(table: str, column: str, labels: tuple[str, ...]) -> None:
    enum = f"{table}_{column}"
    listed = ", ".join(f"'{v}'" for v in labels)

    def migration(name: str, options: str) -> str:
        return (
            f"exports.up = (knex) =>\n  knex.schema.createTable('{name}', (t) => {{\n    t.increments('id');\n"
            f"    t.enu('{column}', [{listed}], {{ useNative: true, enumName: '{enum}'{options} }});\n  }});\n"
            "exports.down = async () => {};\n"
        )

    base = {
        "knexfile.js": "module.exports = { client: 'pg' };\n",
        "migrations/20240101000000_init.js": migration(table, ""),
    }
    path = "migrations/20240601000000_archive.js"
    [message] = _exists(_review(base, path, migration(f"{table}_archive", "")))
    assert f"Type `{enum}` already exists" in message
    assert _exists(_review(base, path, migration(f"{table}_archive", ", existingType: true"))) == []
