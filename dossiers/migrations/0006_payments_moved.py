"""The payment models moved to the payments app: only Django's state changes here; the tables
(dossiers_payment, dossiers_paymentaccount, dossiers_paymentattempt) stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0005_payments'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='paymentattempt',
                    name='payment',
                ),
                migrations.RemoveField(
                    model_name='paymentaccount',
                    name='unit',
                ),
                migrations.DeleteModel(
                    name='Payment',
                ),
                migrations.DeleteModel(
                    name='PaymentAttempt',
                ),
                migrations.DeleteModel(
                    name='PaymentAccount',
                ),
            ],
            database_operations=[],
        ),
    ]
