"""existing-rows-one-parent: a foreign-key column added with a fixed default gives every existing row one parent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "existing-rows-one-parent"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("parent", "child", "column"), [("orgs", "projects", "org_id"), ("users", "chats", "owner_id")]
)
def test_a_fixed_default_on_a_new_key_is_found(parent, child, column) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\nCREATE TABLE {child} (id bigint PRIMARY KEY);\n-- migration\n"
    inline = f"ALTER TABLE {child} ADD COLUMN {column} bigint NOT NULL DEFAULT 1 REFERENCES {parent} (id);"
    (finding,) = _found(schema + inline)
    assert f"`{child}.{column}`" in finding.message and f"`{parent}`" in finding.message
    separate = (
        f"ALTER TABLE {child} ADD COLUMN {column} bigint NOT NULL DEFAULT 7;\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_fk FOREIGN KEY ({column}) REFERENCES {parent} (id) NOT VALID;"
    )
    assert _found(schema + separate)
    # nullable without a default, filled from the real parent, or a table created here: quiet
    assert not _found(schema + f"ALTER TABLE {child} ADD COLUMN {column} bigint REFERENCES {parent} (id);")
    filled = inline + f"\nUPDATE {child} SET {column} = 2 WHERE id BETWEEN 1 AND 1000;"
    assert not _found(schema + filled)
    assert not _found(
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n-- migration\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {column} bigint NOT NULL DEFAULT 1 REFERENCES {parent} (id));"
    )


def test_django_one_off_default_on_a_foreign_key() -> None:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    operations = [\n"
        '        migrations.CreateModel(name="Org", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.CreateModel(name="Project", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        "    ]\n"
    )
    added = (
        "import django.db.models.deletion\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        '        migrations.AddField(model_name="project", name="org", field=models.ForeignKey(default=1, '
        'on_delete=django.db.models.deletion.CASCADE, to="shop.org"), preserve_default=False),\n    ]\n'
    )
    (finding,) = _found(
        added, path="shop/migrations/0002_project_org.py", base={"shop/migrations/0001_initial.py": initial}
    )
    assert "shop_project.org_id" in finding.message
