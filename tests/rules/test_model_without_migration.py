"""Models against the schema their migrations leave: a column the model now declares that no migration
creates (`model-without-migration`), and one it stops declaring that the database still requires
(`required-column-unwritten`). Reviewed as pull requests through `review()`, for Django, SQLAlchemy and
Prisma, each with two name sets."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.render.formats import render_check_run
from bot.render.terminal import render_text
from bot.review import review

MISSING = "model-without-migration"
UNWRITTEN = "required-column-unwritten"


def _review(base: dict[str, str], head: dict[str, str]) -> list[tuple[str, str, int, str]]:
    files = []
    for path in sorted(set(base) | set(head)):
        before, after = base.get(path), head.get(path)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "modified"
        files.append(ChangedFile(path, status, before, after))
    changeset = ChangeSet("b", "h", tuple(files), MemoryTree(head), MemoryTree(base))
    return [
        (f.rule, f.path, f.line, f.message)
        for f in review(changeset).active
        if f.rule in (MISSING, UNWRITTEN)
    ]


DJANGO_INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("{kept}", models.CharField(max_length=40)),
                ("{old}", models.CharField(max_length=40)),
            ],
        ),
        migrations.CreateModel(
            name="{Parent}",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
        ),
    ]
"""

DJANGO_MODELS = """from django.db import models


class {Parent}(models.Model):
    pass


class {Model}(models.Model):
    {kept} = models.CharField(max_length=40)
    {old} = models.CharField(max_length=40)
{extra}"""

NAMES = [
    {"app": "shop", "Model": "Order", "Parent": "Customer", "kept": "reference", "old": "legacy_code"},
    {"app": "billing", "Model": "Invoice", "Parent": "Account", "kept": "number", "old": "fax"},
]


def _django_base(n: dict[str, str]) -> dict[str, str]:
    return {
        f"{n['app']}/migrations/0001_initial.py": DJANGO_INITIAL.format(**n),
        f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=""),
    }


