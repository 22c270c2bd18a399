"""A model declares a column (or a whole model) that no migration creates.

## Why is this bad?
Django, SQLAlchemy, Prisma Client, TypeORM, Sequelize and Ecto name every column a model maps in each query of it: a `SELECT` of
`Order` lists `discount` as soon as the field is in the class. When the pull request adds the field to the
model but no migration adds the column (the migration was never generated, or was generated before the
last edit of the model), every read and write of the model fails after deploy with `column
orders.discount does not exist`, on every page that touches the model, until someone writes and runs the
missing migration. Tests that build their database from the models (`create_all()`, Django's test runner on
an app without migrations, `prisma db push`) pass; production's database only runs migrations.

A Prisma field the change makes required (`String?` to `String`) while no migration makes its column NOT
NULL is a warning: Prisma Client refuses every row it reads with a NULL there, so the rows written before
break the queries that read them.

Judged against the schema after every migration of the pull request: only columns the change adds to its
models count, and only on tables the schema knows whole. A column a migration of the change names is left
alone (the migration may create it in a way the review could not read).

## Use instead
Generate the migration from the model and commit it with the change: `python manage.py makemigrations`,
`alembic revision --autogenerate`, `prisma migrate dev --create-only`, `typeorm migration:generate`,
`mix ecto.gen.migration`. Read it before committing: a
generated migration adds exactly what the models say.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.changeset import ChangeSet
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._model_sync import (
    FIX,
    LOADS,
    edits_models,
    first_line,
    made_required,
    missing,
    named_by_migrations,
)
from bot.rules.context import Context

RULE = Rule(
    id="model-without-migration",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.CRITICAL,
    help="Generate the migration that creates the column from the model and commit it with the change.",
    bad=(
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, total numeric NOT NULL);\n"
        "-- migration\n"
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n"
        "    total = models.DecimalField(max_digits=10, decimal_places=2)\n"
        "    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0)\n",
    ),
    good=(
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, total numeric NOT NULL, discount numeric NOT NULL);\n"
        "-- migration\n"
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n"
        "    total = models.DecimalField(max_digits=10, decimal_places=2)\n"
        "    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0)\n",
    ),
)
# the examples are edits of this model file (a code change; the schema above `-- migration` is the history)
EXAMPLE_PATH = "shop/models.py"
EXAMPLE_BASE = (
    "from django.db import models\n\n\n"
    "class Order(models.Model):\n"
    "    total = models.DecimalField(max_digits=10, decimal_places=2)\n"
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    """A code change, not a migration: read by `check_change` against the schema the migrations leave."""
    return iter(())


def check_change(changeset: ChangeSet, catalogs: list[Catalog]) -> Iterator[Finding]:
    """The columns and models the change's model files add that no migration creates, and the Prisma fields
    it makes required that no migration makes NOT NULL."""
    if not edits_models(changeset):
        return
    named = named_by_migrations(changeset)
    for item, table in made_required(changeset, catalogs, named):
        yield RULE.finding(
            item.path,
            item.line,
            f"{first_line(item)} is now required, but no migration makes `{table.name}.{item.column}` NOT "
            "NULL: Prisma Client fails on every row it reads that holds NULL there (`Error converting field "
            f'"{item.field}" of expected non-nullable type`), and the rows written before keep their NULLs.',
            blast_radius=f"Every query of `{item.model}` that returns a row whose `{item.column}` is NULL fails, "
            "from the deploy until the rows are filled and the column made NOT NULL.",
            fix=f"{FIX['prisma']}: it fills the NULLs (write the UPDATE into it) and sets NOT NULL; or keep the field "
            "optional until the rows are filled.",
            severity=Severity.WARNING,
            end_line=item.line,
        )
    new_models: set[str] = set()
    for drift in missing(changeset, catalogs, named):
        item = drift.declared
        if drift.table is None:
            if item.table in new_models:
                continue
            new_models.add(item.table)
            yield RULE.finding(
                item.path,
                item.line,
                f"`{item.model}` is a new model, but no migration creates its table `{item.table}`: "
                f"{LOADS[item.framework]}, so every query of `{item.model}` fails once this code deploys "
                f"(`relation {item.table} does not exist`).",
                blast_radius=f"Every read and write of `{item.model}` in production, from the deploy until a "
                "migration creates the table.",
                fix=f"{FIX[item.framework]}: it creates `{item.table}`.",
                end_line=item.line,
            )
            continue
        yield RULE.finding(
            item.path,
            item.line,
            f"{first_line(item)} is new in the model, but no migration creates the column "
            f"`{item.table}.{item.column}`: {LOADS[item.framework]}, so every query of `{item.model}` fails "
            f"once this code deploys (`column {item.table}.{item.column} does not exist`).",
            blast_radius=f"Every read and write of `{item.model}` (table `{item.table}`) in production, from the "
            "deploy until a migration adds the column.",
            fix=f"{FIX[item.framework]}: it adds `{item.column}` to `{item.table}`.",
            end_line=item.line,
        )
