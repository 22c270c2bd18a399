"""No input crashes the review: generated and mangled migrations of every kind go through `review()` and
the `lint` command, which must answer with a verdict (and render it in every format), never a traceback.

The examples are derandomized (the same on every run and in CI) and bounded, so the suite stays fast;
each crash they found is fixed and kept as a regression test beside the rule or framework it concerns.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.render import formats
from bot.render.terminal import render_text
from bot.review import review

BOUNDED = settings(
    max_examples=60,
    deadline=None,  # one review parses, checks and plans: its time varies with the machine's load
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DIALECTS = ("postgres", "mysql", "mariadb", "sqlite")

# --- SQL ------------------------------------------------------------------------------------------------

NAMES = st.sampled_from(
    ["users", "orders", "a", "b", "public.orders", '"Order"', "`order`", "[t]", "", "ü", "x.y.z", "1x"]
)
COLUMNS = st.sampled_from(["id", "email", "state", "status", "legacy_status", '"Note"', "`c`", "", "*"])
TYPES = st.sampled_from(["bigint", "text", "varchar(10)", "integer", "boolean", "jsonb", "enum('a','b')", ""])
VALUES = st.sampled_from(["1", "'paid'", "NULL", "''", "now()", "'a''b'", "0x1F", "$$x$$", "-1", "E'\\n'"])


@st.composite
def statement(draw: st.DrawFn) -> str:
    t, c, c2, kind, value = draw(NAMES), draw(COLUMNS), draw(COLUMNS), draw(TYPES), draw(VALUES)
    templates = [
        f"ALTER TABLE {t} ADD COLUMN {c} {kind} NOT NULL DEFAULT {value}",
        f"ALTER TABLE {t} DROP COLUMN {c}",
        f"ALTER TABLE IF EXISTS {t} RENAME COLUMN {c} TO {c2}",
        f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {kind} USING {c}::{kind}",
        f"ALTER TABLE {t} MODIFY COLUMN {c} {kind}",
        f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL",
        f"CREATE TABLE {t} ({c} {kind} PRIMARY KEY, {c2} {kind} REFERENCES {t}({c}))",
        f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {t}_idx ON {t} ({c}, {c2})",
        f"DROP INDEX {t}_idx",
        f"DROP TABLE IF EXISTS {t} CASCADE",
        f"RENAME TABLE IF EXISTS {t} TO {c}",
        f"RENAME TABLE {t} TO {c}, {c2} TO {t}",
        f"UPDATE {t} SET {c} = CASE {c2} WHEN {value} THEN 1 WHEN {value} THEN 2 END WHERE {c} IS NULL",
        f"UPDATE {t} SET {c} = {value}",
        f"DELETE FROM {t} WHERE {c} = {value}",
        f"INSERT INTO {t} ({c}) VALUES ({value})",
        f"TRUNCATE {t}",
        f"SET lock_timeout = {value}",
        f"ALTER TYPE {t} RENAME VALUE {value} TO {value}",
        f"ALTER TABLE {t} ADD CONSTRAINT {c}_fk FOREIGN KEY ({c}) REFERENCES {t} ({c2}) NOT VALID",
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {c}_fk",
        f"CREATE VIEW {t} AS SELECT {c} FROM {t}",
        "BEGIN",
        "COMMIT",
        "PRAGMA foreign_keys = OFF",
        f"CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN UPDATE {t} SET {c} = 1; END $$ LANGUAGE plpgsql",
    ]
    return draw(st.sampled_from(templates))


@st.composite
def mangled(draw: st.DrawFn, source: st.SearchStrategy[str]) -> str:
    """A text, sometimes cut short, with characters inserted or a slice removed."""
    text = draw(source)
    for _ in range(draw(st.integers(0, 3))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "keep"]))
        if action == "cut":
            text = text[:at]
        elif action == "insert":
            noise = draw(st.text(alphabet=st.sampled_from(list("()'\"`;$-/*\n\\{}[]#:,.=\x00é")), max_size=4))
            text = text[:at] + noise + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
    return text


SQL_FILES = st.lists(statement(), min_size=1, max_size=5).map(lambda s: ";\n".join(s) + ";\n")
SQL_PATHS = st.sampled_from(
    [
        "db/migrations/000002_change.up.sql",
        "db/migrations/V2__change.sql",
        "prisma/migrations/20260101000000_change/migration.sql",
        "migrations/2026-01-01-000000_change/up.sql",
        "deploy/change.sql",
        "migrations/002_change.sql",
    ]
)


def _wrapped(path: str, text: str, framework: str) -> str:
    if framework == "goose":
        return f"-- +goose Up\n{text}\n-- +goose Down\n{text}"
    if framework == "dbmate":
        return f"-- migrate:up\n{text}\n-- migrate:down\n"
    return text


# --- Ruby (Rails) and Python (Django, Alembic) ------------------------------------------------------------

SYMBOLS = st.sampled_from([":users", ":orders", ":email", ":state", '"legacy"', ":id", "nil", "", ":a"])
RUBY_TYPES = st.sampled_from([":string", ":integer", ":bigint", ":text", ":boolean", "type: :jsonb", ""])


@st.composite
def ruby_line(draw: st.DrawFn) -> str:
    t, c, kind, sql = draw(SYMBOLS), draw(SYMBOLS), draw(RUBY_TYPES), draw(statement())
    return draw(
        st.sampled_from(
            [
                f"add_column {t}, {c}, {kind}, null: false, default: 0",
                f"remove_column {t}, {c}, {kind}",
                f"rename_column {t}, {c}, :other",
                f"rename_table {t}, :renamed",
                f"add_index {t}, [{c}], unique: true, algorithm: :concurrently",
                f"change_column_null {t}, {c}, false",
                f"change_column {t}, {c}, {kind}",
                f"add_reference {t}, {c}, foreign_key: true",
                f"drop_table {t} do |t|\n      t.string {c}\n    end",
                f'execute "{sql}"',
                f"execute <<~SQL\n      {sql}\n    SQL",
                f"Order.where({c}: nil).update_all({c}: 1)",
                "revert AddEmailToUsers",
                f"revert do\n      add_column {t}, {c}, {kind}\n    end",
                f"reversible do |dir|\n      dir.up {{ execute '{sql}' }}\n    end",
                f"create_table {t} do |t|\n      t.references {c}\n      t.timestamps\n    end",
            ]
        )
    )


@st.composite
def rails_file(draw: st.DrawFn) -> str:
    lines = "\n    ".join(draw(st.lists(ruby_line(), min_size=1, max_size=4)))
    method = draw(st.sampled_from(["change", "up"]))
    down = "\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end" if method == "up" else ""
    return f"class Change < ActiveRecord::Migration[7.1]\n  def {method}\n    {lines}\n  end{down}\nend\n"


PY_NAMES = st.sampled_from(["'order'", "'user'", "'Order'", "''", "name", "'a.b'"])


@st.composite
def django_operation(draw: st.DrawFn) -> str:
    m, f, sql = draw(PY_NAMES), draw(PY_NAMES), draw(statement()).replace("'", "\\'")
    return draw(
        st.sampled_from(
            [
                f"migrations.AddField({m}, {f}, models.CharField(max_length=10, default='x'))",
                f"migrations.RemoveField(model_name={m}, name={f})",
                f"migrations.RenameField({m}, {f}, 'other')",
                f"migrations.AlterField({m}, {f}, models.IntegerField(null=False))",
                f"migrations.DeleteModel(name={m})",
                f"migrations.RenameModel({m}, 'Other')",
                f"migrations.CreateModel(name={m}, fields=[('id', models.AutoField(primary_key=True))])",
                f"migrations.AddIndex({m}, models.Index(fields=[{f}], name='idx'))",
                f"migrations.RunSQL('{sql}')",
                f"migrations.RunSQL(['{sql}'], reverse_sql=migrations.RunSQL.noop)",
                "migrations.RunPython(forward)",
                "migrations.RunPython(forward, migrations.RunPython.noop)",
                "migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[])",
            ]
        )
    )


@st.composite
def django_file(draw: st.DrawFn) -> str:
    ops = ",\n        ".join(draw(st.lists(django_operation(), min_size=1, max_size=4)))
    replaces = draw(st.sampled_from(["", "    replaces = [('shop', '0001_initial'), ('shop', '0002_x')]\n"]))
    return (
        "from django.db import migrations, models\n\n\n"
        "def forward(apps, schema_editor):\n"
        "    Order = apps.get_model('shop', 'Order')\n"
        "    Order.objects.filter(state=None).update(state='paid')\n\n\n"
        f"class Migration(migrations.Migration):\n{replaces}"
        "    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [\n        {ops},\n    ]\n"
    )


@st.composite
def alembic_call(draw: st.DrawFn) -> str:
    t, c, sql = draw(PY_NAMES), draw(PY_NAMES), draw(statement()).replace('"', '\\"')
    return draw(
        st.sampled_from(
            [
                f"op.add_column({t}, sa.Column({c}, sa.String(), nullable=False))",
                f"op.drop_column({t}, {c})",
                f"op.alter_column({t}, {c}, new_column_name='other', nullable=True)",
                f"op.create_index('idx', {t}, [{c}], postgresql_concurrently=True)",
                f"op.drop_table({t})",
                f"op.rename_table({t}, 'other')",
                f'op.execute("{sql}")',
                f'op.get_bind().execute(sa.text("{sql}"))',
                "with op.get_context().autocommit_block():\n        op.execute('VACUUM')",
                f"with op.batch_alter_table({t}) as batch:\n        batch.drop_column({c})",
                "pass",
            ]
        )
    )


@st.composite
def alembic_file(draw: st.DrawFn) -> str:
    up = "\n    ".join(draw(st.lists(alembic_call(), min_size=1, max_size=4)))
    down = "\n    ".join(draw(st.lists(alembic_call(), min_size=1, max_size=2)))
    parent = draw(st.sampled_from(["'aaa111'", "None", "('aaa111', 'bbb222')"]))
    return (
        '"""change"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = 'ccc333'\ndown_revision = {parent}\n\n\n"
        f"def upgrade():\n    {up}\n\n\ndef downgrade():\n    {down}\n"
    )


