"""Django's `order_with_respect_to` keeps the rows' order in a column of its own, `_order integer NOT NULL`:
CreateModel creates it with the table, AlterOrderWithRespectTo adds it (0 for the existing rows, the default
dropped after) or drops it, with every row's place; moving the order to another field keeps it."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [("Question", "Answer", "question", "author"), ("Recipe", "Step", "recipe", "section")]
INITIAL = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(name="{parent}", fields=[("id", models.BigAutoField(primary_key=True))]),
        migrations.CreateModel(name="Other", fields=[("id", models.BigAutoField(primary_key=True))]),
        migrations.CreateModel(
            name="{child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{key}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.{parent_lower}")),
                ("{other}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.other")),
            ],
            options={options},
        ),
    ]
"""
CHANGE = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AlterOrderWithRespectTo(name="{child_lower}", order_with_respect_to={to})]
"""


def _review(parent: str, child: str, key: str, other: str, before: str, to: str) -> Review:
    options = f'{{"order_with_respect_to": "{before}"}}' if before else "{}"
    initial = INITIAL.format(
        parent=parent, child=child, key=key, other=other, parent_lower=parent.lower(), options=options
    )
    return review_sql(
        CHANGE.format(child_lower=child.lower(), to=to),
        path="shop/migrations/0002_order.py",
        base={"shop/migrations/0001_initial.py": initial},
    )


@pytest.mark.parametrize(("parent", "child", "key", "other"), NAMES)
def test_order_with_respect_to_taken_away_drops_the_order_column(
    parent: str, child: str, key: str, other: str
) -> None:
    result = _review(parent, child, key, other, key, "None")
    [dropped] = [f for f in result.active if f.rule == "column-dropped"]
    assert f"`shop_{child.lower()}._order`" in dropped.message
    assert any(f.rule == "down-recreates-empty" for f in result.active)


@pytest.mark.parametrize(("parent", "child", "key", "other"), NAMES)
def test_order_with_respect_to_set_adds_the_order_column(
    parent: str, child: str, key: str, other: str
) -> None:
    """Filled with 0, then without a default: the running release's inserts (its model has no `_order`) fail."""
    result = _review(parent, child, key, other, "", f"'{key}'")
    [added] = [f for f in result.active if f.rule == "not-null-without-default"]
    assert "`_order`" in added.message


@pytest.mark.parametrize(("parent", "child", "key", "other"), NAMES)
def test_order_moved_to_another_field_keeps_the_column(parent: str, child: str, key: str, other: str) -> None:
    result = _review(parent, child, key, other, key, f"'{other}'")
    assert not [f for f in result.active if f.rule in ("column-dropped", "not-null-without-default")]
