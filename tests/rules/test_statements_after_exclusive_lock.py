from typing import Any

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "statements-after-exclusive-lock"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == RULE]


def test_backfill_after_add_column_in_one_transaction() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;\nCOMMIT;"
    [finding] = _found(sql)
    assert finding.line == 3 and "line 2" in finding.message and finding.severity is Severity.WARNING


def test_index_build_after_lock_in_a_runner_transaction() -> None:
    sql = "-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n"
    assert _found(sql, path="db/migrations/00002_note.sql")


def test_second_table_locked_while_holding_the_first() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;"
    assert _found(sql)


def test_quick_statements_on_the_same_table_are_quiet() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;\nCOMMIT;"
    assert not _found(sql)


def test_commit_releases_the_lock() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nUPDATE orders SET note = '' WHERE id < 10;"
    assert not _found(sql)


def test_plain_file_without_transaction_is_quiet() -> None:
    # Runner transaction semantics: a plain SQL file without BEGIN runs statement by statement.
    assert not _found("ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;")


def test_tables_created_in_the_same_change_are_quiet() -> None:
    sql = (
        "BEGIN;\nCREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN note text;\n"
        "CREATE INDEX orders_note_idx ON orders (note);\nCOMMIT;"
    )
    assert not _found(sql)


def test_mysql_commits_after_each_ddl_statement() -> None:
    sql = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;\nCOMMIT;"
    assert not _found(sql, dialect="mysql")


def test_validate_in_the_same_transaction_as_not_valid_is_explained() -> None:
    sql = (
        "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert "same transaction" in finding.message and "separate migration" in finding.fix


def test_a_rewrite_of_the_same_table_locks_it_anyway() -> None:
    sql = (
        "BEGIN;\nALTER TABLE payments ALTER COLUMN reference TYPE varchar(80);\n"
        "ALTER TABLE payments ALTER COLUMN cents TYPE bigint;\nCOMMIT;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(
    ("parent", "child", "drop", "then"),
    [
        ("users", "sessions", "DROP TABLE sessions;", "CREATE INDEX audit_note_idx ON audit (note);"),
        (
            "accounts",
            "invoices",
            "ALTER TABLE invoices DROP COLUMN parent_id;",
            "ALTER TABLE invoices ADD COLUMN kind text;",
        ),
        (
            "organizations",
            "memberships",
            "ALTER TABLE memberships DROP CONSTRAINT memberships_parent_fk;",
            "ALTER TABLE memberships ADD COLUMN kind text;",
        ),
    ],
)
def test_a_dropped_foreign_key_keeps_the_referenced_table_locked(
    parent: str, child: str, drop: str, then: str
) -> None:
    sql = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, note text);\n"
        f"CREATE TABLE {child} (id bigint, parent_id bigint);\n"
        f"ALTER TABLE {child} ADD CONSTRAINT {child}_parent_fk FOREIGN KEY (parent_id) REFERENCES {parent} (id);\n"
        "CREATE TABLE audit (id bigint, note text);\n"
        f"-- migration\nBEGIN;\n{drop}\n{then}\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert f"`{parent}` is still locked ACCESS EXCLUSIVE by line 2" in finding.message


