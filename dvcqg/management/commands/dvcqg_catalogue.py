from django.core.management.base import BaseCommand, CommandError

from dvcqg.catalogue_pull import catalogue_pull
from dvcqg.client import DvcqgError, enabled


class Command(BaseCommand):
    help = (
        "Pull the national catalogue (LayDanhSachTTHC, LayThuTuc) into the catalogue: a new "
        "version of each procedure DVCQG changed, nothing for the unchanged ones. A procedure "
        "that cannot be mapped is reported with the reason and left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", help="one procedure, by its national code (MATTHC)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )

    def handle(self, *args, **options):
        if not enabled():
            raise CommandError("DVCQG_URL is empty: the connection to DVCQG is off.")
        code = (options["code"] or "").strip()
        if options["code"] is not None and not code:
            raise CommandError("--code must not be empty")
        try:
            report = catalogue_pull(code=code, dry_run=options["dry_run"])
        except DvcqgError as exc:
            raise CommandError(f"DVCQG's catalogue could not be read: {exc.message}") from None
        would = "would be " if options["dry_run"] else ""
        for matthc in report.created:
            self.stdout.write(f"{matthc}: {would}created")
        for matthc in report.changed:
            self.stdout.write(f"{matthc}: {would}a new version")
        for matthc, reason in report.errors:
            self.stdout.write(self.style.WARNING(f"{matthc}: not imported: {reason}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.changed)} new version(s), "
                f"{len(report.unchanged)} unchanged, {len(report.errors)} not imported"
                + (" (dry run: nothing saved)" if options["dry_run"] else "")
            )
        )