def _add_field_migration(n: dict[str, str], field: str, spec: str) -> str:
    return f"""from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [
        migrations.AddField(model_name="{n["Model"].lower()}", name="{field}", field={spec}),
    ]
"""


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_field_added_without_migration(n: dict[str, str]) -> None:
    base = _django_base(n)
    models = DJANGO_MODELS.format(**n, extra="    discount = models.IntegerField(default=0)\n")
    found = _review(base, {**base, f"{n['app']}/models.py": models})
    assert [(r, p) for r, p, _, _ in found] == [(MISSING, f"{n['app']}/models.py")]
    _, _, line, message = found[0]
    assert line == 11
    assert f"`{n['Model']}.discount`" in message and f"`{n['app']}_{n['Model'].lower()}.discount`" in message


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_field_added_with_its_migration_is_quiet(n: dict[str, str]) -> None:
    base = _django_base(n)
    models = DJANGO_MODELS.format(**n, extra="    discount = models.IntegerField(default=0)\n")
    head = {
        **base,
        f"{n['app']}/models.py": models,
        f"{n['app']}/migrations/0002_discount.py": _add_field_migration(
            n, "discount", "models.IntegerField(default=0)"
        ),
    }
    assert _review(base, head) == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_foreign_key_and_db_column(n: dict[str, str]) -> None:
    base = _django_base(n)
    extra = (
        f"    owner = models.ForeignKey({n['Parent']}, on_delete=models.CASCADE, null=True)\n"
        "    note = models.TextField(db_column='remark', default='')\n"
        f"    tags = models.ManyToManyField({n['Parent']}, related_name='+')\n"
    )
    found = _review(base, {**base, f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=extra)})
    table = f"{n['app']}_{n['Model'].lower()}"
    assert sorted(m.split(": ")[0] for _, _, _, m in found) == [
        f"`{n['Model']}.note` is new in the model, but no migration creates the column `{table}.remark`",
        f"`{n['Model']}.owner` is new in the model, but no migration creates the column `{table}.owner_id`",
    ]
    # the migration Django writes for them: the foreign key's column is `owner_id`
    migration = _add_field_migration(
        n,
        "owner",
        f"models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='{n['app']}.{n['Parent'].lower()}', null=True)",
    ).replace(
        "    ]\n",
        f"        migrations.AddField(model_name='{n['Model'].lower()}', name='note', "
        "field=models.TextField(db_column='remark', default='')),\n    ]\n",
    )
    head = {
        **base,
        f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=extra),
        f"{n['app']}/migrations/0002_owner.py": migration,
    }
    assert _review(base, head) == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_models_that_map_no_new_column_are_quiet(n: dict[str, str]) -> None:
    base = _django_base(n)
    extra = (
        "\n\nclass Stamped(models.Model):\n"
        "    stamped_at = models.DateTimeField(null=True)\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Outside(models.Model):\n"
        "    code = models.CharField(max_length=4)\n\n"
        "    class Meta:\n        managed = False\n        db_table = 'outside_codes'\n"
    )
    assert _review(base, {**base, f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=extra)}) == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_new_model_without_migration(n: dict[str, str]) -> None:
    base = _django_base(n)
    extra = "\n\nclass Shipment(models.Model):\n    carrier = models.CharField(max_length=20)\n"
    found = _review(base, {**base, f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=extra)})
    assert len(found) == 1
    assert found[0][3].startswith(
        f"`Shipment` is a new model, but no migration creates its table `{n['app']}_shipment`"
    )
    create = f"""from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Shipment",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("carrier", models.CharField(max_length=20)),
            ],
        ),
    ]
"""
    head = {
        **base,
        f"{n['app']}/models.py": DJANGO_MODELS.format(**n, extra=extra),
        f"{n['app']}/migrations/0002_shipment.py": create,
    }
    assert _review(base, head) == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_field_moved_to_another_model_file_is_quiet(n: dict[str, str]) -> None:
    base = _django_base(n)
    moved = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    head = {
        **base,
        f"{n['app']}/models.py": moved.replace(
            f"class {n['Model']}(models.Model)", f"class {n['Model']}(Base)"
        ).replace(
            "from django.db import models\n", "from django.db import models\n\nfrom .base import Base\n"
        ),
        f"{n['app']}/base.py": "",
    }
    # the field now comes from a base class in a file the reader does not see: nothing is said either way
    assert [r for r, *_ in _review(base, head) if r == MISSING] == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_column_a_migration_names_in_sql_is_quiet(n: dict[str, str]) -> None:
    base = _django_base(n)
    models = DJANGO_MODELS.format(**n, extra="    discount = models.IntegerField(default=0)\n")
    table = f"{n['app']}_{n['Model'].lower()}"
    sql = f"""from django.db import migrations


def add(apps, schema_editor):
    schema_editor.execute(build_statement("{table}", "discount"))


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [migrations.RunPython(add)]
"""
    head = {**base, f"{n['app']}/models.py": models, f"{n['app']}/migrations/0002_discount.py": sql}
    assert [r for r, *_ in _review(base, head) if r == MISSING] == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_field_removed_while_its_column_is_required(n: dict[str, str]) -> None:
    base = _django_base(n)
    models = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    found = _review(base, {**base, f"{n['app']}/models.py": models})
    table = f"{n['app']}_{n['Model'].lower()}"
    assert [(r, line) for r, _, line, _ in found] == [(UNWRITTEN, 8)]
    assert (
        f"`{n['Model']}.{n['old']}` is removed from the model, but its column `{table}.{n['old']}`"
        in found[0][3]
    )
    # only the state: the column stays as it was
    state_only = f"""from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="{n["Model"].lower()}", name="{n["old"]}")],
        ),
    ]
"""
    head = {**base, f"{n['app']}/models.py": models, f"{n['app']}/migrations/0002_state.py": state_only}
    assert [r for r, *_ in _review(base, head)] == [UNWRITTEN]


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_django_field_removed_safely_is_quiet(n: dict[str, str]) -> None:
    base = _django_base(n)
    models = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    drop = f"""from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [migrations.RemoveField(model_name="{n["Model"].lower()}", name="{n["old"]}")]
"""
    head = {**base, f"{n['app']}/models.py": models, f"{n['app']}/migrations/0002_drop.py": drop}
    assert _review(base, head) == []
    nullable = _add_field_migration(n, n["old"], "models.CharField(max_length=40, null=True)").replace(
        "AddField", "AlterField"
    )
    head = {**base, f"{n['app']}/models.py": models, f"{n['app']}/migrations/0002_nullable.py": nullable}
    assert _review(base, head) == []


