"""Django migrations: detection, operations on the app's model state, reversibility, `atomic`."""

from __future__ import annotations

import pytest

from bot.frameworks import detect, detect_dialect, django
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Review
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DataUpdate,
    DropColumn,
    Migration,
    RenameColumn,
    RenameTable,
    RunCode,
    Unparsed,
)
from bot.review import prepare, review

INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("status", models.CharField(max_length=20, null=True)),
                ("total", models.DecimalField(max_digits=10, decimal_places=2)),
            ],
        ),
        migrations.CreateModel(
            name="Invoice",
            fields=[("id", models.AutoField(primary_key=True))],
            options={"db_table": "billing_invoices"},
        ),
    ]
"""
FIRST = "shop/migrations/0001_initial.py"
PATH = "shop/migrations/0002_change.py"


def _parse(operations: str, head: str = "", extra: str = "") -> Migration:
    text = (
        f"from django.db import migrations, models\n{extra}\n\nclass Migration(migrations.Migration):\n{head}"
        f'    dependencies = [("shop", "0001_initial")]\n    operations = [\n{operations}    ]\n'
    )
    return django.parse(PATH, text, MemoryTree({FIRST: INITIAL, PATH: text}), "postgres")


def test_detects_numbered_migrations_of_an_app() -> None:
    assert getattr(detect(FIRST, INITIAL, Config()), "NAME", None) == django.NAME
    assert detect("shop/migrations/__init__.py", "", Config()) is None
    assert detect("shop/models.py", INITIAL, Config()) is None
    assert django.version(PATH) == "0002"


def test_create_model_names_the_table_after_the_app() -> None:
    migration = django.parse(FIRST, INITIAL, MemoryTree({FIRST: INITIAL}), "postgres")
    orders, invoices = migration.up
    assert isinstance(orders, CreateTable) and orders.table == "shop_order" and orders.location.line == 7
    assert {c.name: c.type for c in orders.columns} == {
        "id": "bigint",
        "status": "varchar(20)",
        "total": "decimal(10, 2)",
    }
    assert isinstance(invoices, CreateTable) and invoices.table == "billing_invoices"


def test_fields_use_the_state_of_earlier_migrations() -> None:
    migration = _parse(
        '        migrations.AddField("invoice", "order", models.ForeignKey("shop.Order", on_delete=models.CASCADE)),\n'
        '        migrations.AlterField("order", "total", models.DecimalField(max_digits=12, decimal_places=4)),\n'
        '        migrations.RenameField("order", "status", "state"),\n'
        '        migrations.RemoveField("order", "state"),\n'
    )
    add, key, index, alter, rename, drop = migration.up
    assert isinstance(add, AddColumn) and add.table == "billing_invoices" and add.column.name == "order_id"
    assert add.location.line == 7
    # PostgreSQL's schema editor declares the key on the column it adds, then builds the index
    assert (
        isinstance(key, AddConstraint)
        and key.references == "shop_order"
        and not key.not_valid
        and key.on_column
    )
    assert isinstance(index, AddIndex) and not index.concurrently
    assert isinstance(alter, AlterColumnType) and alter.new_type == "decimal(12, 4)"
    assert isinstance(rename, RenameColumn) and (rename.column, rename.new_name) == ("status", "state")
    assert isinstance(drop, DropColumn) and drop.column == "state"
    assert migration.down is not None


def test_run_python_is_code_with_the_data_changes_it_makes() -> None:
    migration = _parse(
        "        migrations.RunPython(forwards),\n",
        extra=(
            '\n\ndef forwards(apps, schema_editor):\n    Order = apps.get_model("shop", "Order")\n'
            '    Order.objects.filter(status="").update(status=None)\n'
        ),
    )
    code, update = migration.up
    assert isinstance(code, RunCode) and code.touches == ("shop_order",) and code.location.line == 12
    assert isinstance(update, DataUpdate) and update.location.line == 6 and update.where == "status = ''"
    assert migration.down is None and "reverse_code" in migration.irreversible_reason


def test_a_queryset_on_the_migrations_database_connection_is_read_like_any_other() -> None:
    # `using(db_alias)`: the data migration writes through the connection the migration runs on.
    for model, field in [("Order", "status"), ("Customer", "tier")]:
        migration = _parse(
            "        migrations.RunPython(forwards, migrations.RunPython.noop),\n",
            extra=(
                f'\n\ndef forwards(apps, schema_editor):\n    {model} = apps.get_model("shop", "{model}")\n'
                "    db_alias = schema_editor.connection.alias\n"
                f'    {model}.objects.using(db_alias).filter({field}="").distinct().update({field}=None)\n'
            ),
        )
        [update] = [op for op in migration.up if isinstance(op, DataUpdate)]
        assert update.table == f"shop_{model.lower()}" and update.where == f"{field} = ''"


@pytest.mark.parametrize(
    "get_model",
    [
        'apps.get_model("shop", model_name)',
        'apps.get_model(app_label="shop", model_name=model_name)',
        'apps.get_model("shop", model_name=model_name)',
    ],
)
def test_a_loop_over_model_names_updates_each_models_table(get_model: str) -> None:
    # `for name in CABLED: model = apps.get_model("shop", name)`: one UPDATE per model named, the arguments
    # given by position or by keyword.
    # Invoice's state gives it `db_table = "billing_invoices"`: the model's own table, as Django names it
    tables = {"Order": "shop_order", "Customer": "shop_customer", "Invoice": "billing_invoices"}
    for constant, names in [("CABLED", ("Order", "Customer")), ("BILLED", ("Invoice",))]:
        migration = _parse(
            "        migrations.RunPython(forwards, migrations.RunPython.noop),\n",
            extra=(
                f"\n{constant} = {names!r}\n\n\ndef forwards(apps, schema_editor):\n"
                f"    for model_name in {constant}:\n"
                f"        model = {get_model}\n"
                "        model.objects.using(schema_editor.connection.alias).filter(cable_end='').update(cable_end=None)\n"
            ),
        )
        updates = [op for op in migration.up if isinstance(op, DataUpdate)]
        assert [u.table for u in updates] == [tables[n] for n in names]
        assert all(u.where == "cable_end = ''" for u in updates)


def test_run_python_with_noop_reverse_and_run_sql_with_reverse_are_reversible() -> None:
    migration = _parse(
        "        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),\n"
        '        migrations.RunSQL("UPDATE shop_order SET total = 0", reverse_sql=migrations.RunSQL.noop),\n'
    )
    assert migration.down is not None
    assert [op.kind for op in migration.up] == ["DataUpdate"] and migration.up[0].location.line == 8


def test_atomic_false_runs_outside_a_transaction() -> None:
    assert _parse("").in_transaction
    migration = _parse("", head="    atomic = False\n")
    assert not migration.in_transaction and "atomic = False" in migration.transaction_note


def test_separate_database_and_state_reaches_the_database_only_with_database_operations() -> None:
    migration = _parse(
        "        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.RemoveField("order", "status")],\n'
        "            database_operations=[],\n"
        "        ),\n"
    )
    assert migration.up == ()


def test_unknown_operation_is_a_finding_at_its_line() -> None:
    text = (
        "from django.db import migrations\nimport thirdparty\n\n\nclass Migration(migrations.Migration):\n"
        "    operations = [\n        thirdparty.AddTrigger('order'),\n    ]\n"
    )
    migration = django.parse(PATH, text, MemoryTree({PATH: text}), "postgres")
    assert isinstance(migration.up[0], Unparsed) and migration.up[0].location.line == 7
    changeset = ChangeSet("b", "h", (ChangedFile(PATH, "added", None, text),), MemoryTree({PATH: text}))
    finding = next(f for f in review(changeset).findings if f.rule == "unparsed-statement")
    assert finding.line == 7 and finding.path == PATH


def test_dialect_from_django_settings() -> None:
    tree = MemoryTree({"shop/settings.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}'})
    assert detect_dialect(tree, []) == "mysql"


def test_db_default_and_suppression_comment() -> None:
    migration = _parse(
        "        # migration-review: ignore not-null-without-default orders is empty in every environment\n"
        '        migrations.AddField("order", "note", models.TextField()),\n'
        '        migrations.AddField("order", "channel", models.CharField(max_length=10, db_default="web")),\n'
    )
    note, channel = migration.up
    assert isinstance(note, AddColumn) and not note.column.nullable and note.column.default is None
    assert isinstance(channel, AddColumn) and channel.column.default == "'web'"
    (suppression,) = migration.suppressions
    assert suppression.rules == ("not-null-without-default",) and suppression.applies_to == note.location.line


def _reviewed(operations: str) -> list[str]:
    text = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n    operations = [\n{operations}    ]\n'
    )
    base = MemoryTree({FIRST: INITIAL})
    changeset = ChangeSet(
        "b", "h", (ChangedFile(PATH, "added", None, text),), MemoryTree({FIRST: INITIAL, PATH: text}), base
    )
    return [f.message for f in review(changeset).findings if f.rule == "not-null-without-default"]


def test_a_one_off_default_is_dropped_as_django_does_and_the_old_release_inserts_fail() -> None:
    # Django fills the existing rows with `default=` and then drops it from the column
    [message] = _reviewed(
        '        migrations.AddField("order", "paid", models.BooleanField(default=False)),\n'
    )
    assert "`shop_order` gets the NOT NULL column `paid`" in message and "dropped" in message
    migration = _parse('        migrations.AddField("order", "paid", models.BooleanField(default=False)),\n')
    assert [type(op).__name__ for op in migration.up] == ["AddColumn", "SetDefault"]


def test_a_database_default_or_a_nullable_field_keeps_old_inserts_working() -> None:
    assert not _reviewed(
        '        migrations.AddField("order", "paid", models.BooleanField(db_default=False)),\n'
    )
    assert not _reviewed(
        '        migrations.AddField("order", "note", models.TextField(null=True, default="")),\n'
    )


def test_a_blank_text_field_is_filled_with_the_empty_string_as_django_does() -> None:
    # Django's schema editor gives a NOT NULL blank=True text field the effective default ''; a project's own
    # field with a `max_length` is a CharField of its own (NetBox's ColorField, a SlugField of a library)
    for field in (
        "models.TextField(blank=True)",
        "models.CharField(max_length=40, blank=True)",
        "utilities.fields.ColorField(blank=True, max_length=6)",
        "shop.fields.CodeField(max_length=12, blank=True)",
    ):
        [message] = _reviewed(f'        migrations.AddField("order", "comments", {field}),\n')
        assert "default `''`" in message and "is added NOT NULL without a default" not in message
    [message] = _reviewed('        migrations.AddField("order", "rank", models.IntegerField(blank=True)),\n')
    assert "is added NOT NULL without a default" in message  # no empty value for a number


@pytest.mark.parametrize(
    ("engines", "expected"),
    [
        (("sqlite3", "mysql", "postgresql"), "postgres"),
        (("sqlite3", "mysql"), "mysql"),
        (("postgis", "sqlite3"), "postgres"),
        (("sqlite3",), "sqlite"),
    ],
)
def test_settings_that_choose_the_engine_when_they_run_are_reviewed_for_the_server_engine(
    engines: tuple[str, ...], expected: str
) -> None:
    first, *others = engines
    text = (
        "import os\n"
        f'DATABASES = {{"default": {{"ENGINE": "django.db.backends.{first}", "NAME": "db.sqlite3"}}}}\n'
        'if os.getenv("APP_DBHOST"):\n'
        + "".join(
            f'    if os.getenv("APP_DBENGINE") == "{e}":\n        engine = "django.db.backends.{e}"\n'
            for e in others
        )
        + ("    pass\n" if not others else '    DATABASES["default"]["ENGINE"] = engine\n')
    )
    tree = MemoryTree({"src/project/settings.py": text})
    assert detect_dialect(tree, []) == expected


@pytest.mark.parametrize(("app", "model", "column"), [("shop", "Order", "status"), ("crm", "Lead", "stage")])
def test_a_model_got_in_place_is_resolved_to_its_table(app: str, model: str, column: str) -> None:
    """`apps.get_model("shop", "Order").objects.update(…)`, with no name bound to the model, writes the model's
    table: read as that UPDATE, not left unparsed."""
    from tests.conftest import review_sql

    text = (
        "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
        f"    apps.get_model('{app}', '{model}').objects.filter({column}='old').update({column}='new')\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = []\n"
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    table = f"{app}_{model.lower()}"
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(10));\n"}
    result = review_sql(text, path=f"{app}/migrations/0002_rename_values.py", base=base)
    rules = {f.rule for f in result.active}
    assert "unparsed-statement" not in rules
    [batch] = [f for f in result.active if f.rule == "unbatched-data-change"]
    assert f"`UPDATE {table}`" in batch.message


def _review_all(operations: str) -> Review:
    text = (
        "import taggit.managers\nfrom django.contrib.contenttypes.fields import GenericRelation\n"
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n    operations = [\n{operations}    ]\n'
    )
    return _review_added(text)


def _review_added(text: str) -> Review:
    """The pull request that adds `text` as the app's second migration."""
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(PATH, "added", None, text),),
        MemoryTree({FIRST: INITIAL, PATH: text}),
        MemoryTree({FIRST: INITIAL}),
    )
    return review(changeset)


