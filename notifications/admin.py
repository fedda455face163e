"""Admin: the outbox is read-only (rows change only by sending); templates are editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import EmailMessage, SmsMessage, SmsTemplate
from portal.admin import ReadOnlyAdmin


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "to",
        "template",
        "status",
        "attempts",
        "segments",
        "encoding",
        "dossier",
    ]
    list_filter = ["status", "template", "encoding"]
    search_fields = ["to", "provider_message_id", "dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]


@admin.register(EmailMessage)
class EmailMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "template", "status", "attempts", "dossier"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject", "dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "body", "updated_at"]
    readonly_fields = ["name", "updated_at"]
    fields = ["name", "body", "email_subject", "updated_at"]
    actions = ["restore_default"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per kind of message, seeded by the migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Khôi phục nội dung mặc định"))
    def restore_default(self, request: HttpRequest, queryset: QuerySet[SmsTemplate]) -> None:
        for template in queryset:
            template.body, template.email_subject = DEFAULT_TEMPLATES[template.name]
            template.full_clean()
            template.save()
        self.message_user(
            request, _("Đã khôi phục %(n)d mẫu.") % {"n": queryset.count()}, messages.SUCCESS
        )
