"""A migration so broken that no framework recognises it (cut off before its `up`, a syntax error where its
class should be) is still a migration when it is named as the migrations beside it: the review says it
cannot read it and blocks, never "no migration changed". Files that are not named as migrations stay out."""

from __future__ import annotations

import pytest

from bot.model.config import Config
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


BUN = (
    'package migrations\n\nimport (\n\t"context"\n\t"github.com/uptrace/bun"\n)\n\nfunc init() {\n'
    "\tup := func(ctx context.Context, db *bun.DB) error {\n"
    '\t\t_, err := db.ExecContext(ctx, "ALTER TABLE accounts DROP COLUMN name")\n\t\treturn err\n\t}\n'
    "\tMigrations.MustRegister(up, nil)\n}\n"
)
EF_CORE = (
    "using Microsoft.EntityFrameworkCore.Migrations;\n\npublic partial class DropNote : Migration\n{\n"
    '    protected override void Up(MigrationBuilder b) { b.DropColumn(name: "Note", table: "Orders"); }\n}\n'
)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("internal/db/migrations/20240201000000_drop_name.go", BUN),
        ("src/Shop/Migrations/20240201120000_DropNote.cs", EF_CORE),
        (
            "src/migrations/V3__add_flag.rs",
            "use barrel::{types, Migration};\n\npub fn migration() -> String {\n    let mut m = Migration::new();\n"
            '    m.change_table("orders", |t| t.add_column("flag", types::boolean()));\n    m.make::<Pg>()\n}\n',
        ),
        (
            "migrations/Version20240201120000.php",
            "<?php\nnamespace DoctrineMigrations;\nuse Doctrine\\Migrations\\AbstractMigration;\n"
            "final class Version20240201120000 extends AbstractMigration {}\n",
        ),
    ],
)
def test_a_migration_of_a_runner_the_review_does_not_read_blocks(path: str, text: str) -> None:
    """A versioned code file in a migrations folder that no framework of the review reads is still a migration:
    reported as unreadable, with nothing in the checklist vouched for, never approved as no migration."""
    result = review_sql(text, path=path)
    assert [m.path for m in result.migrations] == [path]
    assert "unreadable-migration" in {f.rule for f in result.active}
    assert all(
        item.state == "unchecked" for item in result.checklist if item.section == "Migration Safety Checklist"
    )


@pytest.mark.parametrize(
    "path",
    [
        "internal/db/migrations/migrations.go",  # the package's registry, no version
        "internal/db/migrations/20240201000000_drop_name_test.go",
        "src/Shop/Migrations/20240201120000_DropNote.Designer.cs",
        "tests/fixtures/migrations/20240201000000_drop_name.go",
        "docs/migrations/2024_notes.md",
    ],
)
def test_files_of_a_migrations_folder_that_are_no_migrations(path: str) -> None:
    result = review_sql(BUN, path=path)
    assert not result.migrations and not result.active


@pytest.mark.parametrize(
    "name", ["20240426162500_create_active_storage_tables.active_storage.rb", "20241122183828_add_note.rb.rb"]
)
def test_a_rails_migration_with_a_scope_in_its_name_is_read_as_rails(name: str) -> None:
    """Rails runs `<version>_<name>.<scope>.rb` (an engine's migrations copied by `rails active_storage:install`)
    as any other migration: it is read as Rails, not as a runner the review does not know."""
    text = "class AddNote < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, :note, :text\n  end\nend\n"
    result = review_sql(text, path=f"db/migrate/{name}")
    assert [m.framework for m in result.migrations] == ["rails"]


@pytest.mark.parametrize(
    ("app", "dependency", "tail"),
    [
        ("billing", "0001_initial", ""),  # cut off after its `dependencies`
        ("alerts", "0001_channels", "\n    initial = False\n"),  # cut off before `operations = [`
    ],
)
def test_a_django_migration_class_without_operations_is_reported(
    app: str, dependency: str, tail: str
) -> None:
    """`makemigrations` (also `--empty` and `--merge`) always writes `operations`: a `Migration` class
    without it is a file cut off after its class line, though valid Python, and Django would run nothing."""
    text = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n\n"
        f"    dependencies = [\n        ('{app}', '{dependency}'),\n    ]\n{tail}"
    )
    result = review_sql(
        text, path=f"{app}/migrations/0002_cut.py", base={f"{app}/migrations/{dependency}.py": DJANGO_BEFORE}
    )
    assert "unreadable-migration" in {f.rule for f in result.active}
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize(
    ("app", "dependency", "operations"),
    [
        ("billing", "0001_initial", "    operations = []\n"),
        ("alerts", "0001_channels", "    operations = [\n    ]\n"),  # as `makemigrations --empty` writes it
    ],
)
def test_a_django_migration_empty_on_purpose_is_approved(app: str, dependency: str, operations: str) -> None:
    text = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n"
        f"    dependencies = [\n        ('{app}', '{dependency}'),\n    ]\n\n{operations}"
    )
    result = review_sql(
        text,
        path=f"{app}/migrations/0002_empty.py",
        base={f"{app}/migrations/{dependency}.py": DJANGO_BEFORE},
    )
    assert not result.active and result.approval == "APPROVED"


@pytest.mark.parametrize(
    ("path", "text", "start", "glob"),
    [
        ("internal/db/migrations/20240201000000_drop_name.go", BUN, "//", "internal/db/migrations/*.go"),
        ("src/Shop/Migrations/20240201120000_DropNote.cs", EF_CORE, "//", "src/Shop/Migrations/*.cs"),
    ],
)
def test_the_fix_for_a_runner_the_review_does_not_read_says_how_to_suppress_or_exclude(
    path: str, text: str, start: str, glob: str
) -> None:
    """No dialect or encoding to fix: the finding says to read the file by hand, then either a suppression
    comment the review reads in that file or the configuration's `exclude` glob that leaves such files out;
    both are followed."""
    [finding] = [f for f in review_sql(text, path=path).active if f.rule == "unreadable-migration"]
    fix = finding.fix or ""
    assert "by hand" in fix and "dialect" not in fix and "encoding" not in fix
    assert f"`{start} migration-review: ignore-file unreadable-migration, unparsed-statement" in fix
    assert f'`exclude: ["{glob}"]` in `.github/migration-review.yml`' in fix
    suppressed = review_sql(
        f"{start} migration-review: ignore-file unreadable-migration, unparsed-statement drops a column no "
        f"release reads, checked by hand\n{text}",
        path=path,
    )
    assert not suppressed.active and {f.rule for f in suppressed.accepted} == {
        "unreadable-migration",
        "unparsed-statement",
    }
    excluded = review_sql(text, path=path, config=Config(exclude=(glob,)))
    assert not excluded.migrations and not excluded.active


def test_the_fix_for_an_unreadable_migration_of_a_read_framework_stays_about_dialect_and_framework() -> None:
    [finding] = [
        f for f in review_sql("ALTER TABLE ((( 'unterminated\n").active if f.rule == "unreadable-migration"
    ]
    assert "dialect" in (finding.fix or "") and "exclude" not in (finding.fix or "")
