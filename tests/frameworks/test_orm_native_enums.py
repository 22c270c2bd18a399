"""Enum types the ORMs create on PostgreSQL for a column: SQLAlchemy's `sa.Enum(…, name=…)` in Alembic's
`create_table`, Knex's `t.enu(…, { useNative: true, enumName })` and Sequelize's `Sequelize.ENUM(…)`
(`enum_<table>_<column>`). The column has the type, so a label it lacks, or a label dropped by a later cast, is
found; the labels it has are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    ("users", "status", "user_status", ("active", "banned", "pending")),
    ("posts", "state", "post_state", ("draft", "published", "archived")),
]
Names = tuple[str, str, str, tuple[str, ...]]


def _alembic(names: Names, sql: str) -> tuple[dict[str, str], str, str]:
    table, column, enum, labels = names
    listed = ", ".join(f'"{label}"' for label in labels)

    def revision(number: str, parent: str, up: str) -> str:
        return (
            f'"""{number}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            f'revision = "{number}"\ndown_revision = {parent}\n\n\ndef upgrade():\n{up}\n\ndef downgrade():\n    pass\n'
        )

    base = revision(
        "a1",
        "None",
        f'    op.create_table(\n        "{table}",\n        sa.Column("id", sa.Integer(), primary_key=True),\n'
        f'        sa.Column("{column}", sa.Enum({listed}, name="{enum}"), nullable=False),\n    )\n',
    )
    change = revision("b2", '"a1"', f"    op.execute({sql!r})\n")
    return (
        {"alembic.ini": "[alembic]\n", "migrations/versions/a1_init.py": base},
        "migrations/versions/b2_change.py",
        change,
    )


def _knex(names: Names, sql: str) -> tuple[dict[str, str], str, str]:
    table, column, enum, labels = names
    listed = ", ".join(f"'{label}'" for label in labels)
    base = (
        f"exports.up = (knex) =>\n  knex.schema.createTable('{table}', (t) => {{\n    t.increments('id');\n"
        f"    t.enu('{column}', [{listed}], {{ useNative: true, enumName: '{enum}' }}).notNullable();\n  }});\n"
        f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
    )
    change = f"exports.up = (knex) => knex.raw({sql!r});\nexports.down = async () => {{}};\n"
    return (
        {"knexfile.js": "module.exports = { client: 'pg' };\n", "migrations/20240101000000_init.js": base},
        "migrations/20240601000000_change.js",
        change,
    )


