"""A data migration's Python formats a field that may be None into text: the rows get the word 'None'.

## Why is this bad?
`row.full_name = f"{row.first_name} {row.last_name}"` in a `RunPython` loop reads well, and for every row
whose `last_name` is NULL it stores `'Ada None'`: Python formats None as the text `'None'` (an f-string,
`str(row.code)`), and the database keeps it like any other string. Nothing fails; the column now holds a
value that looks real, that `IS NULL` no longer finds, and that the application shows to users.

## Use instead
Say what a missing part becomes: `" ".join(p for p in (row.first_name, row.last_name) if p)`, `row.code or ""`,
or leave those rows out (`.filter(last_name__isnull=False)`). Count them first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataInsert, DataUpdate, Migration
from bot.rules.context import Context
from bot.sql.names import identifier
from bot.sql.writes import not_null_in, writes

RULE = Rule(
    id="none-written-as-text",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Skip None explicitly (`' '.join(p for p in (a, b) if p)`, `value or ''`) or leave those rows out.",
    bad=(
        "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
        '    Person = apps.get_model("people", "Person")\n'
        "    for person in Person.objects.filter(full_name__isnull=True):\n"
        '        person.full_name = f"{person.first_name} {person.last_name}"\n'
        '        person.save(update_fields=["full_name"])\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("people", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
    good=(
        "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
        '    Person = apps.get_model("people", "Person")\n'
        "    for person in Person.objects.filter(full_name__isnull=True):\n"
        '        person.full_name = " ".join(p for p in (person.first_name, person.last_name) if p)\n'
        '        person.save(update_fields=["full_name"])\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("people", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n",
    ),
)
EXAMPLE_PATH = "people/migrations/0002_full_name.py"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, DataUpdate | DataInsert) or context.catalog.is_new(op.table):
            continue
        for write in writes(op):
            fields = [
                name
                for call in write.value.find_all(exp.Coalesce)
                if (name := _formatted_field(call))
                and _nullable(write.table_of(call.this), name, context)
                and not _kept_out(op, write.where, name)
            ]
            if fields:
                yield _finding(op, write.table, write.target, fields)


def _formatted_field(call: exp.Coalesce) -> str:
    """`coalesce(last_name, 'None')`, as a reader writes a field Python formats into text: the field's name."""
    other = call.expressions
    if not isinstance(call.this, exp.Column) or len(other) != 1:
        return ""
    text = other[0]
    return (
        identifier(call.this.this)
        if isinstance(text, exp.Literal) and text.is_string and text.name == "None"
        else ""
    )


def _kept_out(op: DataUpdate | DataInsert, where: exp.Expression | None, column: str) -> bool:
    """The condition keeps the rows where the field is NULL out: in the statement's tree, or in the condition an
    ORM loop's queryset gives as text (`filter(last_name__isnull=False)`)."""
    text = getattr(op, "where", None) or ""
    return (
        not_null_in(where, column)
        or re.search(rf"\b{re.escape(column)}\s+IS\s+NOT\s+NULL\b", text, re.I) is not None
    )


def _nullable(table: str, column: str, context: Context) -> bool:
    known = context.catalog.column(table, column)
    return known is None or known.nullable


def _finding(op: DataUpdate | DataInsert, table: str, target: str, fields: list[str]) -> Finding:
    named = " or ".join(f"`{f}`" for f in dict.fromkeys(fields))
    return op.finding(
        RULE,
        f"`{table}.{target}` gets the text 'None' in every row where {named} is NULL: Python formats None as "
        "'None' (an f-string, `str()`), and the migration stores that word as the value.",
        blast_radius=f"Rows of `{table}` with NULL in {named}: `{target}` holds 'None' where it should be empty, "
        "and `IS NULL` no longer finds them.",
        fix=f"Skip None explicitly (`' '.join(p for p in (…) if p)`, `row.{fields[0]} or ''`), or leave those rows "
        f"out with `.filter({fields[0]}__isnull=False)`; count them first.",
    )
