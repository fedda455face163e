"""The workbench's queue counts read only the active dossiers (ACTIVE_STATES of
dossiers.models, spelled out here as they were then): a partial index holding every column
the counts test, so they are an index-only scan of a few percent of the table rather than a
visit to each row."""

from django.db import migrations, models
from django.db.models import Q

ACTIVE = [
    "submitted",
    "received",
    "processing",
    "supplement_requested",
    "awaiting_payment",
    "withdrawal_requested",
    "resolved",
]


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0014_search_trigram")]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["unit", "handling_unit", "status", "due_at", "paused_at"],
                name="dossier_active_queues",
                condition=Q(status__in=ACTIVE),
            ),
        ),
    ]