PRISMA = """generator client {{
  provider = "prisma-client-js"
}}

datasource db {{
  provider = "postgresql"
  url      = env("DATABASE_URL")
}}

model {Model} {{
  id        String @id
  {kept}    String
{extra}}}
"""
PRISMA_NAMES = [
    {"Model": "User", "kept": "email", "field": "displayName", "table": "User"},
    {"Model": "Envelope", "kept": "title", "field": "senderId", "table": "Envelope"},
]


def _prisma_base(n: dict[str, str], extra_sql: str = "") -> dict[str, str]:
    return {
        "prisma/schema.prisma": PRISMA.format(**n, extra=""),
        "prisma/migrations/20240101000000_init/migration.sql": (
            f'CREATE TABLE "{n["table"]}" ("id" TEXT NOT NULL, "{n["kept"]}" TEXT NOT NULL{extra_sql}, '
            f'CONSTRAINT "{n["table"]}_pkey" PRIMARY KEY ("id"));\n'
        ),
    }


@pytest.mark.parametrize("n", PRISMA_NAMES, ids=lambda n: n["Model"])
def test_prisma_field_added_without_migration(n: dict[str, str]) -> None:
    base = _prisma_base(n)
    schema = PRISMA.format(**n, extra=f"  {n['field']} String?\n  ignored String? @ignore\n")
    found = _review(base, {**base, "prisma/schema.prisma": schema})
    assert [(r, line) for r, _, line, _ in found] == [(MISSING, 13)]
    assert f"`{n['table']}.{n['field']}`" in found[0][3] and "Prisma Client" in found[0][3]
    migration = f'ALTER TABLE "{n["table"]}" ADD COLUMN "{n["field"]}" TEXT;\n'
    head = {
        **base,
        "prisma/schema.prisma": schema,
        "prisma/migrations/20240201000000_field/migration.sql": migration,
    }
    assert _review(base, head) == []


@pytest.mark.parametrize("n", PRISMA_NAMES, ids=lambda n: n["Model"])
def test_prisma_field_removed_while_its_column_is_required(n: dict[str, str]) -> None:
    base = _prisma_base(n, f', "{n["field"]}" TEXT NOT NULL')
    base["prisma/schema.prisma"] = PRISMA.format(**n, extra=f"  {n['field']} String\n")
    head = {**base, "prisma/schema.prisma": PRISMA.format(**n, extra="")}
    assert [r for r, *_ in _review(base, head)] == [UNWRITTEN]
    # a default the database fills: inserts go on
    base = _prisma_base(n, f", \"{n['field']}\" TEXT NOT NULL DEFAULT ''")
    base["prisma/schema.prisma"] = PRISMA.format(**n, extra=f'  {n["field"]} String @default("")\n')
    head = {**base, "prisma/schema.prisma": PRISMA.format(**n, extra="")}
    assert _review(base, head) == []


SQLALCHEMY = """from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class {Model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
    {kept} = Column(String(40), nullable=False)
{extra}"""
ALEMBIC = '''"""init"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = {down}


def upgrade():
{body}


def downgrade():
    pass
'''
SQLALCHEMY_NAMES = [
    {"Model": "Ticket", "table": "tickets", "kept": "subject"},
    {"Model": "Recipe", "table": "recipes", "kept": "name"},
]


