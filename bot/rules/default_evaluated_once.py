"""A column added with a default computed by the application (`default=uuid.uuid4`, Rails `default:
SecureRandom.hex`): it is computed once, and every row gets the same value.

## Why is this bad?
Django fills the existing rows of a new column by calling the field's default once and writing that one
value into every row (it sets it as the column's default for the `ALTER TABLE`, then drops it). With
`models.UUIDField(default=uuid.uuid4, unique=True)` every existing row gets the same UUID, and the unique
constraint fails as soon as the table has two rows: the migration stops in production, after it worked on an
empty development database. Without `unique=True` it does not fail: every existing row silently shares one
token, code or key that the code expects to be different in each row.

An AlterField that makes a nullable field NOT NULL with such a default does the same to the rows still NULL:
Django calls the default once, writes that value into each of them (`UPDATE … SET token = %s WHERE token IS
NULL`), then sets NOT NULL; a unique field fails as soon as two rows were NULL. A migration before it that
filled the NULLs one by one (a `RunPython` loop, in the change or already in the history) leaves nothing for
the one value, and is no finding.

Rails does the same with a default written as Ruby: `add_column :invites, :token, :string, default:
SecureRandom.hex(16)` runs `SecureRandom.hex` once, when the migration runs, and the column keeps that one
string as its default. Every existing row gets it, and so does every row inserted later without a token:
all invitations share one token. `default: Time.now` stamps every row with the migration's time forever.

## Use instead
Rails: a default the database computes for each row (`default: -> { 'gen_random_uuid()' }`, `-> {
'CURRENT_TIMESTAMP' }`), or none, with the value set in the model (`before_create`).

Django: add the field without `unique=True` (and `null=True`), fill each row in a `RunPython` step
(`for row in Model.objects.filter(token__isnull=True).iterator(): row.token = uuid.uuid4(); row.save(
update_fields=["token"])`, in batches), then make it unique (and NOT NULL) in a later migration. On
PostgreSQL 13+ a database default computed per row does it at once: `db_default=RandomUUID()` (Django 5).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.catalog import unqualified
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    CreateTable,
    DataUpdate,
    Migration,
    Operation,
    SetDefault,
    SetNotNull,
)
from bot.rules.context import Context

RULE = Rule(
    id="default-evaluated-once",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Add the field nullable and not unique, fill each row in RunPython, then add the constraint in a later migration.",
    bad=(
        "import uuid\n\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField(model_name="order", name="token",'
        " field=models.UUIDField(default=uuid.uuid4, unique=True)),\n"
        "    ]\n",
    ),
    good=(
        "import uuid\n\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField(model_name="order", name="token", field=models.UUIDField(null=True)),\n'
        "    ]\n",
    ),
)
EXAMPLE_PATH = "shop/migrations/0002_order_token.py"
EXAMPLE_HEAD = {
    "shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n    initial = True\n    operations = [\n"
    '        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), '
    '("total", models.IntegerField(null=True))]),\n    ]\n'
}

# a default that stands for a value of its own in each row: an identifier, a token, a random code
_PER_ROW = re.compile(
    r"uuid|random|token|secret|nonce|salt|generate|make_key|make_code|_key\b|_code\b|slug", re.I
)


# a column meant to hold a value of its own in each row
_PER_ROW_NAME = re.compile(r"token|secret|uuid|uid\b|nonce|salt|slug|_key\b|_code\b|^key$|^code$", re.I)
# a Rails default written as Ruby that calls something (`SecureRandom.hex(16)`, `Time.now`, `rand(1000)`):
# computed once, when the migration runs, and kept as the column's constant default
_RUBY_CALL = re.compile(r"^(?:[A-Z]\w*(?:::\w+)*\.\w+|rand\b|Random\b)")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if migration.framework == "rails":
        yield from _rails(migration, context)
        return
    if migration.framework != "django":
        return
    ups = migration.up
    for index, op in enumerate(ups):
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        default = op.column.default or ""
        if not default.endswith("()") or not _one_off(ups[index + 1 :], op):
            continue  # a literal default, or a database default (`db_default`) computed by the database
        unique = op.column.unique or any(
            isinstance(o, AddConstraint)
            and o.constraint in ("unique", "primary_key")
            and o.columns == (op.column.name,)
            and o.location.line == op.location.line
            for o in ups[index + 1 :]
        )
        if not unique and not _PER_ROW.search(default):
            continue  # `timezone.now()` for every existing row is what the author means
        yield _finding(op, default, unique, context)
    for op in ups:
        if isinstance(op, DataUpdate) and (found := _nulls_filled_once(op, ups, context)) is not None:
            yield found


def _nulls_filled_once(op: DataUpdate, ups: tuple[Operation, ...], context: Context) -> Finding | None:
    """Django's AlterField from `null=True` to NOT NULL with a default Python computes: the schema editor
    calls the default once and writes that value into every row still NULL (`UPDATE … SET col = %s WHERE col
    IS NULL`), then sets NOT NULL. Quiet where a migration before filled the column's NULLs one by one."""
    if len(op.assignments) != 1 or op.saves or op.batched:
        return None
    column, default = op.assignments[0]
    if op.where != f"{column} IS NULL" or not default.endswith("()"):
        return None
    line = op.location.line

    def here(o: Operation) -> bool:
        return o.location.line == line and getattr(o, "table", None) == op.table

    if not any(isinstance(o, SetNotNull) and o.column == column and here(o) for o in ups):
        return None
    before = context.before(op)
    if (unqualified(op.table), column) in before.filled:
        return None  # filled before: only rows written since, if any, get the one value
    unique = (column,) in before.unique_keys(op.table) or any(
        isinstance(o, AddConstraint) and o.constraint in ("unique", "primary_key") and o.columns == (column,)
        for o in ups
        if here(o)
    )
    if not unique and not _PER_ROW.search(default):
        return None
    target = f"`{op.table}.{column}`"
    if unique:
        return op.finding(
            RULE,
            f"{target} is made NOT NULL and Django fills the rows where it is NULL by calling `{default}` once: "
            "they all get the same value, so the column's unique constraint fails as soon as two rows were NULL.",
            blast_radius=f"The migration fails in production wherever {context.size_words(op.table)} has two rows "
            "with NULL there (it passes on a development database without them), and the deploy stops.",
            fix=f"First fill each NULL `{column}` with its own value in a `RunPython` step (`for row in "
            f"Model.objects.filter({column}__isnull=True).iterator(): row.{column} = …; "
            f'row.save(update_fields=["{column}"])`), in this migration before the AlterField or in an earlier one.',
        )
    return op.finding(
        RULE,
        f"{target} is made NOT NULL and Django fills the rows where it is NULL by calling `{default}` once: they "
        "all get the same value, where the code expects each row to have its own.",
        severity=Severity.WARNING,
        blast_radius=f"Every row of {context.size_words(op.table)} that held NULL there shares one `{column}`; "
        "nothing fails.",
        fix=f"First fill each NULL `{column}` with its own value in a `RunPython` step, before the AlterField.",
    )


