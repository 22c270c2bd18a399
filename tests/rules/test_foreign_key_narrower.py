"""A foreign-key column narrower than the key it references, declared the way each framework declares it:
Alembic's `sa.ForeignKey` and `sa.ForeignKeyConstraint` in `create_table`, Rails' `t.references`,
`t.foreign_key` and `add_foreign_key`, Django's keys that follow (or do not follow) a widened primary key."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    {"parents": "users", "parent": "user", "children": "orders"},
    {"parents": "accounts", "parent": "account", "children": "invoices"},
]


def _narrower(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "foreign-key-narrower"]


ALEMBIC_BASE = (
    'revision = "a1"\ndown_revision = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
    'def upgrade():\n    op.create_table("{parents}", sa.Column("id", sa.BigInteger, primary_key=True))\n\n\n'
    'def downgrade():\n    op.drop_table("{parents}")\n'
)
ALEMBIC = (
    'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
    'def upgrade():\n    {body}\n\n\ndef downgrade():\n    op.drop_table("{children}")\n'
)
ALEMBIC_BODIES = [
    'op.create_table("{children}", sa.Column("id", sa.BigInteger, primary_key=True),'
    ' sa.Column("{parent}_id", sa.{type}, sa.ForeignKey("{parents}.id", ondelete="CASCADE")))',
    'op.create_table("{children}", sa.Column("id", sa.BigInteger, primary_key=True),'
    ' sa.Column("{parent}_id", sa.{type}), sa.ForeignKeyConstraint(["{parent}_id"], ["{parents}.id"]))',
    'op.create_table("{children}", sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("{parent}_id", sa.{type}))\n'
    '    op.create_foreign_key("fk_{children}", "{children}", "{parents}", ["{parent}_id"], ["id"])',
]


def _alembic(names: dict[str, str], body: str, type_: str):  # type: ignore[no-untyped-def]
    text = ALEMBIC.format(**names, body=body.format(**names, type=type_))
    base = {"alembic/versions/a1_base.py": ALEMBIC_BASE.format(**names)}
    return review_sql(text, path="alembic/versions/b2_children.py", base=base)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", ALEMBIC_BODIES)
def test_alembic_foreign_keys_feed_the_catalog(names: dict[str, str], body: str) -> None:
    found = _narrower(_alembic(names, body, "Integer"))
    assert len(found) == 1
    assert (
        f"`{names['children']}.{names['parent']}_id`" in found[0].message
        and f"`{names['parents']}.id`" in found[0].message
    )
    good = _alembic(names, body, "BigInteger")
    assert not _narrower(good) and good.approval == "APPROVED"


@pytest.mark.parametrize("names", NAMES)
def test_alembic_cascade_of_a_column_foreign_key_is_known(names: dict[str, str]) -> None:
    create = _alembic(names, ALEMBIC_BODIES[0], "BigInteger")
    assert create.approval == "APPROVED"
    text = (
        'revision = "c3"\ndown_revision = "b2"\n\nfrom alembic import op\n\n\n'
        'def upgrade():\n    op.execute("DELETE FROM {parents} WHERE id > 100 AND id < 200")\n\n\n'
        "def downgrade():\n    pass\n"
    ).format(**names)
    base = {
        "alembic/versions/a1_base.py": ALEMBIC_BASE.format(**names),
        "alembic/versions/b2_children.py": ALEMBIC.format(
            **names, body=ALEMBIC_BODIES[0].format(**names, type="BigInteger")
        ),
    }
    result = review_sql(text, path="alembic/versions/c3_delete.py", base=base)
    found = [f for f in result.active if f.rule == "cascading-delete"]
    assert found and names["children"] in found[0].message


RAILS_BASE = (
    "class Create{Parents} < ActiveRecord::Migration[7.1]\n  def change\n"
    "    create_table :{parents} do |t|\n      t.string :name\n    end\n  end\nend\n"
)
RAILS_BODIES = [
    "    create_table :{children} do |t|\n      t.{type} :{parent}_id, index: true\n      t.foreign_key :{parents}\n    end",
    "    create_table :{children} do |t|\n      t.references :{parent}, foreign_key: true, type: :{type}\n    end",
    "    create_table :{children} do |t|\n      t.{type} :{parent}_id, index: true\n    end\n"
    "    add_foreign_key :{children}, :{parents}",
    "    create_table :{children} do |t|\n      t.references :buyer, foreign_key: {{{{ to_table: :{parents} }}}}, type: :{type}\n"
    "    end",
]


def _rails(names: dict[str, str], body: str, type_: str):  # type: ignore[no-untyped-def]
    text = (
        "class Create{Children} < ActiveRecord::Migration[7.1]\n  def change\n"
        + body.format(**names, type=type_)
        + "\n  end\nend\n"
    ).format(Children=names["children"].title(), **names)
    base = {
        "db/migrate/20260101000000_create_parents.rb": RAILS_BASE.format(
            Parents=names["parents"].title(), **names
        )
    }
    return review_sql(text, path="db/migrate/20260102000000_create_children.rb", base=base)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", RAILS_BODIES)
def test_rails_foreign_keys_against_bigint_ids(names: dict[str, str], body: str) -> None:
    found = _narrower(_rails(names, body, "integer"))
    assert len(found) == 1 and f"`{names['parents']}.id`" in found[0].message
    good = _rails(names, body, "bigint")
    assert not _narrower(good)
    # `t.references` indexes its column itself: no foreign key without an index, and one finding per key
    assert not [f for f in good.active if f.rule == "foreign-key-without-index"]


DJANGO_INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Parent}",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", models.TextField())],
        ),
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{parent}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.{parent}")),
            ],
        ),
    ]
"""
DJANGO = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        {operation},
    ]
