from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from dossiers.access import request_memo_end, request_memo_start

        request_started.connect(request_memo_start, dispatch_uid="dossiers.access.memo_start")
        request_finished.connect(request_memo_end, dispatch_uid="dossiers.access.memo_end")
