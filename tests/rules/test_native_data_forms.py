"""The data rules on each framework's own way of writing a data change, not SQL pasted into it: Rails
`update_all` on a model class of the migration, Django `RunPython` querysets with `F`/`Case`/`Value`, Alembic
`sa.table(...).update()`, Laravel's query builder, Knex, Sequelize `bulkUpdate`, TypeORM's query builder, Ecto
`update_all` with a query's `update:`, Liquibase `<update>`; goose, Flyway and Prisma write SQL. Each
capability has a bad and a good variant in every framework, with several table and column names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

SCHEMA = """CREATE TABLE {table} (id bigint PRIMARY KEY, {on} boolean, {off} boolean,
  {status} varchar(20) CHECK ({status} IN ('open', 'closed', 'paid')), price numeric, qty integer,
  total numeric, {code} varchar(40));
CREATE TABLE {child} (id bigint PRIMARY KEY, {table}_id bigint REFERENCES {table} (id) ON DELETE CASCADE);
"""
NAMES = [
    {
        "table": "users",
        "model": "User",
        "on": "is_visible",
        "off": "is_hidden",
        "status": "state",
        "child": "sessions",
        "code": "zip",
    },
    {
        "table": "posts",
        "model": "Post",
        "on": "is_enabled",
        "off": "is_disabled",
        "status": "stage",
        "child": "comments",
        "code": "sku",
    },
]


@dataclass(frozen=True)
class Value:
    """What a data change writes into a column: a literal, another column, or another column negated,
    or the product of two columns (`price * qty`)."""

    kind: str  # "literal" | "column" | "not" | "product" | "product-filled"
    text: str = ""
    other: str = ""


@dataclass(frozen=True)
class Change:
    """One data change: an update of `column` to `value`, or a delete; over a key range or over the rows
    where a column is NULL."""

    table: str
    column: str = ""
    value: Value | None = None
    delete: bool = False
    null_only: str = ""  # the change applies to the rows where this column is NULL, else to ids 1..999
    other_than: str = ""  # the change applies to the rows whose `column` is not this value


Writer = Callable[[dict[str, str], Change, Change | None], tuple[str, str]]


def _sql_value(value: Value) -> str:
    if value.kind == "literal":
        return f"'{value.text}'"
    if value.kind == "column":
        return value.text
    if value.kind == "not":
        return f"NOT {value.text}"
    if value.kind == "product":
        return f"{value.text} * {value.other}"
    return f"coalesce({value.text}, 0) * coalesce({value.other}, 0)"


def _sql_where(change: Change) -> str:
    if change.other_than:
        return f"{change.column} <> '{change.other_than}'"
    return f"{change.null_only} IS NULL" if change.null_only else "id >= 1 AND id < 1000"


def _sql(change: Change) -> str:
    if change.delete:
        return f"DELETE FROM {change.table} WHERE {_sql_where(change)};"
    assert change.value is not None
    return (
        f"UPDATE {change.table} SET {change.column} = {_sql_value(change.value)} WHERE {_sql_where(change)};"
    )


# --- Rails: a model class of the migration, `update_all` with a hash for a literal, a string for SQL


def _rails(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    model = names["model"]

    def statement(change: Change) -> str:
        scope = f"where({change.null_only}: nil)" if change.null_only else "where(id: 1...1000)"
        scope = f"where.not({change.column}: '{change.other_than}')" if change.other_than else scope
        if change.delete:
            return f"{model}.{scope}.delete_all"
        assert change.value is not None
        if change.value.kind == "literal":
            return f"{model}.{scope}.update_all({change.column}: '{change.value.text}')"
        return f'{model}.{scope}.update_all("{change.column} = {_sql_value(change.value)}")'

    back = f"    {statement(down)}\n" if down is not None else ""
    text = (
        "class ChangeData < ActiveRecord::Migration[7.1]\n"
        f"  class {model} < ActiveRecord::Base\n    self.table_name = '{up.table}'\n  end\n\n"
        f"  def up\n    {statement(up)}\n  end\n\n  def down\n{back}  end\nend\n"
    )
    return "db/migrate/20260101000000_change_data.rb", text


# --- Django: RunPython over the historical model, `F`, `Case`/`When`/`Value`


def _django_value(value: Value) -> str:
    if value.kind == "literal":
        return f"Value('{value.text}')"
    if value.kind == "column":
        return f"F('{value.text}')"
    if value.kind == "not":
        return f"Case(When({value.text}=True, then=Value(False)), default=Value(True))"
    if value.kind == "product":
        return f"F('{value.text}') * F('{value.other}')"
    return f"Coalesce(F('{value.text}'), 0) * Coalesce(F('{value.other}'), 0)"


def _django(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def function(name: str, change: Change) -> str:
        model = "Child" if change.table == names["child"] else names["model"]
        scope = (
            f"exclude({change.column}='{change.other_than}')"
            if change.other_than
            else f"filter({change.null_only}__isnull=True)"
            if change.null_only
            else "filter(id__gte=1, id__lt=1000)"
        )
        if change.delete:
            write = "delete()"
        else:
            assert change.value is not None
            write = f"update({change.column}={_django_value(change.value)})"
        return (
            f"def {name}(apps, schema_editor):\n    {model} = apps.get_model('shop', '{model}')\n"
            f"    {model}.objects.{scope}.{write}\n\n\n"
        )

    reverse = "backwards" if down is not None else "migrations.RunPython.noop"
    text = (
        "from django.db import migrations\nfrom django.db.models import Case, F, Value, When\n"
        "from django.db.models.functions import Coalesce\n\n\n"
        + function("forwards", up)
        + (function("backwards", down) if down is not None else "")
        + "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [migrations.RunPython(forwards, {reverse})]\n"
    )
    return "shop/migrations/0002_change_data.py", text


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name='{model}',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('{on}', models.BooleanField(null=True)),
                ('{off}', models.BooleanField(null=True)),
                ('{status}', models.CharField(max_length=20, null=True)),
                ('price', models.DecimalField(max_digits=10, decimal_places=2, null=True)),
                ('qty', models.IntegerField(null=True)),
                ('total', models.DecimalField(max_digits=10, decimal_places=2, null=True)),
            ],
            options={{'db_table': '{table}'}},
        ),
        migrations.AddConstraint(
            model_name='{model_lower}',
            constraint=models.CheckConstraint(
                check=models.Q({status}__in=['open', 'closed', 'paid']), name='{table}_{status}_valid'
            ),
        ),
        migrations.CreateModel(
            name='Child',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('{model_lower}', models.ForeignKey(on_delete=models.deletion.CASCADE, to='shop.{model}')),
            ],
            options={{'db_table': '{child}'}},
        ),
    ]
"""


