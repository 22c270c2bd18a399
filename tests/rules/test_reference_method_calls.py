"""A method called under the dropped column's name is not the column: readthedocs dropped `builds_build.error`
and `projects_importedfile.md5`, and the review blocked on `log.error("Build failed …")` and
`hashlib.md5(email).hexdigest()`. No ORM of Python, JavaScript or TypeScript reads a column by calling it,
so `x.name(` is a call of another object's method; the row's attribute (`build.error`) stays a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MODELS = """# the model of the head: the field is removed with the column
from django.db import models


class {Model}(models.Model):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


@pytest.mark.parametrize(
    ("model", "table", "column", "caller"),
    [("Build", "builds_build", "error", "log"), ("ImportedFile", "projects_importedfile", "md5", "hashlib")],
)
def test_a_method_called_under_the_columns_name_is_not_the_column(
    model: str, table: str, column: str, caller: str
) -> None:
    calls = (
        "import hashlib\nimport logging\n\nlog = logging.getLogger(__name__)\n\n\n"
        f"def run(email):\n    {caller}.{column}(email)\n    return email\n"
    )
    script = f"export const report = (message: string) => console.{column}(message);\n"
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"
    files = {"app/models.py": MODELS.format(Model=model, table=table)}
    files |= {"app/tasks.py": calls, "web/report.ts": script}
    only_calls = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files)
    assert not {"app/tasks.py:8", "web/report.ts:1"} & _places(_dropped(only_calls))
    assert _dropped(only_calls).severity is not Severity.CRITICAL
    row = "".join(f"_{c.lower()}" if c.isupper() else c for c in model).lstrip("_")  # `imported_file`
    reads = f"from app.models import {model}\n\n\ndef shown({row}: {model}):\n    return {row}.{column}\n"
    used = review_sql(
        schema + f"ALTER TABLE {table} DROP COLUMN {column};", base={**files, "app/views.py": reads}
    )
    assert "app/views.py:5" in _places(_dropped(used))
    assert _dropped(used).severity is Severity.CRITICAL
