"""Every audit row is numbered now (0003): the numbers are required and unique. Apart from 0003
so the table is altered after the rows were written, in another transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_audit_chain")]

    operations = [
        migrations.AlterField(
            model_name="auditlog",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
    ]
