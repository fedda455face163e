"""Import dossiers from a CSV file (all or nothing; idempotent by code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.services.importing import COLUMNS, dossiers_import


class Command(BaseCommand):
    help = (
        "Import dossiers from a legacy system or a paper register. Columns: "
        + ", ".join(COLUMNS)
        + ". Every row is validated first; any error imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = dossiers_import(path=path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.imported} dossier(s) imported, {result.skipped} already present"
            )
        )
