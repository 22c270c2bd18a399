from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=20, null=True)),
                ("total", models.DecimalField(decimal_places=2, max_digits=10)),
                ("legacy_code", models.CharField(blank=True, max_length=40, null=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