@pytest.mark.parametrize("n", SQLALCHEMY_NAMES, ids=lambda n: n["Model"])
def test_sqlalchemy_column_added_without_migration(n: dict[str, str]) -> None:
    create = (
        f'    op.create_table("{n["table"]}", sa.Column("id", sa.Integer(), primary_key=True), '
        f'sa.Column("{n["kept"]}", sa.String(40), nullable=False))'
    )
    base = {
        "app/models.py": SQLALCHEMY.format(**n, extra=""),
        "alembic/versions/a1_init.py": ALEMBIC.format(revision="a1", down="None", body=create),
    }
    extra = '    priority = Column("priority_level", Integer, nullable=True)\n'
    found = _review(base, {**base, "app/models.py": SQLALCHEMY.format(**n, extra=extra)})
    assert [r for r, *_ in found] == [MISSING]
    assert f"`{n['table']}.priority_level`" in found[0][3]
    add = f'    op.add_column("{n["table"]}", sa.Column("priority_level", sa.Integer(), nullable=True))'
    head = {
        **base,
        "app/models.py": SQLALCHEMY.format(**n, extra=extra),
        "alembic/versions/b2_priority.py": ALEMBIC.format(revision="b2", down='"a1"', body=add),
    }
    assert _review(base, head) == []


TYPEORM_ENTITY = """import {{ Column, Entity, PrimaryGeneratedColumn }} from "typeorm";

@Entity("{table}")
export class {Model} {{
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({{ type: "varchar", length: 40 }})
  {kept}!: string;
{extra}}}
"""
TYPEORM_MIGRATION = """import {{ MigrationInterface, QueryRunner }} from "typeorm";

export class {name}{version} implements MigrationInterface {{
  public async up(queryRunner: QueryRunner): Promise<void> {{
    await queryRunner.query(`{sql}`);
  }}

  public async down(queryRunner: QueryRunner): Promise<void> {{}}
}}
"""
TYPEORM_NAMES = [
    {"Model": "Invoice", "table": "invoices", "kept": "number"},
    {"Model": "Shipment", "table": "shipments", "kept": "carrier"},
]


@pytest.mark.parametrize("n", TYPEORM_NAMES, ids=lambda n: n["Model"])
def test_typeorm_column_added_without_migration(n: dict[str, str]) -> None:
    create = f'CREATE TABLE "{n["table"]}" ("id" SERIAL PRIMARY KEY, "{n["kept"]}" varchar(40) NOT NULL)'
    base = {
        f"src/entities/{n['Model']}.ts": TYPEORM_ENTITY.format(**n, extra=""),
        "src/migrations/1700000000000-Init.ts": TYPEORM_MIGRATION.format(
            name="Init", version=1700000000000, sql=create
        ),
    }
    extra = (
        '\n  @Column({ name: "due_on", type: "date", nullable: true, transformer: { to: (v: Date) => v, from: (v: string) => v } })\n'
        "  dueOn?: Date;\n\n  @Column({ default: 0 })\n  reminderCount!: number;\n"
    )
    entity = TYPEORM_ENTITY.format(**n, extra=extra)
    found = _review(base, {**base, f"src/entities/{n['Model']}.ts": entity})
    assert sorted(m.split(": ")[0] for _, _, _, m in found) == [
        f"`{n['Model']}.dueOn` is new in the model, but no migration creates the column `{n['table']}.due_on`",
        f"`{n['Model']}.reminderCount` is new in the model, but no migration creates the column "
        f"`{n['table']}.reminderCount`",
    ]
    # a snake naming strategy's column serves as well as the property's own name
    add = f'ALTER TABLE "{n["table"]}" ADD "due_on" date, ADD "reminder_count" integer NOT NULL DEFAULT 0'
    head = {
        **base,
        f"src/entities/{n['Model']}.ts": entity,
        "src/migrations/1700000000001-Due.ts": TYPEORM_MIGRATION.format(
            name="Due", version=1700000000001, sql=add
        ),
    }
    assert _review(base, head) == []


