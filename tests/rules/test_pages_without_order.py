"""pages-without-order: a data migration's loop that takes a queryset's rows page by page by OFFSET (a slice
with a moving start, Django's Paginator) with no order_by can skip and repeat rows; critical when the loop
changes a column its own filter reads (each page then starts past rows that left the filter)."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.rules.django_app import data_migration, review_migration

RULE = "pages-without-order"
NAMES = [("Order", "region", "country"), ("Ticket", "queue", "team")]
IMPORTS = "from django.core.paginator import Paginator"


def _found(model: str, target: str, source: str, body: str) -> list[Finding]:
    fields = {
        source: "models.CharField(max_length=20)",
        target: "models.CharField(max_length=20, null=True)",
        "migrated": "models.BooleanField(default=False)",
    }
    result = review_migration(model, fields, data_migration(model, body, imports=IMPORTS))
    return [f for f in result.active if f.rule == RULE]


def _slices(model: str, target: str, source: str, queryset: str, extra: str = "") -> str:
    return (
        f"rows = {queryset}\n"
        "    for start in range(0, rows.count(), 1000):\n"
        "        for row in rows[start:start + 1000]:\n"
        f"            row.{target} = row.{source}\n{extra}"
        "            row.save()"
    )


def _pages(model: str, target: str, source: str, queryset: str) -> str:
    return (
        f"paginator = Paginator({queryset}, 1000)\n"
        "    for number in paginator.page_range:\n"
        "        for row in paginator.page(number).object_list:\n"
        f"            row.{target} = row.{source}\n"
        "            row.save()"
    )


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_offset_pages_of_an_unordered_queryset(model: str, target: str, source: str) -> None:
    unordered = f"{model}.objects.all()"
    listed = (
        f"rows = {model}.objects.all()\n    for offset in range(0, rows.count(), 500):\n"
        "        page = list(rows[offset:offset + 500])\n        for row in page:\n"
        f"            row.{target} = row.{source}\n            row.save()"
    )
    for body in (_slices(model, target, source, unordered), _pages(model, target, source, unordered), listed):
        [finding] = _found(model, target, source, body)
        assert f"shop_{model.lower()}" in finding.message and "no ORDER BY" in finding.message, body
        assert finding.severity is Severity.WARNING
    # the loop changes the column its filter reads (a fill of the empty ones, a done flag): the pages after the
    # first start past rows that left the filter, half of them are skipped
    for queryset, extra, column in (
        (f"{model}.objects.filter({target}__isnull=True)", "", target),
        (f"{model}.objects.filter(migrated=False)", "            row.migrated = True\n", "migrated"),
    ):
        [finding] = _found(model, target, source, _slices(model, target, source, queryset, extra))
        assert finding.severity is Severity.CRITICAL and f"`{column}`" in finding.message, finding.message


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_ordered_pages_key_pages_and_one_pass_are_not(model: str, target: str, source: str) -> None:
    ordered = f'{model}.objects.filter({target}__isnull=True).order_by("pk")'
    for body in (
        _slices(model, target, source, ordered),
        _pages(model, target, source, ordered),
        # the first rows still to do, again and again, until none is left
        f"while True:\n        rows = list({model}.objects.filter({target}__isnull=True)[:1000])\n"
        "        if not rows:\n            break\n        for row in rows:\n"
        f"            row.{target} = row.{source}\n            row.save()",
        # one pass
        f"for row in {model}.objects.filter({target}__isnull=True).iterator():\n"
        f"        row.{target} = row.{source}\n        row.save()",
    ):
        assert not _found(model, target, source, body), body


def _found_with_options(model: str, target: str, source: str, body: str, options: str) -> list[Finding]:
    fields = {source: "models.CharField(max_length=20)", target: "models.CharField(max_length=20, null=True)"}
    migration = data_migration(model, body, imports=IMPORTS)
    return [f for f in review_migration(model, fields, migration, options=options).active if f.rule == RULE]


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_a_model_whose_meta_declares_ordering_is_paged_in_order(model: str, target: str, source: str) -> None:
    """`Meta.ordering` (kept in the migrations' state, which `apps.get_model` builds the model from) orders
    every queryset of the model that has no `order_by` of its own: its OFFSET pages are ordered."""
    for ordering in ('{"ordering": ["id"]}', f'{{"ordering": ["-{source}", "id"], "verbose_name": "x"}}'):
        for body in (
            _slices(model, target, source, f"{model}.objects.all()"),
            _pages(model, target, source, f"{model}.objects.filter({source}__isnull=False)"),
        ):
            assert not _found_with_options(model, target, source, body, ordering), (ordering, body)


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_pages_without_meta_ordering_or_with_it_cleared_are_reported(
    model: str, target: str, source: str
) -> None:
    body = _slices(model, target, source, f"{model}.objects.all()")
    assert _found_with_options(model, target, source, body, '{"verbose_name": "x"}')
    cleared = _slices(
        model, target, source, f"{model}.objects.order_by()"
    )  # `order_by()` drops Meta.ordering
    assert _found_with_options(model, target, source, cleared, '{"ordering": ["id"]}')


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_meta_ordering_follows_alter_model_options(model: str, target: str, source: str) -> None:
    """Django's AlterModelOptions replaces the options: an ordering it leaves out is gone, one it adds counts."""
    body = _slices(model, target, source, f"{model}.objects.all()")
    for before, after, reported in (
        ("", '{"ordering": ["id"]}', False),
        ('{"ordering": ["id"]}', "{}", True),
    ):
        migration = data_migration(model, body, imports=IMPORTS).replace(
            "operations = [migrations.RunPython",
            f"operations = [migrations.AlterModelOptions(name='{model.lower()}', options={after}), "
            "migrations.RunPython",
        )
        fields = {
            source: "models.CharField(max_length=20)",
            target: "models.CharField(max_length=20, null=True)",
        }
        result = review_migration(model, fields, migration, options=before)
        assert bool([f for f in result.active if f.rule == RULE]) is reported, (before, after)


def _found_imported(
    model: str, target: str, source: str, body: str, models_py: str, options: str = ""
) -> bool:
    """Is the loop reported when the migration imports today's model from `shop/models.py` (`models_py`)
    rather than getting the historical one from `apps`?"""
    fields = {source: "models.CharField(max_length=20)", target: "models.CharField(max_length=20, null=True)"}
    migration = data_migration(model, body, imports=f"{IMPORTS}\nfrom shop.models import {model}").replace(
        f'    {model} = apps.get_model("shop", "{model}")\n', ""
    )
    assert "get_model" not in migration
    result = review_migration(model, fields, migration, options=options, files={"shop/models.py": models_py})
    return any(f.rule == RULE for f in result.active)


def _models_py(
    model: str, target: str, source: str, meta: str, base: str = "models.Model", extra: str = ""
) -> str:
    return (
        f"from django.db import models\n\n{extra}\nclass {model}({base}):\n"
        f"    {source} = models.CharField(max_length=20)\n"
        f"    {target} = models.CharField(max_length=20, null=True)\n{meta}"
    )


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_an_imported_model_is_ordered_by_the_meta_of_its_code(model: str, target: str, source: str) -> None:
    """A model the migration imports is today's class: its `Meta` in `models.py` orders its querysets (by
    `ordering`, or by `_order` under `order_with_respect_to`), inherited from an abstract or concrete parent."""
    abstract = (
        "class Base(models.Model):\n    class Meta:\n        abstract = True\n        ordering = ['id']\n\n"
    )
    concrete = "class Base(models.Model):\n    class Meta:\n        ordering = ['-id']\n\n"
    for body in (
        _slices(model, target, source, f"{model}.objects.all()"),
        _pages(model, target, source, f"{model}.objects.filter({source}__isnull=False)"),
    ):
        for models_py in (
            _models_py(model, target, source, "\n    class Meta:\n        ordering = ['id']\n"),
            _models_py(
                model, target, source, f"\n    class Meta:\n        order_with_respect_to = '{source}'\n"
            ),
            _models_py(model, target, source, "", base="Base", extra=abstract),
            _models_py(
                model, target, source, "\n    class Meta(Base.Meta):\n        pass\n", "Base", abstract
            ),
            _models_py(
                model, target, source, "\n    class Meta:\n        verbose_name = 'x'\n", "Base", concrete
            ),
        ):
            assert not _found_imported(model, target, source, body, models_py), (body, models_py)


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_an_imported_model_without_an_order_in_its_code_is_reported(
    model: str, target: str, source: str
) -> None:
    """Neither `ordering` nor `order_with_respect_to` in today's class: its pages have no order, whatever the
    migrations' state said (the historical model is not the one imported); an abstract parent's ordering does
    not reach a child whose own `Meta` does not subclass the parent's."""
    abstract = (
        "class Base(models.Model):\n    class Meta:\n        abstract = True\n        ordering = ['id']\n\n"
    )
    body = _slices(model, target, source, f"{model}.objects.all()")
    for models_py, options in (
        (_models_py(model, target, source, ""), ""),
        (
            _models_py(model, target, source, "\n    class Meta:\n        verbose_name = 'x'\n"),
            '{"ordering": ["id"]}',
        ),
        (
            _models_py(
                model, target, source, "\n    class Meta:\n        db_table = 'x'\n", "Base", abstract
            ),
            "",
        ),
    ):
        assert _found_imported(model, target, source, body, models_py, options), models_py


@pytest.mark.parametrize(("model", "target", "source"), NAMES)
def test_order_with_respect_to_in_the_migrations_state_orders_the_pages(
    model: str, target: str, source: str
) -> None:
    """`order_with_respect_to` (CreateModel's options, AlterOrderWithRespectTo) makes Django order the model's
    querysets by `_order`; AlterOrderWithRespectTo(…, None) takes it away."""
    body = _slices(model, target, source, f"{model}.objects.all()")
    assert not _found_with_options(model, target, source, body, f'{{"order_with_respect_to": "{source}"}}')
    fields = {source: "models.CharField(max_length=20)", target: "models.CharField(max_length=20, null=True)"}
    for before, after, reported in (
        ("", f"'{source}'", False),
        (f'{{"order_with_respect_to": "{source}"}}', "None", True),
    ):
        migration = data_migration(model, body, imports=IMPORTS).replace(
            "operations = [migrations.RunPython",
            f"operations = [migrations.AlterOrderWithRespectTo(name='{model.lower()}', "
            f"order_with_respect_to={after}), migrations.RunPython",
        )
        result = review_migration(model, fields, migration, options=before)
        assert any(f.rule == RULE for f in result.active) is reported, (before, after)
