"""db-migrate (node-db-migrate) migrations: detection, `db.runSql` read as SQL at its lines, the schema calls, the
SQL files a `--sql-file` migration reads, the way back, and reviews of a bad and a good change."""

from __future__ import annotations

import pytest

from bot.frameworks import db_migrate, detect
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddIndex,
    CreateTable,
    DropColumn,
    RenameColumn,
    Unparsed,
)
from tests.conftest import review_sql

NAMES = [("api_tokens", "user_created"), ("feature_flags", "archived_by")]
RUN_SQL = """'use strict';

exports.up = function (db, cb) {{
    db.runSql(
        `ALTER TABLE {table}
            ADD COLUMN {column} BOOLEAN NOT NULL{default};`,
        cb,
    );
}};

exports.down = function (db, cb) {{
    db.runSql(`ALTER TABLE {table} DROP COLUMN {column};`, cb);
}};
"""
PATH = "src/migrations/20260721114534-add-column.js"


def _parse(text: str, path: str = PATH, tree: dict[str, str] | None = None) -> object:
    return db_migrate.parse(path, text, MemoryTree({path: text, **(tree or {})}), "postgres")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_detected_and_run_sql_read_at_its_lines(table: str, column: str) -> None:
    text = RUN_SQL.format(table=table, column=column, default="")
    module = detect(PATH, text, Config())
    assert module is not None and module.NAME == "db-migrate"
    migration = _parse(text)
    (added,) = migration.up  # type: ignore[attr-defined]
    assert isinstance(added, AddColumn) and added.table == table and added.column.name == column
    assert added.location.line == 5
    assert migration.in_transaction and migration.down  # type: ignore[attr-defined]
    (dropped,) = migration.down  # type: ignore[attr-defined]
    assert isinstance(dropped, DropColumn)


def test_knex_and_sequelize_modules_are_not_db_migrate() -> None:
    knex = (
        "exports.up = function (knex) { return knex.schema.createTable('a', t => { t.increments(); }); };\n"
    )
    assert detect("migrations/20200101_a.js", knex, Config()).NAME == "knex"  # type: ignore[union-attr]
    assert not db_migrate.detect("src/lib/util.js", "exports.up = function (db) { db.runSql('x'); };")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_schema_calls(table: str, column: str) -> None:
    text = (
        "exports.up = async function (db) {\n"
        f"  await db.createTable('{table}', {{ id: {{ type: 'int', primaryKey: true, autoIncrement: true }},\n"
        f"    name: {{ type: 'string', length: 40, notNull: true, defaultValue: 'x' }} }});\n"
        f"  await db.addColumn('{table}', '{column}', {{ type: 'boolean', notNull: true, defaultValue: false }});\n"
        f"  await db.renameColumn('{table}', 'name', 'title');\n"
        f"  await db.addIndex('{table}', '{table}_{column}_idx', ['{column}'], true);\n"
        f"  await db.insert('{table}', ['id'], [1]);\n"
        "};\n\nexports.down = function (db) {\n  return null;\n};\n"
    )
    migration = _parse(text)
    create, add, rename, index, other = migration.up  # type: ignore[attr-defined]
    assert isinstance(create, CreateTable) and [c.type for c in create.columns] == ["integer", "varchar(40)"]
    assert create.columns[1].default == "'x'" and not create.columns[1].nullable
    assert isinstance(add, AddColumn) and add.column.default == "false" and not add.column.nullable
    assert isinstance(rename, RenameColumn) and rename.new_name == "title"
    assert isinstance(index, AddIndex) and index.unique and index.columns == (column,)
    assert isinstance(other, Unparsed) and "db.insert" in other.error  # never silence
    assert migration.down is None and migration.irreversible_reason == "`down` does nothing"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_sql_file_migration_reads_its_sql_files(table: str, column: str) -> None:
    text = (
        "var fs = require('fs');\nvar path = require('path');\n\n"
        "exports.up = function (db) {\n"
        "  var filePath = path.join(__dirname, 'sqls', '20200101000000-change-up.sql');\n"
        "  return new Promise(function (resolve, reject) {\n"
        "    fs.readFile(filePath, { encoding: 'utf-8' }, function (err, data) {\n"
        "      if (err) return reject(err);\n      resolve(data);\n    });\n"
        "  }).then(function (data) {\n    return db.runSql(data);\n  });\n};\n"
    )
    path = "migrations/20200101000000-change.js"
    sql = {"migrations/sqls/20200101000000-change-up.sql": f"\nALTER TABLE {table} DROP COLUMN {column};\n"}
    migration = _parse(text, path, sql)
    (dropped,) = migration.up  # type: ignore[attr-defined]
    assert isinstance(dropped, DropColumn) and dropped.location.path.endswith("-up.sql")
    assert dropped.location.line == 2
    missing = _parse(text, path)
    assert isinstance(missing.up[0], Unparsed)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_review_bad_and_good(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n"
    base = {
        "src/migrations/20260101000000-init.js": "exports.up = function (db, cb) {\n"
        f"  db.runSql(`{schema}`, cb);\n}};\n"
    }

    def rules(default: str) -> set[str]:
        text = RUN_SQL.format(table=table, column=column, default=default)
        result = review_sql(text, path=PATH, base=base, dialect="postgres")
        return {f.rule for f in result.active}

    assert "not-null-without-default" in rules("")
    assert "not-null-without-default" not in rules(" DEFAULT true")
