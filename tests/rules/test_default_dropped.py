"""default-dropped: a NOT NULL column of an existing table loses its default, so inserts that leave it out fail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refusal, review_sql

NAMES = [("orders", "status", "text", "'new'"), ("devices", "enabled", "boolean", "true")]


def _found(sql: str, **kw: Any) -> list[Any]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "default-dropped"]


@pytest.mark.parametrize(("table", "column", "type_", "default"), NAMES)
def test_dropping_the_default_of_a_not_null_column_fails_inserts_that_leave_it_out(
    pg, table, column, type_, default
) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} {type_} NOT NULL DEFAULT {default}, note text)"
    change = f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"
    (finding,) = _found(f"{schema};\n-- migration\n{change};")
    assert f"`{table}`" in finding.message and f"`{column}`" in finding.message
    assert default.lower() in finding.message.lower()
    # what it says: the insert the running release makes, leaving the column to its default, now fails
    pg.execute(schema)
    pg.execute(f"INSERT INTO {table} (note) VALUES ('before')")
    pg.execute(change)
    with pytest.raises(Exception, match=r"not-null|null value"):
        pg.execute(f"INSERT INTO {table} (note) VALUES ('after')")


@pytest.mark.parametrize(("table", "column", "type_", "default"), NAMES)
@pytest.mark.parametrize(
    ("schema_extra", "change"),
    [
        ("", "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d};"),  # another default
        (
            "",
            "ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;\nALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;",
        ),
        ("", "ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;\nALTER TABLE {t} DROP COLUMN {c};"),
        (
            # a BEFORE INSERT trigger fills the column: PostgreSQL checks NOT NULL after it
            "CREATE FUNCTION fill_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.{c} := {d}; RETURN NEW; END $$;\n"
            "CREATE TRIGGER fill_{t} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION fill_{t}();\n",
            "ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;",
        ),
    ],
)
def test_a_default_that_nothing_relies_on_afterwards_is_quiet(
    table, column, type_, default, schema_extra, change
) -> None:  # type: ignore[no-untyped-def]
    names = {"t": table, "c": column, "d": default}
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_} NOT NULL DEFAULT {default});\n"
    assert not _found(schema + schema_extra.format(**names) + "-- migration\n" + change.format(**names))


def test_a_nullable_column_losing_its_default_is_quiet() -> None:
    assert not _found(
        "CREATE TABLE t (id bigint PRIMARY KEY, note text DEFAULT '');\n-- migration\nALTER TABLE t ALTER COLUMN note DROP DEFAULT;"
    )


def test_a_serial_key_losing_its_sequence_default() -> None:
    sql = "CREATE TABLE tickets (id serial PRIMARY KEY, title text);\n-- migration\nALTER TABLE tickets ALTER COLUMN id DROP DEFAULT;"
    (finding,) = _found(sql)
    assert "nextval" in finding.message


def test_prisma_clients_omit_fields_with_a_default() -> None:
    schema = 'CREATE TABLE "Chat" (id integer PRIMARY KEY, "ownerId" integer NOT NULL DEFAULT -1);\n'
    sql = f'{schema}-- migration\nALTER TABLE "Chat" ALTER COLUMN "ownerId" DROP DEFAULT;'
    (finding,) = _found(sql, path="prisma/migrations/20260101000000_owner/migration.sql")
    assert "`Chat`" in finding.message and "`ownerId`" in finding.message


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[("id", models.BigAutoField(primary_key=True)), ("status", models.TextField(db_default="new"))],
        ),
    ]
"""

DJANGO_CHANGE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AlterField(model_name="order", name="status", field=models.TextField())]
"""


def test_django_names_every_field_in_its_inserts() -> None:
    base = {"shop/migrations/0001_initial.py": DJANGO_INITIAL}
    assert not _found(DJANGO_CHANGE, path="shop/migrations/0002_status.py", base=base)


RAILS = """class DropStatusDefault < ActiveRecord::Migration[{version}]
  def change
    change_column_default :orders, :status, from: "new", to: nil
  end
