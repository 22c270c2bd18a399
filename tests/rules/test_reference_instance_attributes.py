"""An attribute another class gives its instances is not the column: readthedocs dropped
`builds_build._config`, and the review listed 21 places of `self._config` in `readthedocs/config/config.py`,
where `class BuildConfigBase` sets `self._config = {}` in `__init__` and `class BuildConfigV2` reads it. A
method of the model that still reads `self._config` is a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MODELS = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""
READS = """

    def summary(self):
        return self.{column}["build"]
"""
CONFIG = """class {Model}ConfigBase:
    def __init__(self, raw):
        self.raw = raw
        self.{column} = {{}}

    def validate(self):
        self.{column}["build"] = self.raw.get("build")


class {Model}ConfigV2({Model}ConfigBase):
    @property
    def build(self):
        return self.{column}["build"]
"""


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


@pytest.mark.parametrize(
    ("model", "table", "column"),
    [("Build", "builds_build", "_config"), ("Invoice", "billing_invoice", "_line_items")],
)
def test_an_attribute_another_class_sets_in_init_is_not_the_column(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} jsonb);\n-- migration\n"
    names = {"Model": model, "table": table, "column": column}
    files = {"app/models.py": MODELS.format(**names), "app/config/config.py": CONFIG.format(**names)}
    other = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files)
    assert not any(p.startswith("app/config/config.py") for p in _places(_dropped(other)))
    assert _dropped(other).severity is Severity.INFO
    still = {**files, "app/models.py": MODELS.format(**names) + READS.format(column=column)}
    used = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=still)
    assert "app/models.py:12" in _places(_dropped(used))  # the model's own method reads the dropped column
    assert _dropped(used).severity is Severity.CRITICAL
