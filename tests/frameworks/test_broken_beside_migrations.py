"""A migration so broken that no framework recognises it (cut off before its `up`, a syntax error where its
class should be) is still a migration when it is named as the migrations beside it: the review says it
cannot read it and blocks, never "no migration changed". Files that are not named as migrations stay out."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

SEQUELIZE_BEFORE = (
    "module.exports = {\n  up: async (queryInterface, Sequelize) => {\n"
    '    await queryInterface.createTable("users", { id: { type: Sequelize.INTEGER, primaryKey: true } });\n'
    "  },\n  down: async (queryInterface) => {\n"
    '    await queryInterface.dropTable("users");\n  },\n};\n'
)
DJANGO_BEFORE = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    initial = True\n    dependencies = []\n    operations = [\n"
    "        migrations.CreateModel(name='Invoice', fields=[('id', models.BigAutoField(primary_key=True))]),\n"
    "    ]\n"
)
RAILS_BEFORE = (
    "class CreateOrders < ActiveRecord::Migration[7.1]\n  def change\n"
    "    create_table :orders do |t|\n      t.string :status\n    end\n  end\nend\n"
)

CASES = [
    (  # cut off in the middle of its `up`
        "server/migrations/20240101000000-create-users.js",
        SEQUELIZE_BEFORE,
        "server/migrations/20240301000000-user-avatar-url.js",
        'module.exports = {\n  up: async (queryInterface, Sequelize) => {\n    await queryInterface.addColumn("users", '
        '"avatarUrl", {\n      type: Sequelize.TEXT,\n',
    ),
    (  # the class line broken: neither `Migration` nor `operations` is left to recognise
        "billing/migrations/0001_initial.py",
        DJANGO_BEFORE,
        "billing/migrations/0002_invoice_total.py",
        "from django.db import models\n\n\nclass Migr(\n    ops = [RemoveField('invoice', 'total')\n",
    ),
    (
        "db/migrate/20240101000000_create_orders.rb",
        RAILS_BEFORE,
        "db/migrate/20240301000000_remove_status.rb",
        "class RemoveStatus\n  def change\n    remove_column :orders, :status\n",
    ),
]


@pytest.mark.parametrize(("before_path", "before", "path", "text"), CASES)
def test_a_broken_migration_beside_migrations_is_reported(
    before_path: str, before: str, path: str, text: str
) -> None:
    result = review_sql(text, path=path, base={before_path: before})
    assert [m.path for m in result.migrations] == [path]
    assert {"unreadable-migration", "unparsed-statement"} & {f.rule for f in result.active}


@pytest.mark.parametrize(
    ("before_path", "before", "path", "text"),
    [
        (
            "server/migrations/20240101000000-create-users.js",
            SEQUELIZE_BEFORE,
            "server/migrations/utils.js",
            "x(",
        ),
        ("billing/migrations/0001_initial.py", DJANGO_BEFORE, "billing/migrations/__init__.py", ""),
        ("db/migrate/20240101000000_create_orders.rb", RAILS_BEFORE, "db/migrate/README.md", "# notes"),
        ("server/migrations/20240101000000-create-users.js", SEQUELIZE_BEFORE, "server/models/2fa.js", "x("),
    ],
)
def test_files_not_named_as_migrations_stay_out(before_path: str, before: str, path: str, text: str) -> None:
    result = review_sql(text, path=path, base={before_path: before})
    assert not result.migrations and not result.active


def test_a_django_migration_module_without_its_migration_class_is_reported() -> None:
    """Django imports every module of a migrations package and stops `migrate` on one with no `Migration`
    class: a file cut off before its class, though valid Python, is no migration it can run."""
    for app, function in (("billing", "fill_totals"), ("alerts", "delete_channels")):
        text = (
            "from django.db import migrations\n\n\n"
            f"def {function}(apps, schema_editor):\n    apps.get_model('{app}', 'Thing').objects.all().delete\n"
        )
        result = review_sql(
            text,
            path=f"{app}/migrations/0002_{function}.py",
            base={f"{app}/migrations/0001_initial.py": DJANGO_BEFORE},
        )
        assert {"unreadable-migration", "unparsed-statement"} & {f.rule for f in result.active}
