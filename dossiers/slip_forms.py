"""Which statutory form set a slip follows, by the date of its event, and the slip numbers.

Circular 01/2018/TT-VPCP set the forms until 14/09/2025; Circular 03/2025/TT-VPCP (issued
15/09/2025, guiding Decree 118/2025/NĐ-CP) sets them from 15/09/2025: it renames the apology
("Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết"), adds the stop notice ("Thông báo
dừng giải quyết hồ sơ") and renumbers the control slip and the register (docs/DOMAIN.md §5).

Every slip carries a number per agency, per year and per form, given once (the first time the
slip is issued) under a row lock, so two desks printing at the same moment never share one;
the receipt also names the register book (one book per agency and year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dossiers.models import Dossier, IssuedSlip, SlipCounter
from procedures.models import Unit


@dataclass(frozen=True)
class Form:
    number: str  # "01"
    title: str
    suffix: str = ""  # after the number: "Số: 12/TNHS"


@dataclass(frozen=True)
class FormSet:
    circular: str
    starts: dt.date
    forms: dict[str, Form]


FORM_SETS: tuple[FormSet, ...] = (
    FormSet(
        circular="01/2018/TT-VPCP",
        starts=dt.date(2018, 1, 1),
        forms={
            "receipt": Form("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "TNHS"),
            "supplement": Form("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "BSHS"),
            "refusal": Form("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "TCHS"),
            "apology": Form("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "XL"),
            "control": Form("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
            "register": Form("06", "Sổ theo dõi hồ sơ"),
        },
    ),
    FormSet(
        circular="03/2025/TT-VPCP",
        starts=dt.date(2025, 9, 15),
        forms={
            "receipt": Form("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "TNHS"),
            "supplement": Form("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "BSHS"),
            "refusal": Form("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "TCHS"),
            "apology": Form("04", "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết", "XLGH"),
            "stop": Form("05", "Thông báo dừng giải quyết hồ sơ", "DGQ"),
            "control": Form("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
            "register": Form("07", "Sổ theo dõi hồ sơ"),
        },
    ),
)


def form_set_on(day: dt.date) -> FormSet:
    """The form set in force on `day` (the first one for anything older)."""
    chosen = FORM_SETS[0]
    for form_set in FORM_SETS:
        if form_set.starts <= day:
            chosen = form_set
    return chosen


def form_for(kind: str, at: dt.datetime | dt.date) -> tuple[FormSet, Form | None]:
    """The form set of the event's day and its form `kind` (None: that set has no such form)."""
    day = timezone.localdate(at) if isinstance(at, dt.datetime) else at
    form_set = form_set_on(day)
    return form_set, form_set.forms.get(kind)


@transaction.atomic
def slip_number(
    *, dossier: Dossier, form: str, unit: Unit, at: dt.datetime, ref: str = ""
) -> IssuedSlip:
    """The slip's number: given the first time (next in the agency's year for that form),
    the same afterwards. `at` is the event's time: its year is the numbering year."""
    Dossier.objects.select_for_update().filter(pk=dossier.pk).first()  # one first print at a time
    issued = IssuedSlip.objects.filter(dossier=dossier, form=form, ref=ref).first()
    if issued is not None:
        return issued
    year = timezone.localdate(at).year
    issued, _created = IssuedSlip.objects.get_or_create(
        dossier=dossier,
        form=form,
        ref=ref,
        defaults={
            "unit": unit,
            "year": year,
            "number": slip_counter_next(unit=unit, year=year, form=form),
            "issued_at": timezone.now(),
        },
    )
    return issued


def slip_counter_next(*, unit: Unit, year: int, form: str) -> int:
    """The next number of the agency's year for `form` (row-locked: never given twice)."""
    SlipCounter.objects.get_or_create(unit=unit, year=year, form=form)
    counter = SlipCounter.objects.select_for_update().get(unit=unit, year=year, form=form)
    SlipCounter.objects.filter(pk=counter.pk).update(last_value=F("last_value") + 1)
    return counter.last_value + 1


def register_book(*, unit: Unit, year: int) -> str:
    """The register book (Quyển số) of an agency's year: one book per agency and year
    *(practice; provinces may keep one per field of work)*."""
    return f"01/{year}"
