"""Every state × every action, through the services: allowed moves write exactly one event,
the others raise InvalidTransition and change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dossiers import deadlines
from dossiers.deadlines import dossier_ack_overdue
from dossiers.models import Dossier, DossierEvent, Handover, Shipment
from dossiers.services import actions, reception
from payments.models import Payment
from portal.exceptions import InvalidTransition, NotAllowed
from portal.models import AuditLog
from tests.dossiers.conftest import S, dossier_in_state, incoming, online_dossier, vn

ALLOWED = {
    "receive": {S.SUBMITTED},
    "refuse": {S.SUBMITTED},
    "request_supplement": {S.SUBMITTED, S.RECEIVED, S.PROCESSING},
    "transfer": {S.RECEIVED, S.PROCESSING},
    "request_payment": {S.RECEIVED, S.PROCESSING},
    "confirm_payment": {S.AWAITING_PAYMENT},
    "resolve": {S.RECEIVED, S.PROCESSING},
    "return": {S.RESOLVED},
    "stop": {S.WITHDRAWAL_REQUESTED},
}
RESULT = {
    "receive": S.RECEIVED,
    "refuse": S.REFUSED,
    "request_supplement": S.SUPPLEMENT_REQUESTED,
    "transfer": S.PROCESSING,
    "request_payment": S.AWAITING_PAYMENT,
    "confirm_payment": S.PROCESSING,
    "resolve": S.RESOLVED,
    "return": S.RETURNED,
    "stop": S.STOPPED,
}


def run_action(action: str, dossier: Dossier, actor, justice_office) -> None:
    doc_id = dossier.procedure.documents.first().pk
    calls = {
        "receive": lambda: actions.dossier_receive(dossier=dossier, actor=actor),
        "refuse": lambda: actions.dossier_refuse(dossier=dossier, actor=actor, reason="Sai"),
        "request_supplement": lambda: actions.dossier_request_supplement(
            dossier=dossier,
            actor=actor,
            document_ids=[doc_id],
            reason="Thiếu",
            override_note="Phê duyệt lần hai",
        ),
        "transfer": lambda: actions.dossier_transfer(
            dossier=dossier, actor=actor, to_unit=justice_office
        ),
        "request_payment": lambda: actions.dossier_request_payment(
            dossier=dossier, actor=actor, amount_vnd=8000
        ),
        "confirm_payment": lambda: actions.dossier_confirm_payment(
            dossier=dossier, actor=actor, method="cash", reference="BL-01"
        ),
        "resolve": lambda: actions.dossier_resolve(
            dossier=dossier, actor=actor, outcome="approved"
        ),
        "return": lambda: actions.dossier_return(
            dossier=dossier, actor=actor, method="counter", recipient_name="Chị Hoa"
        ),
        "stop": lambda: actions.dossier_stop(dossier=dossier, actor=actor, reason="Rút"),
    }
    calls[action]()


@pytest.mark.parametrize("state", list(S.values))
@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_state_and_action(
    action, state, birth_registration, commune, justice_office, admin_officer
):
    dossier = dossier_in_state(
        state, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    before_events = DossierEvent.objects.filter(dossier=dossier).count()
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    if state in ALLOWED[action]:
        run_action(action, dossier, admin_officer, justice_office)
        dossier.refresh_from_db()
        assert dossier.status == RESULT[action]
        assert DossierEvent.objects.filter(dossier=dossier).count() == before_events + 1
        last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
        assert (last.from_status, last.to_status) == (state, RESULT[action])
        assert last.actor == admin_officer
    else:
        with pytest.raises(InvalidTransition):
            run_action(action, dossier, admin_officer, justice_office)
        assert DossierEvent.objects.filter(dossier=dossier).count() == before_events
        assert Dossier.objects.filter(pk=dossier.pk).values().get() == before


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("resolve", S.PROCESSING),
        ("receive", S.SUBMITTED),
        ("return", S.RESOLVED),
        ("request_payment", S.PROCESSING),
        ("stop", S.WITHDRAWAL_REQUESTED),
    ],
)
def test_it_forbids_a_wrong_role(
    action,
    state,
    birth_registration,
    commune,
    justice_office,
    admin_officer,
    officer,
    specialist,
    leader,
):
    dossier = dossier_in_state(
        state, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    wrong = {
        "resolve": officer,
        "receive": specialist,
        "return": specialist,
        "request_payment": officer,
        "stop": specialist,
    }[action]
    for actor in (wrong, leader):
        with pytest.raises(NotAllowed):
            run_action(action, dossier, actor, justice_office)
    assert Dossier.objects.get(pk=dossier.pk).status == state


def test_a_desk_officer_of_another_commune_cannot_act(
    birth_registration, commune, admin_officer, other_officer, justice_office
):
    dossier = online_dossier(birth_registration, commune)
    with pytest.raises(NotAllowed):
        actions.dossier_receive(dossier=dossier, actor=other_officer)


def test_receive_fixes_the_due_time_and_the_checklist(birth_registration, commune, officer):
    dossier = online_dossier(birth_registration, commune, at=vn(2026, 3, 2, 8, 0))
    dossier = actions.dossier_receive(dossier=dossier, actor=officer, at=vn(2026, 3, 2, 9, 0))
    assert dossier.received_at == vn(2026, 3, 2, 9, 0)
    assert dossier.due_at == vn(2026, 3, 2, 17, 0)
    assert [d["name"] for d in dossier.received_documents] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]


def test_counter_reception_needs_every_required_document(certified_contract, commune, officer):
    doc = certified_contract.documents.first()
    with pytest.raises(ValidationError):
        reception.dossier_receive_at_counter(
            procedure=certified_contract,
            unit=commune,
            channel="counter",
            applicant=_applicant(),
            actor=officer,
            checklist=[],
        )
    dossier, key = reception.dossier_receive_at_counter(
        procedure=certified_contract,
        unit=commune,
        channel="counter",
        applicant=_applicant(),
        actor=officer,
        checklist=[doc.pk],
        files=[incoming(doc)],
        at=vn(2026, 3, 2, 9, 0),
    )
    assert dossier.status == S.RECEIVED
    assert key
    assert dossier.code == "000.41.11.H33-260302-0001"
    assert dossier.received_documents[0]["name"] == doc.name
    assert dossier.files.count() == 1
    assert dossier.fee_vnd == 50_000


def test_counter_reception_needs_the_desk_role_at_that_unit(
    certified_contract, commune, specialist, other_officer
):
    for actor in (specialist, other_officer):
        with pytest.raises(NotAllowed):
            reception.dossier_receive_at_counter(
                procedure=certified_contract,
                unit=commune,
                channel="counter",
                applicant=_applicant(),
                actor=actor,
                checklist=[certified_contract.documents.first().pk],
            )


def _applicant():
    from tests.dossiers.conftest import APPLICANT

    return APPLICANT


def test_supplement_items_come_only_from_the_published_list(
    birth_registration, certified_contract, commune, officer
):
    dossier = online_dossier(birth_registration, commune)
    foreign = certified_contract.documents.first().pk
    with pytest.raises(ValidationError):
        actions.dossier_request_supplement(
            dossier=dossier, actor=officer, document_ids=[foreign], reason="Thiếu"
        )
    with pytest.raises(ValidationError):
        actions.dossier_request_supplement(
            dossier=dossier, actor=officer, document_ids=[], reason="Thiếu"
        )
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


def test_a_second_supplement_request_needs_the_head_override(
    birth_registration, commune, officer, supervisor
):
    from dossiers.services.core import dossier_transition

    dossier = online_dossier(birth_registration, commune)
    doc_ids = list(birth_registration.documents.values_list("pk", flat=True))
    first = actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=doc_ids, reason="Thiếu cả hai"
    )
    assert first.override_by is None
    assert list(first.documents.order_by("order").values_list("name", flat=True)) == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    # The citizen answers (the citizens' service moves it back to submitted).
    dossier_transition(dossier=dossier, to=S.SUBMITTED, actor=None, note="Đã bổ sung")
    with pytest.raises(NotAllowed):
        actions.dossier_request_supplement(
            dossier=dossier, actor=officer, document_ids=doc_ids[:1], reason="Lại thiếu"
        )
    with pytest.raises(ValidationError):
        actions.dossier_request_supplement(
            dossier=dossier, actor=supervisor, document_ids=doc_ids[:1], reason="Lại thiếu"
        )
    second = actions.dossier_request_supplement(
        dossier=dossier,
        actor=supervisor,
        document_ids=doc_ids[:1],
        reason="Lại thiếu",
        override_note="Giấy chứng sinh bị mờ",
    )
    assert second.override_by == supervisor
    log = AuditLog.objects.get(action="supplement_override")
    assert log.target == dossier.code
    assert log.actor == supervisor


def test_transfer_logs_a_handover_with_its_punctuality(
    certified_contract, commune, justice_office, officer
):
    doc = certified_contract.documents.first()
    dossier, _ = reception.dossier_receive_at_counter(
        procedure=certified_contract,
        unit=commune,
        channel="counter",
        applicant=_applicant(),
        actor=officer,
        checklist=[doc.pk],
        at=vn(2026, 3, 2, 9, 0),
    )
    assert dossier.due_at == vn(2026, 3, 4, 9, 0)
    dossier = actions.dossier_transfer(
        dossier=dossier,
        actor=officer,
        to_unit=justice_office,
        note="Chuyển phòng Tư pháp",
        at=vn(2026, 3, 2, 10, 0),
    )
    assert dossier.handling_unit == justice_office
    step = Handover.objects.get(dossier=dossier)
    assert (step.from_unit, step.to_unit, step.from_user) == (commune, justice_office, officer)
    assert step.punctuality == Handover.Punctuality.EARLY
    assert (
        deadlines.handover_punctuality(given_at=vn(2026, 3, 4, 8, 0), due=dossier.due_at)
        == "on_time"
    )
    assert (
        deadlines.handover_punctuality(given_at=vn(2026, 3, 4, 9, 1), due=dossier.due_at) == "late"
    )


def test_payment_is_requested_then_confirmed(birth_registration, commune, admin_officer):
    dossier = dossier_in_state(
        S.PROCESSING, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    actions.dossier_request_payment(dossier=dossier, actor=admin_officer, amount_vnd=8000)
    payment = Payment.objects.get(dossier=dossier)
    assert payment.amount_vnd == 8000
    with pytest.raises(ValidationError):
        actions.dossier_confirm_payment(dossier=dossier, actor=admin_officer, method="")
    actions.dossier_confirm_payment(
        dossier=dossier, actor=admin_officer, method="cash", reference="BL-7"
    )
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.paid_at is not None
    assert payment.reference == "BL-7"


def test_resolve_and_return_by_post_and_electronically(birth_registration, commune, admin_officer):
    dossier = dossier_in_state(
        S.PROCESSING, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    with pytest.raises(ValidationError):
        actions.dossier_resolve(dossier=dossier, actor=admin_officer, outcome="denied")
    dossier = actions.dossier_resolve(
        dossier=dossier,
        actor=admin_officer,
        outcome="denied",
        note="Không đủ điều kiện",
        at=vn(2026, 3, 2, 10, 0),
    )
    assert (dossier.outcome, dossier.resolved_at) == ("denied", vn(2026, 3, 2, 10, 0))
    with pytest.raises(ValidationError):
        actions.dossier_return(dossier=dossier, actor=admin_officer, method="electronic")
    with pytest.raises(ValidationError):
        actions.dossier_return(dossier=dossier, actor=admin_officer, method="post")
    dossier = actions.dossier_return(
        dossier=dossier, actor=admin_officer, method="post", tracking_number="EMS123456VN"
    )
    shipment = Shipment.objects.get(dossier=dossier)
    assert (shipment.direction, shipment.tracking_number) == ("outbound", "EMS123456VN")
    assert dossier.return_method == "post"

    other = dossier_in_state(
        S.RESOLVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    other = actions.dossier_return(dossier=other, actor=admin_officer, method="electronic")
    assert other.status == S.RETURNED


def test_ack_warning_after_eight_working_hours(birth_registration, commune):
    dossier = online_dossier(birth_registration, commune, at=vn(2026, 3, 6, 16, 0))  # Friday
    # Fri 16:00-17:00 and Mon 07:00-11:30, 13:30-15:30 = 7.5 working hours: not yet.
    assert not dossier_ack_overdue(dossier=dossier, at=vn(2026, 3, 9, 15, 30))
    assert not dossier_ack_overdue(dossier=dossier, at=vn(2026, 3, 9, 16, 0))
    assert dossier_ack_overdue(dossier=dossier, at=vn(2026, 3, 9, 16, 1))


ROLE_UNITS = {
    "desk": "commune",
    "specialist": "commune",
    "head": "commune",
    "leader": "district",
    "reporting": "district",
}
START_STATE = {
    "receive": S.SUBMITTED,
    "refuse": S.SUBMITTED,
    "request_supplement": S.RECEIVED,
    "transfer": S.RECEIVED,
    "request_payment": S.PROCESSING,
    "confirm_payment": S.AWAITING_PAYMENT,
    "resolve": S.PROCESSING,
    "return": S.RESOLVED,
    "stop": S.WITHDRAWAL_REQUESTED,
}


@pytest.mark.parametrize("action", list(START_STATE))
def test_every_action_refuses_every_role_the_table_does_not_allow(
    action, birth_registration, commune, district, justice_office, admin_officer
):
    from dossiers.actions import ACTIONS
    from tests.conftest import make_officer

    dossier = dossier_in_state(
        START_STATE[action], procedure=birth_registration, unit=commune, actor=admin_officer
    )
    units = {"commune": commune, "district": district}
    for role, where in ROLE_UNITS.items():
        if role in ACTIONS[action].roles:
            continue
        user = make_officer(f"{action}-{role}", units[where], role)
        with pytest.raises(NotAllowed):
            run_action(action, dossier, user, justice_office)
    assert Dossier.objects.get(pk=dossier.pk).status == START_STATE[action]
