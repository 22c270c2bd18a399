"""A place the change removes is listed once for a name, however many of the review's questions search that
name: netbox 5f43eabab dropped a unique key over `content_type_id` (whose columns are searched for upserts)
and renamed the column, and each removed line was listed twice under the rename."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

NAMES = [
    ("orders", "Order", "status_code", "state_code"),
    ("contacts", "Contact", "content_type_id", "object_type_id"),
]
PATH = "db/migrations/0002_rename.sql"


@pytest.mark.parametrize("with_key", [True, False])
@pytest.mark.parametrize(("table", "model", "old", "new"), NAMES)
def test_a_removed_place_is_listed_once(table: str, model: str, old: str, new: str, with_key: bool) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} bigint, region text);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_pair UNIQUE ({old}, region);\n"
    )
    drop = f"ALTER TABLE {table} DROP CONSTRAINT {table}_pair;\n" if with_key else ""
    sql = f"{drop}ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
    code = "class {model}Filter:\n    fields = ['id', '{name}', 'region']\n\n\ndef find(value):\n    return {model}.objects.filter({name}=value)\n"
    before, after = code.format(model=model, name=old), code.format(model=model, name=new)
    fields = "class {model}(models.Model):\n    {name} = models.BigIntegerField()\n    region = models.TextField()\n"
    models, renamed = fields.format(model=model, name=old), fields.format(model=model, name=new)
    base = {"db/migrations/0001_schema.sql": schema, "shop/filters.py": before, "shop/models.py": models}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(
            ChangedFile(PATH, "added", None, sql),
            ChangedFile("shop/filters.py", "modified", before, after),
            ChangedFile("shop/models.py", "modified", models, renamed),
        ),
        head_tree=MemoryTree({**base, PATH: sql, "shop/filters.py": after, "shop/models.py": renamed}),
        base_tree=MemoryTree(base),
    )
    [finding] = [f for f in review(changeset).active if f.rule == "column-renamed"]
    places = [(r.path, r.line) for r in finding.references if r.kind.startswith("removed")]
    assert places == [("shop/filters.py", 2), ("shop/filters.py", 6), ("shop/models.py", 2)]
    assert "removes the last 3 uses" in finding.blast_radius
