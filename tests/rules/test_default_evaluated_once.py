"""Django fills a new column's existing rows by calling a Python default once: one value for every row."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

from .migration_set import findings

NAMES = [("shop", "Order", "token"), ("crm", "Contact", "invite_code")]


def _found(app: str, model: str, field: str, base: str = "", imports: str = "import uuid\n") -> list[Finding]:
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        "    operations = [\n"
        f'        migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        "    ]\n"
    )
    text = (
        f"{imports}\nfrom django.db import migrations, models\nfrom django.utils import timezone\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "0001_initial")]\n    operations = [\n'
        f'        migrations.AddField(model_name="{model.lower()}", name="{field}", field={base}),\n    ]\n'
    )
    path = f"{app}/migrations/0002_add_{field}.py"
    result = review_sql(text, path=path, base={f"{app}/migrations/0001_initial.py": initial})
    return [f for f in result.active if f.rule == "default-evaluated-once"]


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_a_unique_field_with_a_python_default_fails_on_two_rows(app: str, model: str, field: str) -> None:
    [found] = _found(app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)")
    assert found.severity is Severity.CRITICAL
    assert f"`{app}_{model.lower()}.{field}`" in found.message and "`uuid.uuid4()`" in found.message
    [shared] = _found(
        app, model, field, "models.CharField(max_length=40, default=secrets.token_hex)", "import secrets\n"
    )
    assert shared.severity is Severity.WARNING and "same value" in shared.message


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_defaults_that_are_meant_for_every_row_or_computed_by_the_database(
    app: str, model: str, field: str
) -> None:
    quiet = [
        "models.UUIDField(null=True)",  # filled by a later RunPython, made unique after
        "models.DateTimeField(default=timezone.now)",  # one time for every existing row is what is meant
        "models.IntegerField(default=0)",
        "models.CharField(max_length=10, default='new')",
    ]
    for field_sql in quiet:
        assert not _found(app, model, field, field_sql), field_sql


_CREATE = (
    "class Create{model}s < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n"
    "      t.string :email\n    end\n  end\nend\n"
)


@pytest.mark.parametrize(
    ("table", "column", "default", "severity"),
    [
        ("invites", "token", "SecureRandom.hex(16)", "critical"),
        ("api_clients", "client_uid", "SecureRandom.uuid", "critical"),
        ("reports", "generated_on", "Date.today", "warning"),
    ],
)
def test_a_rails_default_computed_by_ruby_is_one_value_for_every_row(
    table, column, default, severity
) -> None:  # type: ignore[no-untyped-def]
    model = table[:-1].title().replace("_", "")
    base = {"db/migrate/20240101000000_create.rb": _CREATE.format(model=model, table=table)}
    added = (
        f"class AddColumn < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    add_column :{table}, :{column}, :string, default: {default}\n  end\nend\n"
    )
    path = "db/migrate/20240202000000_add_column.rb"
    found = [f for f in review_sql(added, path=path, base=base).active if f.rule == "default-evaluated-once"]
    assert [f.severity.value for f in found] == [severity]
    assert default in found[0].message and "every row inserted later" in found[0].message
    # a default the database computes for each row, or a literal, is quiet
    for good in ("-> { 'gen_random_uuid()' }", "''", "'pending'"):
        text = added.replace(f"default: {default}", f"default: {good}")
        assert not [
            f for f in review_sql(text, path=path, base=base).active if f.rule == "default-evaluated-once"
        ]


# ---- AlterField from null=True to NOT NULL: the NULL rows get the default computed once --------------------

_NULLABLE_INITIAL = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
    "    operations = [\n"
    '        migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True)), '
    '("{field}", {old})]),\n'
    "    ]\n"
)
_FILL = (
    "def fill(apps, schema_editor):\n"
    '    {model} = apps.get_model("{app}", "{model}")\n'
    "    for row in {model}.objects.filter({field}=None):\n"
    "        row.{field} = uuid.uuid4()\n"
    "        row.save()\n\n\n"
)


def _altered(
    app: str, model: str, field: str, new: str, *, old: str = "models.UUIDField(null=True)", fill: str = ""
) -> dict[str, str]:
    """The base tree's initial migration (the field nullable) and a migration that makes it NOT NULL; `fill`:
    "same" fills the NULLs in that migration first, "earlier" in a migration of its own before it."""
    initial = _NULLABLE_INITIAL.format(model=model, field=field, old=old)
    operations = [f'migrations.AlterField(model_name="{model.lower()}", name="{field}", field={new})']
    code = ""
    if fill == "same":
        code = _FILL.format(app=app, model=model, field=field)
        operations.insert(0, "migrations.RunPython(fill, migrations.RunPython.noop)")
    altered = (
        "import secrets\nimport uuid\n\nfrom django.db import migrations, models\nfrom django.utils import "
        f"timezone\n\n\n{code}class Migration(migrations.Migration):\n"
        f'    dependencies = [("{app}", "{"0002_fill" if fill == "earlier" else "0001_initial"}")]\n'
        "    operations = [\n" + "".join(f"        {o},\n" for o in operations) + "    ]\n"
    )
    files = {f"{app}/migrations/0001_initial.py": initial}
    if fill == "earlier":
        files[f"{app}/migrations/0002_fill.py"] = (
            "import uuid\n\nfrom django.db import migrations\n\n\n"
            + _FILL.format(app=app, model=model, field=field)
            + "class Migration(migrations.Migration):\n"
            f'    dependencies = [("{app}", "0001_initial")]\n'
            "    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n"
        )
    files[f"{app}/migrations/0003_alter_{field}.py"] = altered
    return files


def _alter_findings(files: dict[str, str], *, in_base: int = 1) -> list[Finding]:
    """Review the files after the first `in_base` ones as the change."""
    paths = list(files)
    base = {p: files[p] for p in paths[:in_base]}
    added = {p: files[p] for p in paths[in_base:]}
    return findings(base, added, rule="default-evaluated-once")


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_null_rows_of_a_field_made_unique_and_not_null_all_get_one_value(
    app: str, model: str, field: str
) -> None:
    [found] = _alter_findings(
        _altered(app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)")
    )
    assert found.severity is Severity.CRITICAL
    assert f"`{app}_{model.lower()}.{field}`" in found.message and "`uuid.uuid4()`" in found.message
    assert "two rows" in found.message and "RunPython" in found.fix
    # the one value Django writes is no dedupe of the rows that already hold a value
    files = _altered(app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)")
    paths = list(files)
    every = findings({paths[0]: files[paths[0]]}, {p: files[p] for p in paths[1:]})
    assert "unique-without-duplicate-check" in {f.rule for f in every}
    # a field already unique before, made NOT NULL now: the same
    unique_before = _altered(
        app, model, field, "models.UUIDField(default=uuid.uuid4, unique=True)",
        old="models.UUIDField(null=True, unique=True)",
    )  # fmt: skip
    assert [f.severity for f in _alter_findings(unique_before)] == [Severity.CRITICAL]
    # not unique, a token meant to be each row's own: every NULL row shares one, nothing fails
    token = _altered(
        app, model, field, "models.CharField(max_length=64, default=secrets.token_hex)",
        old="models.CharField(max_length=64, null=True)",
    )  # fmt: skip
    [shared] = _alter_findings(token)
    assert shared.severity is Severity.WARNING and "same value" in shared.message


@pytest.mark.parametrize(("app", "model", "field"), NAMES)
def test_null_rows_filled_first_or_a_default_meant_for_every_row(app: str, model: str, field: str) -> None:
    unique = "models.UUIDField(default=uuid.uuid4, unique=True)"
    # filled one by one in the same migration, in an earlier migration of the change, or of the base branch
    assert _alter_findings(_altered(app, model, field, unique, fill="same")) == []
    assert _alter_findings(_altered(app, model, field, unique, fill="earlier")) == []
    assert _alter_findings(_altered(app, model, field, unique, fill="earlier"), in_base=2) == []
    # one time for every NULL row is what a timestamp means; a constant is no per-row value
    now = _altered(
        app, model, field, "models.DateTimeField(default=timezone.now)", old="models.DateTimeField(null=True)"
    )
    constant = _altered(
        app, model, field, "models.CharField(max_length=8, default='new')",
        old="models.CharField(max_length=8, null=True)",
    )  # fmt: skip
    assert _alter_findings(now) == [] and _alter_findings(constant) == []


@pytest.mark.parametrize(("table", "column"), [("shop_order", "token"), ("crm_contact", "invite_code")])
def test_postgresql_refuses_the_unique_key_after_one_value_fills_two_null_rows(pg, table, column) -> None:  # type: ignore[no-untyped-def]
    """What Django's schema editor sends for the AlterField, on PostgreSQL: the one value fills both NULL rows,
    and the unique constraint that follows fails; rows filled one by one first pass."""
    import uuid

    import psycopg

    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} uuid NULL)")
    pg.execute(f"INSERT INTO {table} VALUES (1, NULL), (2, NULL)")
    pg.execute(f"UPDATE {table} SET {column} = %s WHERE {column} IS NULL", [str(uuid.uuid4())])
    pg.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_key UNIQUE ({column})")
    pg.execute(f"UPDATE {table} SET {column} = gen_random_uuid()")  # each row its own, as a RunPython fill
    pg.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_key UNIQUE ({column})")
