from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_collation_register(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """SQLite learns the "vietnamese" collation that PostgreSQL holds (procedures.collation)."""
    from procedures.collation import COLLATION, vietnamese_compare

    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, vietnamese_compare)


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Đơn vị và thủ tục hành chính")

    def ready(self) -> None:
        connection_created.connect(_sqlite_collation_register)
