from django.db import migrations


class Migration(migrations.Migration):
    operations = [migrations.RenameField("order", "customer_email", "email")]
