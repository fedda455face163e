"""Read-only admin views of dossiers and their records: every write goes through the services
(dossier_transition is the only writer of a status), never through the admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dossiers.models import Apology, Dossier, DossierAccess, DossierEvent, Handover
from dossiers.services.units import unit_close
from portal.admin import ReadOnlyAdmin
from procedures.admin import UnitAdmin, UnitAdminForm
from procedures.models import Unit


class ClosingUnitAdmin(UnitAdmin):
    """The units' admin, where setting `valid_to` closes the unit as `manage.py close_unit`
    does: the same service hands its open dossiers to the successor, each with an event."""

    def save_model(
        self, request: HttpRequest, obj: Unit, form: UnitAdminForm, change: bool
    ) -> None:
        if not (change and form.closing and obj.valid_to):
            super().save_model(request, obj, form, change)
            return
        last_day, successor = obj.valid_to, obj.successor
        assert successor is not None  # UnitAdminForm.clean requires it
        # The other fields as entered; the closing itself only through the service.
        stored = Unit.objects.only("valid_to", "successor").get(pk=obj.pk)
        obj.valid_to, obj.successor = stored.valid_to, stored.successor
        super().save_model(request, obj, form, change)
        moved = unit_close(unit=obj, last_day=last_day, successor=successor, actor=request.user)
        obj.refresh_from_db()
        messages.info(
            request,
            _("Đã chuyển %(count)d hồ sơ đang giải quyết sang %(successor)s.")
            % {"count": moved, "successor": successor.name},
        )


admin.site.unregister(Unit)
admin.site.register(Unit, ClosingUnitAdmin)


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