@pytest.mark.parametrize(
    ("model", "name", "field"),
    [
        ("order", "tags", "taggit.managers.TaggableManager(through='extras.TaggedItem', to='extras.Tag')"),
        ("invoice", "labels", "taggit.managers.TaggableManager(to='extras.Label')"),
        ("order", "journal", "GenericRelation(to='extras.JournalEntry')"),
        ("invoice", "members", "models.ManyToManyField(through='shop.Membership', to='shop.Member')"),
    ],
)
def test_a_relation_without_a_column_adds_no_not_null_column(model: str, name: str, field: str) -> None:
    """NetBox adds `tags` (django-taggit's TaggableManager, through a shared model) to every model: no
    column, so no NOT NULL column without a default; a through model's table is its own migration's."""
    added = _review_all(f'        migrations.AddField("{model}", "{name}", {field}),\n')
    assert not added.findings or {f.rule for f in added.findings} <= {"missing-lock-timeout"}
    migration = _parse(f'        migrations.AddField("{model}", "{name}", {field}),\n')
    assert migration.up == ()
    altered = _parse(
        f'        migrations.AddField("{model}", "{name}", {field}),\n'
        f'        migrations.AlterField("{model}", "{name}", {field.replace(")", ", blank=True)", 1)}),\n'
        f'        migrations.RenameField("{model}", "{name}", "{name}_set"),\n'
        f'        migrations.RemoveField("{model}", "{name}_set"),\n'
    )
    assert altered.up == ()
    # a field with a column is still one
    column = _review_all(
        f'        migrations.AddField("{model}", "{name}", models.CharField(max_length=9)),\n'
    )
    assert "not-null-without-default" in {f.rule for f in column.findings}


