// Migration files the e2e scenarios add to the example's billing app.

/** billing.0003_coupon: a new model, so applying it creates a table and unapplying drops it. */
export const COUPON_MIGRATION = `from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0002_wallettransaction"),
    ]

    operations = [
        migrations.CreateModel(
            name="Coupon",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=32, unique=True)),
            ],
        ),
    ]
`;
