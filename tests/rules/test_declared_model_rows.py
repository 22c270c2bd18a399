"""A model that maps its table by declaration (Django's `Meta.db_table`, SQLAlchemy's `__tablename__`) is
learnt while the tree is searched, after the places of that search were judged: a column read from a row
of it (`deploy.message` of `class Deploy` for `deploys_deploy`) was judged without the model, found "low",
and a drop that breaks it was reported as "no longer declared" with no place. Such places are judged
again once the model is known; another object's attribute (`response.message`) stays out. (A column
another table also has is still judged by the first pass only: its low places are dropped at once.)"""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

DJANGO = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""
SQLALCHEMY = """from sqlalchemy import Column, Integer, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class {Model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
    name = Column(Text)
"""


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


@pytest.mark.parametrize("models", [DJANGO, SQLALCHEMY], ids=["django", "sqlalchemy"])
@pytest.mark.parametrize(
    ("model", "row", "table", "column"),
    [("Deploy", "deploy", "deploys_deploy", "message"), ("Invoice", "invoice", "billing_records", "memo")],
)
def test_a_row_of_a_model_declared_for_the_table_reads_the_column(
    models: str, model: str, row: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"
    views = (
        f"from app.models import {model}\n\n\n"
        f"def shown({row}: {model}):\n    return {row}.{column}\n\n\n"
        f"def other(response):\n    return response.{column}\n"
    )
    files = {"app/models.py": models.format(Model=model, table=table, column=column), "app/views.py": views}
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files)
    finding = _dropped(result)
    assert "app/views.py:5" in _places(finding)  # the row of the model declared for the table
    assert "app/views.py:9" not in _places(finding)  # an HTTP response's attribute of the same name
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize("models", [DJANGO, SQLALCHEMY], ids=["django", "sqlalchemy"])
@pytest.mark.parametrize(
    ("model", "row", "table", "column"),
    [("Deploy", "deploy", "deploys_deploy", "message"), ("Invoice", "invoice", "billing_records", "memo")],
)
def test_a_row_of_a_declared_model_reads_a_column_another_table_also_has(
    models: str, model: str, row: str, table: str, column: str
) -> None:
    """A column another table also has: the row of the model declared for the table reads it, another
    model's row and another object do not."""
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n"
        f"CREATE TABLE notes (id serial PRIMARY KEY, {column} text);\n-- migration\n"
    )
    other = "\n\nclass Note(models.Model):\n    {column} = models.TextField()\n"
    views = (
        f"from app.models import {model}, Note\n\n\n"
        f"def other(response, note: Note):\n    return response.{column}, note.{column}\n"
    )
    base = {
        "app/models.py": models.format(Model=model, table=table) + other.format(column=column),
        "app/views.py": views,
    }
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    assert "app/views.py:5" not in _places(_dropped(review_sql(sql, base=base)))
    base["app/views.py"] += f"\n\ndef shown({row}: {model}):\n    return {row}.{column}\n"
    finding = _dropped(review_sql(sql, base=base))
    assert _places(finding) == {"app/views.py:9"}
    assert finding.severity is Severity.CRITICAL
