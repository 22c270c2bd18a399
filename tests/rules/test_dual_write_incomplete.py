import pytest

from tests.conftest import review_sql

RULE = "dual-write-incomplete"
NAMES = [
    ("identities", "sessions", "authenticated_at", "last_authenticated_at"),
    ("customers", "orders", "placed_at", "last_order_at"),
    ("devices", "pings", "seen_at", "last_seen_at"),
]


def _schema(table: str, other: str, source: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} timestamptz);\n"
        f"CREATE TABLE {other} (id bigint PRIMARY KEY, owner_id bigint, {source} timestamptz);\n-- migration\n"
    )


@pytest.mark.parametrize(("table", "other", "source", "target"), NAMES)
def test_a_value_from_another_relation_is_no_copy_of_a_column(
    table: str, other: str, source: str, target: str
) -> None:
    """`SET target = latest.source FROM (…) AS latest`: `source` is the other relation's column, not this
    table's, so the statement is no expand step of a rename."""
    sql = _schema(table, other, source) + (
        f"ALTER TABLE {table} ADD COLUMN {target} timestamptz;\n"
        f"UPDATE {table} AS t SET {target} = latest.{source}\n"
        f"FROM (SELECT owner_id, max({source}) AS {source} FROM {other} GROUP BY owner_id) AS latest\n"
        "WHERE latest.owner_id = t.id;"
    )
    assert RULE not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(("table", "other", "source", "target"), NAMES)
def test_a_column_of_the_changed_table_copied_is_an_expand_step(
    table: str, other: str, source: str, target: str
) -> None:
    sql = _schema(table, other, source) + (
        f"ALTER TABLE {table} ADD COLUMN {target} timestamptz;\n"
        f"UPDATE {table} AS t SET {target} = t.{source} WHERE t.id IN (SELECT owner_id FROM {other});"
    )
    [finding] = [f for f in review_sql(sql).active if f.rule == RULE]
    assert f"`{table}.{target}` is backfilled from `{source}`" in finding.message


@pytest.mark.parametrize(
    ("table", "cached", "key", "parent", "copied", "source"),
    [
        ("comments", "reply_count", "id", "parent_comment_id", "thread_title", "title"),
        ("folders", "file_total", "id", "parent_folder_id", "display_label", "label"),
    ],
)
def test_an_aggregate_over_other_rows_is_no_copy_of_a_column(
    table: str, cached: str, key: str, parent: str, copied: str, source: str
) -> None:
    """lobsters materialised `comments.reply_count` with `(SELECT count(*) … WHERE c_inner.parent_comment_id
    = comments.id)`, and the review said it was "backfilled from `id`" and listed every line naming `id`."""
    schema = (
        f"CREATE TABLE {table} ({key} bigint PRIMARY KEY, {parent} bigint, {source} text);\n-- migration\n"
    )
    sql = schema + (
        f"ALTER TABLE {table} ADD COLUMN {cached} integer NOT NULL DEFAULT 0;\n"
        f"UPDATE {table} SET {cached} = (SELECT count(*) FROM {table} AS c_inner "
        f"WHERE c_inner.{parent} = {table}.{key});"
    )
    assert RULE not in {f.rule for f in review_sql(sql).findings}
    copy = schema + f"ALTER TABLE {table} ADD COLUMN {copied} text;\nUPDATE {table} SET {copied} = {source};"
    assert RULE in {f.rule for f in review_sql(copy).findings}


