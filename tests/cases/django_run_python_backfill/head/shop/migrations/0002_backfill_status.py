from django.db import migrations


def backfill_status(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.filter(status__isnull=True).update(status="open")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill_status),
    ]
