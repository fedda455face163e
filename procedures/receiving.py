"""Where a dossier may be received, and who handles it (Decree 118/2025/NĐ-CP; DOMAIN §1).

Every receiving path (the citizens' wizard and API, the counter page and the officers' API,
the post, the import of dossiers) asks `reception_route` once, through
`dossiers.services.core.dossier_create` and the import's row check.

- A procedure version that does **not** allow reception regardless of administrative
  boundaries is received only by a unit that handles it (`Procedure.units`) and, when the
  applicant's commune is known and one of those units belongs to it, only by that commune's
  unit: the competent one. The dossier is handled where it was received.
- A version that allows it (`Procedure.boundary_free_from`, from the province chair's
  published list) may be received by any open one-stop centre of the same province; the
  dossier is handed to the competent unit (the procedure's unit in the applicant's commune,
  or its only unit in the province) for handling, and the receiving centre stays the
  receiving unit (its register, its reports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import PortalError
from procedures.calendar import unit_ancestor, unit_province
from procedures.models import Procedure, Unit


class ReceptionRefused(PortalError):
    """This unit may not receive this procedure's dossier (400, the reason in the message)."""


@dataclass(frozen=True)
class Route:
    receiving: Unit
    handling: Unit

    @property
    def handed_over(self) -> bool:
        return self.receiving.pk != self.handling.pk


def reception_route(
    *,
    procedure: Procedure,
    unit: Unit,
    applicant_commune: Unit | None = None,
    at: dt.datetime | None = None,
) -> Route:
    """The receiving and the handling unit of a dossier for `procedure` brought to `unit` by
    an applicant of `applicant_commune` (None: unknown) at `at`; ReceptionRefused if the
    unit may not receive it."""
    day = timezone.localdate(at)  # today when `at` is None
    # Through .all(): the procedure's units are usually prefetched (procedures.selectors).
    handlers = [u for u in procedure.units.all() if u.e_id and u.is_open_on(day)]
    home = _home_units(handlers, applicant_commune)
    free = procedure.is_boundary_free_on(day)
    extra = {"unit": unit.code, "procedure": procedure.code, "boundary_free": free}
    if unit.pk in {u.pk for u in handlers}:
        if not home or unit.pk in {u.pk for u in home}:
            return Route(receiving=unit, handling=unit)
        if free:
            return Route(receiving=unit, handling=home[0])
        competent = {**extra, "competent_unit": home[0].code}
        raise ReceptionRefused(_not_free_message(procedure, home[0]), extra=competent)
    if not free:
        raise ReceptionRefused(
            _("Đơn vị này không giải quyết thủ tục đã chọn.")
            + " "
            + _("Thủ tục không thuộc danh mục tiếp nhận không phụ thuộc vào địa giới hành chính."),
            extra=extra,
        )
    if not (unit.is_one_stop_desk and unit.e_id):
        raise ReceptionRefused(
            _(
                "Chỉ Trung tâm Phục vụ hành chính công tiếp nhận hồ sơ không phụ thuộc vào địa "
                "giới hành chính."
            ),
            extra=extra,
        )
    province = unit_province(unit)
    same_province = [u for u in handlers if province and unit_province(u) == province]
    target = next((u for u in home if u in same_province), None)
    if target is None and len(same_province) == 1 and applicant_commune is None:
        target = same_province[0]
    if target is None:
        if applicant_commune is None and len(same_province) > 1:
            message = _(
                "Vui lòng cho biết xã, phường nơi cư trú của người nộp để chuyển hồ sơ đến "
                "đơn vị có thẩm quyền giải quyết."
            )
        else:
            message = _(
                "Hồ sơ này chỉ được tiếp nhận không phụ thuộc địa giới hành chính trong phạm vi "
                "tỉnh của đơn vị có thẩm quyền giải quyết."
            )
        raise ReceptionRefused(message, extra=extra)
    return Route(receiving=unit, handling=target)


def _home_units(handlers: list[Unit], applicant_commune: Unit | None) -> list[Unit]:
    """The procedure's units in the applicant's commune (none when it is unknown)."""
    if applicant_commune is None:
        return []
    return [u for u in handlers if unit_ancestor(u, Unit.Kind.COMMUNE) == applicant_commune]


def _not_free_message(procedure: Procedure, competent: Unit) -> str:
    return _(
        "Thủ tục “%(procedure)s” không thuộc danh mục tiếp nhận không phụ thuộc vào địa giới "
        "hành chính: hồ sơ của người nộp nộp tại %(unit)s."
    ) % {"procedure": procedure.name, "unit": competent.name}


def applicant_commune_find(value: str, *, at: dt.datetime | None = None) -> Unit | None:
    """The commune/ward named by its unit code or its GSO code ("03601"), the one in force at
    `at` first; None for an empty value; a ValidationError on `applicant_commune` otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    day = timezone.localdate(at)  # today when `at` is None
    # A GSO code may come without its leading zeros ("3601" for 03601).
    stat = value.zfill(5) if value.isdigit() else value
    found = list(Unit.objects.filter(Q(code=value) | Q(stat_code=stat), kind=Unit.Kind.COMMUNE))
    found.sort(key=lambda u: (not u.is_open_on(day), u.code != value))
    if not found:
        raise ValidationError(
            {"applicant_commune": _("Không tìm thấy xã, phường “%(code)s”.") % {"code": value}}
        )
    return found[0]
