"""The dialect of a Node project from its knexfile, TypeORM data source, Sequelize, MikroORM or drizzle-kit config."""

from __future__ import annotations

import pytest

from bot.frameworks import detect_dialect
from bot.model.changeset import MemoryTree


@pytest.mark.parametrize(
    ("path", "text", "dialect"),
    [
        (
            "knexfile.js",
            "module.exports = { production: { client: 'pg', connection: process.env.DB } };",
            "postgres",
        ),
        (
            "knexfile.ts",
            "const config: Knex.Config = { client: 'better-sqlite3' };\nexport default config;",
            "sqlite",
        ),
        (
            "src/Bootstrap/DataSource.ts",
            "export const source = new DataSource({ type: 'mysql', host: 'db' });",
            "mysql",
        ),
        ("ormconfig.json", '{"type": "postgres", "migrations": ["dist/migrations/*.js"]}', "postgres"),
        (
            "config/config.json",
            '{"development": {"dialect": "mysql"}, "test": {"dialect": "mysql"}}',
            "mysql",
        ),
        (
            "mikro-orm.config.ts",
            "export default defineConfig({ driver: PostgreSqlDriver, dbName: 'shop' });",
            "postgres",
        ),
        (
            "drizzle.config.ts",
            "export default defineConfig({ dialect: 'turso', out: './drizzle' });",
            "sqlite",
        ),
    ],
)
def test_dialect_from_the_configuration(path: str, text: str, dialect: str) -> None:
    assert detect_dialect(MemoryTree({path: text}), []) == dialect


def test_a_value_computed_at_run_time_says_nothing() -> None:
    tree = MemoryTree({"knexfile.js": "module.exports = { client: process.env.DB_CLIENT };"})
    assert detect_dialect(tree, ["CREATE TABLE t (id int AUTO_INCREMENT)"]) == "mysql"
