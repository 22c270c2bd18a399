"""A migration of the base branch deleted by the change: what each runner then does, and the squashes and
schema dumps that make it harmless."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_removal

RULE = "applied-migration-removed"

DJANGO_0002 = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = [('{app}', '0001_initial')]\n"
    "    operations = [migrations.AddField('{model}', 'note', models.TextField(null=True))]\n"
)
DJANGO_0003 = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = [('{app}', '0002_{model}_note')]\n"
    "    operations = [migrations.AddField('{model}', 'flag', models.BooleanField(default=False))]\n"
)


def _found(result: object) -> list[Finding]:
    return [f for f in result.active if f.rule == RULE]  # type: ignore[attr-defined]


def test_runners_that_stop_on_a_missing_file_make_it_critical() -> None:
    for path, text, base in (
        ("db/migration/V3__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;", {}),
        (
            "migrations/20240101120000_add_flag.js",
            "exports.up = (knex) => knex.schema.table('invoices', (t) => t.boolean('flag'));\n"
            "exports.down = (knex) => knex.schema.table('invoices', (t) => t.dropColumn('flag'));\n",
            {},
        ),
    ):
        [finding] = _found(review_removal(path, text, base=base))
        assert finding.severity is Severity.CRITICAL and finding.path == path


def test_a_django_migration_others_depend_on() -> None:
    for app, model in (("shop", "order"), ("billing", "invoice")):
        removed = f"{app}/migrations/0002_{model}_note.py"
        text = DJANGO_0002.format(app=app, model=model)
        later = {f"{app}/migrations/0003_{model}_flag.py": DJANGO_0003.format(app=app, model=model)}
        [finding] = _found(review_removal(removed, text, base=later))
        assert finding.severity is Severity.CRITICAL and "0003" in finding.message
        # the last one, nothing depends on it: new installs lose it
        [finding] = _found(review_removal(removed, text))
        assert finding.severity is Severity.WARNING
        # squashed: a migration of the change replaces it
        squash = {
            f"{app}/migrations/0002_squashed_0003.py": "from django.db import migrations\n\n\n"
            f"class Migration(migrations.Migration):\n    replaces = [('{app}', '0002_{model}_note'), "
            f"('{app}', '0003_{model}_flag')]\n    operations = []\n"
        }
        assert not _found(review_removal(removed, text, head=squash))


def test_an_alembic_revision_a_later_one_follows() -> None:
    removed = "alembic/versions/ab12cd34ef56_add_note.py"
    text = (
        'revision = "ab12cd34ef56"\ndown_revision = "0011aa22bb33"\n\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column('orders', sa.Column('note', sa.Text()))\n\n\n"
        "def downgrade():\n    op.drop_column('orders', 'note')\n"
    )
    later = {
        "alembic/versions/ff00ee11dd22_add_flag.py": 'revision = "ff00ee11dd22"\ndown_revision = "ab12cd34ef56"\n\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        "    op.add_column('orders', sa.Column('flag', sa.Boolean()))\n\n\ndef downgrade():\n"
        "    op.drop_column('orders', 'flag')\n"
    }
    [finding] = _found(review_removal(removed, text, base=later))
    assert finding.severity is Severity.CRITICAL and "Can't locate revision" in finding.message


def test_rails_with_a_schema_dump_is_a_note() -> None:
    path = "db/migrate/20240101000000_add_note_to_orders.rb"
    text = "class AddNoteToOrders < ActiveRecord::Migration[7.1]\n  def change\n    add_column :orders, :note, :text\n  end\nend\n"
    [finding] = _found(
        review_removal(path, text, base={"db/schema.rb": "ActiveRecord::Schema[7.1].define do\nend\n"})
    )
    assert finding.severity is Severity.INFO
    [finding] = _found(review_removal(path, text))
    assert finding.severity is Severity.WARNING


def test_files_that_are_no_migrations_are_left_alone() -> None:
    assert not _found(review_removal("db/migrations/README.md", "# how to write migrations"))
    assert not _found(review_removal("shop/migrations/__init__.py", ""))
    assert not _found(review_removal("src/app/models/order.py", "class Order:\n    pass\n"))


FLYWAY_DIR = "repository/src/main/resources/db/migration/POSTGRESQL"
FLYWAY_SETTINGS = {
    "spring properties": {
        "repository/src/main/resources/app-flyway-defaults.properties": "spring.flyway.ignore-migration-patterns=*:missing\n"
    },
    "the Java API": {
        "init/src/main/java/org/acme/init/FlywayDbInit.java": "Flyway.configure()\n"
        '    .validateOnMigrate(true)\n    .ignoreMigrationPatterns("*:missing")\n    .load().migrate();\n'
    },
    "flyway.toml": {"flyway.toml": '[flyway]\nignoreMigrationPatterns = ["*:missing", "*:future"]\n'},
}


def _squash(settings: dict[str, str], baseline: str) -> list[Finding]:
    head = {**settings}
    if baseline:
        head[f"{FLYWAY_DIR}/{baseline}"] = "CREATE TABLE sp_target (id bigint PRIMARY KEY, note text);\n"
    return _found(
        review_removal(
            f"{FLYWAY_DIR}/V1_10_3__add_note__POSTGRESQL.sql",
            "ALTER TABLE sp_target ADD COLUMN note text;\n",
            base={
                f"{FLYWAY_DIR}/V1_0_1__init__POSTGRESQL.sql": "CREATE TABLE sp_target (id bigint PRIMARY KEY);\n"
            },
            head=head,
        )
    )


@pytest.mark.parametrize("where", list(FLYWAY_SETTINGS))
def test_flyway_history_squashed_into_a_baseline_with_missing_ignored(where: str) -> None:
    # hawkbit a1608cce1: 141 migrations deleted for B1_20_0__1.0.0_baseline, `*:missing` ignored
    assert _squash(FLYWAY_SETTINGS[where], "B1_20_0__1.0.0_baseline__POSTGRESQL.sql") == []


@pytest.mark.parametrize("where", list(FLYWAY_SETTINGS))
def test_flyway_missing_ignored_without_a_baseline_is_a_warning(where: str) -> None:
    # existing databases pass over it, new installs no longer get what it did; a baseline older than it stands
    # for less than it
    for baseline in ("", "B1_5_0__baseline__POSTGRESQL.sql"):
        found = _squash(FLYWAY_SETTINGS[where], baseline)
        assert [f.severity for f in found] == [Severity.WARNING]


def test_flyway_baseline_without_missing_ignored_still_stops_the_deploy() -> None:
    found = _squash({"flyway.conf": "flyway.baselineOnMigrate=true\n"}, "B1_20_0__baseline__POSTGRESQL.sql")
    assert [f.severity for f in found] == [Severity.CRITICAL]
