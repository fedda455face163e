"""Run the status listener (citizens/status_listener.py) until SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citizens.lookup_fast import heartbeat_alive
from citizens.status_listener import status_listener_run


class Command(BaseCommand):
    help = (
        "Move the fast look-up's generations on when PostgreSQL notifies a change "
        "(production: one or more of these processes beside the web)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit 0 when a listener's heartbeat is alive, else 1 (a container health check)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        if options["check"]:
            if not heartbeat_alive():
                raise CommandError("No status listener's heartbeat in Redis.")
            self.stdout.write("alive")
            return
        if connection.vendor != "postgresql":
            raise CommandError("The status listener needs PostgreSQL (LISTEN/NOTIFY).")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        status_listener_run(stop=stop)
