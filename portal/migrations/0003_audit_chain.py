"""The audit log becomes a keyed hash chain: existing rows are numbered oldest first and
digested, and the head sealed. Actors of audit rows can no longer be deleted."""

from django.conf import settings
from django.db import migrations, models


def number_and_chain(apps, schema_editor):
    from portal.audit import audit_chain_rebuild

    log = apps.get_model("portal", "AuditLog")
    for seq, pk in enumerate(log.objects.order_by("at", "pk").values_list("pk", flat=True), 1):
        log.objects.filter(pk=pk).update(seq=seq)
    audit_chain_rebuild(log_model=log, head_model=apps.get_model("portal", "AuditChainHead"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_officertotp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
                ("seal", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditlog",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditlog",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="at",
            field=models.DateTimeField(db_index=True),
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(number_and_chain, migrations.RunPython.noop, elidable=False),
    ]
