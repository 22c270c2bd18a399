"""A column's default changed from one constant to another, as SQL and as the ORMs write it: found; the same
default restated, a default where there was none, and a column the change adds are not."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("orders", "state", "'open'", "'pending'"), ("accounts", "plan_id", "1", "2")]


def _changed(result: Review) -> list[str]:
    return [f.message for f in result.active if f.rule == "default-changed"]


def _sql(table: str, column: str, was: str | None, now: str, *, added: bool = False) -> Review:
    default = f" DEFAULT {was}" if was is not None else ""
    kind = "text" if was is None or was.startswith("'") else "int"
    before = f"CREATE TABLE {table} (id bigint PRIMARY KEY{'' if added else f', {column} {kind} NOT NULL{default}'});\n"
    add = f"ALTER TABLE {table} ADD COLUMN {column} {kind}{default};\n" if added else ""
    return review_sql(
        f"{before}-- migration\n{add}ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {now};"
    )


@pytest.mark.parametrize(("table", "column", "was", "now"), NAMES)
def test_a_default_changed_to_another_constant_is_found(table: str, column: str, was: str, now: str) -> None:
    [message] = _changed(_sql(table, column, was, now))
    assert f"The default of `{table}.{column}` changes from {was} to {now}" in message


@pytest.mark.parametrize(("table", "column", "was", "now"), NAMES)
def test_the_same_default_a_new_default_or_a_new_column_is_not(
    table: str, column: str, was: str, now: str
) -> None:
    assert _changed(_sql(table, column, was, was)) == []
    assert _changed(_sql(table, column, None, now)) == []
    assert _changed(_sql(table, column, was, now, added=True)) == []
    assert _changed(_sql(table, column, was, f"{now}::text" if now.startswith("'") else f"({now})")) != []


@pytest.mark.parametrize(("table", "column", "was", "now"), NAMES)
def test_as_knex_and_alembic_write_it(table: str, column: str, was: str, now: str) -> None:
    kind = "string" if was.startswith("'") else "integer"
    before = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {'text' if kind == 'string' else 'int'} NOT NULL DEFAULT {was});\n-- migration\n"
    js = now.replace("'", "'")
    knex = (
        "exports.up = async function (knex) {\n"
        f"  await knex.schema.alterTable('{table}', (t) => {{\n    t.{kind}('{column}').notNullable().defaultTo({js}).alter();\n  }});\n}};\n"
        "exports.down = async function (knex) {};\n"
    )
    assert len(_changed(review_sql(before + knex, path="migrations/20240601000000_default.js"))) == 1
    same = knex.replace(f"defaultTo({js})", f"defaultTo({was})")
    assert _changed(review_sql(before + same, path="migrations/20240601000000_default.js")) == []
    python_default = now.strip("'") if now.startswith("'") else now
    alembic = (
        '"""b2"""\nfrom alembic import op\n\nrevision = "b2"\ndown_revision = None\n\n\ndef upgrade():\n'
        f'    op.alter_column("{table}", "{column}", server_default="{python_default}")\n\n\ndef downgrade():\n    pass\n'
    )
    assert (
        len(
            _changed(
                review_sql(
                    before + alembic,
                    path="migrations/versions/b2_default.py",
                    base={"alembic.ini": "[alembic]\n"},
                )
            )
        )
        == 1
    )


def test_django_sends_every_field() -> None:
    before = (
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, state text NOT NULL DEFAULT 'open');\n-- migration\n"
    )
    migration = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = []\n    operations = [\n"
        "        migrations.RunSQL(\"ALTER TABLE shop_order ALTER COLUMN state SET DEFAULT 'pending'\", migrations.RunSQL.noop),\n"
        "    ]\n"
    )
    assert _changed(review_sql(before + migration, path="shop/migrations/0002_default.py")) == []
