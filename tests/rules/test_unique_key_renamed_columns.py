"""A unique key dropped, a column of it renamed, and the key added again over the new name (netbox 5f43eabab:
`RemoveConstraint`, `RenameField` `content_type` to `object_type`, `AddConstraint` over the new name) is the
same key over the same rows: nothing stops being unique, and the rows cannot hold a duplicate the key did
not already refuse. A key added over other columns is still a key dropped and a key to check."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql
from tests.rules.django_app import review_migration

NAMES = [
    ("Assignment", "content_type", "object_type", "object_id"),
    ("Membership", "account", "organisation", "role"),
]

_RENAMED = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RemoveConstraint(model_name="{lower}", name="{lower}_unique_pair"),
        migrations.RenameField(model_name="{lower}", old_name="{old}", new_name="{new}"),
        migrations.AddConstraint(
            model_name="{lower}",
            constraint=models.UniqueConstraint(fields=({key}), name="{lower}_unique_pair"),
        ),
    ]
"""
_RULES = ("unique-key-dropped", "unique-without-duplicate-check")


def _django(model: str, old: str, new: str, other: str, key: str) -> list[str]:
    lower = model.lower()
    fields = {
        old: "models.BigIntegerField()",
        other: "models.BigIntegerField()",
        "note": "models.TextField()",
    }
    options = f'{{"constraints": [models.UniqueConstraint(fields=("{old}", "{other}"), name="{lower}_unique_pair")]}}'
    text = _RENAMED.format(lower=lower, old=old, new=new, key=key)
    return [f.rule for f in review_migration(model, fields, text, options=options).active if f.rule in _RULES]


@pytest.mark.parametrize(("model", "old", "new", "other"), NAMES)
def test_a_django_key_added_again_over_the_renamed_field_is_kept(
    model: str, old: str, new: str, other: str
) -> None:
    assert _django(model, old, new, other, f'"{new}", "{other}"') == []


@pytest.mark.parametrize(("model", "old", "new", "other"), NAMES)
def test_a_django_key_added_over_other_fields_is_still_a_key_dropped(
    model: str, old: str, new: str, other: str
) -> None:
    assert sorted(_django(model, old, new, other, f'"{new}", "note"')) == list(_RULES)


def _sql(
    table: str, old: str, new: str, other: str, key: str, between: str = "", *, moved: str = ""
) -> list[str]:
    """The key of `table` on (old, other) dropped, `old` renamed to `new` (and the table to `moved`, when
    given), `between` run, and a key added over `key`."""
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} bigint, {other} bigint, note text);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_pair UNIQUE ({old}, {other});\n-- migration\n"
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pair;\n"
        f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
        + (f"ALTER TABLE {table} RENAME TO {moved};\n" if moved else "")
        + between
        + f"ALTER TABLE {moved or table} ADD CONSTRAINT {table}_pair UNIQUE ({key});\n"
    )
    return sorted(f.rule for f in review_sql(sql).active if f.rule in _RULES)


@pytest.mark.parametrize(("model", "old", "new", "other"), NAMES)
def test_sql_key_added_again_over_the_renamed_column(model: str, old: str, new: str, other: str) -> None:
    table = model.lower() + "s"
    assert _sql(table, old, new, other, f"{new}, {other}") == []
    assert _sql(table, old, new, other, f"{other}, {new}", moved=f"{table}_v2") == []
    # over a column the key did not have: the old key is gone and the new one needs its check
    assert _sql(table, old, new, other, f"{new}, note") == list(_RULES)
    assert _sql(table, old, new, other, f"{new}, note", moved=f"{table}_v2") == list(_RULES)
    # rows written between the drop and the new key may repeat it: checked again
    write = f"INSERT INTO {table} (id, {new}, {other}) SELECT id + 1000, {new}, {other} FROM {table};\n"
    assert _sql(table, old, new, other, f"{new}, {other}", write) == ["unique-without-duplicate-check"]