def test_a_many_to_many_field_of_its_own_gets_and_renames_its_join_table() -> None:
    made = _parse(
        '        migrations.AddField("order", "coupons", models.ManyToManyField(to="shop.Invoice")),\n'
    )
    assert [(type(op).__name__, op.table) for op in made.up] == [("CreateTable", "shop_order_coupons")]
    renamed = _parse(
        '        migrations.AddField("order", "coupons", models.ManyToManyField(to="shop.Invoice")),\n'
        '        migrations.RenameField("order", "coupons", "vouchers"),\n'
    )
    rename = renamed.up[-1]
    assert isinstance(rename, RenameTable)
    assert (rename.table, rename.new_name) == ("shop_order_coupons", "shop_order_vouchers")


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("mptt.fields.TreeForeignKey(null=True, on_delete=models.CASCADE, to='shop.order')", "parent_id"),
        ("modelcluster.fields.ParentalKey(on_delete=models.CASCADE, to='shop.invoice')", "parent_id"),
        ("models.ForeignKey(null=True, on_delete=models.CASCADE, to='shop.order')", "parent_id"),
        ("models.CharField(max_length=9, null=True)", "parent"),
    ],
)
def test_a_library_s_foreign_key_is_a_foreign_key(field: str, column: str) -> None:
    """NetBox's regions and roles nest through django-mptt's TreeForeignKey: its column is `parent_id`, and
    a unique constraint on `parent` names that column."""
    migration = _parse(f'        migrations.AddField("order", "parent", {field}),\n')
    [added] = [op for op in migration.up if isinstance(op, AddColumn)]
    assert added.table == "shop_order" and added.column.name == column
    many = _parse(
        '        migrations.AddField("order", "tags", mptt.fields.TreeManyToManyField(to="shop.invoice")),\n'
    )
    assert [type(op).__name__ for op in many.up] == ["CreateTable"]


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("usercredential", ("username", "credential_content_type", "credential_id")),
        ("historicalprogramcompletionemailconfiguration", ("history_user_id", "history_date")),
    ],
)
@pytest.mark.parametrize("engine", ["mysql", "postgresql"])
def test_names_django_derives_fit_the_database(model: str, fields: tuple[str, ...], engine: str) -> None:
    app = "credentials"
    create = ",\n".join(
        f"                ('{f}', models.CharField(max_length=40, db_index=True))" for f in fields
    )
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        f"        migrations.CreateModel(name='{model}', fields=[\n"
        "                ('id', models.AutoField(primary_key=True)),\n"
        f"{create},\n            ]),\n"
        f"        migrations.AlterUniqueTogether(name='{model}', unique_together={{{fields!r}}}),\n"
        "    ]\n"
    )
    settings = {
        f"{app}/settings.py": f'DATABASES = {{"default": {{"ENGINE": "django.db.backends.{engine}"}}}}\n'
    }
    path = f"{app}/apps/{app}/migrations/0001_initial.py"
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, initial),),
        MemoryTree({**settings, path: initial}),
        MemoryTree(settings),
    )
    result = review(changeset)
    assert "identifier-too-long" not in {f.rule for f in result.findings}
    spelled = initial.replace(
        "    ]\n",
        f"        migrations.RunSQL('CREATE INDEX {model}_{'_'.join(fields)}_by_hand_idx ON {app}_{model} (id)'),\n    ]\n",
    )
    by_hand = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, spelled),),
        MemoryTree({**settings, path: spelled}),
        MemoryTree(settings),
    )
    assert "identifier-too-long" in {f.rule for f in review(by_hand).findings}  # a name the author wrote