"""


@pytest.mark.parametrize("names", NAMES)
def test_django_keys_follow_their_primary_key(names: dict[str, str]) -> None:
    """A ForeignKey has the type of the key it points at (an AutoField's integer); Django's AlterField of that
    key alters the foreign keys with it, a RunSQL does not."""
    child = names["children"].rstrip("s")
    initial = DJANGO_INITIAL.format(
        Parent=names["parent"].title(), Child=child.title(), parent=names["parent"]
    )
    base = {"shop/migrations/0001_initial.py": initial}
    raw = f'migrations.RunSQL("ALTER TABLE shop_{names["parent"]} ALTER COLUMN id TYPE bigint", migrations.RunSQL.noop)'
    found = _narrower(
        review_sql(DJANGO.format(operation=raw), path="shop/migrations/0002_widen.py", base=base)
    )
    assert len(found) == 1 and f"`shop_{child}.{names['parent']}_id` is `int`" in found[0].message
    altered = (
        f'migrations.AlterField(model_name="{names["parent"]}", name="id",'
        " field=models.BigAutoField(primary_key=True, serialize=False))"
    )
    result = review_sql(DJANGO.format(operation=altered), path="shop/migrations/0002_widen.py", base=base)
    assert not _narrower(result)
    rewritten = {f.message.split("`")[1] for f in result.active if f.rule == "type-change-rewrite"}
    assert rewritten == {f"shop_{names['parent']}.id", f"shop_{child}.{names['parent']}_id"}


RAILS_VERSIONED = "class Create{Table} < ActiveRecord::Migration{version}\n  def change\n{body}\n  end\nend\n"


def _rails_versions(names: dict[str, str], parent_version: str, child_version: str, body: str):  # type: ignore[no-untyped-def]
    """A parent table created by a migration of one Rails version, a child referencing it in another."""
    parent = RAILS_VERSIONED.format(
        Table=names["parents"].title(),
        version=parent_version,
        body=f"    create_table :{names['parents']} do |t|\n      t.string :name\n    end",
    )
    child = RAILS_VERSIONED.format(
        Table=names["children"].title(), version=child_version, body=body.format(**names)
    )
    base = {"db/migrate/20160101000000_create_parents.rb": parent}
    return review_sql(child, path="db/migrate/20260102000000_create_children.rb", base=base)


RAILS_REFERENCES = [
    "    create_table :{children} do |t|\n      t.references :{parent}, foreign_key: true\n    end",
    "    add_reference :{children}, :{parent}, foreign_key: true",
    "    create_table :{children} do |t|\n      t.belongs_to :{parent}, index: true\n    end\n"
    "    add_foreign_key :{children}, :{parents}",
]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("body", RAILS_REFERENCES)
def test_rails_keys_before_5_1_are_integer(names: dict[str, str], body: str) -> None:
    """Before Rails 5.1 (`Migration[5.0]`, or no version at all) ids and references are `integer`; from
    5.1 on `bigint`. A newer reference to an older table is wider (fine); an older one to a newer, narrower."""
    if "add_reference" in body:
        body = f"    create_table :{{children}} do |t|\n      t.string :title\n    end\n{body}"
    for parent, child in (("[5.0]", "[7.1]"), ("", "[5.1]"), ("[4.2]", "[5.0]"), ("[6.0]", "[7.0]")):
        result = _rails_versions(names, parent, child, body)
        assert not _narrower(result), (parent, child)
    for parent, child in (("[5.1]", "[5.0]"), ("[7.1]", ""), ("[6.1]", "[4.2]")):
        found = _narrower(_rails_versions(names, parent, child, body))
        assert len(found) == 1 and f"`{names['parents']}.id`" in found[0].message, (parent, child)
        assert f"`{names['children']}.{names['parent']}_id` is `int`" in found[0].message


DJANGO_OTHER_APP = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{parent}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{app}.{Parent}")),
            ],
        ),
    ]
"""
DJANGO_PARENT = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Parent}",
            fields=[{key}("name", models.TextField())],
        ),
    ]
