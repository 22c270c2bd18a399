"""homarr renamed every camelCase column to snake case (`account.userId` to `user_id`) when it opened Drizzle
with `casing: "snake_case"` (8cd583328), and the review blocked the rename on `index("userId_idx").on(account.userId)`
of its Drizzle schema: under that setting the field `userId` is the column `user_id`, the new name. TypeORM's
`SnakeNamingStrategy`, Objection's `knexSnakeCaseMappers()` and Sequelize's `underscored: true` map fields the
same way. Without such a setting, or for a rename to another name, the field is still the old column."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

SETTINGS = {
    "drizzle": (
        "src/db/driver.ts",
        'import { drizzle } from "drizzle-orm/node-postgres";\n'
        'export const db = drizzle(pool, { schema, casing: "snake_case" });\n',
    ),
    "typeorm": (
        "src/data-source.ts",
        'import { SnakeNamingStrategy } from "typeorm-naming-strategies";\n'
        "export const source = new DataSource({ type: 'postgres', namingStrategy: new SnakeNamingStrategy() });\n",
    ),
}
NAMES = [
    ("drizzle", "account", "userId", "user_id", "owner_id"),
    ("typeorm", "invoice", "createdBy", "created_by", "author_id"),
]


def _renamed(table: str, old: str, new: str, orm: str, *, mapped: bool) -> Finding:
    code = (
        f"export async function find(db: any, id: string) {{\n"
        f"  return db.select().from({table}).where(eq({table}.{old}, id));\n}}\n"
    )
    head = {"src/queries.ts": code}
    if mapped:
        path, text = SETTINGS[orm]
        head[path] = text
    sql = (
        f'CREATE TABLE {table} (id text PRIMARY KEY, "{old}" text NOT NULL);\n-- migration\n'
        f'ALTER TABLE {table} RENAME COLUMN "{old}" TO {new};\n'
    )
    result = review_sql(sql, head=head)
    return next(f for f in result.findings if f.rule == "column-renamed")


@pytest.mark.parametrize(("orm", "table", "old", "new", "other"), NAMES)
def test_a_field_the_orm_maps_to_the_new_snake_case_name_is_no_use_of_the_old_one(
    orm: str, table: str, old: str, new: str, other: str
) -> None:
    finding = _renamed(table, old, new, orm, mapped=True)
    assert finding.severity != "critical" and not finding.references, finding


@pytest.mark.parametrize(("orm", "table", "old", "new", "other"), NAMES)
def test_without_the_setting_or_to_another_name_the_field_is_the_old_column(
    orm: str, table: str, old: str, new: str, other: str
) -> None:
    unmapped = _renamed(table, old, new, orm, mapped=False)
    assert unmapped.severity == "critical" and [r.path for r in unmapped.references] == ["src/queries.ts"]
    elsewhere = _renamed(table, old, other, orm, mapped=True)
    assert elsewhere.severity == "critical" and [r.path for r in elsewhere.references] == ["src/queries.ts"]