@pytest.mark.parametrize(
    ("module", "model", "call", "table"),
    [
        (
            "django.contrib.auth.models",
            "Permission",
            "get_or_create(codename='view_badge', name='Can view')",
            "auth_permission",
        ),
        (
            "django.contrib.contenttypes.models",
            "ContentType",
            "filter(app_label='legacy').delete()",
            "django_content_type",
        ),
    ],
)
def test_a_model_of_djangos_own_apps_imported_directly_is_read(
    module: str, model: str, call: str, table: str
) -> None:
    text = (
        f"from {module} import {model}\nfrom django.db import migrations\n\n\n"
        "def forwards(apps, schema_editor):\n"
        f"    {model}.objects.{call}\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    result = _review_added(text)
    assert "unparsed-statement" not in {f.rule for f in result.findings}
    assert "current-model-in-migration" not in {
        f.rule for f in result.findings
    }  # Django's models, not the project's
    migration = django.parse(PATH, text, MemoryTree({FIRST: INITIAL}), "postgres")
    assert table in {t for op in migration.up for t in op.tables}


_SUBCLASS = """from django.contrib.postgres.operations import {base}
from django.db import migrations, models
from django.db.migrations.operations.models import {plain}


class {name}({base}):
    \"\"\"Runs as {base}; {what}.\"\"\"

    def {method}(self, app_label, schema_editor, from_state, to_state):
        {plain}.{method}(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("{app}", "0001_initial")]
    operations = [
        {name}(model_name="{model}", {argument}),
    ]
"""


@pytest.mark.parametrize(
    ("app", "model", "column", "name"),
    [
        ("shop", "Order", "placed_on", "AddIndexConcurrentlyPlainReverse"),
        ("crm", "Lead", "score", "BuildIndex"),
    ],
)
def test_an_operation_class_the_migration_defines_on_one_of_djangos_runs_as_that_one(
    app: str, model: str, column: str, name: str
) -> None:
    from tests.conftest import review_sql

    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f'    operations = [migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField('
        f'primary_key=True)), ("{column}", models.IntegerField(null=True))])]\n'
    )
    base = {f"{app}/migrations/0001_initial.py": initial}
    index = f'index=models.Index(fields=["{column}"], name="{app}_{column}_idx")'
    path = f"{app}/migrations/0002_index.py"

    def found(method: str) -> set[str]:
        text = _SUBCLASS.format(
            base="AddIndexConcurrently", plain="AddIndex", name=name, what="another way back", method=method,
            app=app, model=model.lower(), argument=index,
        )  # fmt: skip
        return {f.rule for f in review_sql(text, path=path, base=base).active}

    # only the way back differs: the index is built concurrently, outside a transaction, as Django's own
    assert (
        found("database_backwards") & {"unreadable-migration", "unparsed-statement", "non-concurrent-index"}
        == set()
    )
    # a class that changes what runs going forward is no operation the review knows
    assert {"unreadable-migration", "unparsed-statement"} <= found("database_forwards")


def _ops(migration: Migration) -> list[tuple[str, ...]]:
    """The operations' kinds and the names they act on, for comparing with what Django's schema editor runs."""
    shown = []
    for op in migration.up:
        names = [getattr(op, key, None) for key in ("column", "new_name", "name", "references")]
        spelled = [n.name if hasattr(n, "name") else n for n in names]
        shown.append((type(op).__name__, *(str(n) for n in spelled if n)))
    return shown


