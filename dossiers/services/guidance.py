"""The counter's written guidance to a walk-in applicant (DOMAIN §5, the 2020 letter's
"guide once, completely"): no dossier is received, but what was handed over is kept.

Incomplete: Mẫu 02 names every missing item, chosen from the procedure's published list,
with the reason. Ineligible or outside the unit's competence: Mẫu 03 with the reasons.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_unit_role, permission_roles
from dossiers.models import CounterGuidance
from dossiers.slip_forms import slip_counter_next
from procedures.models import Procedure, Unit
from procedures.units import unit_assert_open

K = CounterGuidance.Kind


@transaction.atomic(durable=True)
def counter_guidance_give(
    *,
    unit: Unit,
    procedure: Procedure,
    kind: str,
    applicant_name: str,
    reason: str,
    actor: AbstractBaseUser,
    document_ids: Sequence[int] = (),
    applicant_id_number: str = "",
    applicant_phone: str = "",
    applicant_address: str = "",
    at: datetime | None = None,
) -> CounterGuidance:
    """Record the slip handed to a walk-in applicant and give it its number."""
    officer_assert_unit_role(user=actor, unit=unit, roles=permission_roles("create"))
    at = at or timezone.now()
    unit_assert_open(unit=unit, at=at)
    problems: dict[str, str] = {}
    if kind not in K.values:
        problems["kind"] = _("Chọn loại phiếu.")
    if not procedure.units.filter(pk=unit.pk).exists():
        problems["procedure"] = _("Đơn vị này không giải quyết thủ tục đã chọn.")
    if not applicant_name.strip():
        problems["applicant_name"] = _("Vui lòng nhập họ và tên người nộp.")
    if not reason.strip():
        problems["reason"] = _("Vui lòng nêu rõ lý do.")
    published = {d.pk: d for d in procedure.documents.all()}
    chosen = {int(pk) for pk in document_ids}
    if chosen - set(published):
        problems["documents"] = _("Chỉ được yêu cầu giấy tờ thuộc danh mục của thủ tục.")
    elif kind == K.SUPPLEMENT and not chosen:
        problems["documents"] = _("Chọn đủ, một lần, mọi giấy tờ cần bổ sung.")
    if problems:
        raise ValidationError(problems)
    year = timezone.localdate(at).year
    guidance = CounterGuidance.objects.create(
        unit=unit,
        procedure=procedure,
        kind=kind,
        applicant_name=applicant_name.strip(),
        applicant_id_number=applicant_id_number.strip(),
        applicant_phone=applicant_phone.strip(),
        applicant_address=applicant_address.strip(),
        reason=reason.strip(),
        given_by=actor,
        given_at=at,
        year=year,
        number=slip_counter_next(unit=unit, year=year, form=kind),
    )
    if kind == K.SUPPLEMENT:
        guidance.documents.set([published[pk] for pk in sorted(chosen)])
    return guidance


def counter_guidance_counts(
    *, unit_ids: Iterable[int], start: datetime, end: datetime
) -> Counter[str]:
    """How many walk-in slips of each kind the units gave in [start, end), for the reports."""
    rows = CounterGuidance.objects.filter(
        unit_id__in=list(unit_ids), given_at__gte=start, given_at__lt=end
    ).values_list("kind", flat=True)
    return Counter(rows)
