"""What the dossier core tells the apps that listen to it.

The dossier core never imports the apps built on it (notifications, reports, payments,
citizens): they connect receivers here in their AppConfig.ready.

`dossier_event` is sent right after an event is appended to a dossier's chain by the status
writer (dossiers.services.core.dossier_transition), by dossier creation and by an apology. It
is sent inside the writer's transaction, with the dossier row locked: what a receiver writes
commits or rolls back with the event, and a receiver that reaches outside the database (an SMS,
a task) does so through transaction.on_commit. Arguments:

    event     the DossierEvent just appended
    dossier   the dossier as it is after the event
    context   what the action adds for the applicant's message (amount, items, reason, the
              new update key of a created dossier)
    notify    False when the applicant is not to be told (the action says so)

`dossiers_imported` is sent with `dossier_ids` after an import wrote dossiers directly (with
their history, without the status writer), inside the import's transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

dossier_event = Signal()
dossiers_imported = Signal()