@pytest.mark.parametrize("table", ["sessions", "old_reports", "imports"])
def test_a_table_dropped_earlier_in_the_transaction_blocks_no_one(table: str) -> None:
    """Queries that wait for the dropped table fail after the commit anyway: its lock is no hazard."""
    sql = (
        f"CREATE TABLE {table} (id bigint, note text);\nCREATE TABLE audit (id bigint, note text);\n"
        f"-- migration\nBEGIN;\nDROP TABLE {table};\nALTER TABLE audit ADD COLUMN kind text;\nCOMMIT;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(("table", "new_name"), [("sessions", "old_sessions"), ("imports", "imports_2024")])
def test_a_table_renamed_earlier_in_the_transaction_blocks_no_one_by_its_old_name(
    table: str, new_name: str
) -> None:
    """Queries that wait for the old name fail after the commit anyway; a migration that takes no table
    away keeps reporting the same lock (the schema each statement sees is then never worked out)."""
    schema = f"CREATE TABLE {table} (id bigint, note text);\nCREATE TABLE audit (id bigint, note text);\n"
    renamed = f"-- migration\nBEGIN;\nALTER TABLE {table} RENAME TO {new_name};\n"
    assert not _found(schema + renamed + "CREATE INDEX audit_note_idx ON audit (note);\nCOMMIT;")
    locked = f"-- migration\nBEGIN;\nALTER TABLE {table} DROP COLUMN note;\n"
    [finding] = _found(schema + locked + "CREATE INDEX audit_note_idx ON audit (note);\nCOMMIT;")
    assert f"`{table}` is still locked ACCESS EXCLUSIVE by line 2" in finding.message


@pytest.mark.parametrize(
    ("first", "second"), [("orders", "users"), ("OrganisationClaim", "SubscriptionClaim")]
)
def test_a_quick_statement_on_a_second_table_is_a_note_and_nothing_under_a_lock_timeout(
    first: str, second: str
) -> None:
    """Two catalog-only ALTERs: the second adds only its own wait for its lock, which a lock_timeout bounds."""
    body = (
        f'ALTER TABLE "{first}" ADD COLUMN note text;\nALTER TABLE "{second}" ADD COLUMN note text;\nCOMMIT;'
    )
    [finding] = _found(f"BEGIN;\n{body}")
    assert finding.severity is Severity.INFO and "its own lock" in finding.blast_radius
    assert not _found(f"BEGIN;\nSET LOCAL lock_timeout = '5s';\n{body}")


@pytest.mark.parametrize(("first", "second"), [("orders", "users"), ("invoices", "payments")])
def test_slow_work_after_the_lock_is_reported_under_a_lock_timeout_too(first: str, second: str) -> None:
    sql = (
        f"BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE {first} ADD COLUMN note text;\n"
        f"CREATE INDEX {second}_note_idx ON {second} (note);\nCOMMIT;"
    )
    [finding] = _found(sql)
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(("first", "second"), [("orders", "users"), ("claims", "plans")])
def test_slow_work_after_a_quick_statement_that_waited_on_the_same_lock_is_still_reported(
    first: str, second: str
) -> None:
    sql = (
        f"BEGIN;\nALTER TABLE {first} ADD COLUMN note text;\nALTER TABLE {second} ADD COLUMN note text;\n"
        f"CREATE INDEX {second}_note_idx ON {second} (note);\nCOMMIT;"
    )
    found = sorted((f.line, f.severity.value) for f in _found(sql))
    assert found == [(3, Severity.INFO.value), (4, Severity.WARNING.value)]


def _alembic(table: str, lines: str) -> tuple[str, dict[str, str]]:
    base = {
        "alembic/versions/0001_a.py": 'revision = "0001"\ndown_revision = None\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\ndef upgrade():\n"
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("total", sa.Integer))\n'
        f'\n\ndef downgrade():\n    op.drop_table("{table}")\n'
    }
    text = (
        'revision = "0002"\ndown_revision = "0001"\nimport os\nimport logging\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\n"
        f'def upgrade():\n    op.create_index("ix_{table}_total", "{table}", ["total"])\n{lines}'
        f'\n\ndef downgrade():\n    op.drop_index("ix_{table}_total", "{table}")\n'
    )
    return text, base


@pytest.mark.parametrize(
    ("table", "lines"),
    [  # plain Python after the lock: values computed in the process, no statement sent to the database
        ("user_logins", '    salt = os.environ.get("WAREHOUSE_IP_SALT")\n    batch_size = 10 * 1000\n'),
        (
            "invoices",
            '    logging.getLogger(__name__).info("indexed")\n    names = [f"p_{i}" for i in range(4)]\n',
        ),
    ],
)
def test_python_that_computes_values_after_an_alembic_lock_is_no_statement(table: str, lines: str) -> None:
    text, base = _alembic(table, lines)
    assert not _found(text, path="alembic/versions/0002_b.py", base=base)


@pytest.mark.parametrize(
    ("table", "lines"),
    [
        (
            "user_logins",
            '    salt = os.environ.get("SALT")\n    op.execute("UPDATE user_logins SET total = 0")\n',
        ),
        (
            "invoices",
            "    count = op.get_bind().execute(sa.text('SELECT count(*) FROM invoices')).scalar()\n",
        ),
    ],
)
def test_database_work_after_an_alembic_lock_is_reported(table: str, lines: str) -> None:
    text, base = _alembic(table, lines)
    [finding] = _found(text, path="alembic/versions/0002_b.py", base=base)
    assert finding.line == (12 if "salt" in lines else 11)