end
"""


@pytest.mark.parametrize(("load_defaults", "reported"), [("6.1", True), ("7.1", False), ("", True)])
def test_rails_before_7_inserts_only_the_attributes_it_changed(load_defaults: str, reported: bool) -> None:
    base = {
        "db/structure.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, status varchar NOT NULL DEFAULT 'new');\n"
    }
    if load_defaults:
        base["config/application.rb"] = (
            f"module Shop\n  class Application < Rails::Application\n    config.load_defaults {load_defaults}\n  end\nend\n"
        )
    found = _found(
        RAILS.format(version=load_defaults or "6.1"),
        path="db/migrate/20260101000000_drop_status_default.rb",
        base=base,
    )
    assert bool(found) is reported


@pytest.mark.parametrize(
    ("table", "columns"),
    [("issues", ("project_id", "tracker_id", "author_id")), ("jobs", ("queue", "priority"))],
)
def test_defaults_of_one_table_dropped_together_are_one_finding(table: str, columns: tuple[str, ...]) -> None:
    defined = ", ".join(f"{c} integer NOT NULL DEFAULT 0" for c in columns)
    drops = "\n".join(f"ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT;" for c in columns)
    (finding,) = _found(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {defined});\n-- migration\n{drops}")
    assert all(f"`{c}`" in finding.message for c in columns)


@pytest.mark.parametrize("table", ["users", "audit_events"])
def test_dropping_an_identity_fails_inserts_without_an_id(pg, table) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)"
    change = f"ALTER TABLE {table} ALTER COLUMN id DROP IDENTITY"
    (finding,) = _found(f"{schema};\n-- migration\n{change};")
    assert "IDENTITY" in finding.message and f"`{table}`" in finding.message
    pg.execute(schema)
    pg.execute(change)
    with pytest.raises(Exception, match=r"not-null|null value"):
        pg.execute(f"INSERT INTO {table} (note) VALUES ('after')")


@pytest.mark.parametrize(("model", "generator"), [("Webhook", "cuid()"), ("Folder", "uuid()")])
def test_a_prisma_key_the_client_fills_is_quiet(model, generator) -> None:  # type: ignore[no-untyped-def]
    base = {
        "prisma/migrations/20240101000000_init/migration.sql": (
            f'CREATE TABLE "{model}" ("id" SERIAL NOT NULL, "url" TEXT NOT NULL, '
            f'CONSTRAINT "{model}_pkey" PRIMARY KEY ("id"));\n'
        )
    }
    change = (
        f'ALTER TABLE "{model}" DROP CONSTRAINT "{model}_pkey",\nALTER COLUMN "id" DROP DEFAULT,\n'
        f'ALTER COLUMN "id" SET DATA TYPE TEXT,\nADD CONSTRAINT "{model}_pkey" PRIMARY KEY ("id");\n'
    )
    path = "prisma/migrations/20240202000000_cuids/migration.sql"
    schema = f"model {model} {{\n  id  String @id @default({generator})\n  url String\n}}\n"
    assert not _found(change, path=path, base=base, head={"prisma/schema.prisma": schema})
    # the same change while the schema leaves the key to the database: inserts without an id fail
    plain = f"model {model} {{\n  id  String @id\n  url String\n}}\n"
    assert _found(change, path=path, base=base, head={"prisma/schema.prisma": plain})


@pytest.mark.parametrize(
    ("table", "path"),
    [("comment", "crates/schema/replaceable/triggers.sql"), ("posts", "db/functions/fill.sql")],
)
def test_a_before_insert_trigger_the_deploy_applies_outside_the_migrations_fills_it(table, path) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, ap_id text NOT NULL DEFAULT 'changeme');\n-- migration\n"
    change = f"ALTER TABLE {table} ALTER COLUMN ap_id DROP DEFAULT;"
    trigger = (
        f"CREATE FUNCTION r.{table}_ap_id() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.ap_id := 'x' || NEW.id; RETURN NEW; END $$;\n"
        f"CREATE TRIGGER ap_id BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION r.{table}_ap_id();\n"
    )
    assert not _found(schema + change, head={path: trigger})
    assert _found(schema + change, head={path: trigger.replace("BEFORE INSERT", "AFTER INSERT")})
    assert _found(schema + change, head={path: trigger.replace(f"ON {table} ", "ON other_table ")})


def _alembic(table: str, column: str, type_: str, default: str, call: str) -> list[Any]:
    sa_type = {"text": "sa.Text", "boolean": "sa.Boolean"}[type_]
    base = {
        "alembic/versions/0001_a.py": 'revision = "0001"\ndown_revision = None\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\ndef upgrade():\n"
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("{column}", '
        f'{sa_type}, server_default=sa.text("{default}"), nullable=True))\n\n\ndef downgrade():\n    op.drop_table("{table}")\n'
    }
    text = (
        'revision = "0002"\ndown_revision = "0001"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        f"def upgrade():\n    {call}\n\n\ndef downgrade():\n    pass\n"
    )
    return _found(text, path="alembic/versions/0002_b.py", base=base)


@pytest.mark.parametrize(("table", "column", "type_", "default"), NAMES)
def test_a_default_set_to_null_is_dropped(pg, table, column, type_, default) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL stores no default for `SET DEFAULT NULL` (nor `NULL::type`): inserts that leave the NOT NULL
    column out fail as after DROP DEFAULT. Alembic's `server_default=sa.text("NULL")` sends it."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_} NOT NULL DEFAULT {default});\n"
    for value in ("NULL", f"NULL::{type_}"):
        [finding] = _found(
            f"{schema}-- migration\nALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {value};"
        )
        assert f"`{column}`" in finding.message
    pg.execute(schema)
    pg.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT NULL")
    assert "not-null constraint" in refusal(pg.execute, f"INSERT INTO {table} (id) VALUES (1)")
    for server_default in ("None", 'sa.text("NULL")'):
        call = f'op.alter_column("{table}", "{column}", nullable=False, server_default={server_default})'
        assert _alembic(table, column, type_, default, call), call


@pytest.mark.parametrize(("table", "column", "type_", "default"), NAMES)
def test_a_default_set_to_a_value_or_kept_while_made_not_null_is_not_dropped(
    table, column, type_, default
) -> None:  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_} NOT NULL DEFAULT {default});\n"
    text_null = "'NULL'" if type_ == "text" else "false"  # a value, not NULL
    assert not _found(
        f"{schema}-- migration\nALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {text_null};"
    )
    for call in (
        f'op.alter_column("{table}", "{column}", nullable=False, existing_server_default=sa.text("{default}"))',
        f'op.alter_column("{table}", "{column}", nullable=False)',
        f'op.alter_column("{table}", "{column}", nullable=True, server_default=sa.text("NULL"))',
    ):
        assert not _alembic(table, column, type_, default, call), call