@pytest.mark.parametrize(
    ("model", "table", "field", "target", "target_table"),
    [
        ("order", "shop_order", "invoice_ref", "shop.invoice", "billing_invoices"),
        ("invoice", "billing_invoices", "order_token", "shop.order", "shop_order"),
    ],
)
def test_a_plain_field_made_a_relation_renames_its_column_and_adds_the_key(
    model: str, table: str, field: str, target: str, target_table: str
) -> None:
    """Django names a relation's column `<field>_id`: an AlterField from a plain field to a ForeignKey renames
    the column and adds the foreign key (Saleor's `order_line_token` became `line`'s column this way)."""
    migration = _parse(
        f'        migrations.AddField("{model}", "{field}", models.IntegerField(null=True)),\n'
        f'        migrations.AlterField("{model}", "{field}", models.ForeignKey(null=True,'
        f' on_delete=models.CASCADE, to="{target}")),\n'
    )
    shown = _ops(migration)
    assert ("RenameColumn", field, f"{field}_id") in shown
    assert any(op[0] == "AddConstraint" and op[-1] == target_table for op in shown)
    assert not any(op[0] in ("DropConstraint", "ChangeOrmOnDelete") for op in shown)
    # the relation declared at once is a new column of that name: nothing is renamed
    direct = _ops(
        _parse(
            f'        migrations.AddField("{model}", "{field}", models.ForeignKey(null=True,'
            f' on_delete=models.CASCADE, to="{target}")),\n'
        )
    )
    assert not any(op[0] == "RenameColumn" for op in direct)


@pytest.mark.parametrize(("model", "field"), [("order", "status"), ("order", "total")])
def test_a_new_db_column_renames_the_column(model: str, field: str) -> None:
    kind = "models.CharField(max_length=20, null=True" if field == "status" else "models.DecimalField("
    kind += "" if field == "status" else "max_digits=10, decimal_places=2"
    renamed = _review_all(
        f'        migrations.AlterField("{model}", "{field}", {kind}, db_column="{field}_v2")),\n'
    )
    [finding] = [f for f in renamed.findings if f.rule == "column-renamed"]
    assert f"`shop_{model}.{field}` is renamed to `{field}_v2`" in finding.message
    # the same field altered without a new column name renames nothing
    same = _review_all(f'        migrations.AlterField("{model}", "{field}", {kind}, help_text="x")),\n')
    assert "column-renamed" not in {f.rule for f in same.findings}


@pytest.mark.parametrize(
    ("field", "target", "target_table"),
    [("invoice", "shop.invoice", "billing_invoices"), ("parent", "shop.order", "shop_order")],
)
def test_db_constraint_false_drops_the_key_and_true_adds_it_back(
    field: str, target: str, target_table: str
) -> None:
    """Saleor drops a relation's foreign key with `db_constraint=False` before dropping the table a release
    later, so that the drop does not lock the referenced table."""
    relation = f'models.ForeignKey(null=True, on_delete=models.CASCADE, to="{target}"'
    dropped = _ops(
        _parse(
            f'        migrations.AddField("order", "{field}", {relation})),\n'
            f'        migrations.AlterField("order", "{field}", {relation}, db_constraint=False)),\n'
        )
    )
    assert dropped[-1][0] == "DropConstraint" and dropped[-1][1] == f"shop_order_{field}_id_fk"
    restored = _ops(
        _parse(
            f'        migrations.AddField("order", "{field}", {relation}, db_constraint=False)),\n'
            f'        migrations.AlterField("order", "{field}", {relation})),\n'
        )
    )
    assert restored[-1][0] == "AddConstraint" and restored[-1][-1] == target_table
    # only its options changed: the key stays as it is
    kept = _ops(
        _parse(
            f'        migrations.AddField("order", "{field}", {relation})),\n'
            f'        migrations.AlterField("order", "{field}", {relation}, blank=True)),\n'
        )
    )
    assert sorted(op[0] for op in kept) == ["AddColumn", "AddConstraint", "AddIndex"]


@pytest.mark.parametrize(("child", "field"), [("order", "invoice"), ("invoice", "order")])
def test_a_table_whose_key_was_dropped_earlier_is_dropped_without_locking_the_other_table(
    child: str, field: str
) -> None:
    tables = {"order": "shop_order", "invoice": "billing_invoices"}
    relation = f'models.ForeignKey(null=True, on_delete=models.CASCADE, to="shop.{field}"'

    def dropped(options: str) -> str:
        second = (
            "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
            '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
            f'        migrations.AddField("{child}", "{field}", {relation})),\n'
            f'        migrations.AlterField("{child}", "{field}", {relation}{options})),\n    ]\n'
        )
        third = (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            '    dependencies = [("shop", "0002_relation")]\n'
            f'    operations = [migrations.RunSQL("DROP TABLE {tables[child]};")]\n'
        )
        path = "shop/migrations/0003_drop.py"
        base = {FIRST: INITIAL, "shop/migrations/0002_relation.py": second}
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "added", None, third),),
            MemoryTree({**base, path: third}),
            MemoryTree(base),
        )
        [lock] = [f for f in review(changeset).findings if f.rule == "missing-lock-timeout"]
        return lock.message

    assert f"`{tables[field]}`" in dropped("")  # the foreign key's table is locked too
    assert f"`{tables[field]}`" not in dropped(", db_constraint=False")


