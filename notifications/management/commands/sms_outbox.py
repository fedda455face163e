"""manage.py sms_outbox [--last N] [--json]: the latest SMS (to, body, status, time)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from notifications.selectors import sms_outbox_latest


class Command(BaseCommand):
    help = "Show the latest SMS messages of the outbox, newest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--last", type=int, default=20, metavar="N", help="how many messages (default 20)"
        )
        parser.add_argument("--json", action="store_true", help="one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = sms_outbox_latest(last=max(options["last"], 0))
        if options["json"]:
            data = [
                {
                    "id": sms.pk,
                    "to": sms.to,
                    "body": sms.body,
                    "status": sms.status,
                    "time": timezone.localtime(sms.created_at).isoformat(),
                    "sent_at": timezone.localtime(sms.sent_at).isoformat() if sms.sent_at else None,
                    "template": sms.template,
                    "dossier": sms.dossier.code if sms.dossier else None,
                    "attempts": sms.attempts,
                    "segments": sms.segments,
                    "encoding": sms.encoding,
                    "last_error": sms.last_error,
                }
                for sms in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("(no SMS)")
        for sms in rows:
            when = timezone.localtime(sms.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{when}  {sms.status:<9}  {sms.to:<13}  {sms.body}")
            if sms.last_error:
                self.stdout.write(f"{'':>21}{sms.last_error}")
