"""Pulling the national catalogue (LayDanhSachTTHC, LayThuTuc) into the catalogue's import
path: a new version of a procedure when DVCQG's differs from the version in force, nothing
when it is the same. Each procedure is imported whole or not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from dvcqg.catalogue import CatalogueError, Local, procedure_row, text
from dvcqg.client import Client, DvcqgError
from procedures.importing import RowError, parse_row
from procedures.models import Procedure, Unit
from procedures.services import procedure_matches, procedure_records_import, units_resolve


@dataclass
class PullReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (MATTHC, reason)


def local_of(procedure: Procedure) -> Local:
    return Local(
        level=procedure.level,
        online_service=procedure.online_service,
        conditions=procedure.conditions,
        fee_note=procedure.fee_note,
        fee_rule=procedure.fee_rule,
        postal_allowed=procedure.postal_allowed,
        sets=procedure.sets,
        boundary_free_from=procedure.boundary_free_from,
        boundary_free_decision=procedure.boundary_free_decision,
        templates={
            d.name: (d.template_title, list(d.template_fields)) for d in procedure.documents.all()
        },
    )


def procedure_pull(
    raw: dict, *, today: dt.date, unit_codes_by_eid: dict[str, str], dry_run: bool = False
) -> str:
    """ "created", "changed" or "unchanged"; CatalogueError with the reason otherwise."""
    code = text(raw, "MATTHC")
    current = Procedure.objects.filter(code=code).order_by("-effective_from").first()
    row = procedure_row(
        raw,
        effective_from=max(today, current.effective_from) if current else today,
        unit_codes_by_eid=unit_codes_by_eid,
        local=local_of(current) if current else None,
    )
    try:
        record = parse_row(0, row)
        units = units_resolve(record.units, on=record.effective_from)
    except RowError as exc:
        raise CatalogueError(str(exc)) from None
    if current is not None and procedure_matches(current, record, units):
        return "unchanged"
    if not dry_run:
        procedure_records_import(records=[(record, units)])
    return "created" if current is None else "changed"


def catalogue_pull(*, code: str = "", dry_run: bool = False) -> PullReport:
    """Every procedure DVCQG lists (or the one `code`). DvcqgError when the list itself
    cannot be read; a procedure that cannot be read or mapped is reported, the others go on."""
    client = Client()
    codes = [code] if code else [text(r, "MATTHC") for r in client.catalogue_list()]
    eids = dict(Unit.objects.exclude(e_id=None).exclude(e_id="").values_list("e_id", "code"))
    today = timezone.localdate()
    report = PullReport()
    for matthc in dict.fromkeys(c for c in codes if c):
        try:
            raw = client.procedure(matthc)
            if raw is None:
                raise CatalogueError("LayThuTuc returned no procedure")
            if text(raw, "MATTHC") != matthc:
                raise CatalogueError(f"LayThuTuc returned {text(raw, 'MATTHC')!r} instead")
            outcome = procedure_pull(raw, today=today, unit_codes_by_eid=eids, dry_run=dry_run)
        except CatalogueError as exc:
            report.errors.append((matthc, str(exc)))
            continue
        except DvcqgError as exc:
            report.errors.append((matthc, exc.message))
            continue
        getattr(report, outcome).append(matthc)
    return report