@pytest.mark.parametrize(
    ("table", "model", "source", "target"),
    [
        ("stories", "Story", "created_at", "last_edited_at"),
        ("comments", "Comment", "updated_at", "edited_at"),
    ],
)
def test_a_column_seeded_from_an_orm_timestamp_and_written_by_the_code_is_no_replacement(
    table: str, model: str, source: str, target: str
) -> None:
    """lobsters added `last_edited_at` filled from `created_at` and `updated_at` and writes it on each edit;
    the review said the code "no longer" writes `created_at`, which Rails writes itself."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} timestamptz, body text);\n-- migration\n"
    sql = schema + (
        f"ALTER TABLE {table} ADD COLUMN {target} timestamptz;\nUPDATE {table} SET {target} = {source};"
    )
    code = f"class {model} < ApplicationRecord\n  def edit!\n    self.{target} = Time.current\n    save!\n  end\nend\n"
    model_path = f"app/models/{model.lower()}.rb"
    assert RULE not in {f.rule for f in review_sql(sql, base={model_path: code}).findings}
    other = code.replace(f"self.{target}", "self.body")
    assert RULE in {f.rule for f in review_sql(sql, base={model_path: other}).findings}
    renamed = sql.replace(source, "legacy_stamp")
    written = code.replace(source, "legacy_stamp")
    assert RULE in {f.rule for f in review_sql(renamed, base={model_path: written}).findings}


@pytest.mark.parametrize(
    ("table", "source", "target", "word", "key"),
    [("orders", "status", "state", "paid", "id"), ("tickets", "priority", "level", "preferred", "ref")],
)
def test_a_source_column_is_a_word_of_the_expression_not_a_piece_of_a_value(
    table: str, source: str, target: str, word: str, key: str
) -> None:
    """`CASE status WHEN 'paid' …` with `WHERE id IN (…)`: `id` is inside `'paid'` as letters only; the
    backfill copies `status` alone."""
    schema = f"CREATE TABLE {table} ({key} bigint PRIMARY KEY, {source} text);\n-- migration\n"
    sql = schema + (
        f"ALTER TABLE {table} ADD COLUMN {target} text;\n"
        f"UPDATE {table} SET {target} = CASE {source} WHEN '{word}' THEN 'x' ELSE 'y' END\n"
        f"WHERE {key} IN (SELECT {key} FROM {table} WHERE {target} IS NULL LIMIT 1000);"
    )
    assert RULE in {f.rule for f in review_sql(sql).findings}


@pytest.mark.parametrize(
    ("table", "model", "source", "first", "second"),
    [
        ("orders", "Order", "status", "state_id", "status_code"),
        ("tickets", "Ticket", "priority", "level", "priority_rank"),
    ],
)
def test_each_new_column_filled_from_one_old_column_is_checked_on_its_own(
    table: str, model: str, source: str, first: str, second: str
) -> None:
    """Two columns filled from the same old one are two transitions: the uses of both new names were kept
    under the old column alone, so a write of one new column counted for the other too."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {source} text);\n-- migration\n"
    sql = schema + (
        f"ALTER TABLE {table} ADD COLUMN {first} text;\nALTER TABLE {table} ADD COLUMN {second} text;\n"
        f"UPDATE {table} SET {first} = {source}, {second} = upper({source});"
    )
    code = (
        f"class {model} < ApplicationRecord\n  def mark!(value)\n    self.{source} = value\n"
        f"    self.{first} = value\n    save!\n  end\nend\n"
    )
    model_path = f"app/models/{model.lower()}.rb"
    found = [f for f in review_sql(sql, base={model_path: code}).findings if f.rule == RULE]
    assert [f"`{table}.{second}` is backfilled from `{source}`" in f.message for f in found] == [True]
    both = code.replace("    save!", f"    self.{second} = value.upcase\n    save!")
    assert RULE not in {f.rule for f in review_sql(sql, base={model_path: both}).findings}


@pytest.mark.parametrize(
    ("table", "model", "source", "target", "app"),
    [
        (
            "config_applicationconfiguration",
            "ApplicationConfiguration",
            "skip_archive",
            "archive_mode",
            "config",
        ),
        ("shop_preference", "Preference", "legacy_theme", "theme_name", "shop"),
    ],
)
def test_a_value_computed_in_python_and_an_old_column_dropped_at_once_are_no_transition(
    table: str, model: str, source: str, target: str, app: str
) -> None:
    """paperless-ngx filled `archive_file_generation` from a Python mapping of `skip_archive_file` and dropped
    that column in the same migration: the review said the code "no longer" writes `…` (the computed
    value taken for a column). Only a column kept beside the new one is a transition."""
    migration = f"""from django.db import migrations, models

MAP = {{"never": "always", "always": "never"}}


def forwards(apps, schema_editor):
    {model} = apps.get_model("{app}", "{model}")
    for row in {model}.objects.all():
        old = row.{source}
        if old in MAP:
            row.{target} = MAP[old]
        row.save()


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.AddField(model_name="{model.lower()}", name="{target}", field=models.CharField(max_length=8, null=True)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="{model.lower()}", name="{source}"),
    ]
"""
    initial = f"""from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.AutoField(primary_key=True)), ("{source}", models.CharField(max_length=8, null=True))],
        ),
    ]
"""
    models_py = f"from django.db import models\n\n\nclass {model}(models.Model):\n    {target} = models.CharField(max_length=8, null=True)\n"
    service = f"def choose(config, value):\n    config.{target} = value\n    config.save()\n"
    base = {
        f"{app}/migrations/0001_initial.py": initial,
        f"{app}/models.py": models_py,
        f"{app}/service.py": service,
    }
    path = f"{app}/migrations/0002_replace.py"
    review = review_sql(migration, path=path, base=base)
    assert RULE not in {f.rule for f in review.findings}
    assert "column-dropped" in {f.rule for f in review.findings}
    kept = migration.replace(
        f'        migrations.RemoveField(model_name="{model.lower()}", name="{source}"),\n', ""
    )
    kept = kept.replace(f"row.{target} = MAP[old]", f"row.{target} = row.{source}")
    assert RULE in {f.rule for f in review_sql(kept, path=path, base=base).findings}