DJANGO_INITIAL = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
    "    dependencies = []\n    operations = [\n        migrations.CreateModel(name='{model}', fields=[('id', "
    "models.AutoField(primary_key=True)), ('total', models.IntegerField())]),\n    ]\n"
)


def _django(app: str, model: str, body: str) -> list[Finding]:
    text = (
        "import logging\nimport os\nfrom django.db import migrations, models\n\n\n"
        f"def forwards(apps, schema_editor):\n{body}\n\n"
        f"class Migration(migrations.Migration):\n    dependencies = [('{app}', '0001_initial')]\n"
        f"    operations = [\n        migrations.AlterField('{model.lower()}', 'total', models.BigIntegerField()),\n"
        "        migrations.RunPython(forwards, migrations.RunPython.noop),\n    ]\n"
    )
    base = {f"{app}/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model)}
    return _found(text, path=f"{app}/migrations/0002_total.py", base=base)


@pytest.mark.parametrize(
    ("app", "model", "body"),
    [
        ("shop", "Order", '    print("Run `manage.py recount` after this deploy")\n'),
        (
            "billing",
            "Invoice",
            '    size = int(os.environ.get("BATCH", "500"))\n    logging.getLogger(__name__).info(size)\n',
        ),
    ],
)
def test_a_run_python_that_only_computes_values_is_no_statement_after_a_lock(
    app: str, model: str, body: str
) -> None:
    assert not _django(app, model, body)


@pytest.mark.parametrize(
    ("app", "model", "body"),
    [
        ("shop", "Order", "    apps.get_model('shop', 'Order').objects.update(total=0)\n"),
        (
            "billing",
            "Invoice",
            "    size = int(os.environ.get('BATCH', '500'))\n    schema_editor.execute('SELECT 1')\n",
        ),
    ],
)
def test_a_run_python_that_reaches_the_database_after_a_lock_is_reported(
    app: str, model: str, body: str
) -> None:
    assert _django(app, model, body)


def _rails(table: str, lines: str) -> list[Finding]:
    base = {
        "db/migrate/20240101000000_create.rb": "class CreateAll < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :status\n    end\n  end\nend\n"
    }
    text = (
        f"class IndexStatus < ActiveRecord::Migration[7.1]\n  def up\n    add_index :{table}, :status\n{lines}"
        f"  end\n\n  def down\n    remove_index :{table}, :status\n  end\nend\n"
    )
    return _found(text, path="db/migrate/20240201000000_index_status.rb", base=base)


@pytest.mark.parametrize(
    ("table", "lines"),
    [
        ("orders", '    size = ENV.fetch("BATCH", "1000").to_i\n    say "indexed #{size}"\n'),
        ("tickets", '    Rails.logger.info("indexed")\n    limit = Integer(ENV["LIMIT"] || 50) * 2\n'),
    ],
)
def test_ruby_that_computes_values_after_a_rails_lock_is_no_statement(table: str, lines: str) -> None:
    assert not _rails(table, lines)


@pytest.mark.parametrize(
    ("table", "lines"),
    [
        (
            "orders",
            '    size = ENV.fetch("BATCH", "1000").to_i\n    execute "UPDATE orders SET status = \'a\'"\n',
        ),
        ("tickets", '    total = select_value("SELECT count(*) FROM tickets")\n    say "#{total} rows"\n'),
    ],
)
def test_ruby_that_reaches_the_database_after_a_rails_lock_is_reported(table: str, lines: str) -> None:
    assert _rails(table, lines)


@pytest.mark.parametrize(
    ("locked", "table", "index"),
    [("oauth_clients", "oauth_tokens", "oauth_tokens_code_idx"), ("customers", "orders", "orders_state_idx")],
)
def test_a_guarded_statement_is_named_by_its_object_not_its_guard(
    locked: str, table: str, index: str
) -> None:
    sql = (
        f"CREATE TABLE {locked} (id bigint PRIMARY KEY, name text);\n"
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, code text);\n-- migration\n"
        f"ALTER TABLE {locked} ALTER COLUMN name SET NOT NULL;\n"
        f"CREATE INDEX IF NOT EXISTS {index} ON {table} (code);\n"
    )
    path = "prisma/migrations/20240101000000_index/migration.sql"  # Prisma: one transaction
    [finding] = [f for f in review_sql(sql, path=path).active if f.rule == RULE and f.line == 2]
    assert f"`CREATE INDEX {index} ON …` runs while `{locked}`" in finding.message, finding.message
