from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from dossiers.signals import dossier_event, dossiers_imported
        from reports.listeners import dossier_event_count, dossiers_imported_count

        dossier_event.connect(dossier_event_count, dispatch_uid="reports")
        dossiers_imported.connect(dossiers_imported_count, dispatch_uid="reports")
