"""The payment models, moved here from the dossiers app: the tables already exist (created by
dossiers.0005_payments) and keep their names, so only Django's state changes."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["payment", "paymentaccount", "paymentattempt"]


def content_types_move(apps, schema_editor):
    """Keep the admin's permissions and history: the content types follow the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="payments", model=model).exists():
            ContentType.objects.filter(app_label="dossiers", model=model).update(
                app_label="payments"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dossiers', '0006_payments_moved'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('procedures', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount_vnd', models.PositiveIntegerField(verbose_name='số tiền (đồng)')),
                        ('requested_at', models.DateTimeField()),
                        ('paid_at', models.DateTimeField(blank=True, null=True)),
                        ('method', models.CharField(blank=True, max_length=20, verbose_name='hình thức thanh toán')),
                        ('reference', models.CharField(blank=True, max_length=100, verbose_name='số chứng từ')),
                        ('state', models.CharField(choices=[('awaiting', 'Chờ thanh toán'), ('paid', 'Đã thanh toán'), ('refunded', 'Đã hoàn trả')], db_index=True, default='awaiting', max_length=10, verbose_name='tình trạng')),
                        ('gateway', models.CharField(blank=True, max_length=20, verbose_name='cổng thanh toán')),
                        ('pages', models.PositiveIntegerField(blank=True, null=True, verbose_name='số trang')),
                        ('copies', models.PositiveSmallIntegerField(default=1, verbose_name='số bản')),
                        ('fee_detail', models.JSONField(blank=True, default=list, verbose_name='cách tính phí')),
                        ('refunded_at', models.DateTimeField(blank=True, null=True)),
                        ('refund_reason', models.TextField(blank=True, verbose_name='lý do hoàn trả')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='payments', to='dossiers.dossier')),
                        ('refunded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dossiers_payment',
                        'ordering': ['requested_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('bank_bin', models.CharField(max_length=6, validators=[django.core.validators.RegexValidator('^\\d{6}$', 'Mã BIN ngân hàng gồm 6 chữ số.')], verbose_name='mã BIN ngân hàng')),
                        ('bank_name', models.CharField(max_length=120, verbose_name='ngân hàng')),
                        ('account_number', models.CharField(max_length=19, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z]{1,19}$', 'Số tài khoản gồm tối đa 19 chữ số hoặc chữ cái.')], verbose_name='số tài khoản')),
                        ('account_name', models.CharField(max_length=70, verbose_name='tên tài khoản')),
                        ('is_demo', models.BooleanField(default=False, verbose_name='tài khoản minh họa')),
                        ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='payment_account', to='procedures.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'verbose_name': 'tài khoản thu phí',
                        'verbose_name_plural': 'tài khoản thu phí',
                        'db_table': 'dossiers_paymentaccount',
                    },
                ),
                migrations.CreateModel(
                    name='PaymentAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('gateway', models.CharField(max_length=20)),
                        ('txn_ref', models.CharField(max_length=40, unique=True)),
                        ('amount_vnd', models.PositiveIntegerField()),
                        ('state', models.CharField(choices=[('pending', 'Đang chờ cổng thanh toán'), ('succeeded', 'Thành công'), ('failed', 'Không thành công')], default='pending', max_length=10)),
                        ('created_at', models.DateTimeField()),
                        ('response_code', models.CharField(blank=True, max_length=4)),
                        ('transaction_no', models.CharField(blank=True, max_length=40)),
                        ('bank_code', models.CharField(blank=True, max_length=20)),
                        ('notified_at', models.DateTimeField(blank=True, null=True)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('payment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='payments.payment')),
                    ],
                    options={
                        'db_table': 'dossiers_paymentattempt',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='payment',
                    index=models.Index(fields=['paid_at', 'method'], name='dossiers_pa_paid_at_411ebd_idx'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_vnd__gt', 0)), name='payment_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.CheckConstraint(condition=models.Q(('state', 'awaiting'), ('paid_at__isnull', False), _connector='OR'), name='payment_paid_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'refunded'), _negated=True), ('refunded_at__isnull', False), _connector='OR'), name='payment_refund_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.UniqueConstraint(condition=models.Q(('state', 'awaiting')), fields=('dossier',), name='payment_one_awaiting_per_dossier'),
                ),
                migrations.AddConstraint(
                    model_name='paymentattempt',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_vnd__gt', 0)), name='payment_attempt_amount_positive'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
