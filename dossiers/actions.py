"""The officers' actions on a dossier, each declared once (DOMAIN.md §4; docs/API.md, actions).

An action is its name (the API's `action`, the page's URL name), its label, the roles that may
take it, the states it starts from, the form that checks its input, the service that does it,
the page's URL segment and the message shown once it is done. The workbench pages, the API,
the access checks (dossiers.access), the services' own guards and the permission-matrix test all
read ACTIONS: a new action is one more entry here.

The page and the API bind the same form, so the API accepts exactly what the page accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from dossiers import forms as f
from dossiers.models import Apology, Dossier
from portal.models import Role

S = Dossier.Status
DESK = frozenset({Role.DESK, Role.ADMIN})
HANDLING = frozenset({Role.SPECIALIST, Role.HEAD, Role.ADMIN})


@dataclass(frozen=True)
class OfficerAction:
    name: str
    label: Promise
    roles: frozenset[str]
    states: frozenset[str]
    form: type[f.ActionForm]
    # A dotted path: the services read their own roles and states here, so this module cannot
    # import them back.
    service: str
    slug: str
    done: Promise
    danger: bool = False
    # A condition beyond the state (the apology: once per dossier).
    available_when: Callable[[Dossier], bool] | None = None
    # The step the dossier's state is waiting for: its form is open when the page opens.
    primary: bool = False
    # The slip handed over once the action is done (its link comes with the message).
    slip: str = ""

    def bind(self, dossier: Dossier, data: Any = None, files: Any = None) -> f.ActionForm:
        """The action's form for `dossier`, bound to `data` when given."""
        return self.form(data, files, dossier=dossier, auto_id=f"id_{self.name}_%s")

    def available(self, dossier: Dossier) -> bool:
        """The dossier's state (and the action's own condition) allow the action now."""
        return dossier.status in self.states and (
            self.available_when is None or self.available_when(dossier)
        )

    def perform(self, *, dossier: Dossier, actor: Any, form: f.ActionForm) -> Any:
        """Run the service with the form's cleaned input (the form must be valid)."""
        service = import_string(self.service)
        return service(dossier=dossier, actor=actor, **form.service_arguments())


def _apology_open(dossier: Dossier) -> bool:
    # Once per dossier, as soon as lateness is foreseen (made late, it is recorded as late).
    return not Apology.objects.filter(dossier=dossier).exists()


_SERVICES = "dossiers.services.actions"

