"""column-dropped: a repository with one Prisma schema per database (umami's `db/mysql/` and `db/postgresql/`)
names the model of the schema beside the migration, not another database's."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [("session", "Session", "hostname"), ("invoice", "Invoice", "legacy_code")]


def _schema(provider: str, table: str, model: str, columns: list[str]) -> str:
    fields = "".join(f"  {c} String? @db.VarChar(100)\n" for c in columns)
    return (
        f'datasource db {{\n  provider = "{provider}"\n  url = env("DATABASE_URL")\n}}\n\n'
        f'model {model} {{\n  id Int @id\n{fields}\n  @@map("{table}")\n}}\n'
    )


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
@pytest.mark.parametrize("database", ["postgresql", "mysql"])
def test_the_model_of_the_schema_beside_the_migration_is_named(
    table: str, model: str, column: str, database: str
) -> None:
    provider = {"postgresql": "postgresql", "mysql": "mysql"}
    base = {
        f"db/{db}/schema.prisma": _schema(provider[db], table, model, ["label", column]) for db in provider
    }
    base.update(
        {
            f"db/{db}/migrations/01_init/migration.sql": f"CREATE TABLE {table} (id integer PRIMARY KEY, "
            f"label varchar(100), {column} varchar(100));\n"
            for db in provider
        }
    )
    head = {
        **base,
        **{f"db/{db}/schema.prisma": _schema(provider[db], table, model, ["label"]) for db in provider},
    }
    path = f"db/{database}/migrations/02_drop/migration.sql"
    head[path] = f"ALTER TABLE {table} DROP COLUMN {column};\n"
    changed = tuple(
        ChangedFile(p, "added" if p not in base else "modified", base.get(p), head[p])
        for p in sorted(head)
        if base.get(p) != head[p]
    )
    result = review(ChangeSet("base", "head", changed, MemoryTree(head), MemoryTree(base)))
    [dropped] = [f for f in result.active if f.rule == "column-dropped" and f.path == path]
    assert f"(`db/{database}/schema.prisma:" in dropped.message, dropped.message
