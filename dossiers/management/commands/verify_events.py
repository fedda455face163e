"""Verify the hash chain of dossier events: one dossier (--code) or the whole table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.models import Dossier
from dossiers.services.events import event_chain_verify


class Command(BaseCommand):
    help = (
        "Verify that no dossier event was altered, removed or inserted (hash chain). "
        "Exits non-zero and names every broken event."
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
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in the event chains of {checked} dossier(s)"
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} dossier(s): every event chain is intact."))