CODE_FILES = st.one_of(
    st.tuples(st.just("db/migrate/20260101000000_change.rb"), mangled(rails_file())),
    st.tuples(st.just("shop/migrations/0003_change.py"), mangled(django_file())),
    st.tuples(st.just("alembic/versions/ccc333_change.py"), mangled(alembic_file())),
)

BASE = {
    "db/migrations/000001_schema.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, state text, status text, legacy_status text);\n",
    "app/models/order.rb": "class Order < ApplicationRecord\n  def paid? = status == 'paid'\nend\n",
    "shop/models.py": "class Order(models.Model):\n    state = models.CharField(choices=[('paid', 'Paid')])\n",
}


def _review(path: str, text: str, dialect: str, *, lint: bool = False) -> Review:
    head = {**BASE, path: text}
    changeset = ChangeSet(
        base="b" * 40,
        head="h" * 40,
        files=(ChangedFile(path=path, status="added", base_text=None, head_text=text),),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(BASE),
    )
    return review(changeset, dialect=dialect, lint=lint)


def _assert_a_verdict(result: Review) -> None:
    assert result.approval in ("APPROVED", "BLOCKED")
    json.loads(formats.to_json(result))
    json.loads(formats.to_sarif(result))
    assert "Data Migration Review" in formats.render_comment(result)
    render_text(result, color=False)