@pytest.mark.parametrize(
    ("table", "model", "source", "target"),
    [
        ("notification_destinations", "NotificationDestination", "options", "encrypted_options"),
        ("payment_accounts", "PaymentAccount", "token", "sealed_token"),
    ],
)
def test_a_value_given_to_a_core_update_is_no_source_column(
    table: str, model: str, source: str, target: str
) -> None:
    """redash filled `encrypted_options` row by row through SQLAlchemy Core (`.values(encrypted_options=
    dest.options)`) and dropped `options` in the same migration, on a table its models create: the value
    given to the update was read as a column named by the translation's placeholder, and the review said
    the code "no longer" writes `…`."""
    migration = f'''"""encrypt"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql import table

revision = "b2"
down_revision = "b1"


def upgrade():
    op.add_column("{table}", sa.Column("{target}", sa.LargeBinary(), nullable=True))
    rows = table("{table}", sa.Column("id", sa.Integer), sa.Column("{target}", sa.LargeBinary()), sa.Column("{source}", sa.Text()))
    conn = op.get_bind()
    for row in conn.execute(rows.select()):
        conn.execute(rows.update().where(rows.c.id == row.id).values({target}=row.{source}))
    op.drop_column("{table}", "{source}")


def downgrade():
    pass
'''
    models_py = (
        "from sqlalchemy import Column, Integer, Text\n\n\n"
        f'class {model}(Base):\n    __tablename__ = "{table}"\n    id = Column(Integer, primary_key=True)\n'
        f'    {source} = Column("{target}", Text)\n'
    )
    cli = (
        "def reencrypt(db, rows, item):\n"
        f'    db.execute(rows.update().where(rows.c.id == item["id"]).values({target}=item["{target}"]))\n'
    )
    base = {"app/models.py": models_py, "app/cli.py": cli}
    path = "migrations/versions/b2_encrypt.py"
    assert RULE not in {f.rule for f in review_sql(migration, path=path, base=base).findings}
    kept = migration.replace(
        f"    conn = op.get_bind()\n    for row in conn.execute(rows.select()):\n"
        f"        conn.execute(rows.update().where(rows.c.id == row.id).values({target}=row.{source}))\n"
        f'    op.drop_column("{table}", "{source}")\n',
        f'    op.execute("UPDATE {table} SET {target} = {source}")\n',
    )
    assert RULE in {f.rule for f in review_sql(kept, path=path, base=base).findings}


@pytest.mark.parametrize(
    ("table", "key", "derived", "expression"),
    [
        ("idp", "id", "uid", "lpad(to_hex(id), 8, '0')"),
        ("webhooks", "webhook_id", "public_ref", "'wh_' || webhook_id::text"),
    ],
)
def test_a_value_derived_from_the_rows_key_is_no_replacement(
    table: str, key: str, derived: str, expression: str
) -> None:
    code = {"store/delete.go": f'const stmt = "DELETE FROM {table} WHERE {key} = $1"\n'}
    sql = (
        f"CREATE TABLE {table} ({key} bigint PRIMARY KEY, name text, note text);\n-- migration\n"
        f"ALTER TABLE {table} ADD COLUMN {derived} text NOT NULL DEFAULT '';\n"
        f"UPDATE {table} SET {derived} = {expression} WHERE {derived} = '';\n"
    )
    assert not [f for f in review_sql(sql, base=code).active if f.rule == RULE]
    # another column than the key is a replacement, as before
    copied = sql.replace(expression, "upper(name)")
    assert [f for f in review_sql(copied, base=code).active if f.rule == RULE]


JOINED = [
    ("Workspace", "Environment", "legacyEnvironmentId", "type"),
    ("accounts", "plans", "plan_title", "title"),
]


@pytest.mark.parametrize(("table", "other", "target", "kind"), JOINED)
@pytest.mark.parametrize("source", ["id", "name"])
def test_a_column_of_a_joined_table_is_no_copy_of_the_rows_own(
    table: str, other: str, target: str, kind: str, source: str
) -> None:
    """`SET "legacyEnvironmentId" = e."id" FROM "Environment" e`: the joined table's column, though the updated
    table has one of the same name; the row's own one (bare, or through its alias) is the expand step."""
    schema = (
        f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, name text, owner_id bigint);\n'
        f'CREATE TABLE "{other}" (id bigint PRIMARY KEY, name text, "{table}Id" bigint, {kind} text);\n-- migration\n'
    )
    add = f'ALTER TABLE "{table}" ADD COLUMN "{target}" text;\n'
    joined = (
        f'UPDATE "{table}" w SET "{target}" = e."{source}" FROM "{other}" e\n'
        f'WHERE e."{table}Id" = w.id AND e.{kind} = \'production\' AND w."{source}" IS NOT NULL;'
    )
    assert RULE not in {f.rule for f in review_sql(schema + add + joined).active}
    for own in (f'w."{source}"', f'"{table}"."{source}"', source):
        if source == "id":
            continue  # the row's key replaces nothing (see below)
        copied = f'UPDATE "{table}" w SET "{target}" = {own} FROM "{other}" e WHERE e."{table}Id" = w.id;'
        assert RULE in {f.rule for f in review_sql(schema + add + copied).active}, own
