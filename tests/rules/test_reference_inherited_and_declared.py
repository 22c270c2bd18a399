"""Two Django classes of real pull requests whose places were another thing's: NetBox moved
`vminterface.mac_address` to a `@cached_property` of `BaseInterface`, a class of another app that the
model inherits (`from dcim.models import BaseInterface`), and the review blocked on the forms, tables and
serializers that read the property; and a form declaring `model = PortTemplateMapping` listed its own
`rear_port_position` as a use of `FrontPortTemplate`'s dropped column because the form queries
`FrontPortTemplate.objects` for a choice field."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding, *, safe: bool) -> set[str]:
    """The places the finding lists, those a safe pattern covers or the others."""
    return {f"{r.path}:{r.line}" for r in finding.references if ("safe:" in r.kind) is safe}


BASE = """from django.db import models
from django.utils.functional import cached_property


class {Base}(models.Model):
    enabled = models.BooleanField(default=True)

    class Meta:
        abstract = True

    {decorator}
    def {column}(self):
        return self.primary.{column} if self.primary else None
"""
MODEL = """from django.db import models

from {app}.models import {Base}


class {Model}({Base}):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""


@pytest.mark.parametrize(
    ("app", "base", "model", "table", "column", "decorator"),
    [
        (
            "dcim",
            "BaseInterface",
            "VMInterface",
            "virtualization_vminterface",
            "mac_address",
            "@cached_property",
        ),
        ("billing", "BaseAccount", "Wallet", "payments_wallet", "iban_number", "@property"),
    ],
)
def test_a_property_of_an_imported_parent_class_keeps_the_name(
    app: str, base: str, model: str, table: str, column: str, decorator: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"
    reads = (
        f"from other.models import {model}\n\n\n"
        f"def shown(row: {model}):\n    return row.{column}\n\n\n"
        f"class {model}Table:\n    fields = ('name', '{column}')\n\n    class Meta:\n        model = {model}\n"
    )
    files = {
        f"src/{app}/models/base.py": BASE.format(Base=base, column=column, decorator=decorator),
        f"src/{app}/models/__init__.py": "from .base import *\n",
        "src/other/models.py": MODEL.format(app=app, Base=base, Model=model, table=table),
        "src/other/views.py": reads,
    }
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _dropped(review_sql(sql, base=files))
    assert finding.severity is not Severity.CRITICAL
    assert not _places(finding, safe=False)
    assert "src/other/views.py:5" in _places(finding, safe=True)
    plain = BASE.format(Base=base, column="unrelated", decorator=decorator)
    finding = _dropped(review_sql(sql, base={**files, f"src/{app}/models/base.py": plain}))
    assert finding.severity is Severity.CRITICAL
    assert {"src/other/views.py:5", "src/other/views.py:9"} <= _places(finding, safe=False)


FORMS = """from django import forms

from app.models import {Model}, {Other}


class {Other}ImportForm(forms.ModelForm):
    port = forms.ModelChoiceField(queryset={Model}.objects.all(), to_field_name="name")

    class Meta:
        model = {Other}
        fields = ["port", "{column}"]
"""


@pytest.mark.parametrize(
    ("model", "other", "table", "other_table", "column"),
    [
        (
            "FrontPortTemplate",
            "PortTemplateMapping",
            "dcim_frontporttemplate",
            "dcim_porttemplatemapping",
            "rear_port_position",
        ),
        ("Invoice", "LedgerEntry", "billing_invoice", "billing_ledgerentry", "posted_amount"),
    ],
)
def test_a_class_declaring_another_model_lists_that_models_fields(
    model: str, other: str, table: str, other_table: str, column: str
) -> None:
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} integer);\n"
        f"CREATE TABLE {other_table} (id serial PRIMARY KEY, {column} integer);\n-- migration\n"
    )
    models = (
        "from django.db import models\n\n\n"
        f"class {model}(models.Model):\n    name = models.TextField()\n\n    class Meta:\n        db_table = '{table}'\n\n\n"
        f"class {other}(models.Model):\n    {column} = models.IntegerField()\n\n    class Meta:\n"
        f"        db_table = '{other_table}'\n"
    )
    files = {"app/models.py": models, "app/forms.py": FORMS.format(Model=model, Other=other, column=column)}
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _dropped(review_sql(sql, base=files))
    assert "app/forms.py:11" not in _places(finding, safe=False)
    assert finding.severity is not Severity.CRITICAL
    own = FORMS.format(Model=model, Other=other, column=column).replace(
        f"model = {other}", f"model = {model}"
    )
    finding = _dropped(review_sql(sql, base={**files, "app/forms.py": own}))
    assert "app/forms.py:11" in _places(finding, safe=False)
    assert finding.severity is Severity.CRITICAL


