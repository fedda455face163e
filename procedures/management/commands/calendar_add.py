import datetime as dt

import holidays
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from procedures.models import CalendarOverride, Unit


class Command(BaseCommand):
    help = (
        "Add next year's make-up working days and extra days off, each with the document that "
        "decided it (e.g. --working-day 2027-05-08 --day-off 2027-05-03 --source 'Thông báo "
        "…'). --province CODE limits the days to one province (a day the province decided); "
        "without it they apply to the whole country. With --year only, list what the holidays "
        "package already knows for that year and the recorded days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--working-day", action="append", default=[], type=_date)
        parser.add_argument("--day-off", action="append", default=[], type=_date)
        parser.add_argument("--source", default="")
        parser.add_argument("--note", default="")
        parser.add_argument("--province", default="", help="the province's unit code")

    def handle(self, *args, **options):
        changes = [(d, CalendarOverride.Kind.WORKING_DAY) for d in options["working_day"]] + [
            (d, CalendarOverride.Kind.DAY_OFF) for d in options["day_off"]
        ]
        province = None
        if options["province"]:
            province = Unit.objects.filter(
                code=options["province"], kind=Unit.Kind.PROVINCE
            ).first()
            if province is None:
                raise CommandError(f"unknown province {options['province']!r}")
        if options["year"] and not changes:
            for day, name in sorted(holidays.country_holidays("VN", years=options["year"]).items()):
                self.stdout.write(f"{day:%a %d/%m/%Y}  {name}")
            rows = CalendarOverride.objects.filter(date__year=options["year"])
            if province is not None:
                rows = rows.filter(Q(province=None) | Q(province=province))
            for row in rows.select_related("province"):
                scope = row.province.name if row.province else "national"
                self.stdout.write(
                    f"{row.date:%a %d/%m/%Y}  {row.get_kind_display()}  {scope}  {row.source}"
                )
            return
        if not changes:
            raise CommandError("give --working-day and/or --day-off (or --year to review)")
        if not options["source"].strip():
            raise CommandError("--source is required: the document that decided the change")
        for day, kind in changes:
            CalendarOverride.objects.update_or_create(
                date=day,
                province=province,
                defaults={"kind": kind, "note": options["note"], "source": options["source"]},
            )
        where = province.name if province else "the whole country"
        self.stdout.write(
            self.style.SUCCESS(f"{len(changes)} calendar day(s) recorded for {where}.")
        )


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