@BOUNDED
@given(
    path=SQL_PATHS,
    text=mangled(SQL_FILES),
    dialect=st.sampled_from(DIALECTS),
    framework=st.sampled_from(["", "goose", "dbmate"]),
)
def test_no_sql_migration_crashes_the_review(path: str, text: str, dialect: str, framework: str) -> None:
    _assert_a_verdict(_review(path, _wrapped(path, text, framework), dialect))


@BOUNDED
@given(file=CODE_FILES, dialect=st.sampled_from(DIALECTS))
def test_no_rails_django_or_alembic_migration_crashes_the_review(file: tuple[str, str], dialect: str) -> None:
    path, text = file
    _assert_a_verdict(_review(path, text, dialect))


@BOUNDED
@given(text=st.text(max_size=300), path=st.sampled_from(["V1__x.sql", "x.rb", "0001_x.py", "up.sql"]))
def test_no_text_at_all_crashes_the_review(text: str, path: str) -> None:
    _assert_a_verdict(_review(path, text, "postgres", lint=True))


@settings(BOUNDED, max_examples=25)
@given(
    files=st.lists(
        st.one_of(st.tuples(SQL_PATHS, mangled(SQL_FILES)), CODE_FILES),
        min_size=1,
        max_size=3,
        unique_by=lambda f: f[0],
    ),
    dialect=st.sampled_from(DIALECTS),
)
def test_the_lint_command_answers_with_a_verdict(files: list[tuple[str, str]], dialect: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for path, text in files:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8", errors="surrogatepass")
        report = root / "report.json"
        status = main(["lint", str(root), "--dialect", dialect, "--format", "json", "--output", str(report)])
        assert status in (0, 1)
        assert json.loads(report.read_text())["approval"] in ("APPROVED", "BLOCKED")
