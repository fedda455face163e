from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from procedures.models import (
    CalendarOverride,
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureDocument,
    SearchSynonym,
    Unit,
)
from procedures.units import unit_close_check


class UnitAdminForm(forms.ModelForm):
    """Setting or moving `valid_to` of an existing unit closes it: the successor that takes
    its open dossiers is required and checked (procedures.units.unit_close_check); the
    hand-over itself is done on save (dossiers.admin). The admin gives it its model and
    fields."""

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.closing and cleaned.get("valid_to"):
            unit_close_check(
                unit=self.instance,
                last_day=cleaned["valid_to"],
                successor=cleaned.get("successor"),
                valid_from=cleaned.get("valid_from"),
            )
        return cleaned

    @property
    def closing(self) -> bool:
        """An existing unit whose last day is being set or changed."""
        return self.instance.pk is not None and "valid_to" in self.changed_data


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitAdminForm
    list_display = [
        "name",
        "code",
        "kind",
        "parent",
        "e_id",
        "stat_code",
        "valid_from",
        "valid_to",
        "successor",
    ]
    list_filter = ["kind", "is_reporting_unit", "is_one_stop_desk"]
    search_fields = ["name", "code", "e_id", "stat_code"]
    autocomplete_fields = ["parent", "successor"]
    filter_horizontal = ["other_successors"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ProcedureChannelInline(admin.TabularInline):
    model = ProcedureChannel
    extra = 0


class ProcedureDocumentInline(admin.TabularInline):
    model = ProcedureDocument
    extra = 0
    fields = ["order", "name", "required", "originals", "copies", "template"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "field",
        "level",
        "implementing_level",
        "effective_from",
        "effective_to",
        "boundary_free_from",
    ]
    list_filter = ["level", "implementing_level", "field"]
    search_fields = ["code", "name", "search_text"]
    filter_horizontal = ["units"]
    inlines = [ProcedureChannelInline, ProcedureDocumentInline]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Make-up working days and extra days off, each with the document that decided it."""

    list_display = ["date", "weekday", "kind", "scope", "note", "source"]
    list_filter = ["kind", "province"]
    fields = ["date", "kind", "province", "note", "source"]
    autocomplete_fields = ["province"]
    search_fields = ["note", "source"]
    date_hierarchy = "date"

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][
            obj.date.weekday()
        ]

    @admin.display(description=_("phạm vi"), ordering="province__name")
    def scope(self, obj: CalendarOverride) -> str:
        return obj.province.name if obj.province_id else str(_("Cả nước"))


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["phrase", "means"]
    search_fields = ["phrase", "means"]
