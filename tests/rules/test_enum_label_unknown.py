"""A PostgreSQL enum column compared with a label its type lacks: the statement fails on every database. Each
framework's own way of writing the condition, several type and label names; a label the type has (also one
an earlier migration added) is no finding, and MySQL's `ENUM` columns are another rule's."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {
        "table": "orders",
        "model": "Order",
        "type": "order_status",
        "column": "status",
        "good": "cancelled",
        "bad": "canceled",
    },
    {
        "table": "tickets",
        "model": "Ticket",
        "type": "ticket_stage",
        "column": "stage",
        "good": "in_review",
        "bad": "in-review",
    },
]
SCHEMA = """CREATE TYPE {type} AS ENUM ('open', '{good}', 'closed');
CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type}, archived boolean);
"""


def _sql(n: dict[str, str], label: str, form: str) -> str:
    where = {
        "eq": f"{n['column']} = '{label}'",
        "neq": f"{n['column']} <> '{label}'",
        "in": f"{n['column']} IN ('open', '{label}')",
        "not-in": f"{n['column']} NOT IN ('{label}')",
    }[form]
    return f"UPDATE {n['table']} SET archived = true WHERE {where} AND id >= 1 AND id < 1000;"


def _native(framework: str, n: dict[str, str], label: str) -> tuple[str, str]:
    if framework == "rails":
        return "db/migrate/20260101000000_archive.rb", (
            f"class Archive < ActiveRecord::Migration[7.1]\n  class {n['model']} < ActiveRecord::Base\n"
            f"    self.table_name = '{n['table']}'\n  end\n\n  def up\n"
            f"    {n['model']}.where({n['column']}: '{label}', id: 1...1000).update_all(archived: true)\n"
            "  end\n\n  def down\n  end\nend\n"
        )
    if framework == "knex":
        return "migrations/20260101000000_archive.js", (
            f"exports.up = async function (knex) {{\n  await knex('{n['table']}').where('{n['column']}', '{label}')"
            ".andWhere('id', '<', 1000).update({ archived: true });\n};\n\nexports.down = async function () {};\n"
        )
    if framework == "laravel":
        return "database/migrations/2026_01_01_000000_archive.php", (
            "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\n"
            "return new class extends Migration\n{\n    public function up(): void\n    {\n"
            f"        DB::table('{n['table']}')->where('{n['column']}', '{label}')->where('id', '<', 1000)"
            "->update(['archived' => true]);\n    }\n\n    public function down(): void\n    {\n    }\n};\n"
        )
    return (
        "db/migrations/002_archive.sql",
        f"-- +goose Up\n{_sql(n, label, 'eq')}\n-- +goose Down\nSELECT 1;\n",
    )


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "enum-label-unknown"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("form", ["eq", "neq", "in", "not-in"])
def test_a_label_the_type_lacks(names: dict[str, str], form: str) -> None:
    base = {"db/structure.sql": SCHEMA.format(**names)}
    bad = _found(review_sql(_sql(names, names["bad"], form), base=base))
    assert len(bad) == 1 and bad[0].severity == "critical", bad
    assert (
        f"`'{names['bad']}'` (meant `'{names['good']}'`?)" in bad[0].message
        and names["type"] in bad[0].message
    )
    assert not _found(review_sql(_sql(names, names["good"], form), base=base))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", ["rails", "knex", "laravel", "goose"])
def test_written_as_each_framework_writes_it(names: dict[str, str], framework: str) -> None:
    base = {"db/structure.sql": SCHEMA.format(**names)}
    path, text = _native(framework, names, names["bad"])
    assert len(_found(review_sql(text, path=path, base=base))) == 1, framework
    path, text = _native(framework, names, names["good"])
    assert not _found(review_sql(text, path=path, base=base)), framework


@pytest.mark.parametrize("names", NAMES)
def test_a_label_an_earlier_migration_added(names: dict[str, str]) -> None:
    base = {
        "db/migrations/000_schema.sql": SCHEMA.format(**names),
        "db/migrations/001_label.sql": f"ALTER TYPE {names['type']} ADD VALUE '{names['bad']}';\n",
    }
    text = _sql(names, names["bad"], "eq")
    assert not _found(review_sql(text, path="db/migrations/002_archive.sql", base=base))
    base["db/migrations/001_label.sql"] = f"ALTER TYPE {names['type']} ADD VALUE 'other';\n"
    assert _found(review_sql(text, path="db/migrations/002_archive.sql", base=base))


@pytest.mark.parametrize("names", NAMES)
def test_mysql_enum_columns_are_not_this_rule(names: dict[str, str]) -> None:
    schema = f"CREATE TABLE {names['table']} (id bigint PRIMARY KEY, {names['column']} ENUM('open', '{names['good']}'), archived boolean);\n"
    result = review_sql(_sql(names, names["bad"], "eq"), dialect="mysql", base={"db/structure.sql": schema})
    assert not _found(result)
    assert [f for f in result.active if f.rule == "where-matches-no-rows"]
