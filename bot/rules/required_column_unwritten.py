"""A field is removed from a model while its column stays NOT NULL with no default: every insert fails.

## Why is this bad?
Removing a field from the model before dropping its column is the right order (the code stops using the
column, then a later release drops it), but only when the database can fill the column without the
application. Django, SQLAlchemy, Prisma Client, TypeORM, Sequelize and Ecto insert the columns the model declares and
nothing else:
a column that is still NOT NULL and has no database default gets no value, and every insert into the table
fails after deploy (`null value in column "legacy_code" violates not-null constraint`). Django never leaves
a database default on its columns (it drops the default it adds for existing rows), so a Django field
removed from the model with only `SeparateDatabaseAndState`, or with no migration at all, is this case
unless the column allows NULL.

Judged against the schema after every migration of the pull request: only columns the change removes from
its models count, and only when that schema still holds them as NOT NULL without a default. A model the change
deletes whole (its file, or its class or schema block, with no other model of its table left) inserts nothing.

## Use instead
In the same change, let the database fill the column: make it nullable (`null=True` in a migration that
runs before the code deploys, `ALTER TABLE … ALTER COLUMN … DROP NOT NULL`) or give it a database default
(`db_default`, `ALTER COLUMN … SET DEFAULT`). Drop the column in a later release, once no running code
inserts without it. Or drop it now with the migration the framework generates, if every running instance
deploys together with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog
from bot.model.changeset import ChangeSet
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration
from bot.rules._model_sync import first_line, head_line, unwritten
from bot.rules.context import Context

RULE = Rule(
    id="required-column-unwritten",
    dimension=Dimension.CODE_REFERENCES,
    severity=Severity.CRITICAL,
    help="Make the column nullable or give it a database default before the model stops writing it.",
    bad=(
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, total numeric NOT NULL, legacy_code text NOT NULL);\n"
        "-- migration\n"
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n"
        "    total = models.DecimalField(max_digits=10, decimal_places=2)\n",
    ),
    good=(
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, total numeric NOT NULL, legacy_code text);\n"
        "-- migration\n"
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n"
        "    total = models.DecimalField(max_digits=10, decimal_places=2)\n",
    ),
)
# the examples are edits of this model file (a code change; the schema above `-- migration` is the history)
EXAMPLE_PATH = "shop/models.py"
EXAMPLE_BASE = (
    "from django.db import models\n\n\n"
    "class Order(models.Model):\n"
    "    total = models.DecimalField(max_digits=10, decimal_places=2)\n"
    "    legacy_code = models.CharField(max_length=20)\n"
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    """A code change, not a migration: read by `check_change` against the schema the migrations leave."""
    return iter(())


def check_change(changeset: ChangeSet, catalogs: list[Catalog]) -> Iterator[Finding]:
    """The columns the change's models stop declaring that the database still requires."""
    for item, table, column in unwritten(changeset, catalogs):
        line = head_line(changeset, item)
        yield RULE.finding(
            item.path,
            line,
            f"{first_line(item)} is removed from the model, but its column `{table.name}.{column}` "
            "stays NOT NULL with no default: the model's inserts leave it out, so every insert into "
            f'`{table.name}` fails once this code deploys (`null value in column "{column}" violates '
            "not-null constraint`).",
            blast_radius=f"Every new `{item.model}` row: each create of the model fails, from the deploy until the "
            "column is dropped or made nullable.",
            fix=f"In this change, make `{table.name}.{column}` nullable or give it a database default (a "
            "migration that runs before the code deploys); drop the column in a later release.",
            end_line=line,
        )