ECTO_SCHEMA = """defmodule MyApp.Shop.{Model} do
  use Ecto.Schema

  schema "{table}" do
    field :{kept}, :string
    field :full_label, :string, virtual: true
{extra}    timestamps()
  end
end
"""
ECTO_NAMES = [
    {"Model": "Order", "table": "orders", "kept": "reference"},
    {"Model": "Car", "table": "cars", "kept": "vin"},
]


@pytest.mark.parametrize("n", ECTO_NAMES, ids=lambda n: n["Model"])
def test_ecto_field_added_without_migration(n: dict[str, str]) -> None:
    create = f"""defmodule MyApp.Repo.Migrations.Create{n["Model"]} do
  use Ecto.Migration

  def change do
    create table(:{n["table"]}) do
      add :{n["kept"]}, :string
      add :owner_id, :bigint
      timestamps()
    end
  end
end
"""
    path = f"lib/my_app/shop/{n['Model'].lower()}.ex"
    base = {
        path: ECTO_SCHEMA.format(**n, extra="    belongs_to :owner, MyApp.Owner\n"),
        f"priv/repo/migrations/20240101000000_create_{n['table']}.exs": create,
    }
    extra = "    belongs_to :owner, MyApp.Owner\n    field :notes, :string, source: :remarks\n    belongs_to :region, MyApp.Region\n"
    found = _review(base, {**base, path: ECTO_SCHEMA.format(**n, extra=extra)})
    assert sorted(m.split(": ")[0] for _, _, _, m in found) == [
        f"`{n['Model']}.notes` is new in the model, but no migration creates the column `{n['table']}.remarks`",
        f"`{n['Model']}.region` is new in the model, but no migration creates the column `{n['table']}.region_id`",
    ]
    add = f"""defmodule MyApp.Repo.Migrations.AddRegion do
  use Ecto.Migration

  def change do
    alter table(:{n["table"]}) do
      add :remarks, :text
      add :region_id, :bigint
    end
  end
end
"""
    head = {
        **base,
        path: ECTO_SCHEMA.format(**n, extra=extra),
        f"priv/repo/migrations/20240201000000_add_region_{n['table']}.exs": add,
    }
    assert _review(base, head) == []
    # the owner removed from the schema while `owner_id` allows NULL: inserts go on
    assert _review(base, {**base, path: ECTO_SCHEMA.format(**n, extra="")}) == []


SEQUELIZE_MODEL = """import {{ Column, DataType, Table }} from "sequelize-typescript";
import IdModel from "./base/IdModel";

@Table({{ tableName: "{table}", modelName: "{model}" }})
class {Model} extends IdModel {{
  @Column(DataType.STRING)
  {kept}: string;
{extra}}}

export default {Model};
"""
SEQUELIZE_NAMES = [
    {"Model": "Share", "model": "share", "table": "shares", "kept": "urlId"},
    {"Model": "Pin", "model": "pin", "table": "pins", "kept": "index"},
]


