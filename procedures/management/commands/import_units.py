from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.units import units_import_file, units_import_province


class Command(BaseCommand):
    help = (
        "Load units. --province N: the province and its current communes and wards from the "
        "vietnam-provinces package. FILE: agencies, codes, dates and successors from a CSV or "
        "XLSX file; one bad row imports nothing, and every bad row is reported by line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--province", type=int, help="GSO province code, e.g. 12")

    def handle(self, *args, **options):
        path, province = options["file"], options["province"]
        if (path is None) == (province is None):
            raise CommandError("give either FILE or --province N")
        if province is not None:
            result = units_import_province(province_code=province)
        else:
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            result = units_import_file(path=path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(f"Units: {result.created} new, {result.updated} updated.")
        )
