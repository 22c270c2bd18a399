"""A stored choice value given another meaning (Django `choices` renumbered): every row holding it changes
meaning without being touched.

## Why is this bad?
`status = IntegerField(choices=[(0, "draft"), (1, "published"), (2, "archived")])` stores the numbers, not
the words. Inserting a choice in the middle, `[(0, "draft"), (1, "in_review"), (2, "published"), (3,
"archived")]`, changes no row: every article stored as `1` was published and is now in review,
every `2` was archived and is now published. The migration Django writes for it changes nothing in
the database, so it runs in an instant and passes every check, and the data is wrong from that moment:
published articles disappear from the site, archived ones reappear. The same goes for text choices whose
stored value is reused for another label.

A value dropped from the choices is a lesser trap, said as a note: rows that hold it keep it, forms and
`full_clean()` refuse to save them, and `get_FOO_display()` shows the raw value. When the value left out is
the field's old default (or choices are given to a field that had none, and leave its default out), rows are
known to hold it, every row created with the default: that is a warning. A data migration beside
the `AlterField` (just before or after it, in the same app) that changes the column's rows is taken as the
move of those rows.

## Use instead
Never reuse a stored value: give the new choice a new value (`(3, "in_review")`) and keep the old ones
where they are; the order of the list is only the order of the menu. If the values must change, move the
rows in the same migration with a data migration that maps each old value to its new one, in one
statement (`UPDATE … SET status = CASE status WHEN 1 THEN 2 WHEN 2 THEN 3 END`), before the code with the
new choices runs. For a dropped value, move its rows to a value that stays first.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import ChangeChoices, Migration, RunCode
from bot.rules._backfill import sets_column
from bot.rules.context import Context

# The examples' AlterField, with the choices it gives `status`
_ALTER_STATUS = (
    "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n"
    '    dependencies = [("blog", "0001_initial")]\n\n'
    "    operations = [\n"
    "        migrations.AlterField(\n"
    '            model_name="article",\n'
    '            name="status",\n'
    "            field=models.IntegerField(\n"
    "                choices=[{choices}], default=0\n"
    "            ),\n"
    "        ),\n"
    "    ]\n"
)

RULE = Rule(
    id="choice-value-reassigned",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Give a new choice a new value and leave stored values their meaning; or remap the rows in the same "
    "migration.",
    bad=(_ALTER_STATUS.format(choices='(0, "draft"), (1, "in_review"), (2, "published"), (3, "archived")'),),
    good=(_ALTER_STATUS.format(choices='(0, "draft"), (3, "in_review"), (1, "published"), (2, "archived")'),),
    dialects=("postgres", "mysql", "mariadb", "sqlite"),
)

EXAMPLE_PATH = "blog/migrations/0002_article_status.py"
EXAMPLE_HEAD = {
    "blog/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n\n"
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Article",\n'
        "            fields=[\n"
        '                ("id", models.BigAutoField(primary_key=True)),\n'
        '                ("status", models.IntegerField(choices=[(0, "draft"), (1, "published"), (2, "archived")], '
        "default=0)),\n"
        "            ],\n"
        "        ),\n"
        "    ]\n"
    )
}


def _key(label: str) -> str:
    return " ".join(label.lower().replace("_", " ").split())


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, ChangeChoices) or context.catalog.is_new(op.table):
            continue
        if any(_remapped(m, op) for m in _neighbours(migration, context)):
            continue
        old, new = dict(op.old), dict(op.new)
        where_now = {_key(label): value for value, label in op.new}
        moved = [
            (value, old[value], new[value], where_now[_key(old[value])])
            for value in old
            if value in new
            and _key(old[value]) != _key(new[value])
            and where_now.get(_key(old[value]), value) != value
        ]
        column = f"`{op.table}.{op.column}`"
        if moved:
            said = "; ".join(
                f"`{value}` meant \u201c{was}\u201d and now means \u201c{now}\u201d (\u201c{was}\u201d is now "
                f"`{elsewhere}`)"
                for value, was, now, elsewhere in moved
            )
            values = ", ".join(value for value, *_ in moved)
            yield op.finding(
                RULE,
                f"The choices of {column} give stored values another meaning: {said}. No row is changed, so "
                "every row holding one of them now says something else.",
                blast_radius=f"Every row of {context.size_words(op.table)} whose `{op.column}` is one of "
                f"{values}: it changes state the moment the code with the new choices runs.",
                fix="Keep every stored value's meaning and give the new choice a new value; or remap the rows in "
                f"this migration in one statement (`UPDATE {op.table} SET {op.column} = CASE {op.column} WHEN "
                "… END`) before the new code runs.",
            )
            continue
        dropped = [value for value in old if value not in new and _key(old[value]) not in where_now]
        default = op.old_default
        if default is not None and default not in new and default not in dropped and _stored(default):
            dropped.append(default)  # choices given to a field whose default they leave out
            old.setdefault(default, default.strip("'"))
        if dropped:
            held = default in dropped
            if held:
                said = (
                    f"The choices of {column} leave out `{default}`, the value the field gave every new row "
                    "until now: the rows created with it keep it"
                )
                others = [v for v in dropped if v != default]
                if others:
                    said += ", and so do the rows holding " + ", ".join(f"`{v}`" for v in others)
                yield op.finding(
                    RULE,
                    said + ".",
                    severity=Severity.WARNING,
                    blast_radius=f"Rows of {context.size_words(op.table)} created with the old default: forms, the "
                    "admin and `full_clean()` refuse to save them, serializers with the choices reject them, "
                    "and their display shows the raw value.",
                    fix=f"Move those rows in this migration (`UPDATE {op.table} SET {op.column} = … WHERE "
                    f"{op.column} = {default}`), or keep `{default}` among the choices.",
                )
                continue
            values = ", ".join(f"`{v}` (\u201c{old[v]}\u201d)" for v in dropped)
            yield op.finding(
                RULE,
                f"The choices of {column} no longer include {values}, but the rows holding "
                f"{'it' if len(dropped) == 1 else 'them'} keep {'it' if len(dropped) == 1 else 'them'}.",
                severity=Severity.INFO,
                blast_radius=f"Rows of {context.size_words(op.table)} that hold a dropped value: forms, the admin "
                "and `full_clean()` refuse to save them, and their display shows the raw value.",
                fix=f"Move those rows to a value that stays, in this migration (`UPDATE {op.table} SET "
                f"{op.column} = … WHERE {op.column} IN (…)`), or keep the value among the choices.",
            )


def _stored(default: str) -> bool:
    """A constant the rows hold (`'free'`, `0`), not a callable run per row (`uuid.uuid4()`)."""
    return not default.endswith(")")


def _neighbours(migration: Migration, context: Context) -> list[Migration]:
    """This migration and the ones of the same app just before and after it in the change: Django's data
    migration that moves the rows is often the one beside the `AlterField`."""
    folder = migration.path.rpartition("/")[0]
    found = [migration]
    for index in (context.position - 1, context.position + 1):
        if 0 <= index < len(context.change) and context.change[index].path.rpartition("/")[0] == folder:
            found.append(context.change[index])
    return found


def _remapped(migration: Migration, op: ChangeChoices) -> bool:
    return any(
        sets_column(other, op.table, op.column) or (isinstance(other, RunCode) and op.table in other.touches)
        for other in migration.up
    )
