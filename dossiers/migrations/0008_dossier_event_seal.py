"""Events chained with a key (EVENT_CHAIN_KEY) over every column, and each dossier sealing its
last event and status: the stored events are digested again under the new rule."""

from django.db import migrations, models


def rechain(apps, schema_editor):
    from dossiers.services.events import event_chains_rebuild

    event_chains_rebuild(
        dossier_model=apps.get_model("dossiers", "Dossier"),
        event_model=apps.get_model("dossiers", "DossierEvent"),
    )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_update_key_pending")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="event_seal",
            field=models.CharField(blank=True, editable=False, max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
    ]
