import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dossiers.services.units import unit_close
from procedures.models import Unit


class Command(BaseCommand):
    help = (
        "Close a unit after its last day and hand its open dossiers to the successor "
        "(each with an event in the dossier's chain)."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the unit's code")
        parser.add_argument("--last-day", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--successor", required=True, help="the successor's code")

    def handle(self, *args, **options):
        units = {
            u.code: u for u in Unit.objects.filter(code__in=[options["code"], options["successor"]])
        }
        for key in ("code", "successor"):
            if options[key] not in units:
                raise CommandError(f"unknown unit {options[key]!r}")
        try:
            moved = unit_close(
                unit=units[options["code"]],
                last_day=options["last_day"],
                successor=units[options["successor"]],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Closed; {moved} open dossier(s) handed over."))
