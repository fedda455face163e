"""The statutory slips as A5 PDFs, and the register as XLSX and A4 PDF. Each slip follows the
form set in force on the day of its event (dossiers.slip_forms: Circular 01/2018/TT-VPCP
before 15/09/2025, Circular 03/2025/TT-VPCP from then) and carries its number per agency and
year. The forms are legal documents in Vietnamese: their wording is the circular's, not
translated.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dossiers.models import (
    CounterGuidance,
    Dossier,
    DossierEvent,
    Extension,
    Handover,
    SupplementRequest,
)
from dossiers.selectors import register_rows
from dossiers.services.core import person_name
from dossiers.signatures import document_sign
from dossiers.slip_forms import form_for, register_book, slip_number
from portal.exceptions import PortalError
from portal.models import Membership
from portal.spreadsheets import print_setup, workbook_bytes
from procedures.calendar import procedure_time_limit
from procedures.models import Field, Unit
from procedures.pdf import html_to_pdf


class SlipUnavailable(PortalError):
    """The slip does not exist for this dossier (yet): e.g. no apology was issued."""

    status_code = 404


def lookup_url(code: str) -> str:
    """The citizens' look-up with the dossier's code filled in (slips' QR codes, SMS links)."""
    return f"{settings.SITE_URL}{reverse('citizen-lookup')}?{urlencode({'code': code})}"


def qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _time_limit_text(dossier: Dossier) -> str:
    """The legal time limit in the unit its law counts it in."""
    limit = procedure_time_limit(dossier.procedure, dossier.channel)
    if limit.same_day:
        return "Trong ngày (nhận sau 15 giờ trả trong ngày làm việc tiếp theo)"
    if limit.calendar_days is not None:
        return f"{limit.calendar_days} ngày"
    if limit.working_hours is not None:
        return f"{limit.working_hours.normalize():f} giờ làm việc"
    days = limit.working_days
    return f"{days.normalize():f} ngày làm việc" if days is not None else ""


def _context(
    dossier: Dossier, kind: str, at: datetime, unit: Unit | None = None, ref: str = ""
) -> dict[str, Any]:
    """What every slip shows: its form (by the event's day `at`), unit, place and number."""
    unit = unit or dossier.unit
    form_set, form = form_for(kind, at)
    if form is None:
        raise SlipUnavailable(
            _("Bộ biểu mẫu áp dụng ngày %(day)s không có mẫu này.")
            % {"day": f"{timezone.localdate(at):%d/%m/%Y}"}
        )
    parent = unit.parent
    place = parent.name if parent and unit.kind == Unit.Kind.AGENCY else unit.name
    for prefix in ("UBND ", "Huyện ", "huyện ", "xã ", "Xã ", "Trung tâm Phục vụ hành chính công "):
        place = place.replace(prefix, "")
    issued = slip_number(dossier=dossier, form=kind, unit=unit, at=at, ref=ref)
    return {
        "dossier": dossier,
        "unit": unit,
        "place": place,
        "today": timezone.localdate(),
        "form_set": form_set,
        "form": form,
        "slip_number": issued.number,
        "extensions": list(Extension.objects.filter(dossier=dossier).select_related("approved_by")),
    }


def _last_event(dossier: Dossier, to_status: str) -> DossierEvent | None:
    return (
        DossierEvent.objects.filter(dossier=dossier, to_status=to_status, kind="transition")
        .select_related("actor")
        .order_by("-seq")
        .first()
    )


def slip_receipt_html(*, dossier: Dossier) -> str:
    """Mẫu 01: receipt and appointment, with a QR code to the public look-up."""
    if dossier.received_at is None or dossier.due_at is None:
        raise SlipUnavailable(_("Hồ sơ chưa được tiếp nhận."))
    event = _last_event(dossier, Dossier.Status.RECEIVED)
    documents = dossier.received_documents or [
        {"name": d.name, "originals": d.originals, "copies": d.copies}
        for d in dossier.procedure.documents.all()
    ]
    return render_to_string(
        "dossiers/pdf/receipt.html",
        {
            **_context(dossier, "receipt", dossier.received_at),
            "book": register_book(
                unit=dossier.unit, year=timezone.localdate(dossier.received_at).year
            ),
            "documents": documents,
            "time_limit": _time_limit_text(dossier),
            "officer_name": person_name(event.actor) if event else "",
            "lookup_url": lookup_url(dossier.code),
            "qr": qr_data_uri(lookup_url(dossier.code)),
        },
    )


def slip_supplement_html(*, dossier: Dossier) -> str:
    """Mẫu 02: the latest supplement request, its items and reason, who to contact."""
    request = (
        SupplementRequest.objects.filter(dossier=dossier)
        .select_related("unit", "requested_by", "override_by")
        .prefetch_related("documents")
        .order_by("-requested_at", "-id")
        .first()
    )
    if request is None:
        raise SlipUnavailable(_("Hồ sơ chưa có yêu cầu bổ sung."))
    membership = Membership.objects.filter(user=request.requested_by).first()
    return render_to_string(
        "dossiers/pdf/supplement.html",
        {
            **_context(dossier, "supplement", request.requested_at, request.unit, str(request.pk)),
            "request": request,
            "request_unit": request.unit,
            "items": sorted(request.documents.all(), key=lambda d: (d.order, d.pk)),
            "officer_name": person_name(request.requested_by),
            "officer_phone": membership.phone if membership else "",
            "override_name": person_name(request.override_by),
        },
    )


def slip_refusal_html(*, dossier: Dossier) -> str:
    """Mẫu 03: refusal with its specific reasons."""
    return _reason_slip_html(
        dossier, "refusal", Dossier.Status.REFUSED, _("Hồ sơ không bị từ chối tiếp nhận.")
    )


def _reason_slip_html(
    dossier: Dossier, kind: str, status: str, missing: str, unit: Unit | None = None
) -> str:
    """The slip of the event that ended the dossier in `status` for the officer's reason
    (refused, stopped); SlipUnavailable with `missing` when there is none."""
    event = _last_event(dossier, status)
    if event is None:
        raise SlipUnavailable(missing)
    return render_to_string(
        f"dossiers/pdf/{kind}.html",
        {
            **_context(dossier, kind, event.at, unit),
            "event": event,
            "reason": event.details.get("reason") or event.note,
            "officer_name": person_name(event.actor),
        },
    )


def slip_apology_html(*, dossier: Dossier) -> str:
    """Mẫu 04: apology and the new return date, signed by the head of the unit."""
    from dossiers.models import Apology

    apology = Apology.objects.filter(dossier=dossier).select_related("unit", "signed_by").first()
    if apology is None:
        raise SlipUnavailable(_("Hồ sơ chưa có phiếu xin lỗi."))
    return render_to_string(
        "dossiers/pdf/apology.html",
        {
            **_context(dossier, "apology", apology.issued_at, apology.unit),
            "apology": apology,
            "apology_unit": apology.unit,
            "signer_name": person_name(apology.signed_by),
        },
    )


def slip_control_html(*, dossier: Dossier) -> str:
    """Mẫu 05: the processing control slip, one row per hand-over."""
    if dossier.received_at is None:
        raise SlipUnavailable(_("Hồ sơ chưa được tiếp nhận."))
    handovers = list(
        Handover.objects.filter(dossier=dossier).select_related(
            "from_unit", "to_unit", "from_user", "to_user"
        )
    )
    for h in handovers:
        h.from_name = person_name(h.from_user)
        h.to_name = person_name(h.to_user) or h.to_unit.name
    coordinating = sorted({h.to_unit.name for h in handovers} - {dossier.handling_unit.name})
    return render_to_string(
        "dossiers/pdf/control.html",
        {
            **_context(dossier, "control", dossier.received_at),
            "handovers": handovers,
            "coordinating": coordinating,
        },
    )


def slip_stop_html(*, dossier: Dossier) -> str:
    """The stop notice (Circular 03/2025, from 15/09/2025): handling stopped on withdrawal."""
    return _reason_slip_html(
        dossier,
        "stop",
        Dossier.Status.STOPPED,
        _("Hồ sơ chưa dừng giải quyết."),
        unit=dossier.handling_unit,
    )


RENDERERS = {
    "receipt": slip_receipt_html,
    "supplement": slip_supplement_html,
    "refusal": slip_refusal_html,
    "apology": slip_apology_html,
    "control": slip_control_html,
    "stop": slip_stop_html,
}
#: The file name's form number, whatever the set (the slip itself prints its set's number).
FORMS = {
    "receipt": "01",
    "supplement": "02",
    "refusal": "03",
    "apology": "04",
    "control": "05",
    "stop": "dung",
}


def slip_links(dossier: Dossier) -> list[tuple[str, str]]:
    """The slips a dossier has, as (form, "Mẫu NN – title") by the form set of each event."""
    wanted: list[tuple[str, datetime | None]] = []
    if dossier.received_at:
        wanted += [("receipt", dossier.received_at), ("control", dossier.received_at)]
    request = dossier.supplement_requests.order_by("-requested_at").first()
    if request is not None:
        wanted.append(("supplement", request.requested_at))
    if dossier.status == Dossier.Status.REFUSED:
        wanted.append(("refusal", dossier.updated_at))
    if hasattr(dossier, "apology"):
        wanted.append(("apology", dossier.apology.issued_at))
    if dossier.status == Dossier.Status.STOPPED:
        wanted.append(("stop", dossier.updated_at))
    links = []
    for kind, at in wanted:
        _form_set, form = form_for(kind, at or timezone.now())
        if form is not None:
            links.append((kind, f"Mẫu {form.number} – {form.title}"))
    return links


def slip_pdf(*, dossier: Dossier, form: str) -> bytes:
    """The slip `form` (receipt, supplement, refusal, apology, control) of the dossier."""
    if form not in RENDERERS:
        raise SlipUnavailable(_("Không có mẫu phiếu này."))
    pdf = html_to_pdf(RENDERERS[form](dossier=dossier))
    unit = dossier.handling_unit or dossier.unit
    return document_sign(
        pdf, reason=f"Phiếu mẫu {FORMS[form]} của hồ sơ {dossier.code}", location=unit.name
    )


def slip_pdf_response(*, dossier: Dossier, form: str) -> HttpResponse:
    """The slip as a PDF to show in the browser (the pages and the API); 404 when the form
    does not exist or does not apply to the dossier."""
    try:
        pdf = slip_pdf(dossier=dossier, form=form)
    except SlipUnavailable as exc:
        raise Http404(str(exc.message)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{FORMS[form]}-{dossier.code}.pdf"'
    return response


def guidance_pdf(*, guidance: CounterGuidance) -> bytes:
    """Mẫu 02 or Mẫu 03 handed to a walk-in applicant (no dossier was received)."""
    form_set, form = form_for(guidance.kind, guidance.given_at)
    unit = guidance.unit
    html = render_to_string(
        "dossiers/pdf/guidance.html",
        {
            "guidance": guidance,
            "unit": unit,
            "place": unit.parent.name if unit.parent else unit.name,
            "today": timezone.localdate(guidance.given_at),
            "form_set": form_set,
            "form": form,
            "items": list(guidance.documents.order_by("order", "id")),
            "officer_name": person_name(guidance.given_by),
            "officer_phone": (
                Membership.objects.filter(user=guidance.given_by, unit=unit)
                .values_list("phone", flat=True)
                .first()
                or unit.phone
            ),
        },
    )
    return document_sign(
        html_to_pdf(html),
        reason=f"Phiếu mẫu {form.number} – {form.title}" if form else "Phiếu hướng dẫn",
        location=unit.name,
    )


# --- Mẫu 06: the register -------------------------------------------------------------------

REGISTER_HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Người nộp",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Cách thức nhận kết quả",
    "Ký nhận",
]


@dataclass(frozen=True)
class Register:
    field_name: str
    start: date
    end: date  # inclusive
    rows: list[list[str]]


def _fmt(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def register_build(*, unit_ids: set[int], field: Field | None, start: date, end: date) -> Register:
    """The register rows for the units' dossiers received from `start` to `end` (inclusive)."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    rows = []
    qs = register_rows(unit_ids=unit_ids, field_id=field.pk if field else None, start=lo, end=hi)
    for number, d in enumerate(qs, start=1):
        rows.append(
            [
                str(number),
                d.code,
                d.procedure.name,
                d.applicant_name,
                f"{d.applicant_address}; {d.applicant_phone}",
                d.handling_unit.name,
                _fmt(d.received_at),
                _fmt(d.due_at),
                _fmt(d.returned_at),
                d.get_return_method_display() if d.return_method else "",
                d.return_recipient,
            ]
        )
    return Register(
        field_name=field.name if field else "Tất cả lĩnh vực", start=start, end=end, rows=rows
    )


def register_xlsx(register: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    form_set, form = form_for("register", register.end)
    assert form is not None
    ws.append([f"{form.title.upper()} (Mẫu {form.number}, Thông tư {form_set.circular})"])
    ws.append(
        [
            f"Lĩnh vực: {register.field_name}; từ ngày {register.start:%d/%m/%Y} đến ngày "
            f"{register.end:%d/%m/%Y}"
        ]
    )
    ws.append(REGISTER_HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in register.rows:
        ws.append(row)
    widths = [6, 28, 40, 24, 36, 28, 17, 17, 17, 18, 18]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + index)].width = width
    print_setup(ws, title_rows="3:3")
    return workbook_bytes(wb)


def register_pdf(register: Register, *, unit: Unit, user: Any = None) -> bytes:
    """The register in the official print layout of the reports (A4 landscape; header with
    the unit keeping it, the unit above it, the period and the unit of measure; signature
    block): templates/portal/pdf/official_sheet.html."""
    form_set, form = form_for("register", register.end)
    assert form is not None
    now = timezone.localtime()
    html = render_to_string(
        "dossiers/pdf/register.html",
        {
            "title": form.title,
            "form_label": f"Mẫu số {form.number} — Thông tư {form_set.circular}",
            "subtitle": f"Lĩnh vực: {register.field_name}",
            "measure": "hồ sơ",
            "period": register,
            "reporting": unit,
            "receiving": unit.parent.name if unit.parent else "",
            "place": unit.short_name or unit.name,
            "today": now.date(),
            "generated": now,
            "prepared_by": person_name(user),
            "headers": REGISTER_HEADERS,
            "rows": register.rows,
        },
    )
    return html_to_pdf(html)