@pytest.mark.parametrize(("model", "table"), [("Order", "shop_order"), ("Invoice", "billing_invoices")])
def test_get_model_by_keyword_resolves_the_table(model: str, table: str) -> None:
    """Mayan EDMS writes `apps.get_model(app_label=…, model_name=…)`: the same model as by position."""
    extra = (
        "\n\ndef forwards(apps, schema_editor):\n"
        f"    {model} = apps.get_model(app_label='shop', model_name='{model}')\n"
        f"    {model}.objects.filter(id__in=[1, 2]).delete()\n"
    )
    by_keyword = _parse("        migrations.RunPython(forwards, migrations.RunPython.noop),\n", extra=extra)
    assert not [op for op in by_keyword.up if isinstance(op, Unparsed)]
    assert table in [getattr(op, "table", "") for op in by_keyword.up]
    by_position = _parse(
        "        migrations.RunPython(forwards, migrations.RunPython.noop),\n",
        extra=extra.replace(f"app_label='shop', model_name='{model}'", f"'shop', '{model}'"),
    )
    assert [type(op) for op in by_position.up] == [type(op) for op in by_keyword.up]


@pytest.mark.parametrize(("table", "column"), [("shop_order", "status"), ("billing_invoices", "DueDate")])
def test_sql_whose_names_format_fills_in_is_read(table: str, column: str) -> None:
    """Mayan EDMS writes `'UPDATE {table} SET {column} = %s'.format(table=…quote_name('…'), …)`: the names
    the code spells out are filled in and the statement is read; a name computed at run time is not."""
    extra = (
        "\n\ndef forwards(apps, schema_editor):\n"
        "    query = '''\n        UPDATE {table} SET {column} = %s WHERE {table}.{id} = %s;\n    '''.format(\n"
        f"        table=schema_editor.connection.ops.quote_name('{table}'),\n"
        f"        column=schema_editor.connection.ops.quote_name('{column}'),\n"
        "        id='id',\n    )\n"
        "    with schema_editor.connection.cursor() as cursor:\n        cursor.execute(query, ['x', 1])\n"
    )
    operations = "        migrations.RunPython(forwards, migrations.RunPython.noop),\n"
    read = _parse(operations, extra=extra)
    assert not [op for op in read.up if isinstance(op, Unparsed)]
    [update] = [op for op in read.up if isinstance(op, DataUpdate)]
    assert update.table == table and [name for name, _ in update.assignments] == [column]
    computed = _parse(
        operations, extra=extra.replace(f"quote_name('{table}')", "quote_name(model._meta.db_table)")
    )
    assert [op for op in computed.up if isinstance(op, Unparsed)]


@pytest.mark.parametrize("name", ["0002_add-automation-rules", "0002_rules-v2"])
def test_a_migration_whose_name_has_a_hyphen_is_read(name: str) -> None:
    """Django loads any module of the migrations package (Read the Docs has `0007_add-automation-rules.py`):
    its model is part of the schema, and a later change to it is judged with its real column types."""
    created = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        '        migrations.CreateModel(name="Rule", fields=[("id", models.AutoField(primary_key=True)),'
        ' ("pattern", models.CharField(max_length=40))]),\n    ]\n'
    )
    assert django.detect(f"shop/migrations/{name}.py", created)
    change = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "{name}")]\n    operations = [\n'
        '        migrations.AddField("order", "rule", models.ForeignKey(null=True, on_delete=models.CASCADE,'
        ' to="shop.rule")),\n    ]\n'
    )
    path = "shop/migrations/0003_order_rule.py"
    base = {FIRST: INITIAL, f"shop/migrations/{name}.py": created}
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, change),),
        MemoryTree({**base, path: change}),
        MemoryTree(base),
    )
    prepared = prepare(changeset)
    assert set(prepared.catalog.tables["shop_rule"].columns) == {"id", "pattern"}
    [added] = [op for m in prepared.migrations for op in m.up if isinstance(op, AddColumn)]
    assert added.column.type == "int"  # the key type of `Rule` (an AutoField), not a guess


@pytest.mark.parametrize(("model", "table"), [("Invoice", "billing_invoices"), ("Order", "shop_order")])
def test_a_table_dropped_after_its_model_left_the_state_is_a_note(model: str, table: str) -> None:
    """Saleor detaches a model with `SeparateDatabaseAndState(state_operations=[DeleteModel(…)])` a release
    before it drops the table: the drop is what `table-dropped` asks for, unless code still uses the table."""
    detach = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        f'        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="{model}")]),\n'
        "    ]\n"
    )
    drop = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0002_detach")]\n'
        f'    operations = [migrations.RunSQL("DROP TABLE {table};", migrations.RunSQL.noop)]\n'
    )
    path = "shop/migrations/0003_drop.py"

    def dropped(second: str, code: dict[str, str] | None = None) -> tuple[str, str]:
        base = {FIRST: INITIAL, "shop/migrations/0002_detach.py": second, **(code or {})}
        changeset = ChangeSet(
            "b",
            "h",
            (ChangedFile(path, "added", None, drop),),
            MemoryTree({**base, path: drop}),
            MemoryTree(base),
        )
        [finding] = [f for f in review(changeset).findings if f.rule == "table-dropped"]
        return finding.severity.value, finding.message

    severity, message = dropped(detach)
    assert severity == "info" and "stopped mapping it in `shop/migrations/0002_detach.py`" in message
    # the same drop with the model still in the state (no detaching migration) is the usual warning
    kept = detach.replace(f'migrations.DeleteModel(name="{model}")', "")
    assert dropped(kept)[0] == "warning"
    # detached, but code still reads the table: not a note
    query = {"shop/reports.py": f'def rows(cursor):\n    cursor.execute("SELECT id FROM {table}")\n'}
    assert dropped(detach, query)[0] != "info"