"""
DJANGO_WIDEN = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        {operation},
    ]
"""


def _django_apps(  # type: ignore[no-untyped-def]
    names: dict[str, str],
    app: str,
    key: str,
    files: dict[str, str],
    operation: str,
    child_app: str = "orders",
):
    """A parent model in app `app` (its key field given, or left to the defaults), a child model in app
    `child_app` with a ForeignKey to it, and a migration of `app` that widens the parent's key. (Each
    project variant names its child app differently: a replayed app's state is kept by its own history.)"""
    parent = names["parent"].title()
    base = {
        f"{app}/migrations/0001_initial.py": DJANGO_PARENT.format(Parent=parent, key=key),
        f"{child_app}/migrations/0001_initial.py": DJANGO_OTHER_APP.format(
            app=app, Child=names["children"].rstrip("s").title(), Parent=parent, parent=names["parent"]
        ),
        **files,
    }
    text = DJANGO_WIDEN.format(app=app, operation=operation.format(app=app, parent=names["parent"]))
    return review_sql(text, path=f"{app}/migrations/0002_widen.py", base=base)


RAW_WIDEN = (
    'migrations.RunSQL("ALTER TABLE {app}_{parent} ALTER COLUMN id TYPE bigint", migrations.RunSQL.noop)'
)
ALTER_WIDEN = (
    'migrations.AlterField(model_name="{parent}", name="id",'
    " field=models.BigAutoField(primary_key=True, serialize=False))"
)
AUTO = '("id", models.AutoField(primary_key=True, serialize=False)), '
BIG = '("id", models.BigAutoField(primary_key=True, serialize=False)), '


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("app", ["catalog", "people"])
def test_django_keys_to_another_app_follow_its_primary_key(names: dict[str, str], app: str) -> None:
    """A ForeignKey to a model of another app has that model's key type: an AutoField's integer, so widening
    the key by hand leaves the key of the other app narrower; Django's AlterField widens it with the key."""
    child = f"orders_{names['children'].rstrip('s')}.{names['parent']}_id"
    found = _narrower(_django_apps(names, app, AUTO, {}, RAW_WIDEN))
    assert len(found) == 1 and f"`{child}` is `int`" in found[0].message
    assert not _narrower(_django_apps(names, app, BIG, {}, RAW_WIDEN, "sales"))
    altered = _django_apps(names, app, AUTO, {}, ALTER_WIDEN)
    assert not _narrower(altered)
    rewritten = {f.message.split("`")[1] for f in altered.active if f.rule == "type-change-rewrite"}
    assert rewritten == {f"{app}_{names['parent']}.id", child}


