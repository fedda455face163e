from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from dossiers.signals import dossier_event
        from notifications.listeners import dossier_event_tell_applicant

        dossier_event.connect(dossier_event_tell_applicant, dispatch_uid="notifications")