@pytest.mark.parametrize(
    ("name", "attribute"), [("RunPythonAtomicDynamic", "atomic"), ("TimedRunPython", "hints")]
)
def test_an_operation_class_whose_init_only_sets_attributes_runs_as_its_base(
    name: str, attribute: str
) -> None:
    """Mayan EDMS's `RunPythonAtomicDynamic(migrations.RunPython)` only sets `self.atomic` in `__init__`: its
    code is read as a RunPython's; an `__init__` that does anything else is still not understood."""
    configured = (
        f"\n\nclass {name}(migrations.RunPython):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        super().__init__(*args, **kwargs)\n"
        "        if connection.features.can_rollback_ddl:\n"
        f"            self.{attribute} = True\n"
        "        else:\n"
        f"            self.{attribute} = False\n"
        "\n\ndef forwards(apps, schema_editor):\n"
        "    Order = apps.get_model('shop', 'Order')\n"
        "    Order.objects.filter(status__isnull=True, id__lt=100).update(status='new')\n"
    )
    operations = f"        {name}(forwards, migrations.RunPython.noop),\n"
    read = _parse(operations, extra="from django.db import connection" + configured)
    assert not [op for op in read.up if isinstance(op, Unparsed)]
    assert [op.table for op in read.up if isinstance(op, DataUpdate)] == ["shop_order"]
    other = configured.replace(
        "        super().__init__(*args, **kwargs)\n",
        "        super().__init__(*args, **kwargs)\n        self.code = self.reverse_code\n",
    ).replace(f"self.{attribute} = True", "self.code = None")
    unknown = _parse(
        operations,
        extra="from django.db import connection" + other.replace("self.code = None", "register(self)"),
    )
    assert [op for op in unknown.up if isinstance(op, Unparsed)]


@pytest.mark.parametrize(
    ("model", "table", "relation"),
    [("Invoice", "billing_invoices", "order"), ("Order", "shop_order", "invoice")],
)
def test_relations_removed_before_their_model_is_deleted_are_judged_with_the_table(
    model: str, table: str, relation: str
) -> None:
    """Django's autodetector writes `RemoveField` for each relation of a model before `DeleteModel` (Plane's
    deprecated tables): the columns go with the table, whose drop is the one finding; the models the change
    removes are what the running release still uses."""
    target = "shop.order" if relation == "order" else "shop.invoice"
    added = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        f'        migrations.AddField("{model.lower()}", "{relation}", models.ForeignKey(null=True,'
        f' on_delete=models.CASCADE, to="{target}")),\n    ]\n'
    )
    deleted = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0002_relation")]\n    operations = [\n'
        f'        migrations.RemoveField(model_name="{model.lower()}", name="{relation}"),\n'
        f'        migrations.DeleteModel(name="{model}"),\n    ]\n'
    )
    path = "shop/migrations/0003_delete.py"
    declared = (
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    note = models.TextField()\n\n"
        f'    class Meta:\n        db_table = "{table}"\n'
    )
    base = {FIRST: INITIAL, "shop/migrations/0002_relation.py": added, "shop/models.py": declared}
    head = {**base, path: deleted, "shop/models.py": "from django.db import models\n"}
    files = (
        ChangedFile(path, "added", None, deleted),
        ChangedFile("shop/models.py", "modified", declared, head["shop/models.py"]),
    )
    changeset = ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base))
    result = review(changeset)
    rules = [f.rule for f in result.findings]
    assert "column-dropped" not in rules and "down-recreates-empty" not in rules
    [dropped] = [f for f in result.findings if f.rule == "table-dropped"]
    assert (
        dropped.severity.value == "warning"
        and "This change also removes the code that uses it" in dropped.message
    )
    # the relation removed on its own, the table kept, is still a dropped column
    alone = deleted.replace(f'        migrations.DeleteModel(name="{model}"),\n', "")
    kept = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, alone),),
        MemoryTree({**base, path: alone}),
        MemoryTree(base),
    )
    assert "column-dropped" in {f.rule for f in review(kept).findings}


def _migration_module(body: str, module: str = "") -> str:
    return (
        f"from django.db import migrations, models\n{module}\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n{body}'
    )


@pytest.mark.parametrize(
    ("module", "body"),
    [
        (  # the operations asked of the database when the module is loaded
            "from django.db import connection\n\n\ndef get_operations():\n"
            "    if 'guardian_userobjectpermission' in connection.introspection.table_names():\n"
            "        return [migrations.RunSQL('DROP TABLE guardian_userobjectpermission')]\n"
            "    return []\n",
            "    operations = get_operations()\n",
        ),
        (
            "",
            "    operations = [migrations.RunSQL(f'DROP TABLE {t}') for t in ('audit_log', 'audit_entry')]\n",
        ),
        ("from shop.dynamic import EXTRA\n", "    operations = [migrations.DeleteModel('Order'), *EXTRA]\n"),
    ],
)
def test_operations_computed_at_load_time_are_never_approved(module: str, body: str) -> None:
    text = _migration_module(body, module)
    result = _review_added(text)
    finding = next(f for f in result.findings if f.rule == "unparsed-statement")
    assert (
        finding.path == PATH
        and finding.line
        == text.splitlines().index(next(line for line in text.splitlines() if "operations = " in line)) + 1
    )
    assert "`operations` is computed when the migration is loaded, by `" in finding.message
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize(
    ("module", "body"),
    [
        (
            "OPERATIONS = [\n    migrations.RemoveField(model_name='order', name='note'),\n]\n",
            "    operations = OPERATIONS\n",
        ),
        (
            "COMMON = [migrations.RemoveField(model_name='order', name='note')]\n",
            "    operations = [*COMMON] + [migrations.DeleteModel(name='Invoice')]\n",
        ),
        (
            "",
            "    operations = [migrations.RemoveField(model_name='order', name='note')]\n"
            "    operations += [migrations.DeleteModel(name='Invoice')]\n",
        ),
    ],
)
def test_operations_from_module_constants_are_read(module: str, body: str) -> None:
    migration = django.parse(PATH, _migration_module(body, module), MemoryTree({FIRST: INITIAL}), "postgres")
    kinds = [type(op).__name__ for op in migration.up]
    assert "Unparsed" not in kinds and "DropColumn" in kinds
    assert ("DropTable" in kinds) == ("Invoice" in body)


