"""MySQL's MODIFY/CHANGE redefines the whole column: NOT NULL and DEFAULT not repeated are dropped."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [("posts", "title"), ("accounts", "plan_code")]


def _found(table: str, column: str, sql: str, dialect: str = "mysql") -> list[Finding]:
    base = {
        "db/migrations/0001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(200) NOT NULL"
        f" DEFAULT 'none', note varchar(20));\n"
    }
    result = review_sql(
        sql.format(t=table, c=column), path="db/migrations/0002_widen.sql", dialect=dialect, base=base
    )
    return [f for f in result.active if f.rule == "modify-resets-column"]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_modify_that_does_not_repeat_not_null_and_default(table: str, column: str, dialect: str) -> None:
    [found] = _found(table, column, "ALTER TABLE {t} MODIFY {c} varchar(300);", dialect)
    assert f"`{table}.{column}`" in found.message and "NOT NULL and DEFAULT 'none'" in found.message
    [renamed] = _found(table, column, "ALTER TABLE {t} CHANGE {c} {c}_text varchar(300) NOT NULL;", dialect)
    assert "DEFAULT 'none'" in renamed.message and "NOT NULL without its default" in renamed.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_modify_that_repeats_what_the_column_keeps(table: str, column: str) -> None:
    assert not _found(table, column, "ALTER TABLE {t} MODIFY {c} varchar(300) NOT NULL DEFAULT 'none';")
    assert not _found(table, column, "ALTER TABLE {t} MODIFY COLUMN {c} varchar(300) NULL DEFAULT 'none';")
    assert not _found(
        table, column, "ALTER TABLE {t} MODIFY note varchar(40);"
    )  # nullable, no default: nothing lost


LARAVEL = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
    "    public function up(): void {\n        Schema::table('{table}', function (Blueprint $table) {\n"
    "            $table->string('{column}', 40){modifiers}->change();\n        });\n    }\n};\n"
)


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("composer", "dropped"), [('"^11.0"', True), ('"^10.10|^11.0"', False), ('"^12.0"', True)]
)
def test_laravel_11_change_drops_a_default_it_does_not_repeat(
    table: str, column: str, composer: str, dropped: bool
) -> None:
    base = {
        "composer.json": '{"require": {"laravel/framework": ' + composer + "}}\n",
        "database/migrations/2024_01_01_000000_create.php": (
            "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
            "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
            f"    public function up(): void {{\n        Schema::create('{table}', function (Blueprint $table) {{\n"
            f"            $table->id();\n            $table->string('{column}')->default('draft');\n        }});\n    }}\n}};\n"
        ),
    }

    def found(modifiers: str) -> list[Finding]:
        text = LARAVEL.replace("{table}", table).replace("{column}", column).replace("{modifiers}", modifiers)
        result = review_sql(text, path="database/migrations/2024_02_02_000000_change.php", base=base)
        return [f for f in result.active if f.rule == "modify-resets-column"]

    lost = found("")
    assert bool(lost) is dropped
    if dropped:
        assert "`->change()`" in lost[0].message and "DEFAULT 'draft'" in lost[0].message
    assert not found("->default('draft')")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_knex_alter_redefines_the_whole_column(table: str, column: str) -> None:
    base = {
        "knexfile.js": "module.exports = { client: 'pg' };\n",
        "migrations/20240101000000_init.js": (
            f"exports.up = (knex) => knex.schema.createTable('{table}', (t) => {{ t.increments('id'); "
            f"t.string('{column}', 200).notNullable().defaultTo('none'); }});\nexports.down = () => {{}};\n"
        ),
    }

    def found(chain: str) -> list[Finding]:
        text = (
            f"exports.up = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.string('{column}', 300){chain}.alter(); }});\n"
            f"exports.down = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.string('{column}', 200).notNullable().defaultTo('none').alter(); }});\n"
        )
        result = review_sql(text, path="migrations/20240202000000_widen.js", base=base)
        return [f for f in result.active if f.rule == "modify-resets-column"]

    [lost] = found("")
    assert "`.alter()`" in lost.message and "NOT NULL and DEFAULT 'none'" in lost.message
    assert not found(".notNullable().defaultTo('none')")


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_sequelize_change_column_restates_the_whole_column(table: str, column: str, dialect: str) -> None:
    """Sequelize 6's `changeColumn` drops NOT NULL and the default it is not given (ALTER COLUMN … DROP NOT NULL
    and DROP DEFAULT on PostgreSQL, CHANGE on MySQL); Sequelize 7 (`@sequelize/core`) changes only what it is
    given."""
    base = {
        "migrations/20240101000000-init.js": (
            "module.exports = {\n  up: async (queryInterface, Sequelize) => {\n"
            f'    await queryInterface.createTable("{table}", {{ id: {{ type: Sequelize.INTEGER, primaryKey: true }}, '
            f'{column}: {{ type: Sequelize.STRING(200), allowNull: false, defaultValue: "none" }} }});\n'
            "  },\n  down: async () => {},\n};\n"
        ),
    }

    def found(options: str, package: str = '{"dependencies": {"sequelize": "^6.35.0"}}') -> list[Finding]:
        text = (
            "module.exports = {\n  up: async (queryInterface, Sequelize) => {\n"
            f'    await queryInterface.changeColumn("{table}", "{column}", {{ type: Sequelize.STRING(300){options} }});\n'
            "  },\n  down: async () => {},\n};\n"
        )
        result = review_sql(
            text,
            path="migrations/20240202000000-widen.js",
            base={**base, "package.json": package},
            dialect=dialect,
        )
        return [f for f in result.active if f.rule == "modify-resets-column"]

    [lost] = found("")
    assert "`changeColumn`" in lost.message and "NOT NULL and DEFAULT 'none'" in lost.message, lost.message
    [default_lost] = found(", allowNull: false")
    assert "DEFAULT 'none'" in default_lost.message and "NOT NULL and" not in default_lost.message
    assert not found(', allowNull: false, defaultValue: "none"')
    assert not found("", package='{"dependencies": {"@sequelize/core": "7.0.0-alpha.40"}}')


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_default_null_in_a_modify_says_nullable_on_purpose(mariadb, table: str, column: str) -> None:  # type: ignore[no-untyped-def]
    """`MODIFY c text DEFAULT NULL` cannot mean NOT NULL (the database refuses NOT NULL with DEFAULT NULL): the
    column is made nullable on purpose, as with an explicit NULL; without either it is still a finding."""
    assert not _found(table, column, "ALTER TABLE {t} MODIFY COLUMN {c} varchar(300) DEFAULT NULL;")
    assert _found(table, column, "ALTER TABLE {t} MODIFY COLUMN {c} varchar(300) DEFAULT 'n/a';")
    cursor = mariadb.cursor()
    cursor.execute(f"CREATE TABLE {table} ({column} varchar(20) NOT NULL DEFAULT 'none')")
    with pytest.raises(Exception, match="Invalid default value"):
        cursor.execute(f"ALTER TABLE {table} MODIFY {column} varchar(300) NOT NULL DEFAULT NULL")
    cursor.execute(f"DROP TABLE {table}")
