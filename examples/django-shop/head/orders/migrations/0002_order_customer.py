from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def normalise_status(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="").update(status="open")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(normalise_status),
    ]