HELPERS = """
def cleanup_ops():
    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunSQL("DROP INDEX IF EXISTS {old_index};", migrations.RunSQL.noop)],
    )


def add_state_ops():
    return [migrations.AddIndex(model_name="order", index=models.Index(fields=["{column}"], name="{index}"))]


def add_operations():
    state_ops = add_state_ops()
    if settings.SKIP_HEAVY_MIGRATIONS:
        return [migrations.SeparateDatabaseAndState(state_operations=state_ops)]
    return state_ops
"""


@pytest.mark.parametrize(
    ("old_index", "column", "index"),
    [
        ("trackers_mo_year_72676f_idx", "status", "shop_order_status_idx"),
        ("order_total_old", "total", "order_total_idx"),
    ],
)
def test_operations_a_function_of_the_file_returns_are_read(old_index: str, column: str, index: str) -> None:
    """kpi's trackers 0007 lists `legacy_cleanup_ops()` and `*get_add_operations()`, functions of the file that
    return an operation and a list (through a name bound from another such call): the file was unreadable."""
    extra = "from django.conf import settings\n" + HELPERS.format(
        old_index=old_index, column=column, index=index
    )
    migration = _parse("        cleanup_ops(),\n        *add_state_ops(),\n", extra=extra)
    assert not [op for op in migration.up if isinstance(op, Unparsed)]
    assert [type(op).__name__ for op in migration.up] == ["DropIndex", "AddIndex"]
    assert migration.up[0].sql == f"DROP INDEX IF EXISTS {old_index}"
    assert isinstance(migration.up[1], AddIndex) and migration.up[1].columns == (column,)
    # a function that decides what to give (kpi's `*get_add_operations()`, on a setting), takes arguments, or
    # builds its list otherwise is still code the review cannot read
    built = extra + "\n\ndef built(names):\n    return [migrations.RunSQL(n) for n in names]\n"
    migration = _parse(
        "        *built(['x']),\n        cleanup_ops(),\n        *add_operations(),\n", extra=built
    )
    assert [type(op).__name__ for op in migration.up] == ["Unparsed", "DropIndex", "Unparsed"]


LABEL_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[("id", models.AutoField(primary_key=True)), ("title", models.CharField(max_length=20))],
        ),
    ]
"""
LABEL_CHANGE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{label}", "0001_initial")]
    operations = [migrations.RemoveField(model_name="{model}", name="title")]
"""
LABEL_OTHER = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("{label}", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("{model}", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{label}.{model}")),
            ],
        ),
    ]
"""
APPS = 'from django.apps import AppConfig\n\n\nclass CoreConfig(AppConfig):\n    name = "{package}"\n    label = "{label}"\n'


@pytest.mark.parametrize(
    ("package", "label", "model"), [("wagtail", "wagtailcore", "Page"), ("shop/core", "shopcore", "Product")]
)
def test_the_label_an_apps_py_declares_names_the_apps_tables(package: str, label: str, model: str) -> None:
    """Wagtail's `wagtail/` package is the app `wagtailcore`: its tables are `wagtailcore_revision`, not
    `wagtail_revision`, and other apps point at `wagtailcore.Page` (its UPDATE of `wagtailcore_revision` and
    its schema operations were on two different tables)."""
    first, change = f"{package}/migrations/0001_initial.py", f"{package}/migrations/0002_remove_title.py"
    other = "notes/migrations/0001_initial.py"
    files = {
        f"{package}/apps.py": APPS.format(package=package.replace("/", "."), label=label),
        f"{package}/migrations/__init__.py": "",
        first: LABEL_INITIAL.format(Model=model),
        change: LABEL_CHANGE.format(label=label, model=model.lower()),
        "notes/migrations/__init__.py": "",
        other: LABEL_OTHER.format(label=label, model=model.lower()),
    }
    table = f"{label}_{model.lower()}"
    removed = django.parse(change, files[change], MemoryTree(files), "postgres")
    assert [(type(op).__name__, op.table) for op in removed.up] == [("DropColumn", table)]
    created = django.parse(other, files[other], MemoryTree(files), "postgres")
    [note] = [op for op in created.up if isinstance(op, CreateTable)]
    # the key of the other app's model, read from its migrations: an AutoField, so `int`
    assert [(c.references, c.type) for c in note.columns if c.references] == [(table, "int")]
    # without the label, the package's name is the app's
    unlabelled = {k: v for k, v in files.items() if not k.endswith("apps.py")}
    unlabelled[change] = LABEL_CHANGE.format(label=package.rpartition("/")[2], model=model.lower())
    removed = django.parse(change, unlabelled[change], MemoryTree(unlabelled), "postgres")
    assert [op.table for op in removed.up] == [f"{package.rpartition('/')[2]}_{model.lower()}"]
