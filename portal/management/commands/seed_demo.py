"""Idempotent demo data: Lai Châu province today (the four communes that replaced the district
of Tân Uyên on 1 July 2025), the letter's 2020 district as history, the catalogue in both
versions, demo officers, dossiers."""

from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from portal.demo import officers_seed
from procedures.services import (
    calendar_overrides_load,
    document_templates_render,
    procedures_import,
    units_load,
)

DATA = Path(settings.BASE_DIR) / "procedures" / "data"
# Apps add their demo history here as "module:function" (called with no arguments, in order).
LATER_STEPS = [
    "payments.demo:payment_accounts_seed",
    "dossiers.demo:demo_dossiers_seed",
    "reports.demo:demo_history_seed",
]


class Command(BaseCommand):
    help = "Create the demo data (safe to run again: it changes nothing the second time)."

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0
        steps = [
            "units",
            "units 2025",
            "calendar",
            "procedures",
            "templates",
            "officers",
            *LATER_STEPS,
        ]
        with tqdm(total=len(steps), desc="seed_demo", unit="step", disable=quiet) as bar:
            units_load(path=DATA / "demo_units.json")
            bar.update()
            # Today's units, closing the 2020 district's (dossiers: closing hands dossiers over).
            import_module("dossiers.demo").province_2025_seed()
            bar.update()
            calendar_overrides_load(path=DATA / "calendar_overrides.json")
            bar.update()
            # The 2020 catalogue, then today's versions (they close the old ones on 30/6/2025).
            for name in ("demo_procedures.json", "demo_procedures_2025.json"):
                result = procedures_import(path=DATA / name)
                if not result.ok:
                    raise CommandError("\n".join(result.errors))
            bar.update()
            document_templates_render()
            bar.update()
            officers_seed()
            bar.update()
            for step in LATER_STEPS:
                module_name, func = step.split(":")
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError:
                    bar.update()
                    continue
                getattr(module, func)()
                bar.update()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
