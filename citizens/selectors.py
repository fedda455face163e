"""Reads of the citizen's side: the status document (one shape for the look-up page and the
API), masking of personal data, drafts to resume."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from citizens.models import Draft, Rating
from dossiers.deadlines import dossier_is_late
from dossiers.models import (
    STATUS_CODES,
    Apology,
    Dossier,
    DossierAccess,
    DossierEvent,
    DossierFile,
)
from dossiers.services.citizen import supplement_request_open

S = Dossier.Status


def supplement_answered_last(*, dossier: Dossier) -> dict[str, Any] | None:
    """The citizen's latest supplement answer: its request, when, and the files sent."""
    answered = (
        dossier.supplement_requests.filter(answered_at__isnull=False)
        .order_by("-answered_at")
        .first()
    )
    if answered is None:
        return None
    files = (
        dossier.files.filter(
            kind=DossierFile.Kind.SUPPLEMENT, uploaded_at__gte=answered.requested_at
        )
        .select_related("document")
        .order_by("id")
    )
    return {"answered": answered, "files": list(files)}


def status_explanation(status: str) -> str:
    """What a status means for the citizen, in plain words."""
    texts = {
        S.SUBMITTED: _(
            "Hồ sơ đã được gửi tới cơ quan và đang chờ cán bộ kiểm tra, tiếp nhận "
            "(thường trong 8 giờ làm việc). Thời hạn giải quyết được tính từ lúc "
            "tiếp nhận."
        ),
        S.RECEIVED: _("Cơ quan đã tiếp nhận hồ sơ và hẹn ngày trả kết quả."),
        S.REFUSED: _(
            "Cơ quan không tiếp nhận hồ sơ. Lý do được gửi cho bạn qua tin nhắn; bạn "
            "có thể liên hệ bộ phận một cửa để được hướng dẫn."
        ),
        S.PROCESSING: _("Hồ sơ đang được cán bộ chuyên môn giải quyết."),
        S.SUPPLEMENT_REQUESTED: _(
            "Cơ quan đề nghị bạn bổ sung giấy tờ. Thời hạn giải quyết "
            "tạm dừng cho đến khi bạn bổ sung."
        ),
        S.AWAITING_PAYMENT: _(
            "Cơ quan đề nghị bạn nộp phí, lệ phí hoặc nghĩa vụ tài chính. "
            "Thời hạn giải quyết tạm dừng cho đến khi bạn nộp."
        ),
        S.WITHDRAWAL_REQUESTED: _("Bạn đã đề nghị rút hồ sơ. Cơ quan sẽ gửi thông báo dừng xử lý."),
        S.STOPPED: _("Hồ sơ đã dừng xử lý."),
        S.RESOLVED: _("Hồ sơ đã có kết quả. Bạn có thể nhận kết quả theo hình thức đã chọn."),
        S.RETURNED: _("Bạn đã nhận kết quả. Cảm ơn bạn đã sử dụng dịch vụ."),
    }
    return str(texts.get(status, ""))


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" → "N*** V** A": initials stay, the rest is hidden."""
    words = (name or "").split()
    out = []
    for i, word in enumerate(words):
        if i == len(words) - 1:
            out.append(word[0])
        else:
            out.append(word[0] + "*" * min(len(word) - 1, 3))
    return " ".join(out)


def mask_phone(phone: str) -> str:
    """ "+84912345678" → "09** *** 678"."""
    digits = phone[3:] if phone.startswith("+84") else phone.lstrip("0")
    if len(digits) < 4:
        return "***"
    return f"0{digits[0]}** *** {digits[-3:]}"


def dossier_history(*, dossier: Dossier) -> list[dict[str, Any]]:
    """The status changes, oldest first (events that did not change the status are left out,
    except creation)."""
    rows = []
    last = None
    for ev in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        if ev.to_status == last and ev.kind != "created":
            continue
        last = ev.to_status
        rows.append(
            {
                "at": ev.at,
                "status": ev.to_status,
                "status_code": STATUS_CODES.get(ev.to_status),
                "status_label": str(S(ev.to_status).label),
            }
        )
    return rows


