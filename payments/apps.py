from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Phí, lệ phí")

    def ready(self) -> None:
        from dossiers.return_conditions import return_condition_register
        from dossiers.signals import dossier_event
        from payments.listeners import dossier_event_record_payment
        from payments.return_fee import FEE_ON_RETURN

        dossier_event.connect(dossier_event_record_payment, dispatch_uid="payments")
        # A result is not handed back while its fee is owed, unless taken in the same step.
        return_condition_register(FEE_ON_RETURN)