CALLS = """from app.models import {Model}, {Other}


def build(row, port):
    {Other}.objects.create(
        port=port,
        {column}=1,
    )
    {Other}.objects.bulk_create([
        {Other}(
            port=port,
            {column}=2,
        ),
    ])
    items = [{Other}(port=port, {column}=3)]
    return {Model}.objects.filter(name=row.name), items
"""
FILTER_FORM = """from django import forms

from app.models import {Model}


class {Model}FilterForm(forms.Form):
    model = {Model}
    fieldsets = (
        FieldSet("q", "{column}", name="Scope"),
    )
    {column} = forms.ModelMultipleChoiceField(queryset=Site.objects.all(), required=False)
"""


@pytest.mark.parametrize(
    ("model", "other", "table", "other_table", "column"),
    [
        ("FrontPort", "PortMapping", "dcim_frontport", "dcim_portmapping", "rear_port_position"),
        ("Cluster", "ClusterScope", "virtualization_cluster", "virtualization_clusterscope", "site_id"),
    ],
)
def test_keyword_arguments_of_another_models_call_and_a_forms_own_field_are_not_places(
    model: str, other: str, table: str, other_table: str, column: str
) -> None:
    """NetBox moved `rear_port_position` from `FrontPort` to `PortMapping`: the tests' `PortMapping.objects.
    create(` with one keyword argument a line, and `PortMapping(…, rear_port_position=1)`, were listed for
    `FrontPort`; and a filter form's `FieldSet("site_id", …)` naming the form's own `site_id` field blocked the
    drop of `cluster.site_id`."""
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} integer);\n"
        f"CREATE TABLE {other_table} (id serial PRIMARY KEY, port integer, {column} integer);\n-- migration\n"
    )
    models = (
        "from django.db import models\n\n\n"
        f"class {model}(models.Model):\n    name = models.TextField()\n\n    class Meta:\n        db_table = '{table}'\n\n\n"
        f"class {other}(models.Model):\n    {column} = models.IntegerField()\n\n    class Meta:\n"
        f"        db_table = '{other_table}'\n"
    )
    files = {
        "app/models.py": models,
        "app/build.py": CALLS.format(Model=model, Other=other, column=column),
        "app/forms.py": FILTER_FORM.format(Model=model, column=column),
    }
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _dropped(review_sql(sql, base=files))
    assert not _places(finding, safe=False)
    assert finding.severity is not Severity.CRITICAL
    own = CALLS.format(Model=model, Other=model, column=column)  # the same calls on the changed model
    form = FILTER_FORM.format(Model=model, column=column).replace(
        f"    {column} = forms", "    other = forms"
    )
    finding = _dropped(review_sql(sql, base={**files, "app/build.py": own, "app/forms.py": form}))
    assert {"app/build.py:7", "app/build.py:12", "app/build.py:15", "app/forms.py:9"} <= _places(
        finding, safe=False
    )
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("model", "other", "table", "other_table", "column"),
    [
        ("Instance", "ReceptorAddress", "main_instance", "main_receptoraddress", "peers_from_control_nodes"),
        ("FrontPort", "PortMapping", "dcim_frontport", "dcim_portmapping", "rear_port_position"),
    ],
)
def test_a_column_moved_to_a_table_the_change_creates_is_that_tables_in_its_calls(
    model: str, other: str, table: str, other_table: str, column: str
) -> None:
    """AWX moved `peers_from_control_nodes` from `Instance` to a `ReceptorAddress` the same migration creates:
    `ReceptorAddress(…, peers_from_control_nodes=True)` and its `objects.create(` were listed for the dropped
    `main_instance` column, as they are not when the other table exists before the change."""
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} integer);\n-- migration\n"
    models = (
        "from django.db import models\n\n\n"
        f"class {model}(models.Model):\n    name = models.TextField()\n\n    class Meta:\n        db_table = '{table}'\n\n\n"
        f"class {other}(models.Model):\n    {column} = models.IntegerField()\n\n    class Meta:\n"
        f"        db_table = '{other_table}'\n"
    )
    files = {"app/models.py": models, "app/build.py": CALLS.format(Model=model, Other=other, column=column)}
    created = f"CREATE TABLE {other_table} (id serial PRIMARY KEY, port integer, {column} integer);\n"
    sql = schema + created + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _dropped(review_sql(sql, base=files))
    assert not _places(finding, safe=False)
    assert finding.severity is not Severity.CRITICAL
    own = CALLS.format(Model=model, Other=model, column=column)  # the same calls on the changed model
    finding = _dropped(review_sql(sql, base={**files, "app/build.py": own}))
    assert {"app/build.py:7", "app/build.py:15"} <= _places(finding, safe=False)
    assert finding.severity is Severity.CRITICAL