def dossier_accesses(*, dossier: Dossier) -> list[dict[str, Any]]:
    """Which unit opened the dossier, once per unit and day: units and times only, never
    officers' names. `at` is the day's first access, `action` what was done that day."""
    days = (
        DossierAccess.objects.filter(dossier=dossier)
        .annotate(day=TruncDate("at"))
        .values("day", "unit_id", "unit__name", "action")
        .annotate(first=Min("at"))
        .order_by("-day", "unit_id", "action")
    )
    rows: dict[tuple[Any, Any], dict[str, Any]] = {}
    for day in days:
        row = rows.setdefault(
            (day["day"], day["unit_id"]),
            {"at": day["first"], "unit": day["unit__name"] or _("Cơ quan giải quyết"), "done": []},
        )
        row["at"] = min(row["at"], day["first"])
        row["done"].append(str(DossierAccess.Action(day["action"]).label))
    return [
        {"at": row["at"], "unit": row["unit"], "action": ", ".join(row["done"])}
        for row in list(rows.values())[:50]
    ]


def dossier_status_document(*, dossier: Dossier, with_key: bool) -> dict[str, Any]:
    """Everything the citizen may see of a dossier. Personal data unmasked only with the key.

    Datetimes are aware datetimes here; the API turns them into ISO strings.
    """
    apology = Apology.objects.filter(dossier=dossier).first()
    request = (
        supplement_request_open(dossier=dossier)
        if dossier.status in {S.SUPPLEMENT_REQUESTED}
        else None
    )
    doc: dict[str, Any] = {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "unit": {"code": dossier.unit.code, "name": dossier.unit.name},
        "applicant": dossier.applicant_name if with_key else mask_name(dossier.applicant_name),
        "status": dossier.status,
        "status_code": dossier.status_code,
        "status_label": str(S(dossier.status).label),
        "status_explanation": status_explanation(dossier.status),
        "channel": dossier.channel,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "resolved_at": dossier.resolved_at,
        "returned_at": dossier.returned_at,
        "overdue": dossier_is_late(dossier),
        "paused": dossier.paused_at is not None,
        "apology": (
            {"reason": apology.reason, "new_due_at": apology.new_due_at} if apology else None
        ),
        # Lawful extensions: the legal due time moved (the dossier is not late for it).
        "extensions": [
            {
                "reason": e.reason,
                "legal_basis": e.legal_basis,
                "previous_due_at": e.previous_due_at,
                "new_due_at": e.new_due_at,
            }
            for e in dossier.extensions.all()
        ],
        "supplement_request": (
            {
                "items": [{"id": d.pk, "name": d.name} for d in request.documents.all()],
                "reason": request.reason,
                "requested_at": request.requested_at,
            }
            if request
            else None
        ),
        "history": dossier_history(dossier=dossier),
        "accesses": dossier_accesses(dossier=dossier),
        "with_key": with_key,
    }
    if with_key:
        doc["applicant_details"] = {
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "organisation_name": dossier.organisation_name,
            "delivery": dossier.delivery,
            "delivery_address": dossier.delivery_address,
        }
        doc["files"] = [
            {
                "name": f.original_name,
                "size": f.size,
                "kind": f.kind,
                "document": f.document.name if f.document else "",
            }
            for f in dossier.files.select_related("document").order_by("id")
        ]
        # Rows, for the page (the API's serializer leaves them out).
        doc["results"] = list(dossier_result_files(dossier=dossier))
        doc["can_withdraw"] = dossier.status in {
            S.SUBMITTED,
            S.RECEIVED,
            S.PROCESSING,
            S.SUPPLEMENT_REQUESTED,
            S.AWAITING_PAYMENT,
        }
        doc["can_rate"] = dossier.status == S.RETURNED and not hasattr_rating(dossier)
    else:
        doc["phone_hint"] = mask_phone(dossier.applicant_phone)
    return doc


def dossier_result_files(*, dossier: Dossier) -> QuerySet[DossierFile]:
    """The result documents the update key downloads, once the dossier has its result."""
    if dossier.status not in {S.RESOLVED, S.RETURNED}:
        return DossierFile.objects.none()
    return dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("id")


def hasattr_rating(dossier: Dossier) -> bool:
    return Rating.objects.filter(dossier=dossier).exists()


def drafts_for(*, user: AbstractBaseUser | None, tokens: list[str]) -> list[Draft]:
    """Unsubmitted drafts the visitor may resume: the account's and this browser's."""
    q = Q(token__in=tokens)
    if user is not None and user.is_authenticated:
        q |= Q(user=user)
    return list(
        Draft.objects.filter(q, dossier__isnull=True)
        .select_related("procedure")
        .order_by("-updated_at")[:20]
    )
