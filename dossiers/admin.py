"""Read-only admin views of dossiers and their records: every write goes through the services
(dossier_transition is the only writer of a status), never through the admin."""

from __future__ import annotations

from django.contrib import admin

from dossiers.models import Apology, Dossier, DossierAccess, DossierEvent, Handover
from portal.admin import ReadOnlyAdmin


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "applicant_name",
        "procedure",
        "unit",
        "handling_unit",
        "status",
        "received_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "unit"]
    search_fields = ["code", "applicant_name", "applicant_phone", "search_text"]
    list_select_related = ["procedure", "unit", "handling_unit"]
    exclude = ["update_key_hash"]


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "seq", "kind", "from_status", "to_status", "actor_label", "at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "from_unit", "to_unit", "given_at", "punctuality"]
    list_select_related = ["dossier", "from_unit", "to_unit"]


@admin.register(Apology)
class ApologyAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "original_due_at", "new_due_at", "signed_by", "issued_at"]


@admin.register(DossierAccess)
class DossierAccessAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "user", "unit", "action", "at"]
    list_select_related = ["dossier", "user", "unit"]
