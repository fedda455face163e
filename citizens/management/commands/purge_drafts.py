"""Delete submission drafts untouched for DRAFT_LIFETIME_DAYS (7 by default), with their
private files (Law 91/2025: keep personal data no longer than needed). Celery beat runs the
same every hour (citizens.tasks.draft_purge)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citizens.services import draft_purge


class Command(BaseCommand):
    help = "Delete drafts untouched for DRAFT_LIFETIME_DAYS and their uploaded files."

    def handle(self, *args: Any, **options: Any) -> None:
        count = draft_purge()
        self.stdout.write(f"{count} draft(s) deleted")