def _sequelize(names: Names, sql: str) -> tuple[dict[str, str], str, str]:
    table, column, _, labels = names
    listed = ", ".join(f"'{label}'" for label in labels)
    base = (
        "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        f"    await queryInterface.createTable('{table}', {{\n"
        "      id: { type: Sequelize.INTEGER, primaryKey: true },\n"
        f"      {column}: {{ type: Sequelize.ENUM({listed}), allowNull: false }},\n    }});\n  }},\n"
        f"  async down(queryInterface) {{\n    await queryInterface.dropTable('{table}');\n  }},\n}};\n"
    )
    sql = sql.replace(names[2], f"enum_{table}_{column}")
    change = (
        "module.exports = {\n  async up(queryInterface) {\n"
        f"    await queryInterface.sequelize.query({sql!r});\n  }},\n  async down() {{}},\n}};\n"
    )
    return (
        {
            "config/config.json": '{"production": {"dialect": "postgres"}}\n',
            "migrations/20240101000000-init.js": base,
        },
        "migrations/20240601000000-change.js",
        change,
    )


Framework = Callable[[Names, str], tuple[dict[str, str], str, str]]
FRAMEWORKS: list[Framework] = [_alembic, _knex, _sequelize]


def _review(framework: Framework, names: Names, sql: str) -> Review:
    base, path, text = framework(names, sql)
    return review_sql(text, path=path, base=base, dialect="postgres")


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("names", NAMES)
def test_a_label_the_type_lacks_is_found(framework: Framework, names: Names) -> None:
    table, column, _, labels = names
    sql = f"UPDATE {table} SET {column} = '{labels[2]}' WHERE {column} = '{labels[1].title()}'"
    assert "enum-label-unknown" in _rules(_review(framework, names, sql))
    sql = f"UPDATE {table} SET {column} = '{labels[2]}' WHERE {column} = '{labels[1]}'"
    assert "enum-label-unknown" not in _rules(_review(framework, names, sql))


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("names", NAMES)
def test_a_label_dropped_by_a_cast_to_a_new_type_is_found(framework: Framework, names: Names) -> None:
    table, column, enum, labels = names
    kept = ", ".join(f"'{label}'" for label in (labels[0], labels[2]))
    recreated = (
        f"ALTER TYPE {enum} RENAME TO {enum}_old; CREATE TYPE {enum} AS ENUM ({kept}); "
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {enum} USING {column}::text::{enum}; DROP TYPE {enum}_old"
    )
    assert "enum-value-dropped" in _rules(_review(framework, names, recreated))
    added = f"ALTER TYPE {enum} ADD VALUE 'spare'"
    assert "enum-value-dropped" not in _rules(_review(framework, names, added))


def _alembic_mysql(names: Names, now: tuple[str, ...]) -> tuple[dict[str, str], str, str]:
    table, column, enum, labels = names

    def listed(values: tuple[str, ...]) -> str:
        return ", ".join(f'"{v}"' for v in values)

    def revision(number: str, parent: str, up: str) -> str:
        return (
            f'"""{number}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            f'revision = "{number}"\ndown_revision = {parent}\n\n\ndef upgrade():\n{up}\n\ndef downgrade():\n    pass\n'
        )

    base = revision(
        "a1",
        "None",
        f'    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), '
        f'sa.Column("{column}", sa.Enum({listed(labels)}, name="{enum}"), nullable=False))\n',
    )
    change = revision(
        "b2",
        '"a1"',
        f'    op.alter_column("{table}", "{column}", existing_type=sa.Enum({listed(labels)}, name="{enum}"), '
        f'type_=sa.Enum({listed(now)}, name="{enum}"), existing_nullable=False)\n',
    )
    ini = "[alembic]\nsqlalchemy.url = mysql+pymysql://app@localhost/app\n"
    return (
        {"alembic.ini": ini, "migrations/versions/a1_init.py": base},
        "migrations/versions/b2_change.py",
        change,
    )


def _sequelize_mysql(names: Names, now: tuple[str, ...]) -> tuple[dict[str, str], str, str]:
    table, column, _, labels = names

    def listed(values: tuple[str, ...]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    def migration(up: str) -> str:
        return f"module.exports = {{\n  async up(queryInterface, Sequelize) {{\n{up}  }},\n  async down() {{}},\n}};\n"

    base = migration(
        f"    await queryInterface.createTable('{table}', {{\n      id: {{ type: Sequelize.INTEGER, primaryKey: true }},\n"
        f"      {column}: {{ type: Sequelize.ENUM({listed(labels)}), allowNull: false }},\n    }});\n"
    )
    change = migration(
        f"    await queryInterface.changeColumn('{table}', '{column}', "
        f"{{ type: Sequelize.ENUM({listed(now)}), allowNull: false }});\n"
    )
    config = '{"production": {"dialect": "mysql"}}\n'
    return (
        {"config/config.json": config, "migrations/20240101000000-init.js": base},
        "migrations/20240601000000-change.js",
        change,
    )


@pytest.mark.parametrize("framework", [_alembic_mysql, _sequelize_mysql])
@pytest.mark.parametrize("names", NAMES)
def test_a_mysql_enum_left_without_a_label_is_found(
    framework: Callable[[Names, tuple[str, ...]], tuple[dict[str, str], str, str]], names: Names
) -> None:
    labels = names[3]

    def found(now: tuple[str, ...]) -> list[str]:
        base, path, text = framework(names, now)
        return [
            f.message for f in review_sql(text, path=path, base=base).active if f.rule == "lossy-type-change"
        ]

    [message] = found((labels[0], labels[2]))
    assert f"rows holding '{labels[1]}'" in message
    assert found((*labels, "spare")) == []


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("bound", [True, False])
def test_an_alembic_enum_type_created_then_cast_to(names: Names, bound: bool) -> None:
    """The usual way Alembic narrows an enum: create the new type (`.create(op.get_bind())`), cast to it."""
    table, column, enum, labels = names

    def cast(now: tuple[str, ...]) -> set[str]:
        listed = ", ".join(f'"{v}"' for v in now)
        kind = f'postgresql.ENUM({listed}, name="{enum}_v2")'
        made = (
            f"    new_type = {kind}\n    new_type.create(op.get_bind())\n"
            if bound
            else f"    {kind}.create(op.get_bind())\n"
        )
        up = (
            made + f'    op.alter_column("{table}", "{column}", type_={"new_type" if bound else kind}, '
            f'postgresql_using="{column}::text::{enum}_v2")\n'
            f'    sa.Enum(name="{enum}").drop(op.get_bind())\n'
        )
        base, path, _ = _alembic(names, "SELECT 1")
        text = (
            '"""b2"""\nfrom alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\n'
            f'revision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n{up}\n\ndef downgrade():\n    pass\n'
        )
        return _rules(review_sql(text, path=path, base=base, dialect="postgres"))

    assert "enum-value-dropped" in cast((labels[0], labels[2]))
    assert "enum-value-dropped" not in cast((*labels, "spare"))
