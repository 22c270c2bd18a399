from typing import Any

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

SQL = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "inline-references-ignored"]


def test_mysql_8_ignores_inline_references() -> None:
    assert _found(SQL, dialect="mysql")


def test_mysql_9_and_mariadb_10_5_honour_them() -> None:
    assert not _found(SQL, config=Config(dialect="mysql", database_version="9.1"))
    assert not _found(SQL, config=Config(dialect="mariadb", database_version="10.6"))
    assert _found(SQL, config=Config(dialect="mariadb", database_version="10.4"))


def test_table_level_foreign_key_and_postgres_are_quiet() -> None:
    good = "CREATE TABLE o (id bigint, user_id bigint, FOREIGN KEY (user_id) REFERENCES users (id));"
    assert not _found(good, dialect="mysql")
    assert not _found(SQL)


def _django(app: str, model: str, parent: str) -> list[Finding]:
    settings = {f"{app}/settings.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}\n'}
    first = f"{app}/migrations/0001_initial.py"
    initial = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        f"        migrations.CreateModel(name='{parent}', fields=[('id', models.AutoField(primary_key=True))]),\n"
        "    ]\n"
    )
    change = (
        "import django.db.models.deletion\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('{app}', '0001_initial')]\n    operations = [\n"
        f"        migrations.CreateModel(name='{model}', fields=[\n"
        "            ('id', models.AutoField(primary_key=True)),\n"
        f"            ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='{app}.{parent}')),\n"
        "        ]),\n"
        f"        migrations.AddField(model_name='{parent}', name='favourite', field=models.ForeignKey("
        f"null=True, on_delete=django.db.models.deletion.SET_NULL, to='{app}.{model}')),\n"
        "    ]\n"
    )
    result = review_sql(change, path=f"{app}/migrations/0002_change.py", base={**settings, first: initial})
    assert {m.dialect for m in result.migrations} == {"mysql"}
    return [f for f in result.active if f.rule == "inline-references-ignored"]


def test_a_frameworks_foreign_key_is_declared_by_the_framework_not_inline() -> None:
    assert not _django("badges", "AccredibleBadge", "BadgeTemplate")
    assert not _django("records", "ProgramCertRecord", "UserGrade")


def test_inline_references_spelled_out_in_a_frameworks_sql_are_still_read() -> None:
    for table, parent in (("orders", "users"), ("grades", "learners")):
        sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent} (id));"
        text = (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            f"    dependencies = []\n    operations = [migrations.RunSQL({sql!r})]\n"
        )
        base = {"shop/settings.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}\n'}
        result = review_sql(text, path="shop/migrations/0001_initial.py", base=base)
        assert [f.rule for f in result.active if f.rule == "inline-references-ignored"]
