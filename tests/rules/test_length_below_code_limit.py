"""A column narrowed below the length the code lets through: Rails validations, Django and DRF fields,
zod, class-validator and JSON schemas."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "length-below-code-limit"
NAMES = [("users", "User", "name"), ("products", "Product", "title")]


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == RULE]


def _sql(table: str, column: str, new: int) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(255), note text);\n-- migration\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({new});"
    )


CODE = {
    "rails": lambda model, column: (
        f"app/models/{model.lower()}.rb",
        f"class {model} < ApplicationRecord\n  validates :{column}, presence: true, length: {{ maximum: 100 }}\nend\n",
        2,
    ),
    "rails-range": lambda model, column: (
        f"app/models/{model.lower()}.rb",
        f"class {model} < ApplicationRecord\n  validates_length_of :{column}, within: 2..100\nend\n",
        2,
    ),
    "drf": lambda model, column: (
        "shop/serializers.py",
        f"from rest_framework import serializers\n\n\nclass {model}Serializer(serializers.ModelSerializer):\n"
        f"    {column} = serializers.CharField(required=True, max_length=100)\n",
        5,
    ),
    "pydantic": lambda model, column: (
        "api/schemas.py",
        f"from pydantic import BaseModel, Field, constr\n\n\nclass {model}Input(BaseModel):\n"
        f"    id: int\n    {column}: constr(strip_whitespace=True, max_length=100)\n"
        f"    note: str = Field(default='', max_length=20)\n",
        6,
    ),
    "bean-validation": lambda model, column: (
        f"src/main/java/shop/{model}.java",
        f"package shop;\n\n@Entity\npublic class {model} {{\n  @Id\n  private Long id;\n\n"
        f"  @NotBlank\n  @Size(min = 1, max = 100)\n  @Column(nullable = false)\n  private String {column};\n}}\n",
        9,
    ),
    "kotlin": lambda model, column: (
        f"src/main/kotlin/shop/{model}Request.kt",
        f"data class {model}Request(\n  @field:NotBlank\n  @field:Size(max = 100)\n  val {column}: String,\n)\n",
        3,
    ),
    "zod": lambda model, column: (
        "web/src/schemas.ts",
        f"import {{ z }} from 'zod';\n\nexport const {model[0].lower() + model[1:]}Schema = z.object({{\n"
        f"  id: z.number(),\n  {column}: z.string().min(1).max(100),\n}});\n",
        5,
    ),
    "class-validator": lambda model, column: (
        "api/src/dto.ts",
        f"export class Create{model}Dto {{\n  @IsString()\n  @MaxLength(100)\n  {column}: string;\n}}\n",
        3,
    ),
    "json-schema": lambda model, column: (
        f"schemas/{model.lower()}.schema.json",
        f'{{\n  "type": "object",\n  "properties": {{\n    "{column}": {{ "type": "string", "maxLength": 100 }}\n  }}\n}}\n',
        4,
    ),
}


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
@pytest.mark.parametrize("kind", list(CODE))
def test_narrowing_below_what_the_code_allows(table: str, model: str, column: str, kind: str) -> None:
    path, source, line = CODE[kind](model, column)
    head = {path: source}
    found = _found(review_sql(_sql(table, column, 50), head=head))
    assert len(found) == 1 and found[0].severity is Severity.WARNING, found
    assert f"`{table}.{column}` is narrowed to 50" in found[0].message and "up to 100" in found[0].message
    assert f"`{path}:{line}`" in found[0].message and found[0].references[0].path == path
    assert not _found(review_sql(_sql(table, column, 120), head=head))  # the code's limit fits
    assert not _found(review_sql(_sql(table, column, 100), head=head))


def test_limits_of_other_models_and_widenings_say_nothing() -> None:
    head = {
        "app/models/account.rb": "class Account < ApplicationRecord\n  validates :name, length: { maximum: 200 }\nend\n"
    }
    assert not _found(review_sql(_sql("users", "name", 50), head=head))
    head = {
        "app/models/user.rb": "class User < ApplicationRecord\n  validates :name, length: { maximum: 200 }\nend\n"
    }
    widened = (
        "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(30));\n-- migration\n"
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(60);"
    )
    assert not _found(review_sql(widened, head=head))


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_rails_change_column(table: str, model: str, column: str) -> None:
    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} character varying);\n",
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n"
        f"  validates :{column}, length: {{ maximum: 80 }}\nend\n",
    }
    migration = (
        "class Narrow < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    change_column :{table}, :{column}, :string, limit: {{}}\n  end\n\n  def down\n  end\nend\n"
    )
    path = "db/migrate/20260101000000_narrow.rb"
    found = _found(review_sql(migration.format(40), path=path, base=base))
    assert found and "up to 80" in found[0].message
    assert not _found(review_sql(migration.format(80), path=path, base=base))


@pytest.mark.parametrize(("model", "column"), [("Order", "reference"), ("Shipment", "tracking")])
def test_django_alter_field_against_the_model_and_a_form(model: str, column: str) -> None:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        f"        migrations.CreateModel(name='{model}', fields=[\n"
        "            ('id', models.BigAutoField(primary_key=True)),\n"
        f"            ('{column}', models.CharField(max_length=200)),\n        ]),\n    ]\n"
    )
    alter = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n    operations = [\n"
        f"        migrations.AlterField(model_name='{model.lower()}', name='{column}',"
        " field=models.CharField(max_length={new})),\n    ]\n"
    )
    models = f"from django.db import models\n\n\nclass {model}(models.Model):\n    {column} = models.CharField(max_length={{limit}})\n"
    form = (
        f"from django import forms\n\n\nclass {model}Form(forms.Form):\n"
        f"    {column} = forms.CharField(max_length=150)\n"
    )
    base = {"shop/migrations/0001_initial.py": initial}
    path = "shop/migrations/0002_narrow.py"
    # the model still says 200 (not updated with the migration), and a form allows 150
    head = {"shop/models.py": models.format(limit=200), "shop/forms.py": form}
    found = _found(review_sql(alter.format(new=100), path=path, base=base, head=head))
    assert found and "up to 200" in found[0].message and "shop/forms.py" in found[0].message
    # the model follows the migration, and the form fits
    head = {"shop/models.py": models.format(limit=150), "shop/forms.py": form}
    assert not _found(review_sql(alter.format(new=150), path=path, base=base, head=head))


# Limits given by a constant's name: of the same file, of the module the file imports it from, or of the
# one constant of that name in the tree. {limit} is the constant's name, {value} its value.
NAMED = {
    "django-same-module": lambda model, column, limit: {
        "shop/models.py": f"from django.db import models\n\n{limit} = 100\n\n\nclass {model}(models.Model):\n"
        f"    {column} = models.CharField(max_length={limit})\n",
    },
    "django-imported": lambda model, column, limit: {
        "shop/limits.py": f"{limit} = 100\nOTHER_LIMIT = 10\n",
        "shop/constants.py": f"{limit} = 20\n",
        "shop/forms.py": f"from django import forms\nfrom .limits import (\n    OTHER_LIMIT,\n    {limit},\n)\n\n\n"
        f"class {model}Form(forms.Form):\n    {column} = forms.CharField(max_length={limit})\n",
    },
    "rails": lambda model, column, limit: {
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n  {limit} = 100\n"
        f"  validates :{column}, length: {{ maximum: {limit} }}\nend\n",
    },
    "zod-imported": lambda model, column, limit: {
        "web/src/limits.ts": f"export const {limit} = 100;\n",
        "web/src/schemas.ts": f"import {{ z }} from 'zod';\nimport {{ {limit} }} from './limits';\n\n"
        f"export const {model[0].lower() + model[1:]}Schema = z.object({{\n  {column}: z.string().max({limit}),\n}});\n",
    },
    "bean-validation": lambda model, column, limit: {
        "src/main/java/shop/Limits.java": f"package shop;\n\npublic final class Limits {{\n"
        f"    public static final int {limit} = 100;\n}}\n",
        f"src/main/java/shop/{model}.java": f"package shop;\n\npublic class {model} {{\n"
        f"  @Size(max = Limits.{limit})\n  private String {column};\n}}\n",
    },
}


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
@pytest.mark.parametrize("kind", list(NAMED))
def test_limits_given_by_a_constant(table: str, model: str, column: str, kind: str) -> None:
    limit = f"{column.upper()}_MAX_LENGTH"
    head = NAMED[kind](model, column, limit)
    found = _found(review_sql(_sql(table, column, 50), head=head))
    assert len(found) == 1 and "up to 100" in found[0].message, found
    assert limit in found[0].message
    assert not _found(review_sql(_sql(table, column, 100), head=head))


def test_a_constant_that_cannot_be_told_says_nothing() -> None:
    """Two constants of the name with different values, neither in the file nor imported by it."""
    head = {
        "a/limits.py": "TITLE_MAX = 100\n",
        "b/limits.py": "TITLE_MAX = 30\n",
        "shop/models.py": "from django.db import models\nfrom shop.settings import *\n\n\n"
        "class Product(models.Model):\n    title = models.CharField(max_length=TITLE_MAX)\n",
    }
    assert not _found(review_sql(_sql("products", "title", 50), head=head))


# Limits whose keyword stands on a later line than the field's call: (path, source, line of the limit)
MULTILINE = {
    "django-model": lambda model, column: (
        "shop/models.py",
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    {column} = models.CharField(\n"
        f"        verbose_name='{column}',\n        max_length=100,\n        blank=True,\n    )\n",
        7,
    ),
    "django-form": lambda model, column: (
        "shop/forms.py",
        f"from django import forms\n\n\nclass {model}Form(forms.Form):\n    {column} = forms.CharField(\n"
        f"        required=False,\n        max_length=100,\n    )\n",
        7,
    ),
    "drf": lambda model, column: (
        "shop/serializers.py",
        f"from rest_framework import serializers\n\n\nclass {model}Serializer(serializers.ModelSerializer):\n"
        f"    {column} = serializers.CharField(\n        required=True,\n        max_length=100,\n    )\n",
        7,
    ),
    "django-validator": lambda model, column: (
        "shop/models.py",
        "from django.core.validators import MaxLengthValidator\nfrom django.db import models\n\n\n"
        f"class {model}(models.Model):\n    {column} = models.TextField(\n        validators=[\n"
        "            MaxLengthValidator(100),\n        ],\n    )\n",
        8,
    ),
    "pydantic": lambda model, column: (
        "api/schemas.py",
        f"from pydantic import BaseModel, Field\n\n\nclass {model}Input(BaseModel):\n    {column}: str = Field(\n"
        "        default='',\n        max_length=100,\n    )\n",
        7,
    ),
    "rails": lambda model, column: (
        f"app/models/{model.lower()}.rb",
        f"class {model} < ApplicationRecord\n  validates :{column},\n            presence: true,\n"
        "            length: {\n              maximum: 100\n            }\nend\n",
        2,
    ),
    "zod": lambda model, column: (
        "web/src/schemas.ts",
        f"import {{ z }} from 'zod';\n\nexport const {model[0].lower() + model[1:]}Schema = z.object({{\n"
        f"  {column}: z\n    .string({{ required_error: 'required' }})\n    .min(1)\n"
        "    .max(100, { message: 'too long' }),\n});\n",
        4,
    ),
    "class-validator": lambda model, column: (
        "api/src/dto.ts",
        f"export class Create{model}Dto {{\n  @IsString()\n  @MaxLength(\n    100,\n    {{ message: 'too long' }},\n"
        f"  )\n  {column}: string;\n}}\n",
        3,
    ),
    "bean-validation": lambda model, column: (
        f"src/main/java/shop/{model}.java",
        f"package shop;\n\npublic class {model} {{\n  @Size(\n      min = 1,\n      max = 100)\n"
        f"  private String {column};\n}}\n",
        4,
    ),
}


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
@pytest.mark.parametrize("kind", list(MULTILINE))
def test_limits_written_over_several_lines(table: str, model: str, column: str, kind: str) -> None:
    path, source, line = MULTILINE[kind](model, column)
    head = {path: source}
    found = _found(review_sql(_sql(table, column, 50), head=head))
    assert len(found) == 1 and "up to 100" in found[0].message, found
    assert f"`{path}:{line}`" in found[0].message
    assert not _found(review_sql(_sql(table, column, 100), head=head))
    assert not _found(review_sql(_sql(table, "note", 50), head=head))  # another column of the table