ACTIONS: dict[str, OfficerAction] = {
    a.name: a
    for a in (
        OfficerAction(
            name="receive",
            label=_("Tiếp nhận hồ sơ"),
            roles=DESK,
            states=frozenset({S.SUBMITTED}),
            form=f.ReceiveForm,
            service=f"{_SERVICES}.dossier_receive_and_transfer",
            slug="tiep-nhan",
            done=_("Đã tiếp nhận hồ sơ."),
            primary=True,
            slip="receipt",
        ),
        OfficerAction(
            name="refuse",
            label=_("Từ chối tiếp nhận"),
            roles=DESK,
            states=frozenset({S.SUBMITTED}),
            form=f.ReasonForm,
            service=f"{_SERVICES}.dossier_refuse",
            slug="tu-choi",
            done=_("Đã từ chối tiếp nhận hồ sơ."),
            danger=True,
        ),
        OfficerAction(
            name="request_supplement",
            label=_("Yêu cầu bổ sung"),
            # At reception (the desk) or while handling (the office and its head).
            roles=DESK | HANDLING,
            states=frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING}),
            form=f.SupplementForm,
            service=f"{_SERVICES}.dossier_request_supplement",
            slug="yeu-cau-bo-sung",
            done=_("Đã gửi yêu cầu bổ sung hồ sơ."),
        ),
        OfficerAction(
            name="transfer",
            label=_("Chuyển xử lý"),
            # The desk hands a received dossier to the office (the first row of Mẫu 05).
            roles=DESK | HANDLING,
            states=frozenset({S.RECEIVED, S.PROCESSING}),
            form=f.TransferForm,
            service=f"{_SERVICES}.dossier_transfer",
            slug="chuyen",
            done=_("Đã chuyển hồ sơ."),
        ),
        OfficerAction(
            name="request_payment",
            label=_("Yêu cầu nộp phí, lệ phí"),
            roles=HANDLING,
            states=frozenset({S.RECEIVED, S.PROCESSING}),
            form=f.PaymentRequestForm,
            service=f"{_SERVICES}.dossier_request_payment",
            slug="yeu-cau-thanh-toan",
            done=_("Đã yêu cầu thực hiện nghĩa vụ tài chính."),
        ),
        OfficerAction(
            name="confirm_payment",
            label=_("Xác nhận đã nộp"),
            # The fee is often paid at the desk: the desk confirms it too.
            roles=DESK | HANDLING,
            states=frozenset({S.AWAITING_PAYMENT}),
            form=f.PaymentConfirmForm,
            service=f"{_SERVICES}.dossier_confirm_payment",
            slug="xac-nhan-thanh-toan",
            done=_("Đã xác nhận thanh toán."),
        ),
        OfficerAction(
            name="resolve",
            label=_("Giải quyết hồ sơ"),
            roles=HANDLING,
            states=frozenset({S.RECEIVED, S.PROCESSING}),
            form=f.ResolveForm,
            # The result PDF is signed before the transaction (dossiers.signatures).
            service="dossiers.signatures.dossier_resolve_signed",
            slug="giai-quyet",
            primary=True,
            done=_("Đã giải quyết hồ sơ."),
        ),
        OfficerAction(
            name="return",
            label=_("Trả kết quả"),
            roles=DESK,
            states=frozenset({S.RESOLVED}),
            form=f.ReturnForm,
            service="dossiers.services.returning.dossier_return",
            slug="tra-ket-qua",
            primary=True,
            done=_("Đã trả kết quả."),
        ),
        OfficerAction(
            name="stop",
            label=_("Dừng xử lý"),
            roles=DESK,
            states=frozenset({S.WITHDRAWAL_REQUESTED}),
            form=f.ReasonForm,
            service=f"{_SERVICES}.dossier_stop",
            slug="dung-xu-ly",
            done=_("Đã dừng xử lý hồ sơ."),
            danger=True,
        ),
        OfficerAction(
            name="apologize",
            label=_("Lập phiếu xin lỗi, hẹn lại"),
            # Mẫu 04 is signed by the head of the unit.
            roles=frozenset({Role.HEAD, Role.ADMIN}),
            states=frozenset({S.RECEIVED, S.PROCESSING, S.RESOLVED}),
            form=f.ApologyForm,
            service=f"{_SERVICES}.dossier_apologize",
            slug="xin-loi",
            done=_("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả."),
            available_when=_apology_open,
        ),
        OfficerAction(
            name="extend",
            label=_("Gia hạn theo quy định"),
            # Approved by the head of the handling unit, when the procedure's law allows it.
            roles=frozenset({Role.HEAD, Role.ADMIN}),
            # The clock runs or is paused: the due time can still move.
            states=frozenset(
                {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT}
            ),
            form=f.ExtensionForm,
            service="dossiers.services.extensions.dossier_extend",
            slug="gia-han",
            done=_("Đã gia hạn thời gian giải quyết hồ sơ."),
        ),
    )
}


def form_data(data: Any) -> QueryDict:
    """A JSON body as the form data a page would post: scalars as text, lists as repeated
    values, null as empty. An object or a nested list is no form value: ValidationError."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Nội dung yêu cầu phải là một đối tượng JSON."))
    result = QueryDict(mutable=True)
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict | list) for v in values):
            raise ValidationError({key: _("Giá trị không hợp lệ.")})
        result.setlist(key, ["" if v is None else str(v) for v in values])
    return result
