"""Recompute the report summaries from the dossiers now (what the nightly job does)."""

from django.core.management.base import BaseCommand, CommandParser

from procedures.models import Unit
from reports.summary_rebuild import summaries_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild and check the report summary rows from the dossiers; print how many had "
        "to be repaired (0 when the event-by-event upkeep was right)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            help="unit code (repeatable); default: every unit",
        )

    def handle(self, *args: object, **options: object) -> None:
        codes = options["unit"]
        unit_ids = (
            list(Unit.objects.filter(code__in=codes).values_list("pk", flat=True))
            if codes
            else None
        )
        result = summaries_rebuild(unit_ids=unit_ids)
        self.stdout.write(
            f"units: {result.units}, dossiers: {result.dossiers}, facts repaired: "
            f"{result.facts_fixed}, rows repaired: {result.rows_fixed}"
        )
        for problem in (result.problems or [])[:20]:
            self.stdout.write(f"  {problem}")
        if not result.ok:
            self.stdout.write(self.style.WARNING("The summaries differed and were repaired."))