# --- Alembic: `sa.table(...)` and its `update()`/`delete()`


def _alembic_value(value: Value) -> str:
    if value.kind == "literal":
        return f"'{value.text}'"
    if value.kind == "column":
        return f"t.c.{value.text}"
    if value.kind == "not":
        return f"sa.not_(t.c.{value.text})"
    if value.kind == "product":
        return f"t.c.{value.text} * t.c.{value.other}"
    return f"sa.func.coalesce(t.c.{value.text}, 0) * sa.func.coalesce(t.c.{value.other}, 0)"


def _alembic(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    columns = ", ".join(
        f'sa.column("{c}")'
        for c in ("id", names["on"], names["off"], names["status"], "price", "qty", "total")
    )

    def statement(change: Change) -> str:
        where = (
            f"t.c.{change.null_only}.is_(None)" if change.null_only else "sa.and_(t.c.id >= 1, t.c.id < 1000)"
        )
        where = f"t.c.{change.column} != '{change.other_than}'" if change.other_than else where
        if change.delete:
            return f"    op.execute(t.delete().where({where}))\n"
        assert change.value is not None
        return f"    op.execute(t.update().where({where}).values({change.column}={_alembic_value(change.value)}))\n"

    table = f'    t = sa.table("{up.table}", {columns})\n'
    text = (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        f"def upgrade():\n{table}{statement(up)}\n\ndef downgrade():\n"
        + (table + statement(down) if down is not None else "    pass\n")
    )
    return "alembic/versions/b2_change_data.py", text


# --- Laravel: the query builder, `DB::raw` for SQL


def _laravel(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def statement(change: Change) -> str:
        scope = (
            f"->where('{change.column}', '!=', '{change.other_than}')"
            if change.other_than
            else f"->whereNull('{change.null_only}')"
            if change.null_only
            else "->where('id', '>=', 1)->where('id', '<', 1000)"
        )
        if change.delete:
            return f"        DB::table('{change.table}'){scope}->delete();\n"
        assert change.value is not None
        value = (
            f"'{change.value.text}'"
            if change.value.kind == "literal"
            else f"DB::raw('{_sql_value(change.value)}')"
        )
        return f"        DB::table('{change.table}'){scope}->update(['{change.column}' => {value}]);\n"

    text = (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\n"
        "return new class extends Migration\n{\n    public function up(): void\n    {\n"
        + statement(up)
        + "    }\n\n    public function down(): void\n    {\n"
        + (statement(down) if down is not None else "")
        + "    }\n};\n"
    )
    return "database/migrations/2026_01_01_000000_change_data.php", text


# --- Knex: the query builder, `knex.ref` for a column, `knex.raw` for SQL


def _knex_value(value: Value) -> str:
    if value.kind == "literal":
        return f"'{value.text}'"
    if value.kind == "column":
        return f"knex.ref('{value.text}')"
    return f"knex.raw('{_sql_value(value)}')"


def _knex(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def statement(change: Change) -> str:
        scope = (
            f".where('{change.column}', '<>', '{change.other_than}')"
            if change.other_than
            else f".whereNull('{change.null_only}')"
            if change.null_only
            else ".where('id', '>=', 1).andWhere('id', '<', 1000)"
        )
        if change.delete:
            return f"  await knex('{change.table}'){scope}.del();\n"
        assert change.value is not None
        return f"  await knex('{change.table}'){scope}.update({{ {change.column}: {_knex_value(change.value)} }});\n"

    text = (
        f"exports.up = async function (knex) {{\n{statement(up)}}};\n\n"
        f"exports.down = async function (knex) {{\n{statement(down) if down is not None else ''}}};\n"
    )
    return "migrations/20260101000000_change_data.js", text


# --- Sequelize: `bulkUpdate`/`bulkDelete`, `Sequelize.col` for a column, `Sequelize.literal` for SQL


def _sequelize_value(value: Value) -> str:
    if value.kind == "literal":
        return f"'{value.text}'"
    if value.kind == "column":
        return f"Sequelize.col('{value.text}')"
    return f"Sequelize.literal('{_sql_value(value)}')"


def _sequelize(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def statement(change: Change) -> str:
        scope = (
            f'Sequelize.literal("{_sql_where(change)}")'
            if change.other_than
            else f"{{ {change.null_only}: null }}"
            if change.null_only
            else "Sequelize.literal('id >= 1 AND id < 1000')"
        )
        if change.delete:
            return f"    await queryInterface.bulkDelete('{change.table}', {scope});\n"
        assert change.value is not None
        values = f"{{ {change.column}: {_sequelize_value(change.value)} }}"
        return f"    await queryInterface.bulkUpdate('{change.table}', {values}, {scope});\n"

    text = (
        "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        + statement(up)
        + "  },\n  async down(queryInterface, Sequelize) {\n"
        + (statement(down) if down is not None else "")
        + "  },\n};\n"
    )
    return "migrations/20260101000000-change-data.js", text


# --- TypeORM: the query builder of the runner's manager, a function returning SQL for an expression


def _typeorm(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def statement(change: Change) -> str:
        builder = "    await queryRunner.manager.createQueryBuilder()"
        where = f'.where("{_sql_where(change)}")'
        if change.delete:
            return f'{builder}.delete().from("{change.table}"){where}.execute();\n'
        assert change.value is not None
        value = (
            f'"{change.value.text}"'
            if change.value.kind == "literal"
            else f'() => "{_sql_value(change.value)}"'
        )
        return f'{builder}.update("{change.table}").set({{ {change.column}: {value} }}){where}.execute();\n'

    text = (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n\n'
        "export class ChangeData1767225600000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        + statement(up)
        + "  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n"
        + (statement(down) if down is not None else "")
        + "  }\n}\n"
    )
    return "src/migrations/1767225600000-ChangeData.ts", text


# --- Ecto: `repo().update_all` with `set:` for a literal, the query's `update:` for an expression


def _ecto_value(value: Value) -> str:
    if value.kind == "literal":
        return f'"{value.text}"'
    if value.kind == "column":
        return f"r.{value.text}"
    if value.kind == "not":
        return f"not r.{value.text}"
    if value.kind == "product":
        return f"r.{value.text} * r.{value.other}"
    return f"coalesce(r.{value.text}, 0) * coalesce(r.{value.other}, 0)"


def _ecto(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    def statement(change: Change) -> str:
        where = f"is_nil(r.{change.null_only})" if change.null_only else "r.id >= 1 and r.id < 1000"
        where = f'r.{change.column} != "{change.other_than}"' if change.other_than else where
        query = f'from(r in "{change.table}", where: {where}'
        if change.delete:
            return f"    repo().delete_all({query}))\n"
        assert change.value is not None
        if change.value.kind == "literal":
            return f"    repo().update_all({query}), set: [{change.column}: {_ecto_value(change.value)}])\n"
        return f"    {query}, update: [set: [{change.column}: {_ecto_value(change.value)}]]) |> repo().update_all([])\n"

    text = (
        "defmodule Shop.Repo.Migrations.ChangeData do\n  use Ecto.Migration\n  import Ecto.Query\n\n"
        f"  def up do\n{statement(up)}  end\n\n  def down do\n{statement(down) if down is not None else ''}  end\nend\n"
    )
    return "priv/repo/migrations/20260101000000_change_data.exs", text


# --- Liquibase: `<update>`/`<delete>` changes, `valueComputed` for SQL, `<rollback>` for the way back


def _liquibase_change(change: Change) -> str:
    where = f"      <where>{_sql_where(change).replace('<', '&lt;').replace('>', '&gt;')}</where>\n"
    if change.delete:
        return f'    <delete tableName="{change.table}">\n{where}    </delete>\n'
    assert change.value is not None
    value = (
        f'value="{change.value.text}"'
        if change.value.kind == "literal"
        else f'valueComputed="{_sql_value(change.value)}"'
    )
    return f'    <update tableName="{change.table}">\n      <column name="{change.column}" {value}/>\n{where}    </update>\n'


def _liquibase(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    rollback = (
        "    <rollback>\n" + _liquibase_change(down) + "    </rollback>\n"
        if down is not None
        else "    <rollback/>\n"
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        '  <changeSet id="2" author="app">\n'
        + _liquibase_change(up)
        + rollback
        + "  </changeSet>\n</databaseChangeLog>\n"
    )
    return "src/main/resources/db/changelog/002-change-data.xml", text


# --- SQL frameworks


def _goose(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    back = _sql(down) if down is not None else "SELECT 1;"
    return "db/migrations/002_change_data.sql", f"-- +goose Up\n{_sql(up)}\n-- +goose Down\n{back}\n"


def _flyway(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    return "src/main/resources/db/migration/V2__change_data.sql", f"{_sql(up)}\n"


def _prisma(names: dict[str, str], up: Change, down: Change | None) -> tuple[str, str]:
    return "prisma/migrations/20260101000000_change_data/migration.sql", f"-- AlterData\n{_sql(up)}\n"


NATIVE: dict[str, Writer] = {
    "rails": _rails,
    "django": _django,
    "alembic": _alembic,
    "laravel": _laravel,
    "knex": _knex,
    "sequelize": _sequelize,
    "typeorm": _typeorm,
    "ecto": _ecto,
    "liquibase": _liquibase,
    "goose": _goose,
    "flyway": _flyway,
    "prisma": _prisma,
}
WITH_DOWN = sorted(set(NATIVE) - {"flyway", "prisma"})  # Flyway's undo and Prisma have no down here


def review(framework: str, names: dict[str, str], up: Change, down: Change | None = None) -> Review:
    path, text = NATIVE[framework](names, up, down)
    base = {"db/structure.sql": SCHEMA.format(**names)}
    if framework == "django":
        base = {
            "shop/migrations/0001_initial.py": DJANGO_INITIAL.format(
                **names, model_lower=names["model"].lower()
            )
        }
    return review_sql(text, path=path, base=base)


def found(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


def _flag(names: dict[str, str], kind: str) -> Change:
    return Change(names["table"], names["on"], Value(kind, names["off"]))


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_flag_filled_from_its_opposite(framework: str, names: dict[str, str]) -> None:
    bad = found(review(framework, names, _flag(names, "column")), "swapped-values")
    assert len(bad) == 1 and f"`{names['off']}`" in bad[0].message, framework
    assert not found(review(framework, names, _flag(names, "not")), "swapped-values")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_value_the_check_constraint_refuses(framework: str, names: dict[str, str]) -> None:
    def write(value: str) -> Review:
        return review(framework, names, Change(names["table"], names["status"], Value("literal", value)))

    bad = found(write("archived"), "value-not-allowed")
    assert len(bad) == 1 and "'archived'" in bad[0].message, framework
    assert not found(write("closed"), "value-not-allowed")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_product_of_nullable_columns(framework: str, names: dict[str, str]) -> None:
    def write(kind: str) -> Review:
        return review(framework, names, Change(names["table"], "total", Value(kind, "price", "qty")))

    bad = found(write("product"), "null-propagation")
    assert len(bad) == 1 and "`price` or `qty`" in bad[0].message, framework
    assert not found(write("product-filled"), "null-propagation")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_delete_names_the_rows_its_cascade_removes(framework: str, names: dict[str, str]) -> None:
    bad = found(review(framework, names, Change(names["table"], delete=True)), "cascading-delete")
    assert len(bad) == 1 and f"`{names['child']}`" in bad[0].message, framework
    assert not found(review(framework, names, Change(names["child"], delete=True)), "cascading-delete")


LOSS = ("data-lost-on-rollback", "missing-down-migration")  # a down that is empty is the second


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", WITH_DOWN)
def test_an_overwrite_the_down_does_not_restore(framework: str, names: dict[str, str]) -> None:
    overwrite = Change(names["table"], names["status"], Value("literal", "closed"))
    result = review(framework, names, overwrite)
    # the batch's key range reaches every row: every-row-overwritten speaks for the loss (and says the way
    # back does not restore it) in place of data-lost-on-rollback; an empty down is missing-down-migration
    bad = [f for rule in (*LOSS, "every-row-overwritten") for f in found(result, rule)]
    assert bad and len([f for f in bad if f.rule != "missing-down-migration"]) == 1, (
        framework,
        [f.rule for f in result.active],
    )
    saves = [s.command for s in result.rollback_plan if s.text.startswith("Before deploying")]
    assert any(f"SELECT id, {names['status']} FROM {names['table']}" in c for c in saves), saves
    restored = Change(names["table"], names["status"], Value("literal", "open"))
    result = review(framework, names, overwrite, restored)
    assert not [f for rule in LOSS for f in found(result, rule)], (framework, [f.rule for f in result.active])
    fill = Change(names["table"], names["status"], Value("literal", "open"), null_only=names["status"])
    result = review(framework, names, fill)
    assert not [f for rule in LOSS for f in found(result, rule)], (framework, [f.rule for f in result.active])


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "chain",
    [
        'queryRunner.manager.createQueryBuilder().update({model}).set({{ {status}: "closed" }}).execute()',
        'queryRunner.manager.getRepository({model}).createQueryBuilder().update().set({{ {status}: "closed" }}).execute()',
        'queryRunner.manager.createQueryBuilder().softDelete().from("{table}").execute()',
    ],
)
def test_a_query_builder_write_to_an_entity_is_said_never_passed(names: dict[str, str], chain: str) -> None:
    text = (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n\n'
        "export class ChangeData1767225600000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f"    await {chain.format(**names)};\n"
        "  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n"
    )
    result = review_sql(
        text,
        path="src/migrations/1767225600000-ChangeData.ts",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    unread = found(result, "unread-data-change")
    assert len(unread) == 1 and "query builder" in unread[0].message
    assert result.approval == "BLOCKED"
    reads = text.replace(
        chain.format(**names),
        f'queryRunner.manager.createQueryBuilder().select().from("{names["table"]}").getMany()',
    )
    quiet = review_sql(
        reads,
        path="src/migrations/1767225600000-ChangeData.ts",
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert not found(quiet, "unread-data-change") and quiet.approval == "APPROVED"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("check", "bad", "good"),
    [
        ("models.Q({status}__in=['open', 'closed'])", "archived", "closed"),
        ("models.Q({status}__in=['open', 'closed']) | models.Q({status}__isnull=True)", "paid", "open"),
        ("~models.Q({status}='void') & models.Q({status}__isnull=False)", "void", "open"),
    ],
)
def test_a_django_check_constraint_is_the_columns_domain(
    names: dict[str, str], check: str, bad: str, good: str
) -> None:
    initial = DJANGO_INITIAL.format(**names, model_lower=names["model"].lower()).replace(
        f"models.Q({names['status']}__in=['open', 'closed', 'paid'])", check.format(**names)
    )
    base = {"shop/migrations/0001_initial.py": initial}

    def write(value: str) -> Review:
        path, text = _django(names, Change(names["table"], names["status"], Value("literal", value)), None)
        return review_sql(text, path=path, base=base)

    refused = found(write(bad), "value-not-allowed")
    assert len(refused) == 1 and f"'{bad}'" in refused[0].message
    assert not found(write(good), "value-not-allowed")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("write", ["update_all", "in_batches.update_all", "where(id: 1...1000).update_all"])
def test_a_rails_relation_held_in_a_local_is_read_where_it_is_written(
    names: dict[str, str], write: str
) -> None:
    def migration(value: str) -> str:
        return (
            "class ChangeData < ActiveRecord::Migration[7.1]\n"
            f"  class {names['model']} < ActiveRecord::Base\n    self.table_name = '{names['table']}'\n  end\n\n"
            f"  def up\n    records = {names['model']}.where.not(\n      {names['status']}: nil\n    )\n"
            f"    records.{write}({names['status']}: '{value}')\n  end\n\n"
            f"  def down\n    records = {names['model']}.where({names['status']}: 'closed')\n    records.count\n  end\nend\n"
        )

    def result(value: str) -> Review:
        path = "db/migrate/20260101000000_change_data.rb"
        return review_sql(migration(value), path=path, base={"db/structure.sql": SCHEMA.format(**names)})

    bad = result("archived")
    refused = found(bad, "value-not-allowed")
    assert len(refused) == 1 and refused[0].line == 10, [f.rule for f in bad.active]
    saves = [s.command for s in bad.rollback_plan if s.text.startswith("Before deploying")]
    assert any(f"SELECT id, {names['status']} FROM {names['table']}" in c for c in saves), saves
    assert not found(result("closed"), "value-not-allowed")


TYPE_CHANGES = {  # (path, template, {narrow, wide}); the rest are in test_framework_variants
    "laravel": (
        "database/migrations/2026_01_01_000000_change.php",
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n    public function up(): void\n    {{\n        Schema::table('{table}', function (Blueprint $table) {{\n            $table->{t}('{text}')->nullable()->change();\n        }});\n    }}\n\n    public function down(): void\n    {{\n        Schema::table('{table}', function (Blueprint $table) {{\n            $table->string('{text}', 40)->nullable()->change();\n        }});\n    }}\n}};\n",
        {"narrow": "integer", "wide": "text"},
    ),
    "knex": (
        "migrations/20260101000000_change.js",
        "exports.up = async function (knex) {{\n  await knex.schema.alterTable('{table}', (t) => {{\n    t.{t}('{text}').alter();\n  }});\n}};\n\nexports.down = async function (knex) {{\n  await knex.schema.alterTable('{table}', (t) => {{\n    t.string('{text}', 40).alter();\n  }});\n}};\n",
        {"narrow": "integer", "wide": "text"},
    ),
    "sequelize": (
        "migrations/20260101000000-change.js",
        "module.exports = {{\n  async up(queryInterface, Sequelize) {{\n    await queryInterface.changeColumn('{table}', '{text}', {{ type: Sequelize.{t} }});\n  }},\n  async down(queryInterface, Sequelize) {{\n    await queryInterface.changeColumn('{table}', '{text}', {{ type: Sequelize.STRING(40) }});\n  }},\n}};\n",
        {"narrow": "INTEGER", "wide": "TEXT"},
    ),
    "typeorm": (
        "src/migrations/1767225600000-Change.ts",
        'import {{ MigrationInterface, QueryRunner, TableColumn }} from "typeorm";\n\nexport class Change1767225600000 implements MigrationInterface {{\n  public async up(queryRunner: QueryRunner): Promise<void> {{\n    await queryRunner.changeColumn("{table}", "{text}", new TableColumn({{ name: "{text}", type: "{t}" }}));\n  }}\n\n  public async down(queryRunner: QueryRunner): Promise<void> {{\n    await queryRunner.changeColumn("{table}", "{text}", new TableColumn({{ name: "{text}", type: "varchar", length: "40" }}));\n  }}\n}}\n',
        {"narrow": "integer", "wide": "text"},
    ),
    "ecto": (
        "priv/repo/migrations/20260101000000_change.exs",
        "defmodule Shop.Repo.Migrations.Change do\n  use Ecto.Migration\n\n  def change do\n    alter table(:{table}) do\n      modify :{text}, :{t}, from: :string\n    end\n  end\nend\n",
        {"narrow": "integer", "wide": "text"},
    ),
    "liquibase": (
        "src/main/resources/db/changelog/002-change.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="2" author="app">\n    <modifyDataType tableName="{table}" columnName="{text}" newDataType="{t}"/>\n    <rollback><modifyDataType tableName="{table}" columnName="{text}" newDataType="varchar(40)"/></rollback>\n  </changeSet>\n</databaseChangeLog>\n',
        {"narrow": "integer", "wide": "text"},
    ),
}


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(TYPE_CHANGES))
def test_a_type_change_written_as_the_framework_writes_it(names: dict[str, str], framework: str) -> None:
    path, template, types = TYPE_CHANGES[framework]
    columns = {"table": names["table"], "text": names["code"]}

    def result(kind: str) -> Review:
        text = template.format(**columns, t=types[kind])
        return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})

    lossy = found(result("narrow"), "lossy-type-change")
    assert len(lossy) == 1 and f"`{names['table']}.{names['code']}`" in lossy[0].message
    wide = result("wide")
    assert not found(wide, "lossy-type-change") and wide.approval == "APPROVED", [f.rule for f in wide.active]


CONCURRENT_DOWN = {  # (path, template, what takes the migration out of the transaction)
    "rails": (
        "db/migrate/20260101000000_ix.rb",
        'class Ix < ActiveRecord::Migration[7.1]\n{notx}  def up\n    execute "{up}"\n  end\n\n  def down\n    execute "{down}"\n  end\nend\n',
        "  disable_ddl_transaction!\n",
    ),
    "alembic": (
        "alembic/versions/b2_ix.py",
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        op.execute("{up}")\n\n\ndef downgrade():\n{down_block}',
        None,
    ),
    "knex": (
        "migrations/20260101000000_ix.js",
        "{notx}exports.up = async function (knex) {{\n  await knex.raw('{up}');\n}};\n\nexports.down = async function (knex) {{\n  await knex.raw('{down}');\n}};\n",
        "exports.config = { transaction: false };\n",
    ),
    "laravel": (
        "database/migrations/2026_01_01_000000_ix.php",
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\nreturn new class extends Migration\n{{\n{notx}    public function up(): void\n    {{\n        DB::statement('{up}');\n    }}\n\n    public function down(): void\n    {{\n        DB::statement('{down}');\n    }}\n}};\n",
        "    public $withinTransaction = false;\n\n",
    ),
    "typeorm": (
        "src/migrations/1767225600000-Ix.ts",
        'import {{ MigrationInterface, QueryRunner }} from "typeorm";\n\nexport class Ix1767225600000 implements MigrationInterface {{\n{notx}  public async up(queryRunner: QueryRunner): Promise<void> {{\n    await queryRunner.query("{up}");\n  }}\n\n  public async down(queryRunner: QueryRunner): Promise<void> {{\n    await queryRunner.query("{down}");\n  }}\n}}\n',
        "  transaction = false;\n\n",
    ),
    "ecto": (
        "priv/repo/migrations/20260101000000_ix.exs",
        'defmodule Shop.Repo.Migrations.Ix do\n  use Ecto.Migration\n{notx}\n  def up do\n    execute("{up}")\n  end\n\n  def down do\n    execute("{down}")\n  end\nend\n',
        "  @disable_ddl_transaction true\n  @disable_migration_lock true\n",
    ),
}


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(CONCURRENT_DOWN))
def test_a_concurrent_index_drop_in_a_down_that_runs_in_a_transaction(
    names: dict[str, str], framework: str
) -> None:
    path, template, outside = CONCURRENT_DOWN[framework]
    index = f"ix_{names['table']}_{names['code']}"
    up = f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {names['table']} ({names['code']})"
    down = f"DROP INDEX CONCURRENTLY IF EXISTS {index}"

    def result(bad: bool) -> Review:
        if framework == "alembic":
            step = f'    op.execute("{down}")\n'
            block = step if bad else "    with op.get_context().autocommit_block():\n    " + step
            text = template.format(up=up, down_block=block)
        else:
            text = template.format(up=up, down=down, notx="" if bad else outside)
        return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})

    refused = [
        f for f in found(result(bad=True), "concurrent-in-transaction") if "down migration" in f.message
    ]
    assert len(refused) == 1 and "DROP INDEX CONCURRENTLY" in refused[0].message, framework
    assert not found(result(bad=False), "concurrent-in-transaction")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_rows_other_than_a_value_leave_the_null_rows_out(names: dict[str, str], framework: str) -> None:
    """`<>` is never true for NULL: the rows whose column is NULL are left as they are. Django's `exclude()`
    adds `OR column IS NULL` itself, so there it keeps them (no finding)."""
    change = Change(names["table"], names["status"], Value("literal", "open"), other_than="closed")
    result = review(framework, names, change)
    dropped = found(result, "null-dropping-comparison")
    if framework == "django":
        assert not dropped, [f.message for f in dropped]
    else:
        assert len(dropped) == 1 and f"`{names['status']}`" in dropped[0].message, (
            framework,
            [f.rule for f in result.active],
        )
    guarded = review(
        framework,
        names,
        Change(names["table"], names["status"], Value("literal", "open"), null_only=names["status"]),
    )
    assert not [
        f for f in found(guarded, "null-dropping-comparison") if "<>" in f.message or "!=" in f.message
    ]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(NATIVE))
def test_a_validation_query_whose_count_tells_whether_the_change_worked(
    framework: str, names: dict[str, str]
) -> None:
    """`SET status = 'paid' WHERE status <> 'open'`: the changed rows still meet the condition, so "rows
    still matching: 0" would fail whether the change worked or not; the query counts the chosen rows that
    do not hold the written value. A fill of NULLs leaves its condition: the rows still matching count."""
    column = names["status"]
    kept = review(
        framework, names, Change(names["table"], column, Value("literal", "paid"), other_than="open")
    )
    queries = [q for q in kept.verification_queries if q.line and column in q.sql]
    assert queries and all("IS DISTINCT FROM 'paid'" in q.sql and q.expect == "0" for q in queries), queries
    left = review(
        framework, names, Change(names["table"], column, Value("literal", "paid"), null_only=column)
    )
    queries = [q for q in left.verification_queries if q.line and column in q.sql]
    assert queries and all("IS DISTINCT FROM" not in q.sql for q in queries), queries


def _js(lines: list[str], fn: str) -> str:
    return "".join(f"  await {fn}('{line}');\n" for line in lines)


IDEMPOTENT_DOWN = {  # the SQL of each statement run by the framework's own call, the way back on MySQL
    "knex": (
        "migrations/20260101000000_x.js",
        lambda up, down: (
            "exports.config = { transaction: false };\nexports.up = async function (knex) {\n"
            + _js(up, "knex.raw")
            + "};\n\nexports.down = async function (knex) {\n"
            + _js(down, "knex.raw")
            + "};\n"
        ),
    ),
    "laravel": (
        "database/migrations/2026_01_01_000000_x.php",
        lambda up, down: (
            "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\nreturn new class extends Migration\n{\n    public function up(): void\n    {\n"
            + "".join(f"        DB::statement('{line}');\n" for line in up)
            + "    }\n\n    public function down(): void\n    {\n"
            + "".join(f"        DB::statement('{line}');\n" for line in down)
            + "    }\n};\n"
        ),
    ),
    "rails": (
        "db/migrate/20260101000000_x.rb",
        lambda up, down: (
            "class X < ActiveRecord::Migration[7.1]\n  def up\n"
            + "".join(f'    execute "{line}"\n' for line in up)
            + "  end\n\n  def down\n"
            + "".join(f'    execute "{line}"\n' for line in down)
            + "  end\nend\n"
        ),
    ),
    "alembic": (
        "alembic/versions/b2_x.py",
        lambda up, down: (
            'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\ndef upgrade():\n'
            + "".join(f'    op.execute("{line}")\n' for line in up)
            + "\n\ndef downgrade():\n"
            + "".join(f'    op.execute("{line}")\n' for line in down)
        ),
    ),
    "typeorm": (
        "src/migrations/1767225600000-X.ts",
        lambda up, down: (
            'import { MigrationInterface, QueryRunner } from "typeorm";\n\nexport class X1767225600000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n'
            + "".join(f'    await queryRunner.query("{line}");\n' for line in up)
            + "  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n"
            + "".join(f'    await queryRunner.query("{line}");\n' for line in down)
            + "  }\n}\n"
        ),
    ),
    "ecto": (
        "priv/repo/migrations/20260101000000_x.exs",
        lambda up, down: (
            "defmodule Shop.Repo.Migrations.X do\n  use Ecto.Migration\n\n  def up do\n"
            + "".join(f'    execute("{line}")\n' for line in up)
            + "  end\n\n  def down do\n"
            + "".join(f'    execute("{line}")\n' for line in down)
            + "  end\nend\n"
        ),
    ),
}


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(IDEMPOTENT_DOWN))
def test_a_down_that_cannot_run_twice_on_mysql(names: dict[str, str], framework: str) -> None:
    """MySQL commits each DDL statement: a down migration stopped half-way leaves some statements done, and
    one without IF EXISTS fails when it is run again."""
    path, make = IDEMPOTENT_DOWN[framework]
    table, added = names["table"], f"{names['table']}_payouts"
    up = [f"CREATE TABLE {added} (id bigint PRIMARY KEY)", f"ALTER TABLE {table} ADD COLUMN note text"]

    def result(guard: str) -> Review:
        down = [f"ALTER TABLE {table} DROP COLUMN {guard}note", f"DROP TABLE {guard}{added}"]
        base = {"db/structure.sql": SCHEMA.format(**names)}
        return review_sql(make(up, down), path=path, dialect="mysql", base=base)

    bad = found(result(""), "down-not-idempotent")
    assert len(bad) == 1 and f"DROP TABLE {added}" in bad[0].message, [f.message for f in bad]
    assert not found(result("IF EXISTS "), "down-not-idempotent")