@pytest.mark.parametrize("names", NAMES)
def test_django_key_of_a_model_without_explicit_key_follows_the_settings(names: dict[str, str]) -> None:
    """No key field written out: the app's `default_auto_field`, else the project's `DEFAULT_AUTO_FIELD`."""
    child = f"orders_{names['children'].rstrip('s')}.{names['parent']}_id"
    settings = {"project/settings.py": 'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'}
    assert not _narrower(_django_apps(names, "catalog", "", settings, RAW_WIDEN, "sales"))
    config = {
        **settings,
        "catalog/apps.py": "from django.apps import AppConfig\n\n\nclass CatalogConfig(AppConfig):\n"
        '    default_auto_field = "django.db.models.AutoField"\n    name = "catalog"\n',
    }
    found = _narrower(_django_apps(names, "catalog", "", config, RAW_WIDEN, "billing"))
    assert len(found) == 1 and f"`{child.replace('orders_', 'billing_')}` is `int`" in found[0].message


OLD_DUMP = """ActiveRecord::Schema.define(version: 20160828115018) do
  create_table "{parents}", force: :cascade do |t|
    t.string "name"
  end

  create_table "{children}", force: :cascade do |t|
    t.integer "{parent}_id"
  end
end
"""
NEW_DUMP = """ActiveRecord::Schema{version}.define(version: 2024_01_01_000000) do
  create_table "legacy", id: :serial, force: :cascade do |t|
    t.string "name"
  end

  create_table "{parents}", force: :cascade do |t|
    t.string "name"
  end

  create_table "{children}", force: :cascade do |t|
    t.integer "{parent}_id"
  end
end
"""


@pytest.mark.parametrize("names", NAMES)
def test_ids_a_schema_dump_leaves_unsaid(names: dict[str, str]) -> None:
    """A dump older than Rails 5.1 leaves its integer ids unsaid; a newer one spells out `id: :serial` and
    leaves bigint unsaid (`ActiveRecord::Schema[7.1]` says its version)."""
    text = (
        "class AddKey < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    add_foreign_key :{names['children']}, :{names['parents']}\n  end\nend\n"
    )
    path = "db/migrate/20260102000000_add_key.rb"
    old = review_sql(text, path=path, base={"db/schema.rb": OLD_DUMP.format(**names)})
    assert not _narrower(old)
    for version in ("", "[7.1]"):
        dump = NEW_DUMP.format(**names, version=version)
        found = _narrower(review_sql(text, path=path, base={"db/schema.rb": dump}))
        assert len(found) == 1 and f"`{names['parents']}.id` of type `bigint`" in found[0].message


@pytest.mark.parametrize("names", NAMES)
def test_a_table_created_before_rails_5_1_has_an_integer_key(names: dict[str, str]) -> None:
    body = f"    create_table :{names['parents']} do |t|\n      t.string :name\n    end"
    path = "db/migrate/20260101000000_create_parents.rb"
    for version, finding in (("[5.0]", True), ("", True), ("[5.1]", False), ("[7.1]", False)):
        text = RAILS_VERSIONED.format(Table=names["parents"].title(), version=version, body=body)
        keys = [f for f in review_sql(text, path=path).active if f.rule == "int-primary-key"]
        assert bool(keys) is finding, version
        assert not keys or f"`{names['parents']}.id` is `int`" in keys[0].message
