import datetime as dt

import holidays
from django.core.management.base import BaseCommand, CommandError

from procedures.models import CalendarOverride


class Command(BaseCommand):
    help = (
        "Add next year's make-up working days and extra days off, each with the document that "
        "decided it (e.g. --working-day 2027-05-08 --day-off 2027-05-03 --source 'Thông báo "
        "…'). With --year only, list what the holidays package already knows for that year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--working-day", action="append", default=[], type=_date)
        parser.add_argument("--day-off", action="append", default=[], type=_date)
        parser.add_argument("--source", default="")
        parser.add_argument("--note", default="")

    def handle(self, *args, **options):
        changes = [(d, CalendarOverride.Kind.WORKING_DAY) for d in options["working_day"]] + [
            (d, CalendarOverride.Kind.DAY_OFF) for d in options["day_off"]
        ]
        if options["year"] and not changes:
            for day, name in sorted(holidays.country_holidays("VN", years=options["year"]).items()):
                self.stdout.write(f"{day:%a %d/%m/%Y}  {name}")
            for row in CalendarOverride.objects.filter(date__year=options["year"]):
                self.stdout.write(f"{row.date:%a %d/%m/%Y}  {row.get_kind_display()}  {row.source}")
            return
        if not changes:
            raise CommandError("give --working-day and/or --day-off (or --year to review)")
        if not options["source"].strip():
            raise CommandError("--source is required: the document that decided the change")
        for day, kind in changes:
            CalendarOverride.objects.update_or_create(
                date=day,
                defaults={"kind": kind, "note": options["note"], "source": options["source"]},
            )
        self.stdout.write(self.style.SUCCESS(f"{len(changes)} calendar day(s) recorded."))


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
