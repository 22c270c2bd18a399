"""Sequelize migrations through `review()`: detection, the QueryInterface API and `sequelize.query` at their
lines, data changes (`bulkUpdate`), runner semantics (no transaction unless the migration opens one)."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, sequelize
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataUpdate,
    DropColumn,
    RenameColumn,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from tests.conftest import review_sql

PATH = "migrations/20240601120000-change-orders.js"
BASE = {
    "migrations/20240101000000-create-orders.js": (
        "module.exports = {\n"
        "  async up(queryInterface, Sequelize) {\n"
        "    await queryInterface.createTable('orders', {\n"
        "      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },\n"
        "      legacy_code: Sequelize.STRING,\n"
        "      state: { type: Sequelize.STRING(20) },\n"
        "      total: Sequelize.INTEGER,\n"
        "    });\n"
        "  },\n"
        "  async down(queryInterface) {\n"
        "    await queryInterface.dropTable('orders');\n"
        "  },\n"
        "};\n"
    )
}


def _migration(up: str, down: str = "    await queryInterface.sequelize.query('SELECT 1');\n") -> str:
    return (
        '"use strict";\n'
        "\n"
        "/** @type {import('sequelize-cli').Migration} */\n"
        "module.exports = {\n"
        "  up: async (queryInterface, Sequelize) => {\n"
        f"{up}"
        "  },\n"
        "  down: async (queryInterface, Sequelize) => {\n"
        f"{down}"
        "  },\n"
        "};\n"
    )


def _parse(text: str) -> sequelize.Migration:
    return sequelize.parse(PATH, text, MemoryTree(), "postgres")


def _rules(result: object) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in result.active}  # type: ignore[attr-defined]


def test_detects_sequelize_migrations() -> None:
    text = _migration("")
    assert detect(PATH, text, Config()) is sequelize
    assert detect("src/models/order.js", text, Config()) is None
    assert sequelize.version(PATH) == "20240601120000"


def test_query_interface_at_the_lines_of_its_calls() -> None:
    migration = _parse(
        _migration(
            "    await queryInterface.addColumn('orders', 'code', { type: Sequelize.STRING(40), allowNull: false, defaultValue: 'none' });\n"
            "    await queryInterface.removeColumn('orders', 'legacy_code');\n"
            "    await queryInterface.renameColumn('orders', 'state', 'status');\n"
            "    await queryInterface.changeColumn('orders', 'total', { type: Sequelize.BIGINT, allowNull: false });\n"
            "    await queryInterface.addIndex('orders', ['status'], { concurrently: true });\n"
            "    await queryInterface.addConstraint('orders', { fields: ['user_id'], type: 'foreign key', references: { table: 'users', field: 'id' } });\n"
            "    await queryInterface.bulkUpdate('orders', { status: 'open' }, { status: null });\n"
        )
    )
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (6, AddColumn),
        (7, DropColumn),
        (8, RenameColumn),
        (9, AlterColumnType),
        (9, SetNotNull),
        (9, SetDefault),  # not given a `defaultValue`, `changeColumn` drops the default (DROP DEFAULT)
        (10, AddIndex),
        (11, AddConstraint),
        (12, DataUpdate),
    ]
    add, *_ = migration.up
    assert isinstance(add, AddColumn) and add.column.type == "varchar(40)" and not add.column.nullable
    dropped = migration.up[5]
    assert isinstance(dropped, SetDefault) and dropped.implied and dropped.default is None
    index = migration.up[6]
    assert isinstance(index, AddIndex) and index.concurrently and index.columns == ("status",)
    key = migration.up[7]
    assert isinstance(key, AddConstraint) and key.constraint == "foreign_key" and key.references == "users"
    update = migration.up[8]
    assert isinstance(update, DataUpdate) and update.where == "status IS NULL"


def test_sequelize_query_is_read_as_sql() -> None:
    migration = _parse(
        _migration(
            "    await queryInterface.sequelize.query(`ALTER TABLE orders DROP COLUMN legacy_code`);\n"
        )
    )
    (drop,) = migration.up
    assert isinstance(drop, DropColumn) and drop.location.line == 6


def test_no_transaction_unless_the_migration_opens_one() -> None:
    assert not _parse(_migration("")).in_transaction
    opened = _parse(
        _migration(
            "    await queryInterface.sequelize.transaction(async (transaction) => {\n"
            "      await queryInterface.removeColumn('orders', 'legacy_code', { transaction });\n"
            "    });\n"
        )
    )
    assert opened.in_transaction and isinstance(opened.up[0], DropColumn)


def test_concurrent_index_outside_a_transaction_is_approved() -> None:
    bad = review_sql(
        _migration("    await queryInterface.addIndex('orders', ['state']);\n"), path=PATH, base=BASE
    )
    finding = next(f for f in bad.active if f.rule == "non-concurrent-index")
    assert finding.line == 6 and "concurrently: true" in finding.fix
    good = review_sql(
        _migration(
            "    await queryInterface.sequelize.query(\"SET lock_timeout = '5s'\");\n"
            "    await queryInterface.addIndex('orders', ['state'], { concurrently: true, name: 'orders_state' });\n",
            down="    await queryInterface.removeIndex('orders', 'orders_state', { concurrently: true });\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert "non-concurrent-index" not in {f.rule for f in good.active}


def test_renamed_column_fix_in_sequelize_terms() -> None:
    result = review_sql(
        _migration("    await queryInterface.renameColumn('orders', 'state', 'status');\n"),
        path=PATH,
        base=BASE,
    )
    finding = next(f for f in result.active if f.rule == "column-renamed")
    assert finding.line == 6 and "field:" in finding.fix


def test_bulk_update_is_a_data_change() -> None:
    result = review_sql(
        _migration("    await queryInterface.bulkUpdate('orders', { state: 'open' }, {});\n"),
        path=PATH,
        base=BASE,
    )
    assert ("unbatched-data-change", 6) in _rules(result)


def test_additive_reversible_migration_is_approved() -> None:
    result = review_sql(
        _migration(
            "    await queryInterface.addColumn('orders', 'note', { type: Sequelize.TEXT, allowNull: true });\n",
            down="    await queryInterface.removeColumn('orders', 'note');\n",
        ),
        path=PATH,
        base=BASE,
    )
    assert result.approval == "APPROVED", [(f.rule, f.line) for f in result.active]


def test_model_reading_a_dropped_column_is_a_reference() -> None:
    model = (
        "module.exports = (sequelize, DataTypes) => {\n"
        "  const Order = sequelize.define('Order', {\n"
        "    legacy_code: DataTypes.STRING,\n"
        "  }, { tableName: 'orders' });\n"
        "  return Order;\n"
        "};\n"
    )
    result = review_sql(
        _migration("    await queryInterface.removeColumn('orders', 'legacy_code');\n"),
        path=PATH,
        base={**BASE, "models/order.js": model},
    )
    finding = next(f for f in result.active if f.rule == "column-dropped")
    assert any(ref.path == "models/order.js" for ref in finding.references)


def test_sql_held_in_a_constant_and_an_unmanaged_transaction() -> None:
    migration = _parse(
        _migration(
            "    const transaction = await queryInterface.sequelize.transaction();\n"
            "    const sql = `UPDATE orders SET state = 'open' WHERE state IS NULL`;\n"
            "    try {\n"
            "      await queryInterface.sequelize.query(sql, { transaction });\n"
            "      await transaction.commit();\n"
            "    } catch (error) {\n"
            "      await transaction.rollback();\n"
            "      throw error;\n"
            "    }\n"
        )
    )
    assert [(op.location.line, op.kind) for op in migration.up] == [
        (6, "Transaction"),
        (7, "DataUpdate"),
        (10, "Transaction"),
        (12, "Transaction"),
    ]


def test_functions_exported_by_name() -> None:
    text = (
        "async function up({ context: queryInterface }) {\n"
        "  await queryInterface.removeColumn('orders', 'legacy_code');\n"
        "}\n"
        "async function down() {}\n"
        "module.exports = { up, down };\n"
    )
    assert detect(PATH, text, Config()) is sequelize
    assert [op.kind for op in _parse(text).up] == ["DropColumn"]


def test_drop_all_tables_is_read_and_names_every_table() -> None:
    result = review_sql(_migration("    await queryInterface.dropAllTables();\n"), path=PATH, base=BASE)
    [found] = [f for f in result.active if f.rule == "table-dropped"]
    assert found.severity.value == "critical" and "`orders`" in found.message
    assert "unparsed-statement" not in {f.rule for f in result.active}


def test_drop_all_tables_in_down_is_the_way_back_of_an_initial_migration() -> None:
    text = _migration("", down="    await queryInterface.dropAllTables();\n")
    migration = _parse(text)
    assert [op.category for op in migration.down or () if hasattr(op, "category")] == ["drop-all-tables"]


def test_replacements_are_values_not_syntax() -> None:
    up = (
        "    await queryInterface.sequelize.query(\n"
        "      'UPDATE orders SET state = :state WHERE legacy_code = ? AND id > 0',\n"
        "      { replacements: { state: 'paid' } },\n"
        "    );\n"
    )
    result = review_sql(_migration(up), path=PATH, base=BASE)
    assert "unparsed-statement" not in {f.rule for f in result.active}
    assert any(m.path == PATH for m in result.migrations)


def test_a_question_mark_without_replacements_stays_sql() -> None:
    up = "    await queryInterface.sequelize.query(`SELECT id FROM orders WHERE legacy_code ? 'x'`);\n"
    migration = _parse(_migration(up))
    assert migration.up and all(op.sql.count("?") == 1 for op in migration.up)


_REASSIGNED = """module.exports = {
  up: async (queryInterface, Sequelize) => {
    let tableName, constraintName;
    tableName = "%(first)s";
    constraintName = "%(first)s_%(column)s_fkey";
    await queryInterface.sequelize.query(`alter table "${tableName}" drop constraint "${constraintName}"`);
    %(second_assignment)s
    await queryInterface.sequelize.query(`alter table "${tableName}" drop constraint "${constraintName}"`);
  },
  down: async () => {},
};
"""


@pytest.mark.parametrize(
    ("first", "second", "column"),
    [("collection_users", "group_users", "userId"), ("pins", "stars", "teamId")],
)
@pytest.mark.parametrize("branch", [False, True])
def test_a_let_given_new_values_statement_by_statement_is_read_at_each_use(
    first: str, second: str, column: str, branch: bool
) -> None:
    """Outline's `missing-cascades` migrations reassign `tableName` before each query: each query names the
    table assigned last; a value given on one path only (an `if`) is no known value."""
    assignment = f'tableName = "{second}"; constraintName = "{second}_{column}_fkey";'
    second_assignment = f"if (process.env.X) {{ {assignment} }}" if branch else assignment
    text = _REASSIGNED % {"first": first, "column": column, "second_assignment": second_assignment}
    migration = sequelize.parse(PATH, text, MemoryTree(), "postgres")
    names = [(op.table, getattr(op, "name", "")) for op in migration.up if not isinstance(op, Unparsed)]
    assert names[0] == (first, f"{first}_{column}_fkey")
    if branch:
        assert any(isinstance(op, Unparsed) for op in migration.up)
    else:
        assert names[1] == (second, f"{second}_{column}_fkey") and len(names) == 2
    reviewed = {f.rule for f in review_sql(text, path=PATH).findings}
    assert ("unparsed-statement" in reviewed) is branch


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [("user_permissions", "documentId", "documents"), ("orders", "userId", "users")],
)
def test_change_column_with_references_adds_the_foreign_key_and_keeps_the_type(
    table: str, column: str, parent: str
) -> None:
    """Sequelize's `changeColumn` given `references` adds the foreign key instead of changing the type: no
    ALTER COLUMN … TYPE (which a view reading the column would refuse), no NULL or default dropped."""
    migration = _parse(
        _migration(
            f"    await queryInterface.changeColumn('{table}', '{column}', {{ type: Sequelize.UUID, onDelete: 'cascade', "
            f"references: {{ model: '{parent}' }} }});\n"
        )
    )
    [key] = migration.up
    assert isinstance(key, AddConstraint) and key.constraint == "foreign_key"
    assert key.columns == (column,) and key.references == parent and key.on_delete == "cascade"
    result = review_sql(
        _migration(
            f"    await queryInterface.changeColumn('{table}', '{column}', {{ type: Sequelize.UUID, "
            f"references: {{ model: '{parent}' }} }});\n"
        ),
        path=PATH,
        base={
            "migrations/20240101000000-init.sql": (
                f'CREATE TABLE {parent} (id uuid PRIMARY KEY);\nCREATE TABLE "{table}" (id uuid PRIMARY KEY, "{column}" uuid);\n'
                f'CREATE VIEW {table}_view AS SELECT * FROM "{table}";\n'
            )
        },
    )
    assert "column-used-by-view" not in {f.rule for f in result.active}
