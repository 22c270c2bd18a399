"""last-modified-overwritten: a backfill of a table whose last-modified column the database (or the ORM's
save) bumps on every update."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import data_migration, review_migration

RULE = "last-modified-overwritten"
NAMES = [
    {"table": "accounts", "col": "tier", "stamp": "updated_at", "trigger": "accounts_touch", "fn": "touch"},
    {
        "table": "shipments",
        "col": "carrier",
        "stamp": "modified_at",
        "trigger": "set_modified",
        "fn": "bump_modified",
    },
]
PG_SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {col} text, {stamp} timestamptz NOT NULL DEFAULT now());\n"
    "CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.{stamp} := now();\n"
    "  RETURN NEW;\nEND;\n$$;\n"
    "CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}();\n"
)
MYSQL_SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {col} varchar(20), {stamp} timestamp NOT NULL "
    "DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
)


def _sql(sql: str) -> tuple[str, str]:
    return "db/migrations/002_backfill.sql", sql


def _rails(sql: str) -> tuple[str, str]:
    body = f"class Backfill < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~SQL\n      {sql}\n    SQL\n  end\n\n  def down\n  end\nend\n"
    return "db/migrate/20260101000000_backfill.rb", body


def _django(sql: str) -> tuple[str, str]:
    body = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        f'    operations = [migrations.RunSQL("""{sql}""", migrations.RunSQL.noop)]\n'
    )
    return "shop/migrations/0002_backfill.py", body


def _alembic(sql: str) -> tuple[str, str]:
    body = (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        f'def upgrade():\n    op.execute("""{sql}""")\n\n\ndef downgrade():\n    pass\n'
    )
    return "alembic/versions/b2_backfill.py", body


def _prisma(sql: str) -> tuple[str, str]:
    return "prisma/migrations/20260101000000_backfill/migration.sql", f"-- Backfill\n{sql}\n"


FRAMEWORKS = [_sql, _rails, _django, _alembic, _prisma]


def _found(names: dict[str, str], schema: str, sql: str, framework: Any, dialect: str) -> list[Any]:
    path, text = framework(sql.format(**names))
    result = review_sql(text, path=path, dialect=dialect, base={"db/structure.sql": schema.format(**names)})
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_backfill_under_a_trigger_that_bumps_the_time(names: dict[str, str], framework: Any) -> None:
    bad = "UPDATE {table} SET {col} = 'basic' WHERE {col} IS NULL;"
    (finding,) = _found(names, PG_SCHEMA, bad, framework, "postgres")
    assert f"trigger `{names['trigger']}`" in finding.message and f"`{names['stamp']}`" in finding.message
    assert f"DISABLE TRIGGER {names['trigger']}" in finding.fix
    assert finding.severity.value == "warning"
    # assigning the column to itself does not stop a trigger
    itself = "UPDATE {table} SET {col} = 'basic', {stamp} = {stamp} WHERE {col} IS NULL;"
    assert _found(names, PG_SCHEMA, itself, framework, "postgres")
    disabled = (
        "ALTER TABLE {table} DISABLE TRIGGER {trigger};\n"
        + bad
        + "\nALTER TABLE {table} ENABLE TRIGGER {trigger};"
    )
    assert not _found(names, PG_SCHEMA, disabled, framework, "postgres")
    replica = "SET session_replication_role = replica;\n" + bad
    assert not _found(names, PG_SCHEMA, replica, framework, "postgres")
    own_time = "UPDATE {table} SET {col} = 'basic', {stamp} = '2020-01-01' WHERE {col} IS NULL;"
    assert not _found(names, PG_SCHEMA, own_time, framework, "postgres")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_backfill_of_a_mysql_on_update_column(names: dict[str, str], framework: Any) -> None:
    bad = "UPDATE {table} SET {col} = 'basic' WHERE {col} IS NULL;"
    (finding,) = _found(names, MYSQL_SCHEMA, bad, framework, "mysql")
    assert "ON UPDATE CURRENT_TIMESTAMP" in finding.message
    assert f"{names['stamp']} = {names['stamp']}" in finding.fix
    good = "UPDATE {table} SET {col} = 'basic', {stamp} = {stamp} WHERE {col} IS NULL;"
    assert not _found(names, MYSQL_SCHEMA, good, framework, "mysql")


@pytest.mark.parametrize("names", NAMES)
def test_quiet_without_an_automatic_bump(names: dict[str, str]) -> None:
    bad = "UPDATE {table} SET {col} = 'basic' WHERE {col} IS NULL;"
    plain = "CREATE TABLE {table} (id bigint PRIMARY KEY, {col} text, {stamp} timestamptz);\n"
    assert not _found(names, plain, bad, _sql, "postgres")
    after = PG_SCHEMA.replace("BEFORE UPDATE", "AFTER UPDATE")
    assert not _found(names, after, bad, _sql, "postgres")
    inserts_only = PG_SCHEMA.replace("BEFORE UPDATE", "BEFORE INSERT")
    assert not _found(names, inserts_only, bad, _sql, "postgres")
    mysql_plain = MYSQL_SCHEMA.replace(" ON UPDATE CURRENT_TIMESTAMP", "")
    assert not _found(names, mysql_plain, bad, _sql, "mysql")
    one_row = "UPDATE {table} SET {col} = 'basic' WHERE id = 7;"
    assert not _found(names, MYSQL_SCHEMA, one_row, _sql, "mysql")


@pytest.mark.parametrize("names", NAMES)
def test_a_table_created_in_the_same_change_is_quiet(names: dict[str, str]) -> None:
    sql = PG_SCHEMA + "UPDATE {table} SET {col} = 'basic';"
    assert not _found(names, "", sql, _sql, "postgres")
    assert not _found(names, "", MYSQL_SCHEMA + "UPDATE {table} SET {col} = 'basic';", _sql, "mysql")


@pytest.mark.parametrize(("table", "column"), [("posts", "updated_at"), ("Listing", "updatedAt")])
def test_moddatetime_and_quoted_columns(table: str, column: str) -> None:
    schema = (
        f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, state text, "{column}" timestamptz);\n'
        "CREATE EXTENSION IF NOT EXISTS moddatetime;\n"
        f'CREATE TRIGGER mdt BEFORE UPDATE ON "{table}" FOR EACH ROW EXECUTE PROCEDURE moddatetime("{column}");\n'
    )
    sql = f"UPDATE \"{table}\" SET state = 'open' WHERE state IS NULL;"
    result = review_sql(sql, base={"db/structure.sql": schema})
    (finding,) = [f for f in result.active if f.rule == RULE]
    assert f"`{column}`" in finding.message


def test_a_mysql_trigger_says_to_drop_it_not_disable_it() -> None:
    schema = (
        "CREATE TABLE orders (id bigint PRIMARY KEY, state varchar(20), changed datetime);\n"
        "CREATE TRIGGER orders_changed BEFORE UPDATE ON orders FOR EACH ROW SET NEW.changed = NOW();\n"
    )
    sql = "UPDATE orders SET state = 'open', changed = changed WHERE state IS NULL;"
    result = review_sql(sql, dialect="mysql", base={"db/structure.sql": schema})
    (finding,) = [f for f in result.active if f.rule == RULE]
    assert "drop `orders_changed`" in finding.fix


RAILS_LOOP = (
    "class Backfill{Name} < ActiveRecord::Migration[7.1]\n  def up\n    {Model}.where({col}: nil).find_each do |row|\n"
    "      row.{write}\n    end\n  end\n\n  def down\n  end\nend\n"
)


@pytest.mark.parametrize(
    ("table", "model", "col"), [("accounts", "Account", "tier"), ("shipments", "Shipment", "carrier")]
)
def test_rails_saving_each_record_sets_updated_at(table: str, model: str, col: str) -> None:
    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {col} varchar, updated_at timestamp);\n"
    }
    path = f"db/migrate/20260101000000_backfill_{table}.rb"

    def found(write: str) -> list[Any]:
        text = RAILS_LOOP.format(Name=model, Model=model, col=col, write=write)
        return [f for f in review_sql(text, path=path, base=base).active if f.rule == RULE]

    (finding,) = found(f'update!({col}: "basic")')
    assert "Active Record" in finding.message and "update_all" in finding.fix
    assert not found(f'update_columns({col}: "basic")')
    update_all = (
        f"class Backfill{model} < ActiveRecord::Migration[7.1]\n  def up\n"
        f'    {model}.where({col}: nil).in_batches.update_all({col}: "basic")\n  end\n\n  def down\n  end\nend\n'
    )
    assert not [f for f in review_sql(update_all, path=path, base=base).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("table", "model", "col"), [("accounts", "Account", "tier"), ("shipments", "Shipment", "carrier")]
)
def test_rails_save_with_touch_false_leaves_updated_at_alone(table: str, model: str, col: str) -> None:
    # `save!(touch: false)` saves through the callbacks but does not set updated_at
    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {col} varchar, updated_at timestamp);\n"
    }
    path = f"db/migrate/20260101000000_backfill_{table}.rb"

    def found(write: str) -> list[Any]:
        text = RAILS_LOOP.format(Name=model, Model=model, col=col, write=write)
        return [f for f in review_sql(text, path=path, base=base).active if f.rule == RULE]

    assert not found("save!(validate: false, touch: false)")
    assert not found("save(touch: false)")
    batches = (
        f"class Backfill{model} < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {model}.where({col}: nil).find_in_batches do |group|\n      group.each do |row|\n"
        "        row.save!({touch})\n      end\n    end\n  end\n\n  def down\n  end\nend\n"
    )
    quiet = review_sql(batches.format(touch="touch: false"), path=path, base=base).active
    assert not [f for f in quiet if f.rule == RULE]
    (finding,) = [
        f
        for f in review_sql(batches.format(touch="validate: false"), path=path, base=base).active
        if f.rule == RULE
    ]
    assert "Active Record" in finding.message
    (finding,) = found("save!(touch: true)")  # the default, said out loud
    assert "Active Record" in finding.message


@pytest.mark.parametrize(("model", "field"), [("Account", "tier"), ("Shipment", "carrier")])
def test_django_save_sets_auto_now_fields(model: str, field: str) -> None:
    fields = {
        field: "models.CharField(max_length=20, null=True)",
        "changed": "models.DateTimeField(auto_now=True)",
    }
    saves = (
        f"for row in {model}.objects.filter({field}__isnull=True):\n"
        f'        row.{field} = "basic"\n        row.save()'
    )
    (finding,) = [
        f for f in review_migration(model, fields, data_migration(model, saves)).active if f.rule == RULE
    ]
    assert "auto_now" in finding.message and ".update(" in finding.fix
    bulk = f'{model}.objects.filter({field}__isnull=True).update({field}="basic")'
    assert not [
        f for f in review_migration(model, fields, data_migration(model, bulk)).active if f.rule == RULE
    ]
    named = saves.replace("row.save()", f'row.save(update_fields=["{field}"])')
    assert not [
        f for f in review_migration(model, fields, data_migration(model, named)).active if f.rule == RULE
    ]
    plain = {**fields, "changed": "models.DateTimeField(null=True)"}
    assert not [
        f for f in review_migration(model, plain, data_migration(model, saves)).active if f.rule == RULE
    ]


@pytest.mark.parametrize(
    ("table", "flag", "stamp", "other"),
    [("users", "muted", "mutedAt", "bio"), ("orders", "paid", "paid_at", "note")],
)
def test_a_trigger_that_bumps_only_for_some_columns(table: str, flag: str, stamp: str, other: str) -> None:
    function = (
        f"CREATE FUNCTION set_{flag}() RETURNS trigger AS $$\nBEGIN\n  IF NEW.{flag} THEN\n"
        f'    NEW."{stamp}" := now();\n  ELSIF NOT NEW.{flag} THEN\n    NEW."{stamp}" := NULL;\n  END IF;\n'
        "  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
    )
    table_sql = f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, {flag} boolean, {other} text, "{stamp}" timestamp);\n'
    triggers = {
        "body": f'CREATE TRIGGER t_{flag} BEFORE UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION set_{flag}();\n',
        "update of": f'CREATE TRIGGER t_{flag} BEFORE UPDATE OF {flag} ON "{table}" FOR EACH ROW EXECUTE FUNCTION touch();\n',
        "when": f'CREATE TRIGGER t_{flag} BEFORE UPDATE ON "{table}" FOR EACH ROW WHEN (OLD.{flag} IS DISTINCT FROM NEW.{flag}) EXECUTE FUNCTION touch();\n',
    }
    touch = f'CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW."{stamp}" = now(); RETURN NEW; END; $$ LANGUAGE plpgsql;\n'
    for kind, trigger in triggers.items():
        base = {"db/structure.sql": table_sql + function + touch + trigger}
        other_column = review_sql(f"UPDATE \"{table}\" SET {other} = '' WHERE {other} IS NULL;", base=base)
        assert not [f for f in other_column.active if f.rule == RULE], kind
        the_flag = review_sql(f'UPDATE "{table}" SET {flag} = true WHERE {flag} IS NULL;', base=base)
        (finding,) = [f for f in the_flag.active if f.rule == RULE]
        assert f"when `{flag}` change" in finding.message, kind


def test_a_trigger_that_keeps_a_time_the_update_sets_still_bumps_one_set_to_itself() -> None:
    # Diesel's standard trigger: bumps unless the UPDATE changed the column
    schema = (
        "CREATE TABLE posts (id serial PRIMARY KEY, title text, updated_at timestamp);\n"
        "CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$\nBEGIN\n"
        "    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN\n"
        "        NEW.updated_at := current_timestamp;\n    END IF;\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER set_updated_at BEFORE UPDATE ON posts FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at();\n"
    )
    base = {"db/structure.sql": schema}
    for sql in (
        "UPDATE posts SET title = trim(title);",
        "UPDATE posts SET title = trim(title), updated_at = updated_at;",
    ):
        assert [f for f in review_sql(sql, base=base).active if f.rule == RULE]


@pytest.mark.parametrize(
    ("table", "model", "stamp"), [("settings", "Setting", "updated_on"), ("boards", "Board", "updated_at")]
)
def test_rails_filling_a_timestamp_the_change_adds_and_one_fetched_record_are_quiet(
    table: str, model: str, stamp: str
) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, name varchar, value text);\n"}
    fills = (
        f"class Add{model}Stamp < ActiveRecord::Migration[4.2]\n  def up\n    add_column :{table}, :{stamp}, :timestamp\n"
        f"    {model}.all.each(&:save)\n  end\n\n  def down\n    remove_column :{table}, :{stamp}\n  end\nend\n"
    )
    path = f"db/migrate/20260101000000_add_{table}_stamp.rb"
    assert not [f for f in review_sql(fills, path=path, base=base).active if f.rule == RULE]
    with_stamp = {
        "db/structure.sql": base["db/structure.sql"].replace("value text", f"value text, {stamp} timestamp")
    }
    one = (
        f"class Fix{model} < ActiveRecord::Migration[7.2]\n  def up\n"
        f"    {model}.find_by(name: 'text_formatting', value: 'markdown')&.update(value: 'common_mark')\n"
        "  end\n\n  def down\n  end\nend\n"
    )
    assert not [f for f in review_sql(one, path=path, base=with_stamp).active if f.rule == RULE]
    every = one.replace(
        ".find_by(name: 'text_formatting', value: 'markdown')&.update",
        ".where(value: 'markdown').find_each { |r| r.update!(value: 'common_mark') }\n    #",
    )
    assert [f for f in review_sql(every, path=path, base=with_stamp).active if f.rule == RULE]
