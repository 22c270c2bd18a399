"""choice-value-reassigned: Django choices that give a stored value another meaning, or drop it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "choice-value-reassigned"

_FIELD = "models.{kind}(choices=[{choices}], default={default})"
_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{field}", {definition}),
            ],
        )
    ]
"""
_ALTER = """from django.db import migrations, models
{extra_imports}

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="{lower}", name="{field}", field={definition}),{extra}
    ]
"""

CASES = [
    ("Order", "state", "IntegerField", "0", '(0, "new"), (1, "paid"), (2, "shipped")'),
    ("Ticket", "priority", "CharField", '"lo"', '("lo", "Low"), ("hi", "High"), ("x", "Urgent")'),
]


def _review(
    model: str, field: str, kind: str, default: str, before: str, after: str, extra: str = ""
) -> list[Any]:
    definition = _FIELD.format(kind=kind, choices=before, default=default)
    if kind == "CharField":
        definition = definition.replace("choices=", "max_length=10, choices=")
    initial = _INITIAL.format(model=model, field=field, definition=definition)
    changed = definition.replace(before, after)
    migration = _ALTER.format(
        lower=model.lower(), field=field, definition=changed, extra=extra, extra_imports=""
    )
    result = review_sql(
        migration, path="shop/migrations/0002_change.py", base={"shop/migrations/0001_initial.py": initial}
    )
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("model", "field", "kind", "default", "choices"), CASES)
def test_a_stored_value_given_another_meaning_is_critical(model, field, kind, default, choices) -> None:  # type: ignore[no-untyped-def]
    pairs = [p.strip() for p in choices.split("), (")]
    first, second, third = (p.strip("()") for p in pairs)
    v1, l1 = first.split(", ")
    v2, l2 = second.split(", ")
    v3, _dropped = third.split(", ")
    inserted = f'({v1}, {l1}), ({v2}, "review"), ({v3}, {l2})'  # `l2` moves to v3, `l3` is gone
    (finding,) = _review(model, field, kind, default, choices, inserted)
    assert finding.severity.value == "critical"
    assert f"shop_{model.lower()}.{field}" in finding.message and "another meaning" in finding.message


@pytest.mark.parametrize(("model", "field", "kind", "default", "choices"), CASES)
def test_a_new_choice_with_a_new_value_and_relabelled_choices_are_quiet(
    model, field, kind, default, choices
) -> None:  # type: ignore[no-untyped-def]
    new_value = "9" if kind == "IntegerField" else '"z"'
    appended = choices + f', ({new_value}, "On hold")'
    assert not _review(model, field, kind, default, choices, appended)
    # a label reworded keeps the stored value's meaning
    relabelled = (
        choices.replace('"', "'").replace("'new'", "'created'").replace("'Low'", "'Minor'").replace("'", '"')
    )
    assert not _review(model, field, kind, default, choices, relabelled)


@pytest.mark.parametrize(("model", "field", "kind", "default", "choices"), CASES)
def test_a_dropped_value_is_a_note(model, field, kind, default, choices) -> None:  # type: ignore[no-untyped-def]
    kept = "), (".join(choices.split("), (")[:2]) + ")"
    (finding,) = _review(model, field, kind, default, choices, kept)
    assert finding.severity.value == "info" and "no longer include" in finding.message


def test_a_remap_in_the_same_migration_is_quiet() -> None:
    model, field, kind, default, choices = CASES[0]
    remap = (
        '\n        migrations.RunSQL("UPDATE shop_order SET state = CASE state WHEN 2 THEN 3 WHEN 1 THEN 2 ELSE state END '
        'WHERE id BETWEEN 1 AND 1000"),'
    )
    inserted = '(0, "new"), (1, "review"), (2, "paid"), (3, "shipped")'
    assert _review(model, field, kind, default, choices, inserted)
    assert not _review(model, field, kind, default, choices, inserted, extra=remap)


@pytest.mark.parametrize("remap_first", [True, False])
def test_a_data_migration_beside_the_alter_field_moves_the_rows(tmp_path, remap_first) -> None:  # type: ignore[no-untyped-def]
    from tests.test_lint_cli import lint_json, write

    model, field, kind, default, choices = CASES[0]
    definition = _FIELD.format(kind=kind, choices=choices, default=default)
    inserted = '(0, "new"), (1, "review"), (2, "paid"), (3, "shipped")'
    alter = _ALTER.format(
        lower="order",
        field=field,
        definition=definition.replace(choices, inserted),
        extra="",
        extra_imports="",
    )
    remap = (
        "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
        '    Order = apps.get_model("shop", "Order")\n'
        "    Order.objects.filter(state=2).update(state=3)\n    Order.objects.filter(state=1).update(state=2)\n\n\n"
        'class Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    files = {
        "shop/__init__.py": "",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": _INITIAL.format(model=model, field=field, definition=definition),
        "shop/migrations/0002_change.py": remap if remap_first else alter,
    }
    write(tmp_path, files)
    findings = lambda: [f for f in lint_json(str(tmp_path / "shop"))["findings"] if f["rule"] == RULE]  # noqa: E731
    if remap_first:
        write(tmp_path, {"shop/migrations/0003_change.py": alter.replace("0001_initial", "0002_change")})
    else:
        assert findings()  # the AlterField alone
        write(tmp_path, {"shop/migrations/0003_remap.py": remap.replace("0001_initial", "0002_change")})
    assert not findings()


_NO_CHOICES = [
    (
        "Customer",
        "tier",
        "CharField",
        "max_length=10, ",
        '"free"',
        '("basic", "Basic"), ("pro", "Pro")',
        '"basic"',
    ),
    ("Invoice", "state", "IntegerField", "", "0", '(1, "Open"), (2, "Paid")', "1"),
]


@pytest.mark.parametrize(("model", "field", "kind", "size", "default", "choices", "new_default"), _NO_CHOICES)
def test_choices_that_leave_out_the_old_default_strand_the_rows_made_with_it(
    model: str, field: str, kind: str, size: str, default: str, choices: str, new_default: str
) -> None:
    initial = _INITIAL.format(model=model, field=field, definition=f"models.{kind}({size}default={default})")

    def found(definition: str) -> list[Any]:
        migration = _ALTER.format(
            lower=model.lower(), field=field, definition=definition, extra="", extra_imports=""
        )
        result = review_sql(
            migration,
            path="shop/migrations/0002_change.py",
            base={"shop/migrations/0001_initial.py": initial},
        )
        return [f for f in result.active if f.rule == RULE]

    (finding,) = found(f"models.{kind}({size}choices=[{choices}], default={new_default})")
    assert finding.severity.value == "warning" and "the value the field gave every new row" in finding.message
    kept = choices + f', ({default}, "Legacy")'
    assert not found(f"models.{kind}({size}choices=[{kept}], default={new_default})")
    # a callable default makes a new value per row: no row is known to hold one
    callable_initial = initial.replace(f"default={default}", "default=shop.utils.next_value")
    migration = _ALTER.format(
        lower=model.lower(),
        field=field,
        definition=f"models.{kind}({size}choices=[{choices}])",
        extra="",
        extra_imports="",
    )
    result = review_sql(
        migration,
        path="shop/migrations/0002_change.py",
        base={"shop/migrations/0001_initial.py": callable_initial},
    )
    assert not [f for f in result.active if f.rule == RULE]
