import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dossiers.models import Dossier
from dvcqg.client import enabled
from dvcqg.services import dossier_resync, dossiers_for_resync


class Command(BaseCommand):
    help = (
        "Send dossiers to DVCQG again: the dossier as an update and every event DVCQG has not "
        "acknowledged (an acknowledged event is never sent twice). Without options: every "
        "dossier with something not acknowledged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="dossiers with an event on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--code", help="one dossier, by its code")
        parser.add_argument(
            "--resend-unconfirmed",
            action="store_true",
            help="send again the events whose arrival DVCQG's look-up could not confirm "
            "(only after checking on DVCQG that it does not have them)",
        )

    def handle(self, *args, **options):
        if not enabled():
            raise CommandError("DVCQG_URL is empty: the synchronisation is off.")
        since = None
        if options["since"]:
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since must be a date YYYY-MM-DD, got {options['since']!r}"
                ) from None
            since = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        code = (options["code"] or "").strip()
        if options["code"] is not None and not code:
            raise CommandError("--code must not be empty")
        if code and not Dossier.objects.filter(code=code).exists():
            raise CommandError(f"no dossier with the code {code!r}")
        dossiers = dossiers_for_resync(since=since, code=code)
        count = rows = 0
        for dossier in dossiers:
            rows += dossier_resync(
                dossier=dossier, resend_unconfirmed=options["resend_unconfirmed"]
            )
            count += 1
        self.stdout.write(
            self.style.SUCCESS(f"Queued {count} dossier(s) again ({rows} row(s) waiting).")
        )