@pytest.mark.parametrize(("namespace", "prefix"), [("Spree", "spree"), ("Billing::Core", "billing_core")])
@pytest.mark.parametrize("names", NAMES)
def test_a_model_of_an_isolated_engine_namespace_has_its_prefixed_table(
    names: dict[str, str], namespace: str, prefix: str
) -> None:
    table = f"{prefix}_{names['table']}"
    schema = SCHEMA.replace("{table} (", f"{table} (", 1).format(**names)
    engine = f"module {namespace.split('::')[0]}\n  class Engine < ::Rails::Engine\n    isolate_namespace {namespace}\n  end\nend\n"
    text = (
        "class FixStates < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {namespace}::{names['model']}.where(id: 1...1000).update_all({names['status']}: '{{value}}')\n"
        "  end\n\n  def down\n  end\nend\n"
    )
    head = {"lib/engine/engine.rb": engine}

    def result(value: str) -> Review:
        base = {"db/structure.sql": schema}
        return review_sql(
            text.format(value=value), path="db/migrate/20260101000000_fix_states.rb", base=base, head=head
        )

    refused = found(result("archived"), "value-not-allowed")
    assert len(refused) == 1 and f"`{table}.{names['status']}`" in refused[0].message
    assert not found(result("closed"), "value-not-allowed")


@pytest.mark.parametrize("names", NAMES)
def test_a_rails_batch_loop_that_fills_nulls_needs_no_way_back(names: dict[str, str]) -> None:
    """`in_batches do |batch| batch.where(col: nil).update_all(col: …) end` is one batched UPDATE of the NULL
    rows: an empty `down` loses nothing. The same loop over every row overwrites values it cannot restore."""

    def migration(scope: str) -> Review:
        text = (
            "class Backfill < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def up\n"
            f"    {names['model']}.unscoped.in_batches(of: 1000) do |batch|\n"
            f"      batch{scope}.update_all({names['status']}: 'open')\n    end\n  end\n\n  def down\n  end\nend\n"
        )
        path = "db/migrate/20260101000000_backfill.rb"
        return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})

    fills = migration(f".where({names['status']}: nil)")
    assert not found(fills, "missing-down-migration") and not found(fills, "unbatched-data-change")
    overwrites = migration("")
    [lost] = found(overwrites, "missing-down-migration")
    assert "does nothing" in lost.message
    assert not found(overwrites, "unbatched-data-change")
