"""Verify the keyed hash chains: the events of one dossier (--code), or of every dossier and
the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.models import Dossier
from dossiers.services.events import event_chain_verify
from portal.audit import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify that no dossier event or audit row was altered, removed or inserted, and that "
        "each dossier's status is its last event's (keyed hash chains). Exits non-zero and "
        "names every problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="verify only this dossier")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.order_by("pk").only("pk", "code")
        if options["code"]:
            dossiers = dossiers.filter(code=options["code"])
            if not dossiers.exists():
                raise CommandError(f"no dossier with code {options['code']}")
        checked = 0
        problems: list[str] = []
        for dossier in dossiers.iterator(chunk_size=500):
            problems += event_chain_verify(dossier=dossier)
            checked += 1
        if not options["code"]:
            problems += audit_chain_verify()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in the event chains of {checked} dossier(s)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{checked} dossier(s): every event chain is intact"
                + ("." if options["code"] else "; the audit log's chain is intact.")
            )
        )
