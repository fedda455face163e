from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from procedures.services import document_templates_render, procedures_import


class Command(BaseCommand):
    help = (
        "Import procedures from a CSV, XLSX or JSON catalogue file. Every row is validated "
        "first; one bad row imports nothing, and every bad row is reported by line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-templates", action="store_true", help="do not generate blank form PDFs"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        with tqdm(desc="procedures", unit="row", disable=options["verbosity"] == 0) as bar:
            result = procedures_import(path=path, progress=bar.update)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} bad row(s): nothing was imported.")
        if not options["no_templates"]:
            document_templates_render()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} new and {result.updated} updated procedure(s)."
            )
        )
