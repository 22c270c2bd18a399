"""existing-rows-switched-off: a flag of the row itself (`is_active`, `enabled`, `deleted`) added with the
default that puts every existing row in the off state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "existing-rows-switched-off"


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


BAD = [
    ("users", "is_active", "boolean", "false", None),
    ("accounts", "enabled", "boolean", "FALSE", None),
    ("posts", '"isVisible"', "boolean", "false", None),
    ("documents", "is_deleted", "boolean", "true", None),
    ("stores", "active", "tinyint(1)", "0", "mysql"),
    ("coupons", "archived", "tinyint(1)", "1", "mysql"),
]


@pytest.mark.parametrize(("table", "column", "type_", "default", "dialect"), BAD)
def test_a_row_flag_added_off_switches_every_existing_row_off(table, column, type_, default, dialect) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name varchar(50));"
    (finding,) = _found(
        f"{schema}\n-- migration\nALTER TABLE {table} ADD COLUMN {column} {type_} NOT NULL DEFAULT {default};",
        dialect=dialect,
    )
    assert f"`{table}.{column.strip(chr(34))}`" in finding.message
    assert "every row" in finding.message and "SET DEFAULT" in finding.fix


def test_what_it_says_happens_on_postgresql(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE members (id bigint PRIMARY KEY)")
    pg.execute("INSERT INTO members VALUES (1), (2)")
    pg.execute("ALTER TABLE members ADD COLUMN is_active boolean NOT NULL DEFAULT false")
    assert pg.execute("SELECT count(*) FROM members WHERE is_active").fetchone() == (0,)
    # the fix it prints: the existing rows keep the state they were in, new rows start off
    pg.execute("ALTER TABLE members DROP COLUMN is_active")
    pg.execute("ALTER TABLE members ADD COLUMN is_active boolean NOT NULL DEFAULT true")
    pg.execute("ALTER TABLE members ALTER COLUMN is_active SET DEFAULT false")
    pg.execute("INSERT INTO members (id) VALUES (3)")
    assert pg.execute("SELECT id FROM members WHERE is_active ORDER BY id").fetchall() == [(1,), (2,)]


@pytest.mark.parametrize("table", ["users", "tenants"])
@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE {t} ADD COLUMN is_active boolean NOT NULL DEFAULT true;",
        "ALTER TABLE {t} ADD COLUMN is_active boolean NOT NULL DEFAULT true;\n"
        "ALTER TABLE {t} ALTER COLUMN is_active SET DEFAULT false;",
        # a named feature of the row starting off is an opt-in
        "ALTER TABLE {t} ADD COLUMN two_factor_enabled boolean NOT NULL DEFAULT false;",
        "ALTER TABLE {t} ADD COLUMN is_admin boolean NOT NULL DEFAULT false;",
        "ALTER TABLE {t} ADD COLUMN is_deleted boolean NOT NULL DEFAULT false;",
        # filled in the migration
        "ALTER TABLE {t} ADD COLUMN enabled boolean NOT NULL DEFAULT false;\nUPDATE {t} SET enabled = true;",
        # emptied first: no existing rows are left to switch off
        "DELETE FROM {t};\nALTER TABLE {t} ADD COLUMN enabled boolean NOT NULL DEFAULT false;",
    ],
)
def test_quiet_when_existing_rows_keep_their_state(table, change) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);"
    assert not _found(f"{schema}\n-- migration\n{change.format(t=table)}")


def test_a_table_created_in_the_change_has_no_rows_to_switch_off() -> None:
    assert not _found("CREATE TABLE flags (id bigint PRIMARY KEY, enabled boolean NOT NULL DEFAULT false);")


@pytest.mark.parametrize(("model", "field"), [("Project", "is_active"), ("Banner", "published")])
def test_rails_and_django_forms(model, field) -> None:  # type: ignore[no-untyped-def]
    table = model.lower() + "s"
    rails = (
        f"class Add{field.title().replace('_', '')}To{model}s < ActiveRecord::Migration[7.1]\n"
        f"  def change\n    add_column :{table}, :{field}, :boolean, default: false, null: false\n  end\nend\n"
    )
    base = {
        "db/migrate/20240101000000_create.rb": (
            f"class Create{model}s < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
            "      t.string :name\n    end\n  end\nend\n"
        )
    }
    assert _found(rails, path="db/migrate/20240202000000_add_flag.rb", base=base)
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    operations = [\n        migrations.CreateModel(\n"
        f'            name="{model}",\n            fields=[("id", models.BigAutoField(primary_key=True))],\n'
        "        )\n    ]\n"
    )
    added = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        f'        migrations.AddField(model_name="{model.lower()}", name="{field}", '
        "field=models.BooleanField(default=False)),\n    ]\n"
    )
    (finding,) = _found(
        added, path="shop/migrations/0002_flag.py", base={"shop/migrations/0001_initial.py": initial}
    )
    assert f"shop_{model.lower()}.{field}" in finding.message


_ALEMBIC_BASE = (
    "revision = '0001'\ndown_revision = None\nimport sqlalchemy as sa\nfrom alembic import op\n\n\n"
    "def upgrade():\n    op.create_table('{t}', sa.Column('id', sa.Integer(), primary_key=True))\n\n\n"
    "def downgrade():\n    op.drop_table('{t}')\n"
)
_ALEMBIC = (
    "revision = '0002'\ndown_revision = '0001'\nimport sqlalchemy as sa\nfrom alembic import op\n\n\n"
    "def upgrade():\n    op.add_column('{t}', sa.Column('{c}', sa.Boolean(), nullable=False, server_default={d}))\n\n\n"
    "def downgrade():\n    op.drop_column('{t}', '{c}')\n"
)
_ECTO_BASE = (
    "defmodule App.Repo.Migrations.Create do\n  use Ecto.Migration\n  def change do\n"
    "    create table(:{t}) do\n      add :email, :string\n    end\n  end\nend\n"
)
_ECTO = (
    "defmodule App.Repo.Migrations.AddFlag do\n  use Ecto.Migration\n  def change do\n"
    "    alter table(:{t}) do\n      add :{c}, :boolean, default: {d}, null: false\n    end\n  end\nend\n"
)


@pytest.mark.parametrize(
    ("table", "column", "off", "on"),
    [("users", "is_active", "false", "true"), ("listings", "deleted", "true", "false")],
)
def test_alembic_and_ecto_forms(table, column, off, on) -> None:  # type: ignore[no-untyped-def]
    alembic = {"alembic/versions/0001_create.py": _ALEMBIC_BASE.format(t=table)}
    path = "alembic/versions/0002_flag.py"
    assert _found(_ALEMBIC.format(t=table, c=column, d=f"sa.{off}()"), path=path, base=alembic)
    assert _found(_ALEMBIC.format(t=table, c=column, d=f"'{off}'"), path=path, base=alembic)
    assert not _found(_ALEMBIC.format(t=table, c=column, d=f"sa.{on}()"), path=path, base=alembic)
    ecto = {"priv/repo/migrations/20240101000000_create.exs": _ECTO_BASE.format(t=table)}
    path = "priv/repo/migrations/20240202000000_add_flag.exs"
    assert _found(_ECTO.format(t=table, c=column, d=off), path=path, base=ecto)
    assert not _found(_ECTO.format(t=table, c=column, d=on), path=path, base=ecto)


def test_a_django_data_migration_after_the_field_fills_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_lint_cli import lint_json, write

    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    operations = [\n        migrations.CreateModel(\n"
        '            name="Member",\n            fields=[("id", models.BigAutoField(primary_key=True))],\n'
        "        )\n    ]\n"
    )
    added = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("club", "0001_initial")]\n    operations = [\n'
        '        migrations.AddField(model_name="member", name="is_active", '
        "field=models.BooleanField(default=False)),\n    ]\n"
    )
    filled = (
        "from django.db import migrations\n\n\ndef activate(apps, schema_editor):\n"
        '    apps.get_model("club", "Member").objects.update(is_active=True)\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("club", "0002_member_is_active")]\n'
        "    operations = [migrations.RunPython(activate, migrations.RunPython.noop)]\n"
    )
    files = {"club/migrations/0001_initial.py": initial, "club/migrations/0002_member_is_active.py": added}
    write(tmp_path, {**files, "club/__init__.py": "", "club/migrations/__init__.py": ""})
    found = [f for f in lint_json(str(tmp_path / "club"))["findings"] if f["rule"] == RULE]
    assert len(found) == 1
    write(tmp_path, {"club/migrations/0003_activate_members.py": filled})
    assert not [f for f in lint_json(str(tmp_path / "club"))["findings"] if f["rule"] == RULE]
