"""Admin: the units' collection accounts are edited here; payments are read-only (every write
goes through dossiers.payments.services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dossiers.models import Payment, PaymentAccount, PaymentAttempt


@admin.register(PaymentAccount)
class PaymentAccountAdmin(admin.ModelAdmin):
    list_display = ["unit", "bank_name", "bank_bin", "account_number", "account_name",
                    "is_demo"]
    search_fields = ["unit__name", "account_number"]
    autocomplete_fields: list[str] = []


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ["dossier", "amount_vnd", "state", "method", "reference", "requested_at",
                    "paid_at"]
    list_filter = ["state", "method"]
    search_fields = ["dossier__code", "reference"]


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(_ReadOnly):
    list_display = ["txn_ref", "gateway", "amount_vnd", "state", "response_code",
                    "transaction_no", "created_at", "notified_at"]
    list_filter = ["gateway", "state"]
    search_fields = ["txn_ref", "transaction_no", "payment__dossier__code"]
