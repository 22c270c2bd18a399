from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="""
                CREATE INDEX CONCURRENTLY shop_order_status_idx
                    ON shop_order (status);
            """,
            reverse_sql="DROP INDEX shop_order_status_idx;",
        ),
    ]
