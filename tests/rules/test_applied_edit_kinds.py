"""`applied-migration-edited` by what the edit changes: only IF [NOT] EXISTS guards (info), only the rows a
migration seeds (warning: existing databases keep the old rows), and a schema change (critical)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

PATH = "db/migrations/003_change.sql"
BASE = {
    "db/migrations/001_schema.sql": "CREATE TABLE settings (name text PRIMARY KEY, value text);\nCREATE TABLE users (id bigint PRIMARY KEY, login text);\n"
}
RAILS_BASE = {"Gemfile": "gem 'rails'\ngem 'pg'\n", **BASE}


def _edit(path: str, before: str, after: str, base: dict[str, str] = BASE) -> list[tuple[str, str]]:
    review = review_sql(after, path=path, base=base, previous=before)
    return [(f.severity.value, f.message) for f in review.active if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "CREATE INDEX users_login_idx ON users (login);",
            "CREATE INDEX IF NOT EXISTS users_login_idx ON users (login);",
        ),
        (
            "ALTER TABLE users ADD COLUMN nickname text;",
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;",
        ),
        ("DROP INDEX users_login_idx;", "DROP INDEX IF EXISTS users_login_idx;"),
    ],
)
def test_guards_added_to_an_applied_sql_migration_are_info(before: str, after: str) -> None:
    [(severity, message)] = _edit(PATH, before, after)
    assert severity == "info" and "IF NOT EXISTS" in message


@pytest.mark.parametrize(("table", "column"), [("users", "login"), ("settings", "value")])
def test_guards_added_to_an_applied_rails_migration_are_info(table: str, column: str) -> None:
    path = "db/migrate/20260101000000_add_index.rb"
    body = "class AddIndex < ActiveRecord::Migration[7.1]\n  def change\n    add_index :{t}, :{c}{extra}\n  end\nend\n"
    [(severity, _)] = _edit(
        path,
        body.format(t=table, c=column, extra=""),
        body.format(t=table, c=column, extra=", if_not_exists: true"),
        RAILS_BASE,
    )
    assert severity == "info"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@example.net');",
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@dummy.invalid');",
        ),
        (
            "INSERT INTO users (id, login) VALUES (1, 'admin');",
            "INSERT INTO users (id, login) VALUES (1, 'admin');\nINSERT INTO users (id, login) VALUES (2, 'anonymous');",
        ),
    ],
)
def test_seed_rows_edited_in_an_applied_migration_say_existing_databases_keep_the_old_rows(
    before: str, after: str
) -> None:
    """Code that expects the new rows breaks on existing databases: still a block, said precisely."""
    [(severity, message)] = _edit(PATH, before, after)
    assert severity == "critical" and "only new installs get the new ones" in message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ALTER TABLE users ADD COLUMN nickname text;", "ALTER TABLE users ADD COLUMN nickname varchar(40);"),
        (
            "INSERT INTO settings (name, value) VALUES ('a', 'b');",
            "INSERT INTO settings (name, value) VALUES ('a', 'b');\nALTER TABLE users ADD COLUMN nickname text;",
        ),
    ],
)
def test_a_schema_change_in_an_applied_migration_stays_critical(before: str, after: str) -> None:
    [(severity, _)] = _edit(PATH, before, after)
    assert severity == "critical"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@example.net');",
            "INSERT INTO settings (name, value) VALUES ('mail_from', 'admin@example.net');\n"
            "-- A default for new installations; existing ones keep what they have.\n"
            "INSERT INTO settings (name, value) VALUES ('start_date_from_creation', '0');",
        ),
        (
            "INSERT INTO users (id, login) VALUES (1, 'admin');",
            "INSERT INTO users (id, login) VALUES (1, 'admin');\n"
            "-- only fresh installs get the anonymous user\n"
            "INSERT INTO users (id, login) VALUES (2, 'anonymous');",
        ),
    ],
)
def test_seed_rows_the_edit_says_are_for_new_installs_are_a_warning(before: str, after: str) -> None:
    """The question the block would ask (meant for new installs only?) is answered in the edit's own comment;
    what stays worth saying is that existing databases never get the rows."""
    [(severity, message)] = _edit(PATH, before, after)
    assert severity == "warning" and "for new installations" in message
    # a comment that says something else, or one the base already had, leaves the block
    unrelated = after.replace("new installations", "the mail settings").replace(
        "fresh installs", "the guests"
    )
    [(severity, _)] = _edit(PATH, before, unrelated)
    assert severity == "critical"


def test_the_same_in_a_rails_migration() -> None:
    path = "db/migrate/20090318181151_extend_settings_name.rb"
    before = (
        "class ExtendSettingsName < ActiveRecord::Migration[4.2]\n  def self.up\n"
        "    change_column :settings, :name, :string, limit: 255, default: '', null: false\n  end\n\n"
        "  def self.down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    after = before.replace(
        "null: false\n",
        "null: false\n\n    # This setting is a default setting for new installations.\n"
        "    Setting.create!(name: 'issue_start_from_creation', value: '0')\n",
    )
    [(severity, message)] = _edit(path, before, after, base=RAILS_BASE)
    assert severity == "warning" and "databases that ran it never get them" in message


def _change(files: dict[str, tuple[str | None, str]], base: dict[str, str]) -> list[tuple[str, str, str]]:
    """Review a change of several files: {path: (text in the base branch or None, text in the head)}."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    base_files = {**base, **{p: old for p, (old, _) in files.items() if old is not None}}
    head_files = {**base_files, **{p: new for p, (_, new) in files.items()}}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=tuple(
            ChangedFile(p, "added" if old is None else "modified", old, new)
            for p, (old, new) in files.items()
        ),
        head_tree=MemoryTree(head_files),
        base_tree=MemoryTree(base_files),
    )
    result = review(changeset)
    return [
        (f.path, f.severity.value, f.message) for f in result.active if f.rule == "applied-migration-edited"
    ]