@pytest.mark.parametrize("n", SEQUELIZE_NAMES, ids=lambda n: n["Model"])
def test_sequelize_typescript_attribute_added_without_migration(n: dict[str, str]) -> None:
    create = (
        "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        f'    await queryInterface.createTable("{n["table"]}", {{\n'
        "      id: { type: Sequelize.UUID, primaryKey: true },\n"
        f'      "{n["kept"]}": {{ type: Sequelize.STRING }},\n'
        "    });\n  },\n"
        f'  async down(queryInterface) {{\n    await queryInterface.dropTable("{n["table"]}");\n  }},\n}};\n'
    )
    path = f"server/models/{n['Model']}.ts"
    base = {path: SEQUELIZE_MODEL.format(**n, extra=""), "server/migrations/20240101000000-create.js": create}
    extra = (
        '\n  @Column({ type: DataType.INTEGER, field: "view_count" })\n  views: number;\n\n  @Column\n  lastSeenAt: Date;\n'
        "\n  @Column(DataType.VIRTUAL)\n  plainToken: string | null;\n"
    )
    found = _review(base, {**base, path: SEQUELIZE_MODEL.format(**n, extra=extra)})
    assert sorted(m.split(": ")[0] for _, _, _, m in found) == [
        f"`{n['Model']}.lastSeenAt` is new in the model, but no migration creates the column `{n['table']}.lastSeenAt`",
        f"`{n['Model']}.views` is new in the model, but no migration creates the column `{n['table']}.view_count`",
    ]
    add = (
        "module.exports = {\n  async up(queryInterface, Sequelize) {\n"
        f'    await queryInterface.addColumn("{n["table"]}", "view_count", {{ type: Sequelize.INTEGER }});\n'
        f'    await queryInterface.addColumn("{n["table"]}", "last_seen_at", {{ type: Sequelize.DATE }});\n'
        "  },\n"
        f'  async down(queryInterface) {{\n    await queryInterface.removeColumn("{n["table"]}", "view_count");\n'
        f'    await queryInterface.removeColumn("{n["table"]}", "last_seen_at");\n  }},\n}};\n'
    )
    head = {
        **base,
        path: SEQUELIZE_MODEL.format(**n, extra=extra),
        "server/migrations/20240201000000-views.js": add,
    }
    assert _review(base, head) == []


@pytest.mark.parametrize("n", PRISMA_NAMES, ids=lambda n: n["Model"])
def test_prisma_field_made_required_without_migration(n: dict[str, str]) -> None:
    base = _prisma_base(n, f', "{n["field"]}" TEXT')
    base["prisma/schema.prisma"] = PRISMA.format(**n, extra=f"  {n['field']} String?\n")
    required = PRISMA.format(**n, extra=f"  {n['field']} String\n")
    found = _review(base, {**base, "prisma/schema.prisma": required})
    assert [(r, line) for r, _, line, _ in found] == [(MISSING, 13)]
    assert f"`{n['Model']}.{n['field']}` is now required" in found[0][3]
    migration = (
        f'UPDATE "{n["table"]}" SET "{n["field"]}" = \'\' WHERE "{n["field"]}" IS NULL;\n'
        f'ALTER TABLE "{n["table"]}" ALTER COLUMN "{n["field"]}" SET NOT NULL;\n'
    )
    head = {
        **base,
        "prisma/schema.prisma": required,
        "prisma/migrations/20240201000000_required/migration.sql": migration,
    }
    assert [r for r, *_ in _review(base, head) if r == MISSING] == []
    # made optional: nothing to say
    assert _review({**base, "prisma/schema.prisma": required}, base) == []


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_a_field_made_of_other_fields_has_no_column_of_its_own(n: dict[str, str]) -> None:
    """django-prices' `price = MoneyField(amount_field="price_amount", currency_field="currency")` reads two
    other fields (Saleor's checkout deliveries): only those are columns a migration must create."""
    base = _django_base(n)
    money = (
        "\n\nclass Quote(models.Model):\n"
        '    price = MoneyField(amount_field="price_amount", currency_field="currency")\n'
        "    price_amount = models.DecimalField(max_digits=12, decimal_places=3)\n"
        "    currency = models.CharField(max_length=3)\n"
    )
    create = f"""from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{n["app"]}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Quote",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("price_amount", models.DecimalField(max_digits=12, decimal_places=3)),
                ("currency", models.CharField(max_length=3)),
            ],
        ),
    ]
"""
    models_path, migration_path = f"{n['app']}/models.py", f"{n['app']}/migrations/0002_quote.py"
    head = {**base, models_path: DJANGO_MODELS.format(**n, extra=money), migration_path: create}
    assert _review(base, head) == []
    # an amount column the migration leaves out is still missing
    short = create.replace('                ("currency", models.CharField(max_length=3)),\n', "")
    [missing] = _review(base, {**head, migration_path: short})
    assert f"`{n['app']}_quote.currency`" in missing[3]


