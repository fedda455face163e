"""Summary rows and dossier facts also keyed by the handling unit.

Existing facts take their dossier's handling unit; existing summary rows cannot be split by
handling unit without recounting, so they are credited to their receiving unit until the
summaries are rebuilt (`manage.py reports_rebuild`, or the nightly rebuild, which repairs
them): reports by receiving unit stay exact throughout.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNTERS = "received, resolved_early, resolved_on_time, resolved_late, withdrawn, due, due_met"


def fill(apps, schema_editor):
    DossierFact = apps.get_model("reports", "DossierFact")
    SummaryRow = apps.get_model("reports", "SummaryRow")
    Dossier = apps.get_model("dossiers", "Dossier")
    handling = Dossier.objects.filter(pk=models.OuterRef("dossier_id")).values("handling_unit_id")
    DossierFact.objects.update(handling_unit_id=models.Subquery(handling[:1]))
    SummaryRow.objects.update(handling_unit_id=models.F("unit_id"))


def covering_indexes(apps, schema_editor):
    """The report queries' covering indexes carry the handling unit too (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for grain in ("month", "day"):
        schema_editor.execute(f"DROP INDEX IF EXISTS summary_{grain}_cover")
        schema_editor.execute(
            f"CREATE INDEX summary_{grain}_cover ON reports_summaryrow "
            f"(period, unit_id, channel, procedure_id) "
            f"INCLUDE (handling_unit_id, {COUNTERS}) WHERE grain = '{grain}'"
        )


def covering_indexes_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for grain in ("month", "day"):
        schema_editor.execute(f"DROP INDEX IF EXISTS summary_{grain}_cover")
        schema_editor.execute(
            f"CREATE INDEX summary_{grain}_cover ON reports_summaryrow "
            f"(period, unit_id, channel, procedure_id) INCLUDE ({COUNTERS}) "
            f"WHERE grain = '{grain}'"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_payments"),
        ("procedures", "0001_initial"),
        ("reports", "0004_fact_fee_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierfact",
            name="handling_unit",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="procedures.unit",
            ),
        ),
        migrations.AddField(
            model_name="summaryrow",
            name="handling_unit",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="procedures.unit",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dossierfact",
            name="handling_unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="procedures.unit",
            ),
        ),
        migrations.AlterField(
            model_name="summaryrow",
            name="handling_unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="procedures.unit",
            ),
        ),
        migrations.RemoveConstraint(model_name="summaryrow", name="summary_row_unique"),
        migrations.AddConstraint(
            model_name="summaryrow",
            constraint=models.UniqueConstraint(
                fields=("grain", "period", "unit", "handling_unit", "procedure", "channel"),
                name="summary_row_unique",
            ),
        ),
        migrations.AddIndex(
            model_name="dossierfact",
            index=models.Index(
                fields=["handling_unit", "received_day"], name="fact_handling_received"
            ),
        ),
        migrations.AddIndex(
            model_name="dossierfact",
            index=models.Index(
                fields=["handling_unit", "finished_day"], name="fact_handling_finished"
            ),
        ),
        migrations.AddIndex(
            model_name="dossierfact",
            index=models.Index(
                condition=models.Q(("finished_day__isnull", True)),
                fields=["handling_unit", "due_day"],
                name="fact_handling_open_due",
            ),
        ),
        migrations.RunPython(covering_indexes, covering_indexes_back),
    ]
