"""Front-end code reaches a Django or Rails model's column only through the backend's API. paperless-ngx
dropped `documents_savedview.show_on_dashboard` and kept the name on the front end's own objects (computed
from the user's settings, and deleted before a save): 46 places, critical, all of them TypeScript and
recordings of HTTP traffic (`*.har`). Once no backend code names the column, a front-end place is low;
while a serializer still lists it, the front end still reads what the API serves."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


@pytest.mark.parametrize(
    ("app", "model", "column", "row"),
    [
        ("documents", "SavedView", "show_on_dashboard", "view"),
        ("accounts", "Widget", "pinned_to_sidebar", "widget"),
    ],
)
def test_a_front_end_field_the_backend_no_longer_serves_never_blocks(
    app: str, model: str, column: str, row: str
) -> None:
    table = f"{app}_{model.lower()}"
    sql = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} boolean);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    models_py = (
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    name = models.TextField()\n"
    )
    component = (
        f"export class {model}ListComponent {{\n"
        f"  count = 0\n\n"
        f"  toggle({row}: {model}) {{\n"
        f"    if ({row}.{column}) {{\n      this.count += 1\n    }}\n"
        f"    delete {row}.{column}\n  }}\n}}\n"
    )
    har = f'{{"log": {{"entries": [{{"response": {{"text": "{{\\"{column}\\": true}}"}}}}]}}}}\n'
    files = {
        f"{app}/models.py": models_py,
        "src-ui/src/app/list.component.ts": component,
        "src-ui/e2e/requests/api-list.har": har,
    }
    finding = _dropped(review_sql(sql, base=files))
    assert finding.severity is not Severity.CRITICAL
    assert not any(r.path.endswith(".har") for r in finding.references)
    serializer = (
        "from rest_framework import serializers\n\n"
        f"from {app}.models import {model}\n\n\n"
        f"class {model}Serializer(serializers.ModelSerializer):\n"
        f'    class Meta:\n        model = {model}\n        fields = ["id", "{column}"]\n'
    )
    served = review_sql(sql, base={**files, f"{app}/serializers.py": serializer})
    finding = _dropped(served)
    assert finding.severity is Severity.CRITICAL
    assert "src-ui/src/app/list.component.ts:5" in {f"{r.path}:{r.line}" for r in finding.references}


@pytest.mark.parametrize(
    ("table", "column", "row"),
    [("digest_condition", "field_address", "condition"), ("report_rule", "threshold_value", "rule")],
)
def test_without_a_model_found_the_migrations_language_is_the_backends(
    table: str, column: str, row: str
) -> None:
    """fides names its tables in a base class (`@declared_attr def __tablename__`), so no model of
    `digest_condition` was found and its admin UI's `condition.field_address` stayed critical."""
    initial = (
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\ndown_revision = None\n\n\n'
        f'def upgrade():\n    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True),'
        f' sa.Column("{column}", sa.String()))\n'
    )
    drop = (
        'from alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\n'
        f'def upgrade():\n    op.drop_column("{table}", "{column}")\n'
    )
    tab = f"export const Tab = ({{ {row} }}: Props) => <span title={{{row}.{column}}} />;\n"
    files = {"alembic/versions/0001_initial.py": initial, "admin-ui/src/Tab.tsx": tab}
    path = "alembic/versions/0002_drop.py"
    finding = _dropped(review_sql(drop, path=path, base=files))
    assert finding.severity is not Severity.CRITICAL
    service = f"def describe(payload):\n    return payload.{column}\n"
    served = _dropped(review_sql(drop, path=path, base={**files, "app/service.py": service}))
    assert served.severity is Severity.CRITICAL
    assert "admin-ui/src/Tab.tsx:1" in {f"{r.path}:{r.line}" for r in served.references}