def _rails(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddColumn | CreateTable):
            continue
        for column in [op.column] if isinstance(op, AddColumn) else list(op.columns):
            default = (column.default or "").strip()
            if not _RUBY_CALL.match(default):
                continue
            existing = isinstance(op, AddColumn) and not context.catalog.is_new(op.table)
            per_row = column.unique or bool(_PER_ROW.search(default) or _PER_ROW_NAME.search(column.name))
            rows = "every existing row and every row inserted later" if existing else "every row inserted"
            yield op.finding(
                RULE,
                f"`{op.table}.{column.name}` gets the default `{default}`: Ruby computes it once, when the "
                f"migration runs, and the column keeps that one value as its default, so {rows} without a "
                f"`{column.name}` gets the same one.",
                severity=Severity.CRITICAL if per_row else Severity.WARNING,
                blast_radius=f"Rows of {context.size_words(op.table)} share one `{column.name}`"
                + (" (a token or key meant to be unique to each row)" if per_row else "")
                + (", and a unique index on it fails at the second row." if column.unique else "."),
                fix="Give the column a default the database computes per row (`default: -> { "
                "'gen_random_uuid()' }`, `-> { 'CURRENT_TIMESTAMP' }`), or none and set the value in the model "
                "(`before_create`); fill existing rows one by one in batches.",
            )


def _one_off(later: tuple[Operation, ...], op: AddColumn) -> bool:
    """Django drops the default right after it filled the rows: the value was computed by Django, once."""
    return any(
        isinstance(o, SetDefault)
        and o.default is None
        and o.column == op.column.name
        and o.location.line == op.location.line
        for o in later
    )


def _finding(op: AddColumn, default: str, unique: bool, context: Context) -> Finding:
    column = f"`{op.table}.{op.column.name}`"
    if unique:
        return op.finding(
            RULE,
            f"{column} is filled by calling `{default}` once: every existing row gets the same value, so its "
            "unique constraint fails as soon as the table has two rows.",
            blast_radius=f"The migration fails in production on {context.size_words(op.table)} (it passes on an "
            "empty development database), and the deploy stops.",
        )
    return op.finding(
        RULE,
        f"{column} is filled by calling `{default}` once: every existing row gets the same value, where the "
        "code expects each row to have its own.",
        severity=Severity.WARNING,
        blast_radius=f"Every existing row of {context.size_words(op.table)} shares one `{op.column.name}`; "
        "nothing fails.",
    )
