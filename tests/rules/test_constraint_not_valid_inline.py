"""A foreign key declared on the column an ALTER TABLE adds, without a DEFAULT, is added valid without reading a
row; with a DEFAULT (even NULL), or as its own ADD CONSTRAINT, every row is read under the lock."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Severity
from bot.review import review
from tests.conftest import review_sql

NAMES = [("invoices", "payers", "payer_id"), ("ShipmentLeg", "Carrier", "carrierRef")]


def _schema(child: str, parent: str) -> str:
    return f'CREATE TABLE "{parent}" (id bigint PRIMARY KEY);\nCREATE TABLE "{child}" (id bigint PRIMARY KEY, n int);\n'


def _found(child: str, parent: str, change: str) -> list[Finding]:
    result = review_sql(_schema(child, parent) + "-- migration\nSET lock_timeout = '3s';\n" + change)
    return [f for f in result.active if f.rule == "constraint-not-valid"]


def _scans(pg: Any, child: str, parent: str, change: str) -> tuple[int, bool]:
    """How many scans of the child table the change makes on PostgreSQL, and whether its key is valid."""
    pg.execute(_schema(child, parent))
    pg.execute(
        f'INSERT INTO "{parent}" VALUES (1); INSERT INTO "{child}" SELECT g, g FROM generate_series(1, 50) g'
    )
    with pg.transaction():
        scans = f"SELECT pg_stat_get_xact_numscans('\"{child}\"'::regclass)"
        before = pg.execute(scans).fetchone()[0]
        pg.execute(change)
        after = pg.execute(scans).fetchone()[0]
        [valid] = pg.execute(
            f"SELECT convalidated FROM pg_constraint WHERE conrelid = '\"{child}\"'::regclass AND contype = 'f'"
        ).fetchone()
    return after - before, valid


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_postgres_reads_no_row_for_a_key_declared_on_a_new_column_without_default(
    pg: Any, child: str, parent: str, column: str
) -> None:
    inline = f'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint REFERENCES "{parent}" (id)'
    assert _scans(pg, child, parent, inline) == (0, True)


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
@pytest.mark.parametrize(
    "change",
    [
        'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint DEFAULT NULL REFERENCES "{parent}" (id)',
        'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint DEFAULT 1 REFERENCES "{parent}" (id)',
        'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint, '
        'ADD CONSTRAINT "{child}_fk" FOREIGN KEY ("{column}") REFERENCES "{parent}" (id)',
    ],
)
def test_postgres_reads_every_row_for_a_default_or_a_separate_key(
    pg: Any, child: str, parent: str, column: str, change: str
) -> None:
    sql = change.format(child=child, parent=parent, column=column)
    assert _scans(pg, child, parent, sql) == (1, True)


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_key_declared_on_a_new_column_without_default_is_not_reported(
    child: str, parent: str, column: str
) -> None:
    assert not _found(
        child, parent, f'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint REFERENCES "{parent}" (id);'
    )


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_key_on_a_new_column_with_a_default_is_validated_under_lock(
    child: str, parent: str, column: str
) -> None:
    add = f'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint DEFAULT 1 REFERENCES "{parent}" (id);'
    [finding] = _found(child, parent, add)
    assert finding.severity is Severity.CRITICAL and "fails at once" in finding.blast_radius
    nulls = add.replace("DEFAULT 1", "DEFAULT NULL")
    [finding] = _found(child, parent, nulls)
    assert finding.severity is Severity.CRITICAL and "no row can be an orphan" in finding.blast_radius
    assert "Leave out `DEFAULT NULL`" in finding.fix


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_separate_key_on_a_new_column_names_the_declaration_that_reads_no_row(
    child: str, parent: str, column: str
) -> None:
    change = (
        f'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint;\n'
        f'ALTER TABLE "{child}" ADD CONSTRAINT "{child}_fk" FOREIGN KEY ("{column}") REFERENCES "{parent}" (id);'
    )
    [finding] = _found(child, parent, change)
    assert finding.severity is Severity.CRITICAL and "no row can be an orphan" in finding.blast_radius
    assert f"ADD COLUMN {column} … REFERENCES" in finding.fix


def _django(model: str, field: str, foreign_key: str, rule: str = "constraint-not-valid") -> list[Finding]:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        f'        migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.CreateModel(name="Owner", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        "    ]\n"
    )
    change = (
        "from django.db import migrations, models\nimport django.db.models.deletion\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        "        migrations.RunSQL(\"SET lock_timeout = '5s'\", reverse_sql=migrations.RunSQL.noop),\n"
        f'        migrations.AddField(model_name="{model.lower()}", name="{field}", field={foreign_key}),\n'
        "    ]\n"
    )
    base = {
        "config/settings.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n',
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": initial,
    }
    path = "shop/migrations/0002_change.py"
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "added", None, change),),
        MemoryTree({**base, path: change}),
        MemoryTree(base),
    )
    return [f for f in review(changeset).active if f.rule == rule]


@pytest.mark.parametrize(("model", "field"), [("Order", "owner"), ("Ticket", "assignee")])
def test_django_declares_a_nullable_foreign_key_on_the_column_it_adds(model: str, field: str) -> None:
    nullable = 'models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="shop.owner")'
    assert not _django(model, field, nullable)
    with_default = (
        'models.ForeignKey(default=1, on_delete=django.db.models.deletion.CASCADE, to="shop.owner")'
    )
    [finding] = _django(model, field, with_default)
    assert finding.severity is Severity.CRITICAL and "fails at once" in finding.blast_radius


@pytest.mark.parametrize(("model", "field"), [("Order", "owner"), ("Ticket", "assignee")])
def test_the_key_declared_with_the_column_is_no_statement_after_its_lock(model: str, field: str) -> None:
    """The index Django builds after the column keeps the table locked; the key is part of the ADD COLUMN."""
    nullable = 'models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="shop.owner")'
    [after] = _django(model, field, nullable, "statements-after-exclusive-lock")
    assert after.message.startswith("`CREATE INDEX")


@pytest.mark.parametrize(("child", "parent", "column"), NAMES)
def test_a_key_declared_on_a_new_column_without_default_is_no_long_statement(
    child: str, parent: str, column: str
) -> None:
    def timeouts(add: str) -> set[str]:
        result = review_sql(_schema(child, parent) + "-- migration\nSET lock_timeout = '3s';\n" + add)
        return {f.rule for f in result.active} & {
            "missing-statement-timeout",
            "statements-after-exclusive-lock",
        }

    inline = f'ALTER TABLE "{child}" ADD COLUMN "{column}" bigint REFERENCES "{parent}" (id);\n'
    assert not timeouts(inline)
    assert "missing-statement-timeout" in timeouts(inline.replace(" REFERENCES", " DEFAULT 1 REFERENCES"))
