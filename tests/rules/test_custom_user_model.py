"""A project whose settings name its own user model (`AUTH_USER_MODEL = "accounts.User"`): foreign keys to
`settings.AUTH_USER_MODEL` and the user model a data migration gets (`get_user_model()`,
`apps.get_model(settings.AUTH_USER_MODEL)`) are that model's table, its `db_table` when it sets one;
Django's `auth_user` only when the setting is absent."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

# (app, model, options of its CreateModel, its table)
USERS = [
    ("accounts", "User", "{}", "accounts_user"),
    ("people", "Member", '{"db_table": "people_members"}', "people_members"),
]
USER_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("email", models.EmailField(max_length=254, unique=True)),
                ("role", models.CharField(max_length=20, default="member")),
            ],
            options={options},
        ),
    ]
"""
SHOP_INITIAL = """from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(
            name="{order}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=models.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
"""
WIDEN = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="{lower}", name="id", field=models.BigAutoField(primary_key=True)),
    ]
"""
MODELS = """from django.contrib.auth.models import AbstractUser
from django.db import models


class {model}(AbstractUser):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        STAFF = "staff", "Staff"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
"""


def _tree(app: str, model: str, options: str, order: str, setting: bool) -> dict[str, str]:
    files = {
        f"{app}/migrations/0001_initial.py": USER_INITIAL.format(model=model, options=options),
        "shop/migrations/0001_initial.py": SHOP_INITIAL.format(order=order),
        f"{app}/models.py": MODELS.format(model=model),
    }
    if setting:  # settings in a package of the project, or in a `settings/` folder at its root
        where = "settings/common.py" if app == "people" else "config/settings/base.py"
        files[where] = f'INSTALLED_APPS = ["{app}", "shop"]\nAUTH_USER_MODEL = "{app}.{model}"\n'
        files["config/settings/test.py"] = 'AUTH_USER_MODEL = "auth.User"\n'  # tests' settings do not decide
    return files


@pytest.mark.parametrize(("app", "model", "options", "table"), USERS)
@pytest.mark.parametrize("order", ["Order", "Ticket"])
def test_foreign_keys_to_the_user_model_follow_its_key(
    app: str, model: str, options: str, table: str, order: str
) -> None:
    """Widening the user model's key widens the foreign keys that point at it, which Django does in the
    same migration: `shop_<order>.owner_id` is rewritten too. Without the setting they point at auth_user."""
    text = WIDEN.format(app=app, lower=model.lower())
    path = f"{app}/migrations/0002_big_keys.py"
    result = review_sql(text, path=path, base=_tree(app, model, options, order, setting=True))
    rewrites = [f.message for f in result.active if f.rule == "type-change-rewrite"]
    assert any(f"`{table}.id`" in m for m in rewrites)
    assert any(f"`shop_{order.lower()}.owner_id`" in m for m in rewrites), rewrites
    assert not [f for f in result.active if f.rule == "foreign-key-narrower"]
    default = review_sql(text, path=path, base=_tree(app, model, options, order, setting=False))
    assert not any("owner_id" in f.message for f in default.active if f.rule == "type-change-rewrite")


FILL = """from django.conf import settings
from django.db import migrations
{imports}

def forwards(apps, schema_editor):
    User = {get}
    User.objects.filter(email__endswith="@staff.example", id__lt=1000).update(role="{value}")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""
GETS = [
    ("", "apps.get_model(settings.AUTH_USER_MODEL)"),
    ("from django.contrib.auth import get_user_model\n", "get_user_model()"),
]


@pytest.mark.parametrize(("imports", "get"), GETS, ids=["get_model", "get_user_model"])
@pytest.mark.parametrize(("app", "model", "options", "table"), USERS)
def test_data_migrations_write_the_user_models_table(
    imports: str, get: str, app: str, model: str, options: str, table: str
) -> None:
    path = "shop/migrations/0002_staff.py"
    base = _tree(app, model, options, "Order", setting=True)
    result = review_sql(FILL.format(imports=imports, get=get, value="staff"), path=path, base=base)
    tables = [f.message for f in result.active if f.rule == "unbatched-data-change"]
    assert tables and all(f"`UPDATE {table}`" in m for m in tables), tables
    assert not [f for f in result.active if "auth_user" in f.message or f.rule == "unparsed-statement"]
    assert not [f for f in result.active if f.rule == "value-not-allowed"]
    if (
        table == f"{app}_{model.lower()}"
    ):  # the model's choices are the column's (the table is named after it)
        bad = review_sql(FILL.format(imports=imports, get=get, value="admin"), path=path, base=base)
        found = [f for f in bad.active if f.rule == "value-not-allowed"]
        assert len(found) == 1 and f"`{table}.role` is written 'admin'" in found[0].message
    default = review_sql(
        FILL.format(imports=imports, get=get, value="staff"),
        path=path,
        base=_tree(app, model, options, "Order", setting=False),
    )
    assert [
        f for f in default.active if f.rule == "unbatched-data-change" and "`UPDATE auth_user`" in f.message
    ]
