from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvcqgConfig(AppConfig):
    name = "dvcqg"
    verbose_name = _("Đồng bộ Cổng DVC quốc gia")

    def ready(self) -> None:
        from dossiers.signals import dossier_event, dossiers_imported
        from dvcqg.listeners import dossier_event_queue_sync, dossiers_imported_queue_sync

        dossier_event.connect(dossier_event_queue_sync, dispatch_uid="dvcqg")
        dossiers_imported.connect(dossiers_imported_queue_sync, dispatch_uid="dvcqg")
