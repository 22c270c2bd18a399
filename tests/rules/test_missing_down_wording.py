"""A way back that fails and one that runs and restores nothing are told apart: the first leaves no command to run,
the second lets the rollback succeed while the schema stays as the up left it."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.render.terminal import render_text
from bot.review import review

NAMES = [("orders", "legacy_status"), ("ledger_entries", "memo")]
RESTORES_NOTHING = "has a way back that restores nothing"
NO_WAY_BACK = "has no way back"


def _review(base: dict[str, str], path: str, text: str, extra: dict[str, str] | None = None) -> Review:
    files = {path: text, **(extra or {})}
    changeset = ChangeSet(
        "base",
        "head",
        tuple(ChangedFile(p, "added", None, t) for p, t in files.items()),
        MemoryTree({**base, **files}),
        MemoryTree(base),
    )
    return review(changeset)


def _said(result: Review) -> str:
    [finding] = [f for f in result.active if f.rule == "missing-down-migration"]
    return f"{finding.message}\n{finding.blast_radius}"


def _goose(table: str, column: str, down: str | None) -> Review:
    base = {
        "db/migrations/00001_init.sql": f"-- +goose Up\nCREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
        f"-- +goose Down\nDROP TABLE {table};\n"
    }
    text = f"-- +goose Up\nALTER TABLE {table} DROP COLUMN {column};\n" + (down if down is not None else "")
    return _review(base, "db/migrations/00002_drop.sql", text)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_goose_without_down_statements_rolls_back_running_nothing(table: str, column: str) -> None:
    for down, reason in ((None, "no `-- +goose Down` section"), ("-- +goose Down\n", "section is empty")):
        result = _goose(table, column, down)
        said = _said(result)
        assert (
            RESTORES_NOTHING in said and reason in said and "the rollback runs but restores nothing" in said
        )
        assert "a way back that restores nothing" in render_text(result)
        assert any(RESTORES_NOTHING in step.text for step in result.rollback_plan)
    written = _goose(table, column, f"-- +goose Down\nALTER TABLE {table} ADD COLUMN {column} text;\n")
    assert "missing-down-migration" not in {f.rule for f in written.active}


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_golang_migrate_without_a_down_file_rolls_back_running_nothing(table: str, column: str) -> None:
    base = {
        "migrations/000001_init.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n",
        "migrations/000001_init.down.sql": f"DROP TABLE {table};\n",
    }
    said = _said(
        _review(base, "migrations/000002_drop.up.sql", f"ALTER TABLE {table} DROP COLUMN {column};\n")
    )
    assert RESTORES_NOTHING in said and "no `000002_drop.down.sql`" in said


def _rails(table: str, column: str, down: str) -> str:
    rails_base = {
        "db/migrate/20240101000000_create.rb": f"class Create < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.text :{column}\n    end\n  end\nend\n"
    }
    text = (
        f"class DropOld < ActiveRecord::Migration[7.1]\n  def up\n    remove_column :{table}, :{column}\n  end\n"
        f"{down}end\n"
    )
    return _said(_review(rails_base, "db/migrate/20240201000000_drop_old.rb", text))


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_rails_raise_fails_while_an_empty_or_missing_down_runs_nothing(table: str, column: str) -> None:
    raised = _rails(table, column, "\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\n")
    assert NO_WAY_BACK in raised and "there is no command that does it" in raised
    assert RESTORES_NOTHING in _rails(table, column, "\n  def down\n  end\n")
    assert RESTORES_NOTHING in _rails(table, column, "")  # Rails' own `down` runs in its place


def _alembic(table: str, column: str, downgrade: str) -> str:
    base = {
        "alembic.ini": "[alembic]\n",
        "alembic/versions/aaa_init.py": "revision = 'aaa'\ndown_revision = None\nfrom alembic import op\n"
        "import sqlalchemy as sa\ndef upgrade():\n"
        f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True), sa.Column('{column}', sa.Text))\n"
        f"def downgrade():\n    op.drop_table('{table}')\n",
    }
    text = (
        "revision = 'bbb'\ndown_revision = 'aaa'\nfrom alembic import op\n"
        f"def upgrade():\n    op.drop_column('{table}', '{column}')\n{downgrade}"
    )
    return _said(_review(base, "alembic/versions/bbb_drop.py", text))


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_alembic_pass_runs_nothing_while_raise_fails(table: str, column: str) -> None:
    assert RESTORES_NOTHING in _alembic(table, column, "def downgrade():\n    pass\n")
    raised = _alembic(table, column, "def downgrade():\n    raise NotImplementedError()\n")
    assert NO_WAY_BACK in raised and "there is no command that does it" in raised


@pytest.mark.parametrize(("model", "field"), [("Order", "legacy"), ("Invoice", "memo")])
def test_django_run_python_without_reverse_has_no_way_back(model: str, field: str) -> None:
    base = {
        "config/settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n"
        f"    operations = [migrations.CreateModel(name='{model}', fields=[('id', models.BigAutoField(primary_key=True)),"
        f" ('{field}', models.TextField())])]\n",
    }
    text = (
        "from django.db import migrations\ndef clear(apps, schema_editor):\n"
        f"    apps.get_model('shop', '{model}').objects.filter({field}='x').delete()\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RunPython(clear)]\n"
    )
    said = _said(_review(base, "shop/migrations/0002_clear.py", text))
    assert NO_WAY_BACK in said and "`RunPython` without `reverse_code`" in said
