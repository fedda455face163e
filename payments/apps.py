from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Phí, lệ phí")

    def ready(self) -> None:
        from dossiers.signals import dossier_event
        from payments.listeners import dossier_event_record_payment

        dossier_event.connect(dossier_event_record_payment, dispatch_uid="payments")
