"""Dossier facts also hold what two Decision 766 indicators need without reading the dossiers:
resolved after the due time (2.1 compares times) and a VNeID-verified applicant (4.5).

Existing facts are filled from their dossiers in one statement; `manage.py reports_rebuild`
(or the nightly rebuild) would reach the same values.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    DossierFact = apps.get_model("reports", "DossierFact")
    Dossier = apps.get_model("dossiers", "Dossier")
    dossier = Dossier.objects.filter(pk=models.OuterRef("dossier_id"))
    late = dossier.filter(resolved_at__gt=models.F("due_at"))
    verified = dossier.filter(applicant_vneid_verified=True)
    DossierFact.objects.update(
        finished_late=models.Case(
            models.When(models.Q(withdrawn=False) & models.Exists(late), then=True),
            default=False,
        ),
        vneid_verified=models.Exists(verified),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0010_national_identity"),
        ("reports", "0005_handling_unit"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierfact",
            name="finished_late",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="dossierfact",
            name="vneid_verified",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