@pytest.mark.parametrize(("table", "columns"), [("users", "login"), ("settings", "value, name")])
def test_an_edit_a_later_guarded_migration_makes_on_existing_databases_is_info(
    table: str, columns: str
) -> None:
    """New installs run the edited file, databases that ran the old one run the new, guarded migration: both
    end with the same schema."""
    index = f"{table}_{columns.replace(', ', '_')}_idx"
    before = BASE["db/migrations/001_schema.sql"]
    after = before + f"CREATE INDEX {index} ON {table} ({columns});\n"
    later = "db/migrations/004_index.sql"

    def edited(new: str) -> list[tuple[str, str, str]]:
        return _change({"db/migrations/001_schema.sql": (before, after), later: (None, new)}, {})

    [(path, severity, message)] = edited(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({columns});\n")
    assert path == "db/migrations/001_schema.sql" and severity == "info" and f"`{later}`" in message
    # new installs already have the index: an unguarded CREATE INDEX fails there
    [(_, severity, _)] = edited(f"CREATE INDEX {index} ON {table} ({columns});\n")
    assert severity == "critical"
    # another index than the edit's: the two schemas differ
    [(_, severity, _)] = edited(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (id);\n")
    assert severity == "critical"


def test_a_laravel_morphs_edit_brought_to_existing_databases_by_a_guarded_index() -> None:
    create = (
        "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        "    public function up(): void\n    {\n        Schema::create('feed_items', function (Blueprint $table) {\n"
        "            $table->id();\n            COLUMNS\n        });\n    }\n};\n"
    )
    before = create.replace(
        "COLUMNS",
        "$table->unsignedBigInteger('feedable_id')->nullable();\n            $table->string('feedable_type')->nullable();",
    )
    after = create.replace("COLUMNS", "$table->nullableNumericMorphs('feedable');")
    later = (
        "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        "    public function up(): void\n    {\n"
        "        if (! Schema::hasIndex('feed_items', ['feedable_type', 'feedable_id'])) {\n"
        "            Schema::table('feed_items', function (Blueprint $table) {\n"
        "                $table->index(['feedable_type', 'feedable_id']);\n            });\n        }\n    }\n};\n"
    )
    base = {".env.example": "DB_CONNECTION=mysql\n"}
    files = {
        "database/migrations/2021_10_19_000000_create_feed_items.php": (before, after),
        "database/migrations/2025_08_09_000000_index_feed_items.php": (None, later),
    }
    [(_, severity, message)] = _change(files, base)
    assert severity == "info" and "end with the same schema" in message
    [(_, severity, _)] = _change(
        {
            **files,
            "database/migrations/2025_08_09_000000_index_feed_items.php": (
                None,
                later.replace("'feedable_type', 'feedable_id'", "'feedable_id'"),
            ),
        },
        base,
    )
    assert severity == "critical"


@pytest.mark.parametrize(("table", "column"), [("settings", "value"), ("users", "login")])
def test_rows_fixed_before_a_schema_statement_the_file_had_are_a_warning(table: str, column: str) -> None:
    """The usual repair of a migration that failed on some databases: clamp or clean the rows that made its
    schema statement fail. Databases still to upgrade run the edited file; those that ran it had passed."""
    before = f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(20);"
    for fix in (
        f"UPDATE {table} SET {column} = left({column}, 20) WHERE length({column}) > 20;",
        f"DELETE FROM {table} WHERE length({column}) > 20;",
    ):
        [(severity, message)] = _edit(PATH, before, f"{fix}\n{before}")
        assert severity == "warning" and f"row fixes (UPDATE/DELETE) to `{table}`" in message, message
    # a fix after the statement, or of another table, or a seed row, is no repair of it
    for after in (
        f"{before}\nUPDATE {table} SET {column} = left({column}, 20) WHERE length({column}) > 20;",
        f"UPDATE {'users' if table == 'settings' else 'settings'} SET id = id WHERE id < 0;\n{before}",
        f"INSERT INTO {table} ({column}) VALUES ('x');\n{before}",
    ):
        [(severity, _)] = _edit(PATH, before, after)
        assert severity == "critical", after


@pytest.mark.parametrize(("model", "field"), [("MailRule", "order"), ("Config", "image_dpi")])
def test_a_django_clamp_added_before_an_alter_field_is_a_warning(model: str, field: str) -> None:
    initial = (
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        "    dependencies = []\n    operations = [migrations.CreateModel(name='" + model + "', fields=["
        "('id', models.BigAutoField(primary_key=True)), ('" + field + "', models.IntegerField())])]\n"
    )
    alter = (
        "        migrations.AlterField(model_name='" + model.lower() + "', name='" + field + "', "
        "field=models.SmallIntegerField()),\n"
    )
    head = "from django.db import migrations, models\n\n"
    tail = "class Migration(migrations.Migration):\n    dependencies = [('app', '0001_initial')]\n    operations = [\n"
    before = head + tail + alter + "    ]\n"
    clamp = (
        "def clamp(apps, schema_editor):\n    M = apps.get_model('app', '" + model + "')\n"
        "    M.objects.filter(" + field + "__gt=32767).update(" + field + "=32767)\n\n\n"
    )
    after = (
        head
        + clamp
        + tail
        + "        migrations.RunPython(clamp, migrations.RunPython.noop),\n"
        + alter
        + "    ]\n"
    )
    base = {"app/migrations/0001_initial.py": initial}
    [(_, severity, message)] = _change({"app/migrations/0002_small.py": (before, after)}, base)
    assert severity == "warning" and "row fixes" in message


@pytest.mark.parametrize(
    ("module", "model", "table"),
    [("app.models.lists", "ShoppingList", "shopping_lists"), ("app.models.tags", "Tag", "tags")],
)
def test_current_models_replaced_by_frozen_copies_is_a_warning(module: str, model: str, table: str) -> None:
    """The advice of current-model-in-migration, taken in an applied migration: its statements are unchanged,
    its code no longer depends on the application's models of today."""
    head = (
        '"""fill\n\nRevision ID: 0002\nRevises: 0001\n"""\nimport sqlalchemy as sa\nfrom sqlalchemy import orm\n'
        "from alembic import op\nIMPORTS\n\nrevision = '0002'\ndown_revision = '0001'\n\nMODELS\n\n"
        "def upgrade():\n    session = orm.Session(bind=op.get_bind())\n"
        f"    labels = [row.name for row in session.query({model}).all()]\n    print(labels)\n    session.commit()\n"
        f"    op.create_index('ix_{table}_name', '{table}', ['name'])\n\n\n"
        f"def downgrade():\n    op.drop_index('ix_{table}_name', '{table}')\n"
    )
    before = head.replace("IMPORTS", f"from {module} import {model}").replace("MODELS", "")
    frozen = (
        "class Base(orm.DeclarativeBase):\n    pass\n\n\n"
        f"class {model}(Base):\n    __tablename__ = '{table}'\n"
        "    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)\n"
        "    name: orm.Mapped[str] = orm.mapped_column(sa.String)\n"
    )
    after = head.replace("IMPORTS", "").replace("MODELS", frozen)
    base = {
        "alembic/versions/0001_init.py": (
            '"""init\n\nRevision ID: 0001\nRevises:\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }
    path = "alembic/versions/0002_fill.py"
    [(severity, message)] = _edit(path, before, after, base=base)
    assert severity == "warning" and "definitions of its own" in message, message
    # the copy, and a new dependency on another module of current models: no such replacement
    other = after.replace(
        "from alembic import op\n", "from alembic import op\nfrom app.models.users import User\n"
    )
    other = other.replace(
        "    session.commit()\n", "    session.query(User).delete()\n    session.commit()\n"
    )
    [(severity, _)] = _edit(path, before, other, base=base)
    assert severity == "critical"


@pytest.mark.parametrize(("table", "column"), [("recipes", "rating"), ("foods", "on_hand")])
def test_type_annotations_added_to_an_alembic_revision_are_form_only(table: str, column: str) -> None:
    """`branch_labels: str | tuple[str, ...] | None = None`: a type checker's concern (a generator template
    changed for every revision); with a down edited too, only the down changes."""
    before = (
        '"""change\n\nRevision ID: 0002\nRevises: 0001\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        "revision = '0002'\ndown_revision = '0001'\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n    op.add_column('{table}', sa.Column('{column}', sa.Integer()))\n"
        f"    op.create_index('ix_{table}_{column}', '{table}', ['{column}'])\n\n\n"
        f"def downgrade():\n    op.drop_index('ix_{table}_{column}', table_name='{table}')\n"
        f"    op.drop_column('{table}', '{column}')\n"
    )
    annotated = before.replace(
        "branch_labels = None\ndepends_on = None",
        "branch_labels: str | tuple[str, ...] | None = None\ndepends_on: str | tuple[str, ...] | None = None",
    )
    base = {
        "alembic/versions/0001_init.py": (
            '"""init\n\nRevision ID: 0001\nRevises:\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }
    path = "alembic/versions/0002_change.py"
    [(severity, message)] = _edit(path, before, annotated, base=base)
    assert severity == "info" and "only the form" in message, message
    down_too = annotated.replace(f"    op.drop_index('ix_{table}_{column}', table_name='{table}')\n", "")
    [(severity, message)] = _edit(path, before, down_too, base=base)
    assert severity == "info" and "Only its down changes" in message, message
    # a value changed beside the annotations still counts
    changed = annotated.replace("sa.Integer()", "sa.BigInteger()")
    [(severity, _)] = _edit(path, before, changed, base=base)
    assert severity == "critical"


def _django_app(model: str, field: str) -> dict[str, str]:
    return {
        "app/migrations/0001_initial.py": (
            "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n"
            "    dependencies = []\n    operations = [migrations.CreateModel(name='" + model + "', fields=["
            "('id', models.BigAutoField(primary_key=True)), ('" + field + "', models.IntegerField())])]\n"
        )
    }


@pytest.mark.parametrize(("model", "field"), [("MailRule", "maximum_age"), ("Config", "timeout")])
def test_row_changes_moved_to_a_migration_of_their_own_are_a_note(model: str, field: str) -> None:
    clamp = (
        "def clamp(apps, schema_editor):\n    M = apps.get_model('app', '" + model + "')\n"
        "    M.objects.filter(" + field + "__gt=32767).update(" + field + "=32767)\n\n\n"
    )
    alter = (
        "        migrations.AlterField(model_name='" + model.lower() + "', name='" + field + "', "
        "field=models.SmallIntegerField()),\n"
    )

    def migration(depends: str, ops: str, code: str = "") -> str:
        return (
            "from django.db import migrations, models\n\n" + code + "class Migration(migrations.Migration):\n"
            f"    dependencies = [('app', '{depends}')]\n    operations = [\n" + ops + "    ]\n"
        )

    run = "        migrations.RunPython(clamp, migrations.RunPython.noop),\n"
    before = migration("0001_initial", run + alter, clamp)
    after = migration("0001_1_clamp", alter)
    files = {
        "app/migrations/0002_small.py": (before, after),
        "app/migrations/0001_1_clamp.py": (None, migration("0001_initial", run, clamp)),
    }
    [(path, severity, message)] = _change(files, _django_app(model, field))
    assert (
        path == "app/migrations/0002_small.py" and severity == "info" and "moves its row changes" in message
    )
    # an update that computes from the old value would change rows a second time
    doubling = clamp.replace("=32767)\n", f"=F('{field}') / 2)\n").replace(
        "    M = ", "    from django.db.models import F\n    M = "
    )
    files = {
        "app/migrations/0002_small.py": (migration("0001_initial", run + alter, doubling), after),
        "app/migrations/0001_1_clamp.py": (None, migration("0001_initial", run, doubling)),
    }
    [(_, severity, message)] = _change(files, _django_app(model, field))
    assert severity == "warning" and "run them once more" in message


@pytest.mark.parametrize(("model", "field"), [("Config", "timeout"), ("Invoice", "total")])
def test_a_django_label_edit_reads_as_the_same_statements(model: str, field: str) -> None:
    def migration(label: str) -> str:
        return (
            "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n"
            "    dependencies = [('app', '0001_initial')]\n    operations = [\n"
            f"        migrations.AlterField(model_name='{model.lower()}', name='{field}', "
            f"field=models.PositiveSmallIntegerField(null=True, verbose_name='{label}')),\n    ]\n"
        )

    files = {
        "app/migrations/0002_label.py": (migration("Sets the timeout in seconds"), migration("Timeout (s)"))
    }
    [(_, severity, message)] = _change(files, _django_app(model, field))
    assert severity == "warning" and "statements the review reads from it are the same" in message


@pytest.mark.parametrize(("table", "column"), [("servers", "node"), ("allocations", "owner")])
def test_the_same_schema_written_another_way_is_a_warning(table: str, column: str) -> None:
    """Raw SQL of an applied Laravel migration rewritten with the framework's calls (for other databases), to
    the same column: both kinds of database end alike."""
    head = (
        "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\DB;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
        "class Widen extends Migration\n{\n    public function up()\n    {\n        BODY\n    }\n}\n"
    )
    before = head.replace(
        "BODY", f"DB::statement('ALTER TABLE {table} MODIFY COLUMN {column} INT(10) UNSIGNED NOT NULL');"
    )
    call = f"Schema::table('{table}', function (Blueprint $table) {{ $table->integer('{column}', false, true)->change(); }});"
    base = {
        ".env.example": "DB_CONNECTION=mysql\n",
        "database/migrations/2016_01_01_000000_create.php": (
            "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
            "use Illuminate\\Support\\Facades\\Schema;\n\nclass Create extends Migration\n{\n    public function up()\n"
            f"    {{\n        Schema::create('{table}', function (Blueprint $table) {{ $table->increments('id');"
            f" $table->integer('{column}'); }});\n    }}\n}}\n"
        ),
    }
    path = "database/migrations/2016_10_23_000000_widen.php"
    [(severity, message)] = _edit(path, before, head.replace("BODY", call), base=base)
    assert severity == "warning" and "same schema" in message, message
    other = call.replace("false, true", "false, false")  # signed: another column
    [(severity, _)] = _edit(path, before, head.replace("BODY", other), base=base)
    assert severity == "critical"


@pytest.mark.parametrize(
    ("table", "column", "module", "kind"),
    [("sources", "secret", "postgresql", "BYTEA"), ("alerts", "settings", "postgresql", "JSONB")],
)
def test_a_type_imported_by_name_in_an_applied_alembic_revision_with_code_is_a_warning(
    table: str, column: str, module: str, kind: str
) -> None:
    """`postgresql.BYTEA()` written `BYTEA()` once the type is imported by name, in a revision whose code copies
    rows (which the review does not run): the same column, the same code; worth a look, not a block."""
    before = (
        '"""copy\n\nRevision ID: 0002\nRevises: 0001\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n'
        f"from sqlalchemy.dialects import {module}\nfrom sqlalchemy.sql import table as table_of\n\n"
        "revision = '0002'\ndown_revision = '0001'\n\n\n"
        f"def upgrade():\n    op.add_column('{table}', sa.Column('{column}_new', {module}.{kind}(), nullable=True))\n"
        f"    rows = table_of('{table}', sa.column('id'), sa.column('{column}'), sa.column('{column}_new'))\n"
        "    conn = op.get_bind()\n"
        "    for row in conn.execute(rows.select()):\n"
        f"        conn.execute(rows.update().where(rows.c.id == row.id).values({column}_new=transform(row.{column})))\n\n\n"
        "def downgrade():\n    pass\n"
    )
    after = before.replace(
        f"from sqlalchemy.dialects import {module}\n", f"from sqlalchemy.dialects.{module} import {kind}\n"
    )
    after = after.replace(f"{module}.{kind}()", f"{kind}()")
    base = {
        "alembic/versions/0001_init.py": (
            '"""init\n\nRevision ID: 0001\nRevises:\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True), sa.Column('{column}', sa.Text))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }
    path = "alembic/versions/0002_copy.py"
    [(severity, message)] = _edit(path, before, after, base=base)
    assert severity == "warning" and "the edit is in its code" in message, message
    # another type for the column is another schema: still a block
    other = after.replace(f"{kind}()", "sa.Text()")
    [(severity, _)] = _edit(path, before, other, base=base)
    assert severity == "critical"


@pytest.mark.parametrize(("model", "field"), [("Translation", "value"), ("Invoice", "total")])
def test_a_data_migration_edited_to_work_in_smaller_batches_or_report_otherwise_is_a_warning(
    model: str, field: str
) -> None:
    """The batch size and the progress it prints are no value a row gets: the same rows are written."""

    def migration(batch: int, report: str, value: str = "0") -> str:
        return (
            "from django.db import migrations\n\n"
            f"batch_size = {batch}\n\n\n"
            "def fill(apps, schema_editor):\n"
            f"    {model} = apps.get_model('app', '{model}')\n"
            f"    ids = list({model}.objects.values_list('id', flat=True))\n"
            "    for start in range(0, len(ids), batch_size):\n"
            f"        rows = list({model}.objects.filter(id__in=ids[start:start + batch_size]))\n"
            f"        for row in rows:\n            row.{field} = {value}\n"
            f"        {model}.objects.bulk_update(rows, ['{field}'])\n"
            f"        print({report}, flush=True)\n\n\n"
            "class Migration(migrations.Migration):\n"
            "    dependencies = [('app', '0001_initial')]\n"
            "    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n"
        )

    base = _django_app(model, field)
    path = "app/migrations/0002_fill.py"
    before = migration(10000, '"."')
    smaller = migration(3000, 'f"Progress: {start}/{len(ids)}"')
    [(severity, message)] = _edit(path, before, smaller, base=base)
    assert severity == "warning" and "the edit is in its code" in message, message
    # a value the code writes, changed: a block
    [(severity, _)] = _edit(path, before, migration(10000, '"."', value="1"), base=base)
    assert severity == "critical"


@pytest.mark.parametrize(("table", "parent"), [("teams", "users"), ("projects", "owners")])
def test_a_statement_of_an_applied_revision_put_in_a_branch_for_other_databases(
    table: str, parent: str
) -> None:
    """The foreign key left out where the database cannot add one (SQLite): on the others the revision runs
    what it ran, and its code is what it was; on SQLite new installs now lack the key."""
    key = f"op.create_foreign_key('{table}_{parent}_fk', '{table}', '{parent}', ['{parent}_id'], ['id'])"
    before = (
        '"""link"""\nimport sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.sql import table as table_of\n\n'
        "revision = '0002'\ndown_revision = '0001'\n\n\ndef upgrade():\n"
        f"    op.add_column('{table}', sa.Column('{parent}_id', sa.Integer(), nullable=True))\n"
        f"    {key}\n"
        f"    rows = table_of('{table}', sa.column('id'), sa.column('{parent}_id'))\n"
        "    connection = op.get_bind()\n"
        "    for row in connection.execute(rows.select()):\n"
        f"        connection.execute(rows.update().where(rows.c.id == row.id).values({parent}_id=pick(row)))\n\n\n"
        f"def downgrade():\n    op.drop_column('{table}', '{parent}_id')\n"
    )
    after = before.replace(
        f"    {key}\n",
        f"    bind = op.get_bind()\n    url = str(bind.engine.url)\n    if url.startswith('sqlite') is False:\n        {key}\n",
    )
    base = {
        "alembic/versions/0001_init.py": (
            '"""init"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True))\n"
            f"    op.create_table('{parent}', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }
    path = "alembic/versions/0002_link.py"
    for dialect, expected in (("mariadb", "warning"), ("postgres", "warning"), ("sqlite", "critical")):
        review = review_sql(after, path=path, base=base, previous=before, dialect=dialect)
        found = [f.severity.value for f in review.active if f.rule == "applied-migration-edited"]
        assert found == [expected], (dialect, found)


@pytest.mark.parametrize(
    ("table", "column", "condition"),
    [("users", "login", "'login IS NULL'"), ("settings", "value", "value: nil")],
)
def test_a_rails_4_migration_tagged_for_rails_5_is_the_same_migration(
    table: str, column: str, condition: str
) -> None:
    """Rails 5 asks a migration written for Rails 4 to say so (`ActiveRecord::Migration[4.2]`), and 5.1 dropped
    the conditions of `delete_all(conditions)` (written `where(conditions).delete_all` since): an upgrade that
    does both leaves what every database runs as it was. Another version, or other rows, is an edit."""
    path = "db/migrate/20160101000000_clean_rows.rb"
    model = table[:-1].title()
    before = (
        "class CleanRows < ActiveRecord::Migration\n  def up\n"
        f"    {model}.delete_all({condition})\n    add_index :{table}, :{column}\n  end\nend\n"
    )
    upgraded = before.replace("ActiveRecord::Migration\n", "ActiveRecord::Migration[4.2]\n").replace(
        f"{model}.delete_all({condition})", f"{model}.where({condition}).delete_all"
    )
    assert [severity for severity, _ in _edit(path, before, upgraded, RAILS_BASE)] != ["critical"]
    other_rows = upgraded.replace("IS NULL", "= ''").replace("nil", "''")
    assert [severity for severity, _ in _edit(path, before, other_rows, RAILS_BASE)] == ["critical"]
    other_version = before.replace("ActiveRecord::Migration\n", "ActiveRecord::Migration[5.0]\n")
    assert [severity for severity, _ in _edit(path, before, other_version, RAILS_BASE)] != []


@pytest.mark.parametrize(("table", "condition"), [("users", "'login IS NULL'"), ("settings", "value: nil")])
def test_rails_4_delete_all_with_conditions_deletes_only_those_rows(table: str, condition: str) -> None:
    path = "db/migrate/20160101000000_clean_rows.rb"
    model = table[:-1].title()
    text = f"class CleanRows < ActiveRecord::Migration[4.2]\n  def up\n    {model}.delete_all({condition})\n  end\nend\n"
    review = review_sql(text, path=path, base=RAILS_BASE)
    deletes = [f for f in review.active if f.rule == "unbatched-data-change"]
    assert deletes and "no WHERE" not in deletes[0].message and "IS NULL" in deletes[0].message
    everything = review_sql(text.replace(f"({condition})", ""), path=path, base=RAILS_BASE)
    assert any("no WHERE" in f.message for f in everything.active if f.rule == "unbatched-data-change")


@pytest.mark.parametrize(("table", "column"), [("users", "login"), ("settings", "value")])
def test_the_rails_5_tag_alone_on_a_rails_4_migration_with_code_is_no_edit(table: str, column: str) -> None:
    path = "db/migrate/20160101000000_seed_rows.rb"
    model = table[:-1].title()
    before = (
        f"class SeedRows < ActiveRecord::Migration\n  class {model} < ActiveRecord::Base\n  end\n\n  def up\n"
        f'    first_id = {model}.create!({column}: "first").id\n    add_index :{table}, :{column}\n  end\nend\n'
    )
    tagged = before.replace("ActiveRecord::Migration\n", "ActiveRecord::Migration[4.2]\n")
    assert _edit(path, before, tagged, RAILS_BASE) == []
    assert [s for s, _ in _edit(path, before, tagged.replace('"first"', '"second"'), RAILS_BASE)] == [
        "critical"
    ]


@pytest.mark.parametrize(("table", "key"), [("users", "user_id"), ("settings", "[3, 4]")])
def test_a_rails_model_delete_by_key_deletes_those_rows_only(table: str, key: str) -> None:
    """`Pod.delete(pod_id)`, `Setting.destroy([3, 4])`: the rows with those primary keys, not the whole table;
    `delete_all` with no condition still empties it."""
    path = "db/migrate/20260101000000_clean_rows.rb"
    model = table[:-1].title()
    text = (
        f"class CleanRows < ActiveRecord::Migration[6.1]\n  class {model} < ApplicationRecord\n  end\n\n"
        f"  def up\n    user_id = 5\n    {model}.{{call}}\n  end\nend\n"
    )

    def emptied(call: str) -> bool:
        review = review_sql(text.format(call=call), path=path, base=RAILS_BASE)
        return any("no WHERE" in f.message for f in review.active if f.rule == "unbatched-data-change")

    assert not emptied(f"delete({key})") and not emptied(f"destroy({key})")
    assert emptied("delete_all")
