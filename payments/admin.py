"""Admin: the units' collection accounts are edited here; payments are read-only (every write
goes through payments.services)."""

from __future__ import annotations

from django.contrib import admin

from payments.models import Payment, PaymentAccount, PaymentAttempt
from portal.admin import ReadOnlyAdmin


@admin.register(PaymentAccount)
class PaymentAccountAdmin(admin.ModelAdmin):
    list_display = ["unit", "bank_name", "bank_bin", "account_number", "account_name", "is_demo"]
    search_fields = ["unit__name", "account_number"]
    autocomplete_fields: list[str] = []


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "dossier",
        "amount_vnd",
        "state",
        "method",
        "reference",
        "requested_at",
        "paid_at",
    ]
    list_filter = ["state", "method"]
    search_fields = ["dossier__code", "reference"]


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = [
        "txn_ref",
        "gateway",
        "amount_vnd",
        "state",
        "response_code",
        "transaction_no",
        "created_at",
        "notified_at",
    ]
    list_filter = ["gateway", "state"]
    search_fields = ["txn_ref", "transaction_no", "payment__dossier__code"]