BASED_MODELS = """from django.db import models

from {app}.base import PrimaryModel


class {Model}(PrimaryModel):
    {kept} = models.CharField(max_length=40)
    {old} = models.CharField(max_length=40)
{parent}"""
PARENT_CLASS = "\n\nclass {Parent}(models.Model):\n    pass\n"


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_a_models_file_whose_last_plain_model_goes_still_declares_the_others(n: dict[str, str]) -> None:
    """NetBox removed `ContactGroupMembership`, the one class of `contacts.py` written `(models.Model)`; the
    file's other models derive from `PrimaryModel` and `ChangeLoggedModel`, and every field of theirs was said to
    be removed from the model (five required-column-unwritten blocks)."""
    path = f"{n['app']}/models.py"
    base = {**_django_base(n), path: BASED_MODELS.format(**n, parent=PARENT_CLASS.format(**n))}
    assert _review(base, {**base, path: BASED_MODELS.format(**n, parent="")}) == []
    removed = BASED_MODELS.format(**n, parent="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    found = _review(base, {**base, path: removed})
    assert [(r, line) for r, _, line, _ in found] == [(UNWRITTEN, 6)]
    assert f"`{n['Model']}.{n['old']}` is removed from the model" in found[0][3]


RENAME_MODEL = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RenameModel(old_name="{Model}", new_name="{New}")]
"""
SQLITE_SETTINGS = "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"
POSTGRES_SETTINGS = "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n"


@pytest.mark.parametrize(
    ("n", "new"),
    [(NAMES[0], "Purchase"), (NAMES[1], "Bill")],
    ids=lambda v: v if isinstance(v, str) else v["app"],
)
def test_a_renamed_model_is_judged_on_the_schema_its_migrations_leave(n: dict[str, str], new: str) -> None:
    """Wagtail renamed `PageRevision` to `Revision`: its project template's settings name SQLite for the
    repository's root, the test settings PostgreSQL for the migrations, and the SQLite schema, which no migration
    of the change advanced, still held the old table: three required-column-unwritten blocks."""
    app = n["app"]
    settings = {"proj/settings/base.py": SQLITE_SETTINGS, f"{app}/project/settings.py": POSTGRES_SETTINGS}
    base = {**_django_base(n), **settings}
    models = DJANGO_MODELS.format(**n, extra="").replace(f"class {n['Model']}(", f"class {new}(")
    rename = {f"{app}/migrations/0002_rename.py": RENAME_MODEL.format(**n, New=new)}
    assert _review(base, {**base, f"{app}/models.py": models, **rename}) == []
    # the field removed, the model kept: the schema still requires the column
    dropped = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    found = _review(base, {**base, f"{app}/models.py": dropped})
    assert [r for r, *_ in found] == [UNWRITTEN]
    assert f"`{app}_{n['Model'].lower()}.{n['old']}`" in found[0][3]


LABELLED_APPS = 'from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = "{app}"\n    label = "{label}"\n'


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_a_labelled_apps_models_map_the_labelled_tables(n: dict[str, str]) -> None:
    """Wagtail's models in `wagtail/models/` are the app `wagtailcore`'s: a field removed from one leaves a
    column of `wagtailcore_…` required, which was looked for in `wagtail_…`."""
    label = f"{n['app']}core"
    base = {**_django_base(n), f"{n['app']}/apps.py": LABELLED_APPS.format(app=n["app"], label=label)}
    models = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    found = _review(base, {**base, f"{n['app']}/models.py": models})
    assert [r for r, *_ in found] == [UNWRITTEN]
    assert f"`{label}_{n['Model'].lower()}.{n['old']}`" in found[0][3]


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_a_labelled_apps_model_is_found_for_the_code_that_reads_its_dropped_column(n: dict[str, str]) -> None:
    """The code that reads a dropped column of `wagtailcore_…` through its model is found: the model lives in
    the package whose `apps.py` declares that label, not in a folder named after it."""
    app, label = n["app"], f"{n['app']}core"
    view = f"from {app}.models import {n['Model']}\n\n\ndef show(pk):\n    row = {n['Model']}.objects.get(pk=pk)\n    return row.{n['old']}\n"
    base = {
        **_django_base(n),
        f"{app}/migrations/__init__.py": "",
        f"{app}/apps.py": LABELLED_APPS.format(app=app, label=label),
        f"{app}/views.py": view,
    }
    drop = f'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("{label}", "0001_initial")]\n    operations = [migrations.RemoveField(model_name="{n["Model"].lower()}", name="{n["old"]}")]\n'
    models = DJANGO_MODELS.format(**n, extra="").replace(
        f"    {n['old']} = models.CharField(max_length=40)\n", ""
    )
    head = {**base, f"{app}/models.py": models, f"{app}/migrations/0002_drop.py": drop}
    files = tuple(
        ChangedFile(p, "added" if p not in base else "modified", base.get(p), head[p])
        for p in head
        if base.get(p) != head[p]
    )
    [finding] = [
        f
        for f in review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base))).active
        if f.rule == "column-dropped"
    ]
    assert f"`{label}_{n['Model'].lower()}.{n['old']}`" in finding.message
    assert [(r.path, r.line, r.kind) for r in finding.references] == [(f"{app}/views.py", 6, "other")]


@pytest.mark.parametrize("n", NAMES, ids=lambda n: n["app"])
def test_a_check_with_findings_and_no_migration_says_its_verdict(n: dict[str, str]) -> None:
    """The check run's title is what a team sees in the list of checks: a model changed without its
    migration blocks, and the title says so rather than "No migration changed"."""
    base = _django_base(n)
    head = {
        **base,
        f"{n['app']}/models.py": DJANGO_MODELS.format(
            **n, extra="    discount = models.IntegerField(default=0)\n"
        ),
    }
    files = (
        ChangedFile(
            f"{n['app']}/models.py", "modified", base[f"{n['app']}/models.py"], head[f"{n['app']}/models.py"]
        ),
    )
    result = review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base)))
    assert not result.migrations and result.approval == "BLOCKED"
    assert render_check_run(result)["title"].startswith("BLOCKED: 1 critical")
    assert "No migration changed. The findings are on other files." in render_text(result)


@pytest.mark.parametrize("n", ECTO_NAMES, ids=lambda n: n["Model"])
def test_a_model_the_change_deletes_whole_inserts_nothing(n: dict[str, str]) -> None:
    """TeslaMate's revert of its import checkpoints deleted the schema modules and kept their tables (NOT NULL
    columns without defaults): nothing inserts into them any more. A field removed from a module that stays
    still counts."""
    create = f"""defmodule MyApp.Repo.Migrations.Create{n["Model"]} do
  use Ecto.Migration

  def change do
    create table(:{n["table"]}) do
      add :{n["kept"]}, :string
      add :status, :string, null: false
      timestamps()
    end
  end
end
"""
    path = f"lib/my_app/shop/{n['Model'].lower()}.ex"
    base = {
        path: ECTO_SCHEMA.format(**n, extra="    field :status, :string\n"),
        f"priv/repo/migrations/20240101000000_create_{n['table']}.exs": create,
    }
    [(rule, _, _, message)] = _review(base, {**base, path: ECTO_SCHEMA.format(**n, extra="")})
    assert rule == UNWRITTEN and f"`{n['Model']}.status`" in message
    deleted = {p: text for p, text in base.items() if p != path}
    assert _review(base, deleted) == []
    emptied = {**base, path: "defmodule MyApp.Shop do\n  @moduledoc false\nend\n"}
    assert _review(base, emptied) == []
