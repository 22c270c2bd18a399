from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL("SET lock_timeout = '5s'", migrations.RunSQL.noop),
        # migration-review: ignore column-dropped nothing reads legacy_code since 2.4
        migrations.RemoveField(
            model_name="order",
            name="legacy_code",
        ),
    ]
