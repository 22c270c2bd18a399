"""A value named like a row of the changed table that the code says is something else is no row of it:
a Python parameter annotated with another class (fides' `condition: ConditionLeaf`, a pydantic schema, read
after `digest_condition.operator` was dropped), a Ruby variable named after another model with a word in
front (rubygems' `latest_version.slug` when `rubygems.slug` was dropped), a Ruby method's parameter read
inside a string's interpolation (`"#{name}-#{slug}"`), and a local of a Ruby script without an extension."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

SQLALCHEMY = """from sqlalchemy import Column, Integer, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class {Model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
"""


def _dropped(result: Review) -> Finding | None:
    return next((f for f in result.findings if f.rule == "column-dropped"), None)


def _places(result: Review) -> set[str]:
    finding = _dropped(result)
    return {f"{r.path}:{r.line}" for r in finding.references} if finding else set()


@pytest.mark.parametrize(
    ("prefix", "row", "model", "schema_class", "column"),
    [
        ("digest", "condition", "DigestCondition", "ConditionLeaf", "operator"),
        ("report", "rule", "ReportRule", "RuleSpec", "threshold"),
    ],
)
def test_a_python_value_annotated_with_another_class_is_no_row(
    prefix: str, row: str, model: str, schema_class: str, column: str
) -> None:
    table = f"{prefix}_{row}"
    schema = "".join(
        f"CREATE TABLE {prefix}_{name} (id serial PRIMARY KEY{f', {column} text' if name == row else ''});\n"
        for name in ("config", row, "execution")
    )
    service = (
        f"from app.schemas import {schema_class}\n\n\n"
        f"def evaluate({row}: {schema_class}, data: dict) -> bool:\n"
        f"    return {row}.{column} == data.get('value')\n"
    )
    files = {"app/models.py": SQLALCHEMY.format(Model=model, table=table), "app/service.py": service}
    sql = schema + f"-- migration\nALTER TABLE {table} DROP COLUMN {column};"
    assert "app/service.py:5" not in _places(review_sql(sql, base=files))
    typed = {
        **files,
        "app/service.py": service.replace(f"{row}: {schema_class}", f"{row}: Optional[{model}]"),
    }
    assert "app/service.py:5" in _places(review_sql(sql, base=typed))
